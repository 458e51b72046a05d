"""The one archive writer of a distributed crawl: captures from Redis into the archive.

Each capture goes through ``crawler.recording.Recorder`` — the recording service a local crawl's
pipeline calls — so a Redis crawl and a local crawl leave the same archive. The worker that fetched a
capture has extracted it already and sent its reports along; the writer uses them where its own
extraction would be the same job by the same extractor, and extracts only the rest, so its time goes
to writing. Captures are taken in batches: up to ``batch`` are moved (LMOVE) to
``reports:items:ingesting`` in one round trip and recorded concurrently, while the next batch is
taken (at most two in flight); the archive's writer thread commits what is ready in groups
(``Archive.ingest_many``, one WARC sync a transaction), and a capture is dropped from ``ingesting``
only once it and every capture before it is committed. A writer killed mid-batch loses nothing: the
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
from collections import Counter, deque
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
    # The workers extracted: the pool starts only when a capture needs it (an attachment a worker read
    # without its page, which another worker fetched: the job differs), so a writer that never extracts
    # never pays its start (~0.5 s) or its close. Only the captures waiting on that job wait for it.
    recorder.open(warm=False)
    news = _News(db_path, notify)
    flight = _InFlight(recorder, server, ingesting, news)
    idle_since = time.monotonic()
    try:
        for data in server.lrange(ingesting, 0, -1):  # leftovers of a writer that died mid-batch: first
            flight.add(data)
        while True:
            await flight.settle(keep=batch)  # at most two batches in flight
            if until_complete and flight.crawls:
                await flight.settle(keep=0)
                break
            held = _take(server, key, ingesting, batch)
            if not held and flight.entries:
                await flight.settle(keep=len(flight.entries) - 1)  # nothing queued: wait for a commit
                idle_since = time.monotonic()  # idle counts from the last capture recorded
                continue
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
            for data in held:
                flight.add(data)
            idle_since = time.monotonic()
    finally:
        recorder.close()
        server.close()
    ingested, crawls = flight.recorded, flight.crawls
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


class _InFlight:
    """Captures taken from Redis and being recorded, in the order they sit in ``ingesting``.

    Each capture is recorded by a task of its own, so a few captures the writer must extract (in its
    pool) do not hold up the writes of the rest; the archive's writer thread groups what is ready into
    transactions. A capture leaves ``ingesting`` only once it is committed, and only from the head: a
    committed capture behind one still being recorded stays until that one is done too (a writer
    killed then records it again, which the archive counts as ``seen_again``, never a second version).
    Two captures of one URL are recorded in the order they were fetched; an end-of-crawl marker waits
    for every capture before it.
    """

    def __init__(self, recorder: Recorder, server: redis.Redis, ingesting: str, news: _News) -> None:
        self.recorder, self.server, self.ingesting, self.news = recorder, server, ingesting, news
        self.entries: deque[tuple[bytes, asyncio.Task[None]]] = deque()
        self.last_of_url: dict[str, asyncio.Task[None]] = {}
        self.recorded = self.crawls = 0

    def add(self, data: bytes) -> None:
        """Start recording one entry of ``ingesting`` (a capture or an end-of-crawl marker)."""
        marker = crawl_complete(data)
        if marker is not None:
            task = asyncio.create_task(self._mark(marker, [t for _, t in self.entries]))
        else:
            item, shipped = decode_shipment(data)
            task = asyncio.create_task(self._record(item, shipped, self.last_of_url.get(item["url"])))
            self.last_of_url[item["url"]] = task
        self.entries.append((data, task))

    async def _record(self, item: Any, shipped: list[Any], before: asyncio.Task[None] | None) -> None:
        if before is not None:
            await asyncio.wait([before])  # the earlier capture of this URL is recorded first
            if before.cancelled() or before.exception() is not None:
                raise RecordingFailed(f"an earlier capture of {item['url']} was not recorded")
        await self.recorder.record(item, shipped)
        self.recorded += 1
        self.news.saw(item.get("fetched_at"))
        if self.last_of_url.get(item["url"]) is asyncio.current_task():
            del self.last_of_url[item["url"]]

    async def _mark(self, marker: dict[str, Any], before: list[asyncio.Task[None]]) -> None:
        if before:
            await asyncio.wait(before)
        if any(t.cancelled() or t.exception() is not None for t in before):
            return  # not every capture of the crawl is in the archive: the failure stops the writer
        if marker.get("started"):
            self.recorder.mark_removed_reports(marker["started"])
            self.news.saw(marker["started"])
            self.crawls += 1
        else:
            logger.warning("a crawl ended without a recorded start: not marking removed reports")
        self.news.tell()  # the crawl is complete: its news, once

    async def settle(self, keep: int) -> None:
        """Drop what is committed from the head of ``ingesting``; wait until at most ``keep`` entries are left.

        Raises ``RecordingFailed`` when the archive could not be written: what was not recorded stays
        in ``ingesting`` for the next writer.
        """
        while True:
            done = 0
            for _, task in self.entries:
                if not task.done():
                    break
                if task.cancelled() or task.exception() is not None:
                    await self._fail()
                done += 1
            if done:
                self.server.ltrim(self.ingesting, done, -1)
                for _ in range(done):
                    self.entries.popleft()
            if len(self.entries) <= max(0, keep):
                return
            pending = [t for _, t in self.entries if not t.done()]
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)

    async def _fail(self) -> None:
        """Once every task has ended: drop the captures that were committed, raise the first failure."""
        await asyncio.wait([t for _, t in self.entries])
        error: BaseException | None = None
        for data, task in self.entries:
            failure = asyncio.CancelledError() if task.cancelled() else task.exception()
            if failure is None:
                self.server.lrem(self.ingesting, 1, data)
            elif error is None:
                error = failure
        self.entries.clear()
        if isinstance(error, RecordingFailed):
            raise error
        raise RecordingFailed(f"{type(error).__name__}: {error}") from error
