"""The one archive writer of a distributed crawl: captures from Redis into the archive.

Each capture goes through ``crawler.recording.Recorder`` — the recording service a local crawl's
pipeline calls — so a Redis crawl and a local crawl leave the same archive. A capture is moved (LMOVE) to ``reports:items:ingesting`` while it
is archived and dropped from there after, so a writer killed mid-capture loses nothing: the next one
archives the leftover first (the archive makes a repeat a ``seen_again``, never a second version).
The end-of-crawl marker the last worker queues makes the writer mark reports the crawl no longer found.
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

logger = logging.getLogger(__name__)


def ingest_from_redis(
    redis_url: str, db_path: str, key: str = CrawlKeys().items, stop_when_idle: float | None = 5.0
) -> dict[str, Any]:
    """Archive captures from the Redis list ``key`` until it has been empty ``stop_when_idle`` seconds.

    ``stop_when_idle=None`` runs until interrupted (a long-lived writer beside long-lived workers).
    Returns counts: captures ingested, new versions, seen again, capture only, and outcomes.
    """
    return asyncio.run(_ingest(redis_url, db_path, key, stop_when_idle))


async def _ingest(redis_url: str, db_path: str, key: str, stop_when_idle: float | None) -> dict[str, Any]:
    server = redis.Redis.from_url(redis_url)
    ingesting = f"{key}:ingesting"
    counts: Counter[str] = Counter()

    def count(stat: str, n: int = 1, **_: Any) -> None:
        counts[stat] += n

    recorder = Recorder(db_path, count)
    recorder.open()
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
                    break
                wait = 1.0 if stop_when_idle is None else min(1.0, max(0.01, stop_when_idle - waited))
                moved = server.blmove(key, ingesting, wait, "LEFT", "RIGHT")
                if moved is None:
                    continue
                data = moved
            marker = crawl_complete(data)
            if marker is None:
                await recorder.record(decode_capture(data))  # raises RecordingFailed: the capture stays queued
            elif marker.get("started"):
                recorder.mark_removed_reports(marker["started"])
                crawls += 1
            else:
                logger.warning("a crawl ended without a recorded start: not marking removed reports")
            server.lrem(ingesting, 1, data)
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
        "outcomes": {k.rsplit("/", 1)[1]: v for k, v in counts.items() if k.startswith("fazhi/outcome/")},
    }
    logger.info("ingested %d captures from %s into %s: %s", ingested, key, db_path, result)
    return result
