"""scrapy-redis's scheduler, made safe for workers that stop or die mid-crawl.

scrapy-redis pops a request from the shared queue and forgets it: if that worker dies, the request is
gone from the queue yet marked seen in the dupefilter, so nobody fetches it again. Here every popped
request is parked in ``reports:inflight:<worker>`` in the same Redis step as the pop (a Lua script)
until the engine has finished with it (its items are pushed), and a worker whose heartbeat lapsed has
its parked requests put back in the queue. Marking a request seen and queueing it is one step too.
A worker with an empty queue also stays open while a live peer still has requests in flight, since
those can add new links; the last worker to finish a complete crawl queues an end-of-crawl marker for
the writer (which then marks removed reports) and clears the frontier for the next run.

If Redis goes away, the worker does not wait for it for ever: the first failed call closes the spider
with reason ``redis_lost`` (the crawl command then exits 1). Its in-flight requests stay parked in
Redis, and a peer or the next run takes them over once Redis is back.

The engine's in-progress set and its ``nextcall`` are read through Scrapy's private ``engine._slot``
(Scrapy 2.19): there is no public signal for "this request's callback output is fully handled".
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.distributed.items import encode_crawl_complete
from crawler.distributed.keys import CrawlKeys
from crawler.responses import utc_now

logger = logging.getLogger(__name__)

# Pop the best request and park it under this worker in one step. Done as two commands, a worker
# killed between them loses the request: gone from the queue, marked seen, parked nowhere. (The test
# that kills a worker once it holds requests hit exactly that window now and then.)
POP_AND_PARK = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0)
if #top == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], top[1])
return top[1]
"""
# Mark a request seen and queue it in one step, for the same reason (ARGV[1] empty: dont_filter).
SEE_AND_QUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
HEARTBEAT_MS = 3000  # a worker silent this long is dead; its in-flight requests go back in the queue
TICK_SECONDS = 0.2
REDIS_LOST = "redis_lost"  # the close reason of a worker whose Redis went away
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


def close_for_lost_redis(crawler: Crawler, error: BaseException) -> None:
    """Close the crawl with ``redis_lost`` (once): without its Redis a worker can do nothing that is kept."""
    if crawler.stats.get_value("fazhi/redis/lost"):
        return
    crawler.stats.set_value("fazhi/redis/lost", 1)
    logger.error("Redis is gone (%s): stopping this worker", error)
    if crawler.engine is not None:
        asyncio.ensure_future(crawler.engine.close_spider_async(reason=REDIS_LOST))


