"""The shared base of every report spider: start pages, link following, report pages, failures.

A spider for one CMS family adds only how that family's lists page through their records (a mixin
with a ``list_requests`` hook, as City Bureau's city-scrapers share mixins); everything else — which
links are reports, captures, attachments, conditional re-fetches, recording failures — lives here.
Spiders hand raw fetches to the pipeline; deciding what a page says is extraction's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from archive.validators import ValidatorStore
from crawler.browser import use_browser
from crawler.discovery import (
    SEARCH_QUERIES,
    is_attachment_url,
    is_listing_link,
    is_report_link,
    is_sitemap,
    link_text,
    next_article_page,
    page_title,
    pick_report_attachments,
    report_picture_urls,
)
from crawler.items import CaptureItem
from extraction.blocking import classify_response

# List and home pages: re-fetched conditionally; a 304 arrives carrying the archived body (see
# crawler.middlewares) so the links on an unchanged list are still followed.
# Report pages and attachments reach the spider whatever their status — a 412 challenge is recorded as
# blocked, a 404 as an error — except redirects, which are followed: a report moved to https is still
# the report, and one redirected to the home page is recorded as a soft 404.
REPORT_STATUSES = [304, *range(400, 600)]

LISTING_META = {"conditional": True, "handle_httpstatus_list": [304], "kind": "listing"}


def report_meta(kind: str, **extra: Any) -> dict[str, Any]:
    """Meta of a request for a report page, one of its continuation pages, or an attachment."""
    return {"handle_httpstatus_list": REPORT_STATUSES, "conditional": True, "kind": kind, **extra}


def asked_url(meta: dict[str, Any], url: str) -> str:
    """The URL the crawl asked for, before any redirect (``url`` when there was none)."""
    return (meta.get("redirect_urls") or [url])[0]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_headers(response: Response) -> dict[str, str]:
    """Scrapy's bytes headers as plain strings, repeated headers joined as HTTP allows."""
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        name = key.decode("latin-1")
        out[name] = ", ".join(v.decode("latin-1") for v in values)
    return out


