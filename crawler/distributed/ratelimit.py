"""Per-host politeness shared by every worker: one "next allowed start" time per host, in Redis.

AutoThrottle and DOWNLOAD_DELAY are per process, so N workers would hit a portal N times as hard.
Here each request reserves the next free slot for its host atomically (a Lua script, Redis's own
clock), so all workers together start at most ``FAZHI_HOST_RATE`` requests a second per host — fewer
when the host's robots.txt asks for a longer ``Crawl-delay`` (each worker reads it, and its requests
carry it), which all workers together then keep, not each on its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.distributed.keys import CrawlKeys
from crawler.distributed.scheduler import REDIS_ERRORS, close_for_lost_redis
from crawler.throttle import CRAWL_DELAY_KEY

# KEYS[1] host key; ARGV[1] interval in ms. Returns how many ms the caller must wait for its slot.
RESERVE_SLOT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or now)
local start = math.max(now, nxt)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + interval, 'PX', interval * 4 + 60000)
return start - now
"""


class SharedRateLimitMiddleware:
    """Wait for this host's slot before each download (robots.txt included)."""

    def __init__(self, crawler: Crawler, rate: float) -> None:
        self.server = get_redis_from_settings(crawler.settings)
        self.interval_ms = max(1, round(1000 / rate))
        self.reserve = self.server.register_script(RESERVE_SLOT)
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateLimitMiddleware:
        rate = crawler.settings.getfloat("FAZHI_HOST_RATE")
        if rate <= 0:
            raise NotConfigured("FAZHI_HOST_RATE <= 0: no shared rate limit")
        return cls(crawler, rate)

    def wait_ms(self, url: str, crawl_delay: float = 0.0) -> int:
        """Reserve the next slot for the URL's host (``crawl_delay`` seconds apart at least); ms until it starts."""
        interval = max(self.interval_ms, round(crawl_delay * 1000))
        return int(self.reserve(keys=[CrawlKeys.host_rate(urlsplit(url).netloc)], args=[interval]))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            wait = self.wait_ms(request.url, float(request.meta.get(CRAWL_DELAY_KEY) or 0.0))
        except REDIS_ERRORS as exc:
            close_for_lost_redis(self.crawler, exc)
            raise IgnoreRequest(f"no rate-limit slot: Redis is gone ({exc})") from exc
        if wait > 0:
            self.stats.inc_value("fazhi/redis/rate_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait / 1000, lambda: None))
        return None
