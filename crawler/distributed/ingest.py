"""The one archive writer of a distributed crawl: captures from Redis into the archive.

Each capture goes through ``crawler.recording.Recorder`` — the recording service a local crawl's
pipeline calls — so a Redis crawl and a local crawl leave the same archive. The worker that fetched a
capture has extracted it already and sent its reports along; the writer uses them where its own
extraction would be the same job by the same extractor, and extracts only the rest, so its time goes
to writing. Captures are taken in batches: up to ``batch`` are moved (LMOVE) to
``reports:items:ingesting`` in one round trip, recorded together (the archive's writer thread commits
them in a few transactions), then dropped from there. A writer killed mid-batch loses nothing: the
next one archives the leftovers first (the archive makes a repeat a ``seen_again``, never a second
version). The end-of-crawl marker the last worker queues makes the writer mark reports the crawl no
longer found, once every capture before it is recorded.

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

from crawler.distributed.items import crawl_complete, decode_shipment
from crawler.distributed.keys import CrawlKeys
from crawler.recording import Recorder, RecordingFailed
from crawler.responses import utc_now
from report.notify import notify_crawl

logger = logging.getLogger(__name__)

BATCH = 200  # captures taken from Redis at a time


def ingest_from_redis(
    redis_url: str, db_path: str, key: str = CrawlKeys().items, stop_when_idle: float | None = 5.0,
    notify: list[str] | None = None, batch: int = BATCH, until_complete: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Archive captures from the Redis list ``key`` until it has been empty ``stop_when_idle`` seconds.

    ``stop_when_idle=None`` runs until interrupted (a long-lived writer beside long-lived workers);
    ``until_complete`` stops once the end-of-crawl marker of a complete crawl has been handled.
    ``notify``: apprise URLs told what each crawl archived that is new (see the module's docstring).
    Returns counts: captures ingested, new versions, seen again, capture only, outcomes, the
    notifications sent, and how many reports the workers' extraction gave (``extractions_shipped``)
    or the writer made again.
    """
    return asyncio.run(_ingest(redis_url, db_path, key, stop_when_idle, notify or [], max(1, batch), until_complete))


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
    redis_url: str, db_path: str, key: str, stop_when_idle: float | None, notify: list[str], batch: int,
    until_complete: bool,
) -> dict[str, Any]:
    server = redis.Redis.from_url(redis_url)
    ingesting = f"{key}:ingesting"
    counts: Counter[str] = Counter()

    def count(stat: str, n: int = 1, **_: Any) -> None:
        counts[stat] += n

    recorder = Recorder(db_path, count)
    recorder.open(warm=False)  # the workers extracted: the writer's pool starts only if it must extract
    news = _News(db_path, notify)
    ingested = crawls = 0
    idle_since = time.monotonic()
    try:
        while True:
            held = server.lrange(ingesting, 0, batch - 1)  # leftovers of a writer that died mid-batch
            if not held:
                held = _take(server, key, ingesting, batch)
            if not held:
                waited = time.monotonic() - idle_since
                if stop_when_idle is not None and waited >= stop_when_idle:
                    news.tell()  # what came after the last end-of-crawl marker, if anything
                    break
                wait = 1.0 if stop_when_idle is None else min(1.0, max(0.01, stop_when_idle - waited))
                moved = server.blmove(key, ingesting, wait, "LEFT", "RIGHT")
                if moved is None:
                    continue
                held = [moved] + _take(server, key, ingesting, batch - 1)
            done, marked = await _record_batch(recorder, server, ingesting, held, news)
            ingested += done
            crawls += marked
            idle_since = time.monotonic()
            if until_complete and marked:
                break
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
        "extractions_shipped": counts.get("fazhi/extractions/shipped", 0),
        "extractions_redone": sum(v for k, v in counts.items() if k.startswith("fazhi/extractions/redone")),
        "extractions_unused": counts.get("fazhi/extractions/unused", 0),  # sent for a job the writer did not have
        "outcomes": {k.rsplit("/", 1)[1]: v for k, v in counts.items() if k.startswith("fazhi/outcome/")},
    }
    logger.info("ingested %d captures from %s into %s: %s", ingested, key, db_path, result)
    return result


# Up to ARGV[1] captures from the head of KEYS[1] to the tail of KEYS[2]; the ones moved, in order.
TAKE = """
local moved = {}
for _ = 1, tonumber(ARGV[1]) do
  local data = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not data then break end
  moved[#moved + 1] = data
end
return moved
"""


def _take(server: redis.Redis, key: str, ingesting: str, n: int) -> list[bytes]:
    """Move up to ``n`` captures from the queue to ``ingesting`` in one script (one round trip, at once)."""
    if n <= 0:
        return []
    return list(server.eval(TAKE, 2, key, ingesting, n))


async def _record_batch(
    recorder: Recorder, server: redis.Redis, ingesting: str, held: list[bytes], news: _News
) -> tuple[int, int]:
    """Record the captures ``held`` (the head of ``ingesting``, in order), then drop them from there.

    Captures are recorded concurrently (their commits grouped) in runs that hold each URL once, so two
    captures of one URL are recorded in the order they were fetched; an end-of-crawl marker waits for
    every capture before it. Raises ``RecordingFailed`` when the archive cannot be written: what was
    not recorded stays in ``ingesting`` for the next writer.
    """
    recorded = crawls = 0
    run: list[tuple[bytes, Any]] = []
    for data in [*held, None]:
        marker = crawl_complete(data) if data is not None else None
        shipment = decode_shipment(data) if data is not None and marker is None else None
        if shipment is not None and shipment[0]["url"] not in {s[0]["url"] for _, s in run}:
            run.append((data, shipment))
            continue
        if run:
            recorded += await _record_run(recorder, server, ingesting, run)
            for _, (item, _shipped) in run:
                news.saw(item.get("fetched_at"))
            run = []
        if shipment is not None:
            run.append((data, shipment))
            continue
        if data is None:
            break
        if marker.get("started"):
            recorder.mark_removed_reports(marker["started"])
            news.saw(marker["started"])
            crawls += 1
        else:
            logger.warning("a crawl ended without a recorded start: not marking removed reports")
        server.lpop(ingesting)
        news.tell()  # the crawl is complete: its news, once
    return recorded, crawls


async def _record_run(recorder: Recorder, server: redis.Redis, ingesting: str, run: list[tuple[bytes, Any]]) -> int:
    outcomes = await asyncio.gather(*(recorder.record(*shipment) for _, shipment in run), return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    if failed:
        for (data, _), outcome in zip(run, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                server.lrem(ingesting, 1, data)
        error = failed[0]
        if isinstance(error, RecordingFailed):
            raise error
        raise RecordingFailed(f"{type(error).__name__}: {error}") from error
    server.ltrim(ingesting, len(run), -1)
    return len(run)
