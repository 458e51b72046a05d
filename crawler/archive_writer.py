"""The archive's one writer: a thread that owns the archive and commits captures in groups.

Writing a capture costs a transaction (SQLite statements, the WARC record, a commit); on the crawl's
event loop that is time no download is started in. So the recording service hands each fetch's
captures to this thread and awaits their commit. The thread takes whatever has queued up while it
was busy — up to ``max_batch`` captures — and writes it as one transaction (``Archive.ingest_many``):
under load one commit and one WARC sync serve many captures; when the crawl is slow a capture is
written as soon as it comes (a group commit: no waiting for a batch to fill). With ``batch_seconds``
the thread also waits that long after the first capture of a batch for more to join it (fewer
commits where each is dear: a slow disk, a network file system).

Durability: an item's ``write`` returns only once its captures are committed, so the crawl counts an
item as recorded only then. A process killed outright loses the captures queued or in the transaction
in flight — at most ``max_batch``, and at most ``batch_seconds`` of them — none of which was counted;
a crawl run again fetches them again (they left no validators in the archive to make them 304s). A batch that fails is written again one
item per transaction, so a bad capture fails only its own item; a full disk fails each in turn.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar

from archive import Archive
from archive.capture import Capture
from archive.store import IngestResult
from extraction.report import Report

logger = logging.getLogger(__name__)

MAX_BATCH = 200  # captures in one transaction at most: what a kill can lose
Pair = tuple[Capture, Report | None]


@dataclass
class _Write:
    """One item's captures, written in one transaction, and where to say how it went."""

    pairs: Sequence[Pair]
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[list[IngestResult]] = field(repr=False)


@dataclass
class _Call:
    """Other work on the archive (marking removed reports …), run in the writer thread after what queued."""

    work: Callable[[Archive], object]
    done: Future[object] = field(default_factory=Future, repr=False)


_STOP = object()
T = TypeVar("T")


