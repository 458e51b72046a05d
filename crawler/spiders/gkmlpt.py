"""Guangdong gkmlpt portals (政府信息公开目录管理平台): the directory comes from a JSON API.

The index page carries no article links, only the site id and the API path for its JavaScript; the
mixin asks the API page by page (``api/all/{CAT}?page=N&sid=SID``) for the categories named like
report columns and follows the articles whose titles are reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.discovery import gkmlpt_api_urls, gkmlpt_articles
from crawler.spiders.base import ReportSpiderBase


class GkmlptListsMixin:
    def list_requests(self, response: TextResponse) -> Iterator[Any]:
        yield from super().list_requests(response)  # type: ignore[misc]
        for url in gkmlpt_api_urls(response.text, response.url):
            yield self.gkmlpt_request(url)

    def gkmlpt_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_gkmlpt_api,
            errback=self.failed_listing,  # type: ignore[attr-defined]
            meta={"kind": "listing", "api": True},
        )

    def parse_gkmlpt_api(self, response: Response) -> Iterator[Any]:
        yield self.capture(response)  # type: ignore[attr-defined]
        try:
            payload = json.loads(response.body)
        except ValueError:
            self.logger.warning("gkmlpt API answered something that is not JSON: %s", response.url)  # type: ignore[attr-defined]
            return
        if not isinstance(payload, dict):
            return
        links, next_url = gkmlpt_articles(payload, response.url)
        yield from self.follow_links(response, links)  # type: ignore[attr-defined]
        if next_url:
            yield self.gkmlpt_request(next_url)


class GkmlptSpider(GkmlptListsMixin, ReportSpiderBase):
    """``scrapy crawl gkmlpt -a start=https://…/gkmlpt/index``: a gkmlpt portal only."""

    name = "gkmlpt"
