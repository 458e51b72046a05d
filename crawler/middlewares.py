"""Downloader middleware: conditional re-fetches from validators kept in the archive.

A scheduled re-run asks each known report URL "changed since?" with the ETag and Last-Modified the
archive stored from the last good fetch, instead of keeping a local HTTP cache folder. A 304 costs
no download and no version; the pipeline records it as ``not_modified``. The spider still needs the
links on an unchanged list page (and the attachment link on an unchanged cover page), so the 304 is
handed on carrying the body archived from the last 200, its status kept so nobody mistakes it for a
fresh download.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response

from archive.validators import ValidatorStore


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