class ArchiveWriter:
    """Owns ``Archive(db_path)`` in a thread of its own; ``await write(pairs)`` records one item's captures."""

    def __init__(
        self, db_path: str, lock_wait: float = 0.0, max_batch: int = MAX_BATCH, batch_seconds: float = 0.0
    ) -> None:
        self.db_path = db_path
        self.lock_wait = lock_wait
        self.max_batch = max_batch
        self.batch_seconds = batch_seconds
        self.batches = 0  # transactions committed
        self.largest_batch = 0  # captures in the largest of them
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._opened = threading.Event()
        self._open_error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.archive: Archive | None = None

    @property
    def is_open(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._open_error is None

    def open(self) -> None:
        """Open the archive in the writer thread; raises what ``Archive(...)`` raised (locked, not writable …)."""
        self._thread = threading.Thread(target=self._run, name="archive-writer", daemon=True)
        self._thread.start()
        self._opened.wait()
        if self._open_error is not None:
            self._thread.join()
            raise self._open_error

    async def write(self, pairs: Sequence[Pair]) -> list[IngestResult]:
        """Record these captures (one fetch's, with its later pages) together; their results, in order.

        Raises what the archive raised (``ArchiveWriteError`` …) when they could not be recorded.
        """
        return await self.submit(pairs)

    def submit(self, pairs: Sequence[Pair]) -> asyncio.Future[list[IngestResult]]:
        """Queue these captures for the writer thread now; the future ``write`` awaits."""
        if not self.is_open:
            raise RuntimeError("the archive writer is not open")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[IngestResult]] = loop.create_future()
        self._queue.put(_Write(pairs, loop, done))
        return done

    def call(self, work: Callable[[Archive], T]) -> T:
        """``work(archive)`` in the writer thread once what is queued is written; its result (blocks the caller).

        One connection, one open archive: no second ``Archive`` (a schema check, a lock) per call.
        """
        if not self.is_open:
            raise RuntimeError("the archive writer is not open")
        call = _Call(work)
        self._queue.put(call)
        return call.done.result()  # type: ignore[return-value]

    def close(self) -> None:
        """Write what is queued, close the archive (its search index brought up to date), end the thread."""
        if self._thread is None:
            return
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._thread = None

    # -- the writer thread -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self.archive = Archive(self.db_path, lock_wait=self.lock_wait)
        except BaseException as exc:  # noqa: BLE001 - handed to open(), which raises it in the caller
            self._open_error = exc
            self._opened.set()
            return
        self._opened.set()
        try:
            stopping = False
            while not stopping:
                first = self._queue.get()
                if first is _STOP:
                    break
                if isinstance(first, _Call):
                    self._call(first)
                    continue
                assert isinstance(first, _Write)
                batch, size, after = [first], len(first.pairs), None
                deadline = time.monotonic() + self.batch_seconds
                while size < self.max_batch:
                    try:
                        more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                    if more is _STOP:
                        stopping = True
                        break
                    if isinstance(more, _Call):
                        after = more  # it sees this batch committed
                        break
                    assert isinstance(more, _Write)
                    batch.append(more)
                    size += len(more.pairs)
                self._commit(batch)
                if after is not None:
                    self._call(after)
        finally:
            archive, self.archive = self.archive, None
            archive.close()

    def _call(self, call: _Call) -> None:
        assert self.archive is not None
        try:
            call.done.set_result(call.work(self.archive))
        except Exception as exc:  # noqa: BLE001 - raised in the caller
            call.done.set_exception(exc)

    def _commit(self, batch: list[_Write]) -> None:
        assert self.archive is not None
        many = getattr(self.archive, "ingest_many", None)
        if many is None:  # an archive without batches: one transaction per capture, as it always was
            for write in batch:
                try:
                    results = [self.archive.ingest(capture, report) for capture, report in write.pairs]
                except Exception as exc:  # noqa: BLE001 - told to the item's writer, who decides
                    _settle(write, error=exc)
                else:
                    self._committed(len(write.pairs))
                    _settle(write, results=results)
            return
        pairs = [pair for write in batch for pair in write.pairs]
        try:
            results = many(pairs)
        except Exception as exc:  # noqa: BLE001 - told to the items' writers, who decide
            if len(batch) == 1:
                _settle(batch[0], error=exc)
                return
            logger.warning("a batch of %d captures failed (%s): writing them one item at a time", len(pairs), exc)
            for write in batch:
                self._commit([write])
            return
        self._committed(len(pairs))
        if len(pairs) > 1:
            logger.debug("committed %d captures of %d items in one transaction", len(pairs), len(batch))
        settled, start = [], 0
        for write in batch:
            settled.append((write, results[start : start + len(write.pairs)]))
            start += len(write.pairs)
        _settle_all(settled)

    def _committed(self, captures: int) -> None:
        self.batches += 1
        self.largest_batch = max(self.largest_batch, captures)


def _settle(write: _Write, results: list[IngestResult] | None = None, error: BaseException | None = None) -> None:
    def settle() -> None:
        if write.done.done():  # the item was cancelled (the crawl is closing)
            return
        if error is not None:
            write.done.set_exception(error)
        else:
            write.done.set_result(results or [])

    write.loop.call_soon_threadsafe(settle)


def _settle_all(settled: list[tuple[_Write, list[IngestResult]]]) -> None:
    """A committed batch's results, handed to each event loop in one call (one wake-up, not one a capture).

    Each wake-up is a write to the loop's self-pipe, a system call that lets the loop's thread take the
    GIL from this one: a batch of 200 single-capture items used to cost 200 such hand-overs.
    """
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Write, list[IngestResult]]]] = {}
    for write, results in settled:
        by_loop.setdefault(write.loop, []).append((write, results))

    def settle(writes: list[tuple[_Write, list[IngestResult]]]) -> None:
        for write, results in writes:
            if not write.done.done():  # else the item was cancelled (the crawl is closing)
                write.done.set_result(results)

    for loop, writes in by_loop.items():
        loop.call_soon_threadsafe(settle, writes)
