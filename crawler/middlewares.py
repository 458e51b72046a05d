"""Downloader middlewares: conditional re-fetches from the archive, backoff from WAF challenges, Crawl-delay.

A scheduled re-run asks each known report URL "changed since?" with the ETag and Last-Modified the
archive stored from the last good fetch, instead of keeping a local HTTP cache folder. A 304 costs
no download and no version; the pipeline records it as ``not_modified``. The spider still needs the
links on an unchanged list page (and the attachment link on an unchanged cover page), so the 304 is
handed on carrying the body archived from the last 200, its status kept so nobody mistakes it for a
fresh download.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from archive.validators import ValidatorStore
from crawler.throttle import CRAWL_DELAY_KEY
from crawler.verdict import verdict_of
from extraction.blocking import redirects_home


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked ``meta["conditional"]``."""

    def __init__(self, db_path: str | None, crawler: Crawler) -> None:
        self.store = ValidatorStore(db_path) if db_path else None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        enabled = crawler.settings.getbool("FAZHI_CONDITIONAL_REQUESTS", True)
        return cls(crawler.settings.get("ARCHIVE_DB") if enabled else None, crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.store is None or not request.meta.get("conditional"):
            return None
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        validators = self.store.validators(request.url)
        if validators.etag:
            request.headers[b"If-None-Match"] = validators.etag.encode("latin-1")
        if validators.last_modified:
            request.headers[b"If-Modified-Since"] = validators.last_modified.encode("latin-1")
        if validators.etag or validators.last_modified:
            self.stats.inc_value("fazhi/conditional_requests")
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status != 304 or self.store is None or not request.meta.get("conditional"):
            return response
        body = self.store.last_body(request.url)
        if body is None:
            return response
        self.stats.inc_value("fazhi/not_modified_reparsed")
        return HtmlResponse(
            url=response.url,
            status=304,
            headers=response.headers,
            body=body,
            request=request,
            flags=[*response.flags, "archived-body"],
        )


class BlockedBackoffMiddleware:
    """Retry pages that answer with a WAF challenge, after a growing pause, then let them through.

    瑞数 (412 ``$_ts``), 加速乐 (521 ``__jsluid``) and 安全验证 pages are often rate-triggered: backing
    off can clear them. What is still blocked after ``FAZHI_BLOCKED_RETRIES`` goes on to the pipeline,
    which records it as a ``blocked`` capture (never a version); the next scheduled run tries again.
    Whether a response is a challenge is the verdict ``crawler.verdict.VerdictMiddleware`` put on it.
    """

    def __init__(self, retries: int, first_pause: float, max_pause: float, crawler: Crawler) -> None:
        self.browser = crawler.settings.getbool("FAZHI_BROWSER")
        self.retries = retries
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockedBackoffMiddleware:
        s = crawler.settings
        return cls(
            s.getint("FAZHI_BLOCKED_RETRIES", 2),
            s.getfloat("FAZHI_BLOCKED_BACKOFF", 5.0),
            s.getfloat("FAZHI_BLOCKED_BACKOFF_MAX", 120.0),
            crawler,
        )

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        verdict = verdict_of(response, request)  # crawler.verdict.VerdictMiddleware (570) decided it
        if verdict.outcome != "blocked":
            return response
        tries = request.meta.get("blocked_retries", 0)
        self.stats.inc_value("fazhi/blocked_responses")
        if tries >= self.retries:
            return response
        pause = min(self.first_pause * (2**tries), self.max_pause)
        self.stats.inc_value("fazhi/blocked_retries")
        await asyncio.sleep(pause)  # backoff before asking again (product behaviour, not test sync)
        retry = request.replace(dont_filter=True, priority=request.priority - 1)
        retry.meta["blocked_retries"] = tries + 1
        if self.browser and request.method == "GET":
            retry.meta["playwright"] = True  # a real browser runs the challenge's JavaScript
        retry.meta["blocked_reason"] = verdict.reason
        return retry


class CrawlDelayMiddleware:
    """Honour robots.txt ``Crawl-delay``, which Scrapy's robots.txt support reads but does not apply.

    The robots.txt answer passes through the downloader like any other; its delay becomes that host's
    download delay (the site's own word replaces the throttle's start value) and its floor: every
    later request carries it as ``meta["crawl_delay"]``, which the throttle (``crawler.throttle``)
    never goes below, nor the shared per-host limit of Redis workers.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.min_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def _slot(self, host: str):  # noqa: ANN202 - Scrapy's downloader Slot
        engine = self.crawler.engine
        return engine.downloader.slots.get(host) if engine is not None else None

    def _apply(self, request: Request, host: str) -> None:
        delay = self.delays.get(host)
        if delay is None:
            return
        request.meta[CRAWL_DELAY_KEY] = delay
        slot = self._slot(host)
        if slot is not None:
            # The delay is a floor: no downward jitter, never below it (RANDOMIZE_DOWNLOAD_DELAY
            # would otherwise send some requests at half of it).
            slot.jitter = 0.0
            slot.delay = max(slot.delay, delay)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        self._apply(request, urlsplit(request.url).hostname or "")
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        parts = urlsplit(request.url)
        if parts.path == "/robots.txt" and response.status == 200:
            rules = Protego.parse(response.body.decode("utf-8", errors="replace"))
            delay = rules.crawl_delay(self.user_agent)
            if delay:
                host = parts.hostname or ""
                self.delays[host] = float(delay)
                self.crawler.stats.set_value(f"fazhi/crawl_delay/{host}", float(delay))
                slot = self._slot(host)
                if slot is not None:
                    slot.delay = max(self.min_delay, float(delay))  # the site's word, not the start guess
                self._apply(request, host)
        return response


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waited for robots.txt checked against it.

    In Scrapy 2.19 the requests that arrive while a host's robots.txt is being fetched wait on one
    Deferred; each waiter turns it into a future, the first such callback returns None, and every later
    waiter gets None for a parser — and is let through. Seen here: of three site-search requests to a
    disallowed path, the third was fetched. Reading the parser back once the wait is over fixes that.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        current = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(current, Deferred) else current


class HomeRedirectMiddleware:
    """Redirects of report pages end in a capture, whatever they lead to.

    One to the portal's home page is a soft 404: recorded, not followed (followed, the home page would
    be dropped as a duplicate request and the report URL would leave no trace). Others are followed past
    the duplicate filter, so a loop ends at REDIRECT_MAX_TIMES as a recorded error.
    """

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if request.meta.get("kind") not in ("report", "attachment") or not 300 <= response.status < 400:
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        if redirects_home(request.url, target):
            request.meta["dont_redirect"] = True
            request.meta["redirect_target"] = target
        else:
            # The followed request must reach the downloader even when its URL was seen before, or a
            # redirect loop (A → B → A) would end in a silently dropped duplicate instead of an error.
            request.dont_filter = True
        return response
