"""Captures on the wire: a CaptureItem as JSON in a Redis list, bytes as base64.

Workers never open the archive: SQLite has one writer, and a worker on another machine has no file
to write to. They push each capture here; ``ingest_from_redis`` archives it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import CrawlKeys
from crawler.items import CaptureItem

BYTES_TAG = "__base64__"
# The last worker out of a complete crawl queues this after every capture, so the writer knows the
# crawl was whole and can mark the reports it no longer found (as a local crawl does when it closes).
CRAWL_COMPLETE = "__crawl_complete__"


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


def encode_capture(item: CaptureItem | dict[str, Any]) -> str:
    """One JSON line for a capture; every bytes value (body, continuation bodies) base64."""
    return json.dumps(_plain(item), ensure_ascii=False, separators=(",", ":"))


def decode_capture(data: str | bytes) -> CaptureItem:
    """The CaptureItem a worker pushed, bytes restored, ready for ``ArchivePipeline``."""
    fields = _restored(json.loads(data))
    return CaptureItem(**{k: v for k, v in fields.items() if k in CaptureItem.fields})


def encode_crawl_complete(started: str | None) -> str:
    return json.dumps({CRAWL_COMPLETE: {"started": started}})


def crawl_complete(data: str | bytes) -> dict[str, Any] | None:
    """The end-of-crawl marker's fields, or None for a capture (told apart without parsing a large capture)."""
    head = data[: len(CRAWL_COMPLETE) + 3]
    if (head.decode("utf-8", "replace") if isinstance(head, bytes) else head) != '{"' + CRAWL_COMPLETE + '"':
        return None
    return json.loads(data)[CRAWL_COMPLETE]


class RedisItemPipeline:
    """Instead of ``ArchivePipeline`` in Redis mode: RPUSH each capture to ``reports:items``."""

    def __init__(self, crawler: Crawler) -> None:
        self.server = get_redis_from_settings(crawler.settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.key = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.key = CrawlKeys(spider.name if spider else "reports").items

    def process_item(self, item: CaptureItem, spider: Spider | None = None) -> dict[str, Any]:
        from crawler.distributed.scheduler import REDIS_ERRORS, close_for_lost_redis

        try:
            self.server.rpush(self.key, encode_capture(item))
        except REDIS_ERRORS as exc:
            self.stats.inc_value("fazhi/unrecorded_items")  # the crawl command exits 1
            close_for_lost_redis(self.crawler, exc)
            return {"url": item.get("url"), "queued": None}
        self.stats.inc_value("fazhi/redis/items_pushed")
        return {"url": item.get("url"), "queued": self.key}
