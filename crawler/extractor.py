"""Extraction in a pool of processes beside the crawl's event loop, one capture a job, with a time limit.

A page or file can cost seconds to extract (a long PDF, a broken office file, OCR); run on the reactor
thread, that stalls every download and, in Redis mode, the worker's heartbeat; run in threads, it
shares one interpreter lock with the crawl and uses one core. So the recording service calls
``Extractor.extract(job)``, which runs ``extract_capture(job)`` — the one function that turns a
capture into a ``Report`` — in a pool of worker processes (pebble's ``ProcessPool``: one per core
by default) and waits at most ``timeout`` seconds from the moment a worker starts the job.

A job that overruns has its worker killed and replaced (a thread could not be killed, only left
behind), and is recorded as an error "extraction timed out"; a worker that dies mid-job (a crash in
a native parser, the kernel's OOM killer) is replaced too, and its job recorded as failed. Workers
start from a fork server that has imported extraction once (``forkserver``: safe beside the
reactor's threads, unlike ``fork``, and without ``spawn``'s import per worker); they die with the
crawl, even when it is killed outright (their task pipe closes). What a job logs comes back with its
result and is logged in the crawl's own log.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessExpired, ProcessPool

from extraction import extract_report
from extraction.limits import ExtractionLimit
from extraction.report import Report

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
# A worker is replaced after this many jobs: what a parser leaks stays bounded on a long crawl.
JOBS_PER_WORKER = 1000
# At most this many log records come back with one job (a broken file can warn on every page).
RECORDS_PER_JOB = 50
# Libraries that log per character or per token at DEBUG: their loggers are set so those records are
# never created (pdfminer built ~15,000 of them a crawl, a quarter of the PDF attachments' CPU).
CHATTY_LOGGERS = ("pdfminer", "pdfplumber", "PIL", "charset_normalizer", "jieba", "trafilatura", "htmldate")


def quiet_chatty_loggers() -> None:
    """WARNING and above only from libraries whose DEBUG and INFO records are per character or token."""
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_chatty_loggers()


@dataclass(frozen=True)
class ExtractionJob:
    """One capture to extract: its body, where it came from, and the report page it was linked from."""

    body: bytes
    url: str
    content_type: str | None = None
    page: Report | None = None


def extract_capture(job: ExtractionJob) -> Report:
    """Extract this capture. Runs in a worker process: no crawl state, no archive, no Scrapy."""
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


# -- in the worker process ---------------------------------------------------------------------------


class _Collected(logging.Handler):
    """Keeps the job's log records as plain dicts, to be logged by the crawl when the job returns."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < RECORDS_PER_JOB:
            self.records.append(
                {"name": record.name, "levelno": record.levelno, "levelname": record.levelname,
                 "msg": record.getMessage(), "pathname": record.pathname, "lineno": record.lineno,
                 "funcName": record.funcName, "exc_text": self.formatter_exc(record)}
            )  # fmt: skip

    @staticmethod
    def formatter_exc(record: logging.LogRecord) -> str | None:
        return logging.Formatter().formatException(record.exc_info) if record.exc_info else None


_collector: _Collected | None = None


def _start_worker(crawl_pid: int, niceness: int = 0) -> None:
    """Worker initializer: records go to the collector, at INFO and above, never pdfminer's DEBUG;
    the worker yields the CPU to the crawl by ``niceness``; and it ends when the crawl does, even mid-job."""
    global _collector
    if niceness:
        os.nice(niceness)
    _collector = _Collected()
    root = logging.getLogger()
    root.handlers[:] = [_collector]
    root.setLevel(logging.INFO)
    quiet_chatty_loggers()
    threading.Thread(target=_exit_with, args=(crawl_pid,), name="crawl-watch", daemon=True).start()


