"""The one pipeline of a local crawl: each fetch to the recording service, and the crawl told when that fails.

What a fetch becomes in the archive is ``crawler.recording``'s to decide (the Redis writer uses it
too); this is the Scrapy wiring: open and close the archive, count, and stop the crawl when the
archive cannot be written. The reactor only hands items on: extraction runs in a pool of processes
(``crawler.extractor``) and the archive is written by a thread of its own, in groups of captures
(``crawler.archive_writer``); an item is done when its captures are committed — an item that cannot be recorded is counted (``fazhi/unrecorded_items``),
never dropped silently, and the crawl closes with reason ``archive_failed`` (exit code 1).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extractor import DEFAULT_TIMEOUT, Extractor
from crawler.items import CaptureItem
from crawler.recording import Recorder, RecordingFailed
from crawler.responses import utc_now

logger = logging.getLogger(__name__)

UNRECORDED = "fazhi/unrecorded_items"
ARCHIVE_ERROR = "fazhi/archive_error"  # why the archive could not be opened, for the crawl's one-line summary
ARCHIVE_FAILED = "archive_failed"


class ArchivePipeline:
    """Records every fetch as a capture and every changed report text as a new version."""

    def __init__(self, db_path: str, crawler: Crawler) -> None:
        self.db_path = db_path
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.recorder = Recorder(
            db_path,
            self.stats.inc_value,
            Extractor(
                timeout=settings.getfloat("FAZHI_EXTRACTION_TIMEOUT", DEFAULT_TIMEOUT),
                workers=settings.getint("FAZHI_EXTRACTION_WORKERS", 0),
                niceness=settings.getint("FAZHI_EXTRACTION_NICENESS", 0),
            ),
            lock_wait=settings.getfloat("ARCHIVE_LOCK_WAIT", 0.0),
            batch_seconds=settings.getfloat("FAZHI_ARCHIVE_BATCH_SECONDS", 0.0),
        )
        self.started = utc_now()
        self.closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler.settings.get("ARCHIVE_DB"), crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        self.started = utc_now()
        try:
            self.recorder.open()
        except RecordingFailed as exc:  # nothing this crawl fetched could be kept: stop before it starts
            self.stats.set_value(ARCHIVE_ERROR, " ".join(str(exc).split()))
            self.stop_crawl(str(exc))
            return
        logger.info("archiving into %s", self.db_path)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Mark reports that are gone — only after a complete crawl of a portal whose lists all read.

        An interrupted crawl or an unreadable list is no evidence that a report is gone.
        """
        if reason != "finished":
            logger.info("crawl %s: not marking removed reports", reason)
            return
        self.recorder.mark_removed_reports(self.started)

    def close_spider(self, spider: Spider | None = None) -> None:
        self.recorder.close()

    async def process_item(self, item: CaptureItem, spider: Spider | None = None) -> dict[str, Any]:
        """The recording's summary; an item the archive could not take is dropped, counted and logged."""
        if not self.recorder.is_open:  # it could not be opened; the crawl is closing
            self.unrecorded(item, "the archive is not open")
            raise DropItem("not archived: the archive is not open")
        try:
            return await self.recorder.record(item)
        except RecordingFailed as exc:
            self.unrecorded(item, str(exc))
            self.stop_crawl(str(exc))
            raise DropItem(f"not archived: {exc}") from exc
        except Exception as exc:  # a bug must not lose an item silently either
            logger.exception("could not record %s", item.get("url"))
            self.unrecorded(item, f"{type(exc).__name__}: {exc}")
            raise DropItem(f"not archived: {type(exc).__name__}: {exc}") from exc

    def stop_crawl(self, why: str) -> None:
        """Close the spider with ``archive_failed``: once, and without waiting here for the items in flight
        (this one among them), which the engine finishes before it closes."""
        if self.closing is not None or self.crawler.engine is None:
            return
        logger.error("the archive cannot be written (%s): stopping the crawl", why)
        self.closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=ARCHIVE_FAILED))

    def unrecorded(self, item: CaptureItem, reason: str) -> None:
        """Count and log an item that will not be archived (the caller drops it: Scrapy counts it too)."""
        self.stats.inc_value(UNRECORDED)
        logger.error("not archived: %s (%s)", item.get("url"), reason)
