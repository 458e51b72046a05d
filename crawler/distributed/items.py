"""Captures on the wire: a CaptureItem as JSON in a Redis list, bytes as base64, with the worker's extraction.

Workers never open the archive: SQLite has one writer, and a worker on another machine has no file
to write to. They extract what they fetched on their own cores (``Recorder.prepare``), and push each
capture here with those results (``__extractions__``, see ``crawler.extractions``);
``ingest_from_redis`` archives it, using a result only where its own extraction would be the same.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import CrawlKeys
from crawler.extractions import ShippedExtraction
from crawler.extractor import DEFAULT_TIMEOUT, Extractor
from crawler.items import CaptureItem
from crawler.recording import Recorder

logger = logging.getLogger(__name__)

BYTES_TAG = "__base64__"
# The last worker out of a complete crawl queues this after every capture, so the writer knows the
# crawl was whole and can mark the reports it no longer found (as a local crawl does when it closes).
CRAWL_COMPLETE = "__crawl_complete__"
EXTRACTIONS = "__extractions__"  # the worker's extraction results, beside the capture's fields


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {BYTES_TAG: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in dict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {BYTES_TAG}:
            return base64.b64decode(value[BYTES_TAG])
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value


def encode_capture(item: CaptureItem | dict[str, Any], extractions: list[ShippedExtraction] | None = None) -> str:
    """One JSON line for a capture; every bytes value (body, continuation bodies) base64."""
    fields = _plain(item)
    if extractions:
        fields[EXTRACTIONS] = [e.to_wire() for e in extractions]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def decode_capture(data: str | bytes) -> CaptureItem:
    """The CaptureItem a worker pushed, bytes restored, ready for ``ArchivePipeline``."""
    return decode_shipment(data)[0]


def decode_shipment(data: str | bytes) -> tuple[CaptureItem, list[ShippedExtraction]]:
    """The CaptureItem a worker pushed, and the extraction results it sent with it (malformed ones left out)."""
    fields = json.loads(data)
    shipped = []
    for entry in fields.pop(EXTRACTIONS, None) or []:
        try:
            shipped.append(ShippedExtraction.from_wire(entry))
        except ValueError as exc:
            logger.warning("a malformed extraction sent with %s left out: %s", fields.get("url"), exc)
    fields = _restored(fields)
    return CaptureItem(**{k: v for k, v in fields.items() if k in CaptureItem.fields}), shipped


def encode_crawl_complete(started: str | None) -> str:
    return json.dumps({CRAWL_COMPLETE: {"started": started}})


def crawl_complete(data: str | bytes) -> dict[str, Any] | None:
    """The end-of-crawl marker's fields, or None for a capture (told apart without parsing a large capture)."""
    head = data[: len(CRAWL_COMPLETE) + 3]
    if (head.decode("utf-8", "replace") if isinstance(head, bytes) else head) != '{"' + CRAWL_COMPLETE + '"':
        return None
    return json.loads(data)[CRAWL_COMPLETE]


class RedisItemPipeline:
    """Instead of ``ArchivePipeline`` in Redis mode: extract, then RPUSH each capture to ``reports:items``.

    ``FAZHI_WORKER_EXTRACTS`` (on) has the worker extract in its own process pool and send the results;
    off, it sends the raw capture only and the writer extracts everything, as before.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.server = get_redis_from_settings(settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.key = ""
        self.recorder: Recorder | None = None
        if settings.getbool("FAZHI_WORKER_EXTRACTS", True):
            extractor = Extractor(
                timeout=settings.getfloat("FAZHI_EXTRACTION_TIMEOUT", DEFAULT_TIMEOUT),
                workers=settings.getint("FAZHI_EXTRACTION_WORKERS", 0),
                niceness=settings.getint("FAZHI_EXTRACTION_NICENESS", 0),
            )
            # The worker's read-only copy of the archive, if it has one, gives back unchanged pages.
            self.recorder = Recorder(None, self.stats.inc_value, extractor, copy_path=settings.get("ARCHIVE_DB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.key = CrawlKeys(spider.name if spider else "reports").items
        if self.recorder is not None:
            self.recorder.open()

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.recorder is not None:
            self.recorder.close()

    async def process_item(self, item: CaptureItem, spider: Spider | None = None) -> dict[str, Any]:
        from crawler.distributed.scheduler import REDIS_ERRORS, close_for_lost_redis

        extractions = await self.recorder.prepare(item) if self.recorder is not None else []
        if extractions:
            self.stats.inc_value("fazhi/redis/extractions_sent", len(extractions))
        try:
            self.server.rpush(self.key, encode_capture(item, extractions))
        except REDIS_ERRORS as exc:
            self.stats.inc_value("fazhi/unrecorded_items")  # the crawl command exits 1
            close_for_lost_redis(self.crawler, exc)
            return {"url": item.get("url"), "queued": None}
        self.stats.inc_value("fazhi/redis/items_pushed")
        return {"url": item.get("url"), "queued": self.key}