class ReportSpiderBase(scrapy.Spider):
    """Report pages and attachments reach the pipeline whatever their status (a 412 challenge is
    recorded as blocked, a 404 as an error); list pages that fail are recorded too."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if settings.getbool("FAZHI_BROWSER"):
            use_browser(settings)

    def __init__(
        self,
        start: str | None = None,
        scope: str | None = None,
        portals: str | None = None,
        search: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = [u.strip() for u in (start or "").split(",") if u.strip()]
        # A portal's site search as a URL template, e.g. https://www.x.gov.cn/search?q={q}: its result
        # pages are asked for the report title words (robots.txt permitting, as for any page).
        if search and "{q}" not in search:
            raise ValueError("the search template must contain {q}, e.g. -a search='https://x.gov.cn/search?q={q}'")
        self.start_urls += [search.format(q=quote(q)) for q in SEARCH_QUERIES] if search else []
        if portals:  # keys from the registry, crawler/portals.toml, or "all"
            from crawler.registry import load_portals

            wanted = {k.strip() for k in portals.split(",")}
            chosen = [p for p in load_portals() if "all" in wanted or p.key in wanted]
            unknown = wanted - {p.key for p in chosen} - {"all"}
            if unknown:
                raise ValueError(f"not in the portal registry: {sorted(unknown)} (see: fazhi portals list)")
            self.start_urls += [u for p in chosen for u in p.start_urls]
        if not self.start_urls:
            raise ValueError("give the portals to crawl: -a start=URL[,URL...] or -a portals=KEY[,KEY...]")
        for url in self.start_urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"start URL must be http(s): {url!r}")
        # Scope: URL prefixes the crawl may follow list links into. Default: the start URLs' hosts.
        if scope:
            self.scopes = [s.strip() for s in scope.split(",") if s.strip()]
        else:
            self.scopes = sorted({f"{urlsplit(u).scheme}://{urlsplit(u).netloc}/" for u in self.start_urls})
        self._portal_prefixes = sorted(
            ((self._directory(u), u) for u in self.start_urls), key=lambda p: len(p[0]), reverse=True
        )

    @staticmethod
    def _directory(url: str) -> str:
        return url if url.endswith("/") else url.rsplit("/", 1)[0] + "/"

    def portal_for(self, url: str) -> str:
        """The start URL a page belongs to: the one whose directory is the longest prefix of it."""
        for prefix, start in self._portal_prefixes:
            if url.startswith(prefix):
                return start
        host = urlsplit(url).netloc
        for start in self.start_urls:
            if urlsplit(start).netloc == host:
                return start
        return self.start_urls[0]

    def in_scope(self, url: str) -> bool:
        return any(url.startswith(s) for s in self.scopes)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield self.listing_request(url)
        # Reports already archived are asked about again even when no list links them any more: a
        # silent edit to a report that has dropped off page 1 is still an edit.
        years = self.settings.getint("FAZHI_RECHECK_YEARS", 2)
        if years > 0 and self.settings.get("ARCHIVE_DB"):
            store = ValidatorStore(self.settings.get("ARCHIVE_DB"))
            try:
                known = store.known_report_urls(self.scopes, datetime.now(UTC).year - years)
            finally:
                store.close()
            for request in self.report_requests(known):
                yield request

    # -- list and navigation pages -------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield self.capture(response)  # every list fetch is kept: when a report appeared, or vanished
        if not isinstance(response, TextResponse):
            return  # a 304 with nothing archived to re-read, or not a page at all
        if self.refused(response, response.url):  # a challenge or soft 404 in place of a list: follow nothing
            return
        if is_sitemap(response.body):
            yield from self.parse_sitemap(response)
            return
        yield from self.list_requests(response)
        yield from self.follow_links(response, self.anchors(response))

    def parse_sitemap(self, response: TextResponse) -> Iterator[Any]:
        """A sitemap given as a start URL: every page it lists is a candidate, kept if its title is a report.

        Sitemaps carry no titles, so each page is fetched and judged by its own title; ``lastmod``
        older than ``FAZHI_SITEMAP_YEARS`` years is skipped.
        """
        since = datetime.now(UTC).year - self.settings.getint("FAZHI_SITEMAP_YEARS", 3)
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if entry.get("lastmod", "")[:4].isdigit() and int(entry["lastmod"][:4]) < since:
                continue
            if sitemap.type == "sitemapindex":
                yield self.listing_request(loc)
            elif self.in_scope(loc):
                yield scrapy.Request(
                    loc,
                    callback=self.parse_candidate,
                    errback=self.failed_candidate,
                    meta={"handle_httpstatus_list": [304], "conditional": True, "kind": "report"},
                )

    def parse_candidate(self, response: Response) -> Iterator[Any]:
        """A page that may or may not be a report: kept only when its own title says it is one."""
        if not isinstance(response, TextResponse):
            return
        title = page_title(response)
        if is_report_link(title):
            response.meta["link_text"] = title
            yield from self.parse_report(response)
        else:
            self.crawler.stats.inc_value("fazhi/candidates_not_reports")

    def failed_candidate(self, failure: Failure) -> None:
        """A sitemap entry that fails is no report lost: it was only ever a guess."""
        self.logger.info("sitemap candidate failed: %s (%s)", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]

    def list_requests(self, response: TextResponse) -> Iterator[Any]:
        """A CMS family's own way to the rest of a list (pagination, data APIs); mixins extend it."""
        yield from ()

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed_listing, meta=dict(LISTING_META))

    def refused(self, response: TextResponse, asked: str) -> bool:
        """A fresh answer that is not the page asked for: a challenge, a soft 404, a redirect home."""
        if response.status != 200:
            return False
        headers = response_headers(response)
        outcome, _reason = classify_response(response.status, headers, response.body, asked, response.url)
        return outcome != "ok"

    def anchors(self, response: TextResponse) -> list[tuple[str, str]]:
        links = []
        for a in response.css("a[href]"):
            href = (a.attrib.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            text = link_text(" ".join(a.css("::text").getall()), a.attrib.get("title"))
            links.append((urljoin(response.url, href), text))
        return links

    def follow_links(self, response: Response, links: list[tuple[str, str]]) -> Iterator[Any]:
        for url, text in links:
            url = url.split("#", 1)[0]
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            if is_report_link(text):
                yield from self.report_requests([(url, text)])
            elif self.in_scope(url) and not is_attachment_url(url, text) and is_listing_link(text):
                yield self.listing_request(url)

    # -- report pages and their attachments ----------------------------------------------------

    def report_requests(self, links: list[tuple[str, str]]) -> Iterator[scrapy.Request]:
        for url, text in links:
            yield scrapy.Request(
                url,
                callback=self.parse_report,
                errback=self.failed_report,
                meta=report_meta("report", link_text=text),
            )

    def parse_report(self, response: Response) -> Iterator[Any]:
        if response.status not in (200, 304) or not isinstance(response, TextResponse):
            yield self.capture(response)
            return
        if self.refused(response, asked_url(response.meta, response.url)):  # or the home page we were sent to
            yield self.capture(response)
            return
        links = self.anchors(response)
        next_page = next_article_page(links, response.url)
        pictures = [] if next_page else report_picture_urls(response.text, response.url)
        if next_page or pictures:  # a report split over pages or pictures: gather them all, then hand them on together
            yield self.continuation_request(next_page or pictures[0], dict(self.capture(response)), [], pictures[1:])
        else:
            yield self.capture(response)
        attachments = [(url, text) for url, text in links if is_attachment_url(url, text)]
        for url, text in pick_report_attachments(attachments):
            yield scrapy.Request(
                url,
                callback=self.parse_attachment,
                errback=self.failed_report,
                meta=report_meta("attachment", link_text=text, parent_url=response.url),
            )

    MAX_ARTICLE_PAGES = 50

    def continuation_request(
        self, url: str, first: dict[str, Any], parts: list[dict[str, Any]], pending: list[str] | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_continuation,
            errback=self.failed_continuation,
            meta=report_meta("report", first=first, parts=parts, pending=pending or []),
        )

    def parse_continuation(self, response: Response) -> Iterator[Any]:
        first, parts = response.meta["first"], response.meta["parts"]
        parts = [*parts, dict(self.capture(response), parent_url=first["url"])]
        pending = response.meta.get("pending") or []  # the report's pictures still to fetch
        next_page = pending[0] if pending else None
        if next_page is None and response.status in (200, 304) and isinstance(response, TextResponse):
            next_page = next_article_page(self.anchors(response), response.url)
        seen = {first["url"], *(p["url"] for p in parts)}
        if next_page and next_page not in seen and len(parts) < self.MAX_ARTICLE_PAGES:
            yield self.continuation_request(next_page, first, parts, pending[1:])
            return
        yield CaptureItem(**first, continuations=parts)

    def failed_continuation(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        first, parts = request.meta["first"], request.meta["parts"]
        yield CaptureItem(**first, continuations=[*parts, dict(self._failure_item(failure))])

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield self.capture(response)

    def capture(self, response: Response) -> CaptureItem:
        request_url = response.request.url if response.request is not None else response.url
        original = asked_url(response.meta, request_url)
        return CaptureItem(
            url=original,
            final_url=response.url,
            fetched_at=utc_now(),
            status=response.status,
            headers=response_headers(response),
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            # A 304 downloaded nothing; the body it carries is the archive's own copy.
            body=b"" if response.status == 304 else response.body,
            outcome=None,
            error=None,
            portal=self.portal_for(original),
            parent_url=response.meta.get("parent_url"),
            link_text=response.meta.get("link_text"),
            kind=response.meta.get("kind", "listing"),
        )

    # -- failures: recorded, never silently dropped ---------------------------------------------

    def _failure_item(self, failure: Failure) -> CaptureItem:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        first_url = asked_url(request.meta, request.url)
        return CaptureItem(
            url=first_url,
            final_url=request.meta.get("redirect_target")
            or (response.url if response is not None else (request.url if request.url != first_url else None)),
            fetched_at=utc_now(),
            status=response.status if response is not None else None,
            headers=response_headers(response) if response is not None else {},
            content_type=None,
            body=response.body if response is not None else b"",
            outcome="error",
            error=f"{failure.type.__name__}: {failure.getErrorMessage()}",
            portal=self.portal_for(first_url),
            parent_url=request.meta.get("parent_url"),
            link_text=request.meta.get("link_text"),
            kind=request.meta.get("kind", "listing"),
        )

    def _forbidden(self, failure: Failure) -> bool:
        """robots.txt said no: our own choice, not a failure of the portal; nothing to record."""
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.logger.info("not fetched, robots.txt disallows it: %s", failure.request.url)  # type: ignore[attr-defined]
            return True
        return False

    def failed_report(self, failure: Failure) -> Iterator[Any]:
        if self._forbidden(failure):
            return
        self.logger.warning("report fetch failed: %s (%s)", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]
        yield self._failure_item(failure)

    def failed_listing(self, failure: Failure) -> Iterator[Any]:
        """A list page that cannot be read may hide reports: record it so the loss shows in stats."""
        if self._forbidden(failure):
            return
        self.logger.warning("list fetch failed: %s (%s)", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]
        yield self._failure_item(failure)
