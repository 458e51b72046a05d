"""The Redis key layout, in one place so workers, the ingester, tests and docs agree.

The first three are scrapy-redis's own defaults (``%(spider)s:requests`` …), kept so its tools and
habits still apply; the rest are this project's additions beside them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrawlKeys:
    spider: str = "reports"

    @property
    def requests(self) -> str:  # sorted set of serialized requests (scrapy-redis PriorityQueue)
        return f"{self.spider}:requests"

    @property
    def dupefilter(self) -> str:  # set of request fingerprints (scrapy-redis RFPDupeFilter)
        return f"{self.spider}:dupefilter"

    @property
    def items(
        self,
    ) -> str:  # list of JSON captures waiting for the archive writer (scrapy-redis PIPELINE_KEY)
        return f"{self.spider}:items"

    @property
    def ingesting(self) -> str:  # the capture the writer is archiving right now (LMOVE target)
        return f"{self.spider}:items:ingesting"

    def worker(self, worker_id: str) -> str:  # heartbeat, expires when the worker dies
        return f"{self.spider}:worker:{worker_id}"

    def inflight(self, worker_id: str) -> str:  # hash: requests a worker popped and has not finished
        return f"{self.spider}:inflight:{worker_id}"

    @property
    def inflight_pattern(self) -> str:
        return f"{self.spider}:inflight:*"

    @property
    def started(self) -> str:  # when the crawl began (set by the first worker in, handed to the writer at the end)
        return f"{self.spider}:started"

    @property
    def fetched(self) -> str:  # hash: URL → times a worker downloaded it (accounting)
        return f"{self.spider}:fetched"

    @staticmethod
    def host_rate(
        host: str,
    ) -> str:  # next moment (ms) a request to this host may start, shared by all crawls
        return f"fazhi:ratelimit:{host}"