def _exit_with(crawl_pid: int) -> None:
    """Wait for the crawl process to end, then end this worker.

    An idle worker notices anyway (its task pipe closes); one stuck in a job would not, and a crawl
    killed with SIGKILL would leave it running for ever. (A fork-server child cannot watch its parent
    with ``parent_process().sentinel``: the fork server is its parent, and outlives the crawl as long
    as a worker does.)
    """
    try:
        watch = os.pidfd_open(crawl_pid)
    except (AttributeError, OSError):  # not Linux, or the crawl is already gone
        while _alive(crawl_pid):
            time.sleep(1.0)  # no pidfd: look once a second (product behaviour, not test synchronisation)
    else:
        select.select([watch], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _Outcome:
    """What a job sends back: the report, or the exception it raised; and what it logged."""

    report: Report | None = None
    error: BaseException | None = None
    records: list[dict[str, Any]] = field(default_factory=list)


def _run(function: Callable[[ExtractionJob], Report], job: ExtractionJob) -> _Outcome:
    collector = _collector
    if collector is not None:
        collector.records = []
    try:
        outcome = _Outcome(report=function(job))
    except Exception as exc:  # noqa: BLE001 - a hostile input's failure is data for the capture
        outcome = _Outcome(error=exc)
    if collector is not None:
        outcome.records = collector.records
    return outcome


def _ready() -> int:
    """A job that only proves a worker is up (the pool's warm-up)."""
    return os.getpid()


# -- in the crawl ------------------------------------------------------------------------------------


def default_workers() -> int:
    """One extraction worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    """forkserver where there is one (Linux, macOS), spawn elsewhere; never fork beside the reactor's threads."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.extractor"])  # workers fork with extraction imported
        return context
    return multiprocessing.get_context("spawn")


class Extractor:
    """Runs ``function`` (``extract_capture``) in ``workers`` processes, ``timeout`` seconds at most per job.

    ``workers`` 0 means one per core. ``function`` must be picklable by reference (a module-level
    function), since it runs in another process. The pool starts on the first job, or on ``start()``.
    """

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        workers: int = 0,
        function: Callable[[ExtractionJob], Report] = extract_capture,
        niceness: int = 0,
    ) -> None:
        self.timeout = timeout
        self.niceness = niceness  # added to the workers' nice value: the crawl's own loop goes first
        self.workers = workers if workers > 0 else default_workers()
        self.function = function
        self.overran = 0  # jobs whose worker was killed for overrunning
        self._pool: ProcessPool | None = None
        self._started = False  # the pool's workers are being (or have been) launched
        self._starting: asyncio.Future[None] | None = None  # the first job's start, in a thread

    def _ensure_pool(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(
                max_workers=self.workers, max_tasks=JOBS_PER_WORKER, initializer=_start_worker,
                initargs=(os.getpid(), self.niceness), context=_context(),
            )
        return self._pool

    def start(self) -> None:
        """Start the workers now (they take a second or two to import extraction), without waiting for them."""
        self._ensure_pool().schedule(_ready)
        self._started = True

    async def extract(self, job: ExtractionJob) -> Report:
        """The report of ``job``; ``ExtractionFailed`` with the reason when extraction raised, overran or crashed."""
        if not self._started:
            # Launching the workers takes ~0.5 s: in a thread, so the event loop (a writer's other
            # captures) goes on meanwhile; concurrent first jobs wait for the one start.
            if self._starting is None:
                self._starting = asyncio.get_running_loop().run_in_executor(None, self.start)
            await asyncio.shield(self._starting)
        future = self._ensure_pool().schedule(_run, args=(self.function, job), timeout=self.timeout)
        try:
            outcome: _Outcome = await asyncio.wrap_future(future)
        except TimeoutError:
            self.overran += 1
            logger.error("extraction of %s overran %.0f s: its worker was killed", job.url, self.timeout)
            raise ExtractionFailed("extraction timed out") from None
        except (ProcessExpired, Exception) as exc:  # noqa: BLE001 - a crashed worker, an unpicklable result
            logger.warning("extraction of %s failed: %s", job.url, failure_reason(exc))
            raise ExtractionFailed(failure_reason(exc)) from exc
        _replay(outcome.records)
        if outcome.error is not None:
            logger.warning("extraction of %s failed: %s", job.url, failure_reason(outcome.error))
            raise ExtractionFailed(failure_reason(outcome.error)) from outcome.error
        assert outcome.report is not None
        return outcome.report

    def close(self) -> None:
        """Stop the workers (a job still running is killed: the crawl is over)."""
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=10)
            self._pool = None
        self._started, self._starting = False, None


def _replay(records: list[dict[str, Any]]) -> None:
    """Log what a worker logged, through this process's loggers (and so into the crawl's log)."""
    for fields in records:
        target = logging.getLogger(fields["name"])
        if target.isEnabledFor(fields["levelno"]):
            target.handle(logging.makeLogRecord({**fields, "args": None, "processName": "extraction"}))
