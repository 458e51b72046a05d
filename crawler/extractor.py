"""Extraction off the crawl's event loop, one capture at a time, with a time limit.

A page or file can cost seconds to extract (a long PDF, a broken office file); run on the reactor
thread, that stalls every download and, in Redis mode, the worker's heartbeat. So the recording
service calls ``Extractor.extract(job)``, which runs ``extract_capture(job)`` — the one function that
turns a capture into a ``Report`` — in an executor and waits at most ``timeout`` seconds.

The executor is a thread pool today. A thread cannot be killed: one that overran is left to finish
on its own and a fresh pool takes the next jobs, so a stuck extraction costs a thread, never the
crawl. ``extract_capture`` and ``ExtractionJob`` are plain, picklable data and a top-level function,
so that a process pool (which can kill) can take the thread pool's place without touching callers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from extraction import extract_report
from extraction.limits import ExtractionLimit
from extraction.report import Report

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class ExtractionJob:
    """One capture to extract: its body, where it came from, and the report page it was linked from."""

    body: bytes
    url: str
    content_type: str | None = None
    page: Report | None = None


def extract_capture(job: ExtractionJob) -> Report:
    """Extract this capture. Runs in the executor: no crawl state, no archive, no Scrapy."""
    return extract_report(job.body, url=job.url, content_type=job.content_type, page=job.page)


class ExtractionFailed(Exception):
    """Extraction of a capture ended without a report; ``reason`` is what the capture records."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def failure_reason(exc: BaseException) -> str:
    """The reason a capture keeps for an extraction that raised ``exc``."""
    if isinstance(exc, ExtractionLimit):
        return str(exc)  # e.g. "too large: DOCX uncompresses to more than 64 MB"
    message = " ".join(str(exc).split())[:300]
    return f"extraction failed: {type(exc).__name__}" + (f": {message}" if message else "")


class Extractor:
    """Runs ``extract_capture`` in a pool of ``workers`` threads, ``timeout`` seconds at most per job."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        workers: int = 1,
        function: Callable[[ExtractionJob], Report] = extract_capture,
    ) -> None:
        self.timeout = timeout
        self.workers = workers
        self.function = function
        self.overran = 0  # jobs given up on; their threads were left to finish alone
        self._pool: Executor = self._new_pool()
        # At most ``workers`` jobs are in the pool at once, so none waits in the queue of a pool that
        # was given up on behind a stuck job.
        self._slots = asyncio.Semaphore(workers)

    def _new_pool(self) -> Executor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="extraction")

    async def extract(self, job: ExtractionJob) -> Report:
        """The report of ``job``; ``ExtractionFailed`` with the reason when extraction raised or overran."""
        async with self._slots:
            pool = self._pool
            future = asyncio.wrap_future(pool.submit(self.function, job))
            try:
                return await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                self.overran += 1
                logger.error("extraction of %s overran %.0f s: given up", job.url, self.timeout)
                if pool is self._pool:  # the stuck thread keeps its pool; the next jobs get a free one
                    pool.shutdown(wait=False)
                    self._pool = self._new_pool()
                raise ExtractionFailed("extraction timed out") from None
            except Exception as exc:  # noqa: BLE001 - any failure of a hostile input is recorded, not raised
                logger.warning("extraction of %s failed: %s", job.url, failure_reason(exc))
                raise ExtractionFailed(failure_reason(exc)) from exc

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
