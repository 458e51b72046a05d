"""``scrapy crawl`` that exits 1 when the crawl could not record what it fetched.

Scrapy's own ``crawl`` exits 0 however the spider closed; a crawl whose archive write failed
(disk full, database busy past its timeout: the pipeline closes with ``archive_failed``) must
not look like a good run to cron or systemd.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

FAILED_REASONS = frozenset({"archive_failed"})


class Command(ScrapyCrawl):
    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        crawler = getattr(self, "_crawler", None)
        reason = crawler.stats.get_value("finish_reason") if crawler and crawler.stats else None
        if reason in FAILED_REASONS:
            unrecorded = crawler.stats.get_value("fazhi/unrecorded_items", 0)
            print(f"crawl failed ({reason}): {unrecorded} fetched item(s) not archived; see the log", file=sys.stderr)
            self.exitcode = 1