class SharedScheduler(Scheduler):
    """Shared queue + dupefilter (scrapy-redis), with in-flight parking, reclaiming and a shared finish."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> Any:
        result = super().open(spider)
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError(f"SharedScheduler needs scrapy-redis's PriorityQueue, not {type(self.queue).__name__}")
        self.pop_and_park = self.server.register_script(POP_AND_PARK)
        self.see_and_queue = self.server.register_script(SEE_AND_QUEUE)
        self.keys = CrawlKeys(spider.name)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.popped: dict[str, Request] = {}
        self.server.set(self.keys.started, utc_now(), nx=True)  # the first worker in starts the crawl
        self.beat()
        self.ticker = LoopingCall(self.tick)
        self.ticker.start(TICK_SECONDS, now=False)
        logger.info("redis worker %s joined (%d requests queued)", self.worker_id, len(self.queue))
        return result

    def beat(self) -> None:
        self.server.set(self.keys.worker(self.worker_id), "1", px=HEARTBEAT_MS)

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except REDIS_ERRORS as exc:
            close_for_lost_redis(self.crawler, exc)
            return False

    def _enqueue(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        if not self.see_and_queue(keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data]):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        try:
            return self._next()
        except REDIS_ERRORS as exc:
            close_for_lost_redis(self.crawler, exc)
            return None

    def _next(self) -> Request | None:
        token = uuid.uuid4().hex
        data = self.pop_and_park(keys=[self.queue.key, self.keys.inflight(self.worker_id)], args=[token])
        if data is None:
            return None
        request = self.queue._decode_request(data)
        self.popped[token] = request
        self.server.hincrby(self.keys.fetched, request.url, 1)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        try:
            return self._pending()
        except REDIS_ERRORS as exc:
            close_for_lost_redis(self.crawler, exc)
            return False

    def _pending(self) -> bool:
        if len(self.queue) > 0:
            return True
        if self.reclaim_dead():
            return True
        return self.peers_busy()

    def tick(self) -> None:
        try:
            self._tick()
        except REDIS_ERRORS as exc:
            close_for_lost_redis(self.crawler, exc)

    def _tick(self) -> None:
        """Heartbeat; release requests the engine is done with; wake the engine when peers added work."""
        self.beat()
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is None:
            return
        done = [token for token, request in self.popped.items() if request not in slot.inprogress]
        if done:
            self.server.hdel(self.keys.inflight(self.worker_id), *done)
            for token in done:
                del self.popped[token]
        if not slot.inprogress:
            # Peers may have queued work or finished; otherwise the engine looks again only every 5 s.
            slot.nextcall.schedule()

    def _workers_with_inflight(self) -> list[tuple[str, str]]:
        prefix = self.keys.inflight("")
        return [
            (
                key.decode() if isinstance(key, bytes) else key,
                (key.decode() if isinstance(key, bytes) else key)[len(prefix) :],
            )
            for key in self.server.scan_iter(match=self.keys.inflight_pattern)
        ]

    def peers_busy(self) -> bool:
        """A live peer still holds requests whose responses may add links to the frontier."""
        for key, worker in self._workers_with_inflight():
            if (
                worker != self.worker_id
                and self.server.exists(self.keys.worker(worker))
                and self.server.hlen(key)
            ):
                return True
        return False

    def reclaim_dead(self) -> int:
        """Requeue the parked requests of workers whose heartbeat lapsed; how many came back."""
        back = 0
        for key, worker in self._workers_with_inflight():
            if worker == self.worker_id or self.server.exists(self.keys.worker(worker)):
                continue
            claimed = f"{key}:reclaimed-by:{self.worker_id}"
            try:
                self.server.rename(key, claimed)  # atomic: one reclaimer wins
            except Exception:  # noqa: BLE001 - another worker renamed it first (redis ResponseError)
                continue
            for data in self.server.hvals(claimed):
                self.server.zadd(self.queue.key, {data: 0})
                back += 1
            self.server.delete(claimed)
            logger.warning("requeued %d request(s) of dead worker %s", back, worker)
        if back and self.stats:
            self.stats.inc_value("fazhi/redis/reclaimed_requests", back)
        return back

    def close(self, reason: str) -> None:
        if self.ticker.running:
            self.ticker.stop()
        if reason == REDIS_LOST:
            return  # nothing to tidy in a Redis that is not there; the parked requests wait for a peer
        if reason == "finished":
            # Everything this worker popped was handled; nothing to hand to others.
            self.server.delete(self.keys.inflight(self.worker_id))
        self.server.delete(self.keys.worker(self.worker_id))
        alive = any(True for _ in self.server.scan_iter(match=self.keys.worker("*")))
        if reason == "finished" and not alive and not self._workers_with_inflight() and len(self.queue) == 0:
            # The last worker out of a complete crawl: tell the writer (after every capture), and start
            # the next run with a fresh frontier.
            started = self.server.get(self.keys.started)
            self.server.rpush(self.keys.items, encode_crawl_complete(started.decode() if started else None))
            self.server.delete(self.keys.dupefilter, self.keys.requests, self.keys.started)
            logger.info("crawl complete: cleared %s and %s", self.keys.dupefilter, self.keys.requests)
        super().close(reason)
