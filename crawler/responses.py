"""What the crawl reads off a Scrapy response, shared by the spiders, middlewares, recording and scheduler.

Kept apart from the spider module so that the downloader middlewares, the recording service and the
Redis scheduler do not import a spider to learn the time or a response's headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response


def utc_now() -> str:
    """The archive's timestamp format: ISO 8601 UTC to the second (``2025-04-30T08:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_headers(response: Response) -> dict[str, str]:
    """Scrapy's bytes headers as plain strings, repeated headers joined as HTTP allows."""
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        name = key.decode("latin-1")
        out[name] = ", ".join(v.decode("latin-1") for v in values)
    return out


def asked_url(meta: dict[str, Any], url: str) -> str:
    """The URL the crawl asked for, before any redirect (``url`` when there was none)."""
    return (meta.get("redirect_urls") or [url])[0]
