"""The one archive writer of a distributed crawl: captures from Redis into the archive.

Each capture goes through ``crawler.recording.Recorder`` — the recording service a local crawl's
pipeline calls — so a Redis crawl and a local crawl leave the same archive. A capture is moved (LMOVE) to ``reports:items:ingesting`` while it
is archived and dropped from there after, so a writer killed mid-capture loses nothing: the next one
archives the leftover first (the archive makes a repeat a ``seen_again``, never a second version).
The end-of-crawl marker the last worker queues makes the writer mark reports the crawl no longer found.

With ``notify`` (``fazhi ingest --notify URL[,URL…]``, or ``FAZHI_NOTIFY``, apprise URLs as for a local
crawl) the writer sends what the archive gained — new reports, revisions, removals — once per crawl:
when the end-of-crawl marker has been handled, and at the end of its run for what came after the last
marker. Nothing is sent when nothing is new. What counts as "gained" starts at the earliest archive
time the period's captures carry (a worker's fetch time, its crawl's start), so captures fetched
before this writer started are news too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

import redis

from crawler.distributed.items import crawl_complete, decode_capture
from crawler.distributed.keys import CrawlKeys
from crawler.recording import Recorder
from crawler.responses import utc_now
from report.notify import notify_crawl

logger = logging.getLogger(__name__)


def ingest_from_redis(
    redis_url: str,
    db_path: str,
    key: str = CrawlKeys().items,
    stop_when_idle: float | None = 5.0,
    notify: list[str] | None = None,
) -> dict[str, Any]:
    """Archive captures from the Redis list ``key`` until it has been empty ``stop_when_idle`` seconds.

    ``stop_when_idle=None`` runs until interrupted (a long-lived writer beside long-lived workers).
    ``notify``: apprise URLs told what each crawl archived that is new (see the module's docstring).
    Returns counts: captures ingested, new versions, seen again, capture only, and outcomes, and the
    notifications sent.
    """
    return asyncio.run(_ingest(redis_url, db_path, key, stop_when_idle, notify or []))


class _News:
    """One notification period of the writer: since when the archive's news is this crawl's."""

    def __init__(self, db_path: str, targets: list[str]) -> None:
        self.db_path, self.targets = db_path, targets
        self.since = utc_now()
        self.recorded = 0
        self.sent = 0

    def saw(self, when: str | None) -> None:
        """An archive time this period wrote (a capture's fetch time, a crawl's start)."""
        self.recorded += 1
        if when and when < self.since:
            self.since = when

    def tell(self) -> None:
        """Send what the period archived that is new (nothing when nothing is), and start the next one."""
        if self.targets and self.recorded:
            news = notify_crawl(self.db_path, self.since, self.targets)
            self.sent += bool(news)
            logger.info("FAZHI_NOTIFY: %s", news.title if news else "nothing new archived, nothing sent")
        self.since, self.recorded = utc_now(), 0


async def _ingest(
    redis_url: str, db_path: str, key: str, stop_when_idle: float | None, notify: list[str]
) -> dict[str, Any]:
    server = redis.Redis.from_url(redis_url)
    ingesting = f"{key}:ingesting"
    counts: Counter[str] = Counter()

    def count(stat: str, n: int = 1, **_: Any) -> None:
        counts[stat] += n

    recorder = Recorder(db_path, count)
    recorder.open()
    news = _News(db_path, notify)
    ingested = crawls = 0
    idle_since = time.monotonic()
    try:
        while True:
            data = server.lindex(ingesting, 0)  # a leftover from a writer that died mid-capture
            if data is None:
                data = server.lmove(key, ingesting, "LEFT", "RIGHT")
            if data is None:
                waited = time.monotonic() - idle_since
                if stop_when_idle is not None and waited >= stop_when_idle:
                    news.tell()  # what came after the last end-of-crawl marker, if anything
                    break
                wait = 1.0 if stop_when_idle is None else min(1.0, max(0.01, stop_when_idle - waited))
                moved = server.blmove(key, ingesting, wait, "LEFT", "RIGHT")
                if moved is None:
                    continue
                data = moved
            marker = crawl_complete(data)
            if marker is None:
                item = decode_capture(data)
                await recorder.record(item)  # raises RecordingFailed: the capture stays queued
                news.saw(item.get("fetched_at"))
            elif marker.get("started"):
                recorder.mark_removed_reports(marker["started"])
                news.saw(marker["started"])
                crawls += 1
            else:
                logger.warning("a crawl ended without a recorded start: not marking removed reports")
            server.lrem(ingesting, 1, data)
            if marker is not None:
                news.tell()  # the crawl is complete: its news, once
            ingested += marker is None
            idle_since = time.monotonic()
    finally:
        recorder.close()
        server.close()
    result: dict[str, Any] = {
        "ingested": ingested,
        "new_versions": counts.get("fazhi/new_version", 0),
        "seen_again": counts.get("fazhi/seen_again", 0),
        "capture_only": counts.get("fazhi/capture_only", 0),
        "complete_crawls": crawls,
        "removed_documents": counts.get("fazhi/removed_documents", 0),
        "notifications": news.sent,
        "outcomes": {k.rsplit("/", 1)[1]: v for k, v in counts.items() if k.startswith("fazhi/outcome/")},
    }
    logger.info("ingested %d captures from %s into %s: %s", ingested, key, db_path, result)
    return result
