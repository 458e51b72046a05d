"""``scrapy crawl`` with exit codes cron and systemd can act on.

Scrapy's own ``crawl`` exits 0 however the spider closed. Here a crawl that would write an archive
another process is writing refuses before it starts, with one line and exit 1 (the writer lock,
archive/lock.py; ``-s ARCHIVE_LOCK_WAIT=SECONDS`` waits for it first); and a crawl whose archive
writes failed (disk full, database busy past its timeout: the pipeline closes with
``archive_failed``) exits 1 rather than look like a good run.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from archive.errors import ArchiveLocked
from archive.lock import WriterLock

FAILED_REASONS = frozenset({"archive_failed"})


class Command(ScrapyCrawl):
    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        lock = None
        # Redis workers hand their captures to `fazhi ingest`, the writer; they write no archive.
        if self.settings.get("ARCHIVE_DB") and not (self.settings.get("REDIS_URL") or os.environ.get("FAZHI_REDIS_URL")):
            try:  # the pipeline's Archive takes the same lock again (it is re-entrant within a process)
                lock = WriterLock(self.settings["ARCHIVE_DB"], wait=self.settings.getfloat("ARCHIVE_LOCK_WAIT", 0.0))
            except ArchiveLocked as exc:
                print(exc, file=sys.stderr)
                self.exitcode = 1
                return
            except OSError:
                pass  # no such folder, say: the pipeline's Archive says what is wrong
        try:
            super().run(args, opts)
        finally:
            if lock is not None:
                lock.release()
        crawler = getattr(self, "_crawler", None)
        reason = crawler.stats.get_value("finish_reason") if crawler and crawler.stats else None
        if reason in FAILED_REASONS:
            unrecorded = crawler.stats.get_value("fazhi/unrecorded_items", 0)
            print(f"crawl failed ({reason}): {unrecorded} fetched item(s) not archived; see the log", file=sys.stderr)
            self.exitcode = 1
