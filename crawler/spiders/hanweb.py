"""Hanweb/大汉 portals: column records inline in a ``<datastore>``, the rest from ``dataproxy.jsp``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.discovery import hanweb_list_request, hanweb_records
from crawler.spiders.base import ReportSpiderBase


class HanwebListsMixin:
    def list_requests(self, response: TextResponse) -> Iterator[Any]:
        yield from super().list_requests(response)  # type: ignore[misc]
        html = response.text
        proxy = hanweb_list_request(html, response.url)
        if proxy is not None:  # one POST with a large endrecord returns the whole column
            yield scrapy.FormRequest(
                proxy.url,
                formdata=proxy.formdata,
                callback=self.parse_hanweb_records,
                errback=self.failed_listing,  # type: ignore[attr-defined]
                meta={"kind": "listing", "api": True},
            )
        yield from self.follow_links(response, hanweb_records(html, response.url))  # type: ignore[attr-defined]

    def parse_hanweb_records(self, response: Response) -> Iterator[Any]:
        yield self.capture(response)  # type: ignore[attr-defined]
        yield from self.follow_links(response, hanweb_records(response.text, response.url))  # type: ignore[attr-defined]


class HanwebSpider(HanwebListsMixin, ReportSpiderBase):
    """``scrapy crawl hanweb -a start=URL``: a Hanweb portal only."""

    name = "hanweb"
