"""At the end of a local crawl, tell the ``FAZHI_NOTIFY`` targets what it archived (report.notify does the work)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from report.notify import notify_crawl, parse_targets

logger = logging.getLogger(__name__)


class CrawlNotifier:
    """Notes when the crawl starts; when it closes (after the pipeline has written everything), notifies."""

    def __init__(self, db: str, targets: list[str]) -> None:
        self.db, self.targets = db, targets
        self.since: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlNotifier:
        targets = parse_targets(crawler.settings.get("FAZHI_NOTIFY"))
        db = crawler.settings.get("ARCHIVE_DB")
        if not targets or not db or crawler.settings.get("REDIS_URL"):  # Redis workers write no archive
            raise NotConfigured
        ext = cls(db, targets)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the archive's timestamps

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.since is None:
            return
        news = notify_crawl(self.db, self.since, self.targets)
        logger.info("FAZHI_NOTIFY: %s", news.title if news else "nothing new archived, nothing sent")
