"""The shared base of every report spider: start pages, link following, report pages, failures.

A spider is this base and the CMS families it composes (``families``, names in
``crawler.families.FAMILIES``): a family reads a list page into leads — links to judge, more pages of
the list, calls to its data API — and the base turns them into requests. Everything else — which links
are reports, captures, attachments, conditional re-fetches, recording failures — lives here. Spiders
hand raw fetches to the pipeline; deciding what a page says is extraction's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.sitemap import Sitemap
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from archive.validators import ValidatorStore
from crawler.browser import use_browser
from crawler.discovery import (
    is_attachment_url,
    is_listing_link,
    is_report_link,
    is_sitemap,
    next_article_page,
    page_title,
    pick_report_attachments,
    report_picture_urls,
)
from crawler.families import FAMILIES, GENERIC, DataRequest, Family, Lead, Link, ListPage
from crawler.families.generic import page_links
from crawler.fetch_policy import FetchRefused
from crawler.items import CaptureItem
from crawler.responses import asked_url, response_headers, utc_now
from crawler.targets import crawl_targets
from crawler.verdict import VERDICT_KEY, Verdict, verdict_of

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


def failed_request(failure: Failure) -> Request:
    """The request a Scrapy errback's failure is about (Scrapy sets it on the failure)."""
    return failure.request  # type: ignore[attr-defined]


