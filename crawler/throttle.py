"""AutoThrottle that a re-run of 304s does not hold back, and whose floor per host is its robots.txt Crawl-delay.

Scrapy's AutoThrottle lowers a host's delay only on a 200: "error pages and redirections are small
and so tend to reduce latency". A 304 is neither: it is the server's real answer to a conditional
request, and a scheduled re-run of an unchanged portal is almost all 304s — so the delay stayed at
its start value for the whole re-run (22.5 s instead of 2.1 s for the sample portal). Here 304s
adjust the delay both ways, like 200s; other answers may still only raise it.

A host's robots.txt ``Crawl-delay`` (``crawler.middlewares.CrawlDelayMiddleware`` puts it on each
request as ``meta["crawl_delay"]``) is that host's floor: the delay never goes below it, and the
latency may still raise it above. (Scrapy's own floor is ``DOWNLOAD_DELAY``, for every host.)
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response

# Answers whose latency says how fast the server is: a page, and "not modified since".
TRUE_ANSWERS = (200, 304)
CRAWL_DELAY_KEY = "crawl_delay"


class PoliteThrottle(AutoThrottle):
    """AutoThrottle (same settings), counting 304s as answers and keeping each host's Crawl-delay as floor."""

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        _key, slot = self._get_slot(request, spider)
        latency = request.meta.get("download_latency")
        if latency is None or slot is None or request.meta.get("autothrottle_dont_adjust_delay", False) is True:
            return
        floor = max(self.mindelay, float(request.meta.get(CRAWL_DELAY_KEY) or 0.0))
        slot.delay = next_delay(slot.delay, latency, response.status, self.target_concurrency, floor, self.maxdelay)


def next_delay(delay: float, latency: float, status: int, target_concurrency: float, floor: float, ceiling: float) -> float:
    """AutoThrottle's rule — halfway to ``latency / target_concurrency``, at once if that is slower — within
    [floor, ceiling]; only a 200 or a 304 may lower the delay."""
    target = latency / target_concurrency
    new = max(target, (delay + target) / 2.0)
    new = min(max(floor, new), max(ceiling, floor))
    if status not in TRUE_ANSWERS and new <= delay:
        return delay
    return new
