"""``scrapy check``'s contracts for the spiders' parse methods, run offline against the sample portal.

A parse method's docstring names a page of the sample portal (``@portal PATH``) and what parsing it
must yield (Scrapy's ``@returns`` / ``@scrapes``; ``@meta``, ``@method``, ``@body`` for the request).
``scrapy check`` (crawler/commands/check.py) serves the portal network on a free loopback port and
makes every spider with that portal as its start URL, so ``@portal`` resolves against it; no live
site is ever needed, and the pages are the same ones ``tests/files/`` saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy.contracts import Contract


class PortalContract(Contract):
    """``@portal PATH[?QUERY]``: the sample request is for PATH on the portal the spider was started on."""

    name = "portal"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__  # type: ignore[attr-defined]

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        start = urlsplit(self.spider.start_urls[0])
        args["url"] = f"{start.scheme}://{start.netloc}{self.args[0]}"
        return args