class ReportSpiderBase(scrapy.Spider):
    """Report pages and attachments reach the pipeline whatever their status (a 412 challenge is
    recorded as blocked, a 404 as an error); list pages that fail are recorded too."""

    # The CMS families whose lists this spider reads, in the order applied; generic (a page's plain
    # links) in every spider. A start URL the portal registry names reads only its portal's ``cms``.
    families: tuple[str, ...] = (GENERIC,)

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
        allow: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        targets = crawl_targets(start=start, scope=scope, portals=portals, search=search, allow=allow)
        self.start_urls = targets.start_urls
        self.scopes = targets.scopes
        # What may be fetched at all (http/https, the start URLs' sites and allowed hosts, no private
        # addresses): links are checked here before they are queued, every request again in
        # crawler.fetch_policy.FetchPolicyMiddleware.
        self.fetch_policy = targets.policy
        self.portal_cms = targets.cms
        self._portal_prefixes = sorted(
            ((self._directory(u), u) for u in self.start_urls), key=lambda p: len(p[0]), reverse=True
        )

    @classmethod
    def check_arguments(cls, **spider_arguments: Any) -> None:
        """Raise ``crawler.targets.SpiderArgumentError`` for arguments the crawl could not start with."""
        known = ("start", "scope", "portals", "search", "allow")
        crawl_targets(**{k: v for k, v in spider_arguments.items() if k in known})

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

    def may_fetch(self, url: str) -> bool:
        """The fetch policy's answer for a link about to be queued; a refused link is counted, never fetched."""
        refusal = self.fetch_policy.refuse_url(url)
        if refusal is None:
            return True
        self.crawler.stats.inc_value(f"fazhi/skipped/{refusal.rule}")
        self.logger.info("link not followed (%s): %s", refusal, url[:300])
        return False

    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("fazhi/start_urls", len(self.start_urls))
        for url in self.start_urls:
            request = self.listing_request(url)
            request.meta["start_url"] = True
            yield request
        # Reports already archived are asked about again even when no list links them any more: a
        # silent edit to a report that has dropped off page 1 is still an edit.
        years = self.settings.getint("FAZHI_RECHECK_YEARS", 2)
        if years > 0 and self.settings.get("ARCHIVE_DB"):
            store = ValidatorStore(self.settings.get("ARCHIVE_DB"))
            try:
                known = store.known_report_urls(self.scopes, datetime.now(UTC).year - years)
            finally:
                store.close()
            for request in self.report_requests([(u, t) for u, t in known if self.may_fetch(u)]):
                yield request

    # -- list and navigation pages -------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A list or home page: kept as a capture, its report links and further list pages followed.

        @portal /qinghe/zwgk/fzzfjs/index.html
        @meta {"conditional": true, "handle_httpstatus_list": [304], "kind": "listing"}
        @returns items 1 1
        @returns requests 5
        @scrapes url final_url status headers body portal kind
        """
        yield self.capture(response)  # every list fetch is kept: when a report appeared, or vanished
        if response.meta.get("start_url") and verdict_of(response).refused:
            self.start_url_failed(response.url)
        if not isinstance(response, TextResponse):
            return  # a 304 with nothing archived to re-read, or not a page at all
        if verdict_of(response).refused:  # a challenge or soft 404 in place of a list: follow nothing
            return
        if is_sitemap(response.body):
            yield from self.parse_sitemap(response)
            return
        for family in self.families_for(response.url):
            if family.reads(response):
                yield from self.follow(response, family, family.read_list(response))

    def parse_sitemap(self, response: TextResponse) -> Iterator[Any]:
        """A sitemap given as a start URL: every page it lists is a candidate, kept if its title is a report.

        Sitemaps carry no titles, so each page is fetched and judged by its own title; ``lastmod``
        older than ``FAZHI_SITEMAP_YEARS`` years is skipped.

        @portal /qinghe/sitemap.xml
        @meta {"kind": "listing"}
        @returns items 0 0
        @returns requests 1
        """
        since = datetime.now(UTC).year - self.settings.getint("FAZHI_SITEMAP_YEARS", 3)
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if entry.get("lastmod", "")[:4].isdigit() and int(entry["lastmod"][:4]) < since:
                continue
            if not self.may_fetch(loc):
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
        """A page that may or may not be a report: kept only when its own title says it is one.

        @portal /qinghe/zwgk/fzzfjs/202303/t20230324_4821392.html
        @meta {"handle_httpstatus_list": [304], "conditional": true, "kind": "report"}
        @returns items 1 1
        @scrapes url status body kind link_text
        """
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
        self.logger.info("sitemap candidate failed: %s (%s)", failed_request(failure).url, failure.getErrorMessage())

    # -- the CMS families: list pages and data APIs ----------------------------------------------

    def families_for(self, url: str) -> list[Family]:
        """The families that read a page: this spider's, or only its portal's ``cms`` (and generic) for a
        portal of the registry."""
        cms = self.portal_cms.get(self.portal_for(url))
        names = self.families if cms is None else tuple(n for n in self.families if n in (cms, GENERIC))
        return [FAMILIES[n] for n in names]

    def follow(self, response: Response, family: Family, leads: Iterable[Lead]) -> Iterator[Any]:
        """The requests a family's leads call for."""
        for lead in leads:
            if isinstance(lead, Link):
                yield from self.follow_links(response, [(lead.url, lead.text)])
            elif isinstance(lead, ListPage):
                yield self.listing_request(lead.url)
            elif isinstance(lead, DataRequest):
                yield self.data_request(family, lead)

    def data_request(self, family: Family, lead: DataRequest) -> scrapy.Request:
        meta = {"kind": "listing", "api": True, "family": family.name}
        if lead.formdata is not None:
            return scrapy.FormRequest(
                lead.url, formdata=lead.formdata, callback=self.parse_data, errback=self.failed_listing, meta=meta
            )
        return scrapy.Request(lead.url, callback=self.parse_data, errback=self.failed_listing, meta=meta)

    def parse_data(self, response: Response) -> Iterator[Any]:
        """A family's data API answered (a Hanweb XML record set, a gkmlpt JSON page): kept, and read by it.

        @portal /yunling/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=54&perpage=15
        @method POST
        @header Content-Type application/x-www-form-urlencoded
        @body appid=1&webid=12&path=%2Fyunling%2F&columnid=1234&unitid=4561&webname=%E4%BA%91%E5%B2%AD%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0
        @meta {"kind": "listing", "api": true, "family": "hanweb"}
        @returns items 1 1
        @returns requests 10
        @scrapes url status body kind
        """
        yield self.capture(response)
        if verdict_of(response).refused:  # a challenge in place of the records: nothing to read
            return
        family = FAMILIES[response.meta["family"]]
        yield from self.follow(response, family, family.read_data(response))

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed_listing, meta=dict(LISTING_META))

    def follow_links(self, response: Response, links: list[tuple[str, str]]) -> Iterator[Any]:
        for url, text in links:
            url = url.split("#", 1)[0]
            if is_report_link(text):  # followed within the crawl's sites only (crawler.fetch_policy)
                if self.may_fetch(url):
                    yield from self.report_requests([(url, text)])
            elif self.in_scope(url) and not is_attachment_url(url, text) and is_listing_link(text):
                if self.may_fetch(url):
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
        """A report page: one capture, and a request for the report file it links (a cover page here).

        @portal /qinghe/zwgk/fzzfjs/202202/t20220207_4821252.html
        @meta {"handle_httpstatus_list": [304, 404, 412, 503], "conditional": true, "kind": "report", "link_text": "报告"}
        @returns items 1 1
        @returns requests 1 1
        @scrapes url final_url status headers body portal kind link_text
        """
        if response.status not in (200, 304) or not isinstance(response, TextResponse):
            yield self.capture(response)
            return
        if verdict_of(response).refused:  # a challenge, a soft 404, or the home page we were sent to
            yield self.capture(response)
            return
        links = page_links(response)
        next_page = next_article_page(links, response.url)
        pictures = [] if next_page else report_picture_urls(response.text, response.url)
        if next_page or pictures:  # a report split over pages or pictures: gather them all, then hand them on together
            yield self.continuation_request(next_page or pictures[0], dict(self.capture(response)), [], pictures[1:])
        else:
            yield self.capture(response)
        attachments = [(url, text) for url, text in links if is_attachment_url(url, text)]
        for url, text in pick_report_attachments([(u, t) for u, t in attachments if self.may_fetch(u)]):
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
            next_page = next_article_page(page_links(response), response.url)
        seen = {first["url"], *(p["url"] for p in parts)}
        if next_page and next_page not in seen and len(parts) < self.MAX_ARTICLE_PAGES:
            yield self.continuation_request(next_page, first, parts, pending[1:])
            return
        yield CaptureItem(**first, continuations=parts)

    def failed_continuation(self, failure: Failure) -> Iterator[Any]:
        request = failed_request(failure)
        first, parts = request.meta["first"], request.meta["parts"]
        yield CaptureItem(**first, continuations=[*parts, dict(self._failure_item(failure))])

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        """A report's file (PDF, Word, OFD, a page picture): kept whole, to be read by extraction.

        @portal /qinghe/zwgk/fzzfjs/202202/P0202202074821252.pdf
        @meta {"handle_httpstatus_list": [304, 404], "kind": "attachment", "parent_url": "cover"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url status content_type body kind parent_url
        """
        yield self.capture(response)

    def capture(self, response: Response) -> CaptureItem:
        request_url = response.request.url if response.request is not None else response.url
        return self._item(
            response.meta,
            asked_url(response.meta, request_url),
            verdict_of(response),
            final_url=response.url,
            status=response.status,
            headers=response_headers(response),
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            # A 304 downloaded nothing; the body it carries is the archive's own copy.
            body=b"" if response.status == 304 else response.body,
        )

    def _item(self, meta: dict[str, Any], asked: str, verdict: Verdict, **fetched: Any) -> CaptureItem:
        """One fetch as the pipeline takes it: what was asked for and why (from the request's meta),
        the verdict on it, and what came back (``final_url``, ``status``, ``headers``, ``content_type``, ``body``)."""
        return CaptureItem(
            url=asked,
            fetched_at=utc_now(),
            outcome=verdict.outcome,
            error=verdict.reason,
            portal=self.portal_for(asked),
            parent_url=meta.get("parent_url"),
            link_text=meta.get("link_text"),
            kind=meta.get("kind", "listing"),
            **fetched,
        )

    # -- failures: recorded, never silently dropped ---------------------------------------------

    def _failure_item(self, failure: Failure) -> CaptureItem:
        request = failed_request(failure)
        response = getattr(failure.value, "response", None)
        first_url = asked_url(request.meta, request.url)
        verdict = Verdict("error", self.failure_reason(failure))
        if response is not None and request.meta.get(VERDICT_KEY):
            verdict = verdict_of(response)  # an answer the crawl does not parse (404, a redirect home): classified
        return self._item(
            request.meta,
            first_url,
            verdict,
            final_url=request.meta.get("redirect_target")
            or (response.url if response is not None else (request.url if request.url != first_url else None)),
            status=response.status if response is not None else None,
            headers=response_headers(response) if response is not None else {},
            content_type=None,
            body=response.body if response is not None else b"",
        )

    def failure_reason(self, failure: Failure) -> str:
        """Why a fetch gave no response, in the words a capture keeps."""
        if failure.check(DownloadCancelledError, CancelledError):
            limit = failed_request(failure).meta.get("download_maxsize") or self.settings.getint("DOWNLOAD_MAXSIZE")
            return f"too large: the body passed DOWNLOAD_MAXSIZE ({limit} bytes)"
        if failure.check(FetchRefused):
            return f"redirect not followed: {failure.value}"
        return f"{failure.type.__name__}: {failure.getErrorMessage()}"

    def _forbidden(self, failure: Failure) -> bool:
        """Not fetched by our own choice — robots.txt said no, or the fetch policy did: nothing to record.

        A redirect the fetch policy refused is recorded, though: the URL asked for did answer, by
        sending the crawler somewhere it does not go.
        """
        request = failed_request(failure)
        if failure.check(FetchRefused):
            return not request.meta.get("redirect_urls")
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.logger.info("not fetched, robots.txt disallows it: %s", request.url)
            return True
        return False

    def start_url_failed(self, url: str) -> None:
        """Counted: a crawl in which every start URL failed did nothing, and exits non-zero (crawler/commands)."""
        self.crawler.stats.inc_value("fazhi/start_urls_failed")
        self.logger.warning("start URL failed: %s", url)

    def failed_report(self, failure: Failure) -> Iterator[Any]:
        if self._forbidden(failure):
            return
        self.logger.warning("report fetch failed: %s (%s)", failed_request(failure).url, failure.getErrorMessage())
        yield self._failure_item(failure)

    def failed_listing(self, failure: Failure) -> Iterator[Any]:
        """A list page that cannot be read may hide reports: record it so the loss shows in stats."""
        request = failed_request(failure)
        if request.meta.get("start_url"):
            self.start_url_failed(request.url)
        if self._forbidden(failure):
            return
        self.logger.warning("list fetch failed: %s (%s)", request.url, failure.getErrorMessage())
        yield self._failure_item(failure)
