"""Crawl-level extensions."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class StatsFile:
    """Write the crawl's final stats as JSON to ``FAZHI_STATS_FILE``.

    Scheduled jobs, benchmarks and tests read numbers (bytes downloaded, versions made, pages blocked)
    from here instead of scraping the log.
    """

    def __init__(self, path: str, crawler: Crawler) -> None:
        self.path = Path(path)
        self.crawler = crawler
        self.reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("FAZHI_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(path, crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.reason = reason

    def engine_stopped(self) -> None:
        """Written last, so that counts added by other spider_closed handlers are in."""
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = self.reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=2), encoding="utf-8")
