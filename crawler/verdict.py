"""What a response is — a page, not modified, blocked, a soft 404 or an error, with the reason — decided once.

``VerdictMiddleware`` classifies every downloaded response (``extraction.blocking.classify_response``)
and puts the verdict on it, ``response.meta["fazhi_verdict"]``. The WAF backoff retries what it calls
``blocked``, the spider follows links only on pages and answers, and the recording service records
the verdict as the capture's outcome: nobody decodes and classifies the body a second time.

Outcomes are the archive's words (``archive.capture.OUTCOMES``): ``ok`` is a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.responses import asked_url, response_headers
from extraction.blocking import classify_response

VERDICT_KEY = "fazhi_verdict"


@dataclass(frozen=True)
class Verdict:
    outcome: str  # one of archive.capture.OUTCOMES
    reason: str | None = None

    @property
    def refused(self) -> bool:
        """A fresh answer that is not the page asked for: a challenge, a soft 404, an error."""
        return self.outcome in ("blocked", "soft_404", "error")

    def as_meta(self) -> dict[str, Any]:
        """Plain data, so that requests carrying it pickle (JOBDIR, the Redis queue)."""
        return {"outcome": self.outcome, "reason": self.reason}


def decide(response: Response, asked: str, final: str | None = None) -> Verdict:
    """The verdict on one response to a request first made for ``asked``.

    ``final`` is where it ended: the response's URL, or where an unfollowed redirect pointed.
    """
    if response.status == 304:
        return Verdict("not_modified")
    outcome, reason = classify_response(
        response.status, response_headers(response), response.body, asked, final or response.url
    )
    return Verdict(outcome, reason)


def verdict_of(response: Response, request: Request | None = None) -> Verdict:
    """The verdict the middleware put on ``response``; decided here only for a response that bypassed it.

    Downloader middlewares pass the ``request``: there a response is not yet tied to it.
    """
    request = request if request is not None else response.request
    meta = request.meta if request is not None else {}
    found = meta.get(VERDICT_KEY)
    if found:
        return Verdict(found["outcome"], found.get("reason"))
    verdict = decide(response, asked_url(meta, request.url if request is not None else response.url), meta.get("redirect_target"))
    if request is not None:
        request.meta[VERDICT_KEY] = verdict.as_meta()
    return verdict


class VerdictMiddleware:
    """Downloader middleware: the one place a response is classified.

    Between HttpCompressionMiddleware (590, so the body is decoded) and the WAF backoff (560, which
    reads the verdict). A request that goes out again (a retry) loses the verdict of its last answer.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VerdictMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta.pop(VERDICT_KEY, None)
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        verdict = decide(response, asked_url(request.meta, request.url), request.meta.get("redirect_target"))
        request.meta[VERDICT_KEY] = verdict.as_meta()
        self.stats.inc_value(f"fazhi/verdict/{verdict.outcome}")
        return response
