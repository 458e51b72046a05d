"""TRS WCM portals: lists ``index.html``, ``index_1.html`` … announced by ``createPageHTML``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import TextResponse

from crawler.discovery import trs_page_urls
from crawler.spiders.base import ReportSpiderBase


class TrsListsMixin:
    def list_requests(self, response: TextResponse) -> Iterator[Any]:
        yield from super().list_requests(response)  # type: ignore[misc]
        for url in trs_page_urls(response.text, response.url):
            yield self.listing_request(url)  # type: ignore[attr-defined]


class TrsSpider(TrsListsMixin, ReportSpiderBase):
    """``scrapy crawl trs -a start=URL``: a TRS portal only."""

    name = "trs"
