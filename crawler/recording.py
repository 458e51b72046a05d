"""The recording service: one fetch, as plain data, becomes captures (and perhaps a version) in the archive.

Both archive writers call it — ``crawler.pipelines.ArchivePipeline`` in a local crawl and
``crawler.distributed.ingest`` for Redis workers — so a fetch is recorded the same way whoever fetched
it. It holds the product's recording policy, which used to sit in the pipeline:

- a capture's outcome is the verdict the crawl put on the response (``crawler.verdict``); an old
  item without one is classified here, by the same function;
- only a good fetch of a report page or attachment is extracted, in a pool of processes with a
  time limit (``crawler.extractor``); an extraction that fails is an ``error`` capture with the
  reason. A Redis worker's own extraction, sent with its capture, is used instead when it answers
  the same job with the same extractor (``crawler.extractions``); otherwise the writer extracts;
- the captures of a fetch are written by the archive's writer thread (``crawler.archive_writer``),
  which commits them in groups, and count as recorded once committed;
- a cover page ("详见附件") is not a version, its attachment is; an attachment of a page that carries
  the full text is not a second version;
- a report split over pages is one version of the joined text, made only when every page was read;
- after a complete crawl, reports whose URLs answered "gone" are marked removed (``archive.removal``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from archive.capture import Capture
from archive.errors import ArchiveWriteError
from archive.store import Archive, IngestResult
from archive.validators import ValidatorStore
from crawler.archive_writer import ArchiveWriter
from crawler.discovery import report_lives_in_attachments
from crawler.extractions import ShippedExtraction, checked_report, extractor_version, job_key
from crawler.extractor import ExtractionFailed, ExtractionJob, Extractor
from crawler.responses import utc_now
from extraction.blocking import classify_response
from extraction.pages import join_pages
from extraction.report import Report

logger = logging.getLogger(__name__)

# What a failed write of the archive raises: a lock it could not get, a full disk (the archive's own
# ArchiveWriteError), and what sqlite3 and the file system raise before the archive can say it.
RECORDING_FAILURES: tuple[type[BaseException], ...] = (ArchiveWriteError, sqlite3.DatabaseError, OSError)

Item = Mapping[str, Any]  # the fields of crawler.items.CaptureItem
Count = Callable[..., None]  # stats.inc_value(key, count=1)


# The extractions the item being prepared will send (a Redis worker's side), per asyncio task.
_to_ship: ContextVar[list[ShippedExtraction] | None] = ContextVar("to_ship", default=None)


class RecordingFailed(Exception):
    """The archive could not record an item (``__cause__`` says why); nothing of the item was kept."""


def to_capture(item: Item) -> Capture:
    """The archive's record of one fetch, with the outcome the crawl decided (``crawler.verdict``)."""
    body: bytes = item.get("body") or b""
    status = item.get("status")
    outcome, reason = item.get("outcome"), item.get("error")
    if status == 304:
        outcome, reason = "not_modified", None
    elif outcome is None and status is not None:  # an item from before verdicts travelled with it
        outcome, reason = classify_response(status, item.get("headers") or {}, body, item["url"], item.get("final_url"))
    return Capture(
        url=item["url"],
        final_url=item.get("final_url"),
        fetched_at=item["fetched_at"],
        status=status,
        outcome=outcome or "error",
        body=body,
        content_type=item.get("content_type"),
        headers=item.get("headers") or {},
        portal=item.get("portal"),
        parent_url=item.get("parent_url"),
        error=reason,
        kind=item.get("kind"),
    )


class Recorder:
    """Records every fetch as a capture and every changed report text as a new version.

    Without a ``db_path`` it records nothing and only extracts (``prepare``): what a Redis worker does
    before it sends a capture to the writer. Such a worker may read unchanged pages back from a
    read-only copy of the archive (``copy_path``), as its conditional requests do.
    """

    def __init__(
        self, db_path: str | None, count: Count, extractor: Extractor | None = None, lock_wait: float = 0.0,
        copy_path: str | None = None, batch_seconds: float = 0.0,
    ) -> None:  # fmt: skip
        self.db_path = db_path
        self.batch_seconds = batch_seconds  # how long the archive's writer waits for a batch to fill
        self.copy_path = copy_path
        self.lock_wait = lock_wait  # seconds to wait for another writer's lock on the archive
        self.count = count
        self.extractor = extractor or Extractor()
        self.writer: ArchiveWriter | None = None
        self.validators: ValidatorStore | None = None
        # Report pages extracted in this crawl (or being extracted), for the attachments they link.
        self.pages: dict[str, asyncio.Future[Report | None]] = {}
        self.portals: set[str] = set()
        self.unreadable_lists: set[str] = set()  # portals some list of which could not be read
        # Results a worker sent, by job key (the writer's side).
        self.shipped: dict[str, ShippedExtraction] = {}
        self.consulted: set[str] = set()  # keys of shipped extractions this writer looked up

    @property
    def is_open(self) -> bool:
        return self.writer is not None and self.writer.is_open

    def open(self, warm: bool = True) -> None:
        """Open the archive; ``RecordingFailed`` when it cannot be (locked, not writable, not an archive).

        ``warm``: start the extraction workers now, while the crawl asks for robots.txt (a writer of
        workers' captures, which seldom extracts, leaves them to start on the first job).
        """
        if warm:
            self.extractor.start()
        if self.db_path is None:
            self.validators = ValidatorStore(self.copy_path) if self.copy_path else None
            return
        writer = ArchiveWriter(self.db_path, lock_wait=self.lock_wait, batch_seconds=self.batch_seconds)
        try:
            writer.open()
        except RECORDING_FAILURES as exc:
            raise RecordingFailed(f"cannot open the archive {self.db_path}: {exc}") from exc
        self.writer = writer
        self.validators = ValidatorStore(self.db_path)

    def close(self) -> None:
        if self.validators is not None:
            self.validators.close()  # first: the archive, closing last, leaves one plain file
            self.validators = None
        if self.writer is not None:
            self.writer.close()
            if self.writer.batches:
                logger.info(
                    "archive writes: %d transactions, up to %d captures each",
                    self.writer.batches, self.writer.largest_batch,
                )  # fmt: skip
            self.writer = None
        self.extractor.close()

    async def record(self, item: Item, shipped: list[ShippedExtraction] | None = None) -> dict[str, Any]:
        """Record one fetch (with the later pages of a multi-page report); a summary of what was kept.

        ``shipped``: the extractions a Redis worker sent with the item. Raises ``RecordingFailed``
        when the archive cannot be written.
        """
        assert self.writer is not None, "Recorder used before open()"
        keys = [s.key for s in shipped or []]
        self.shipped.update((s.key, s) for s in shipped or [])
        try:
            pairs = await self.captures_and_report(item)
        finally:
            for key in keys:
                if self.shipped.pop(key, None) is not None and key not in self.consulted:
                    # The writer's job differed (an attachment the worker read without its page, which
                    # another worker fetched): it extracted that capture itself.
                    self.count("fazhi/extractions/unused")
                self.consulted.discard(key)
        try:
            results = await self.writer.write(pairs)
        except RECORDING_FAILURES as exc:
            raise RecordingFailed(f"{type(exc).__name__}: {exc}") from exc
        for (capture, report), result in zip(pairs, results, strict=True):
            self.account(item, capture, report, result)
        capture, result = pairs[-1][0], results[-1]
        return {
            "url": capture.url,
            "outcome": capture.outcome,
            "status": result.status,
            "document_id": result.document_id,
            "version_id": result.version_id,
        }

    async def prepare(self, item: Item) -> list[ShippedExtraction]:
        """Extract what recording ``item`` will need, as a worker does for the writer; nothing is written."""
        shipping: list[ShippedExtraction] = []
        token = _to_ship.set(shipping)  # this item's task only: items are prepared concurrently
        try:
            await self.captures_and_report(item)
        finally:
            _to_ship.reset(token)
        return shipping

    async def captures_and_report(self, item: Item) -> list[tuple[Capture, Report | None]]:
        if item.get("continuations"):
            return await self.paged_captures_and_report(item)
        return [await self.capture_and_report(item)]

    def account(self, item: Item, capture: Capture, report: Report | None, result: IngestResult) -> None:
        """Count and log one recorded capture (on the event loop, once it is committed)."""
        if capture.portal:
            self.portals.add(capture.portal)
            if item.get("kind") == "listing" and capture.outcome not in ("ok", "not_modified"):
                self.unreadable_lists.add(capture.portal)
        self.count(f"fazhi/outcome/{capture.outcome}")
        self.count(f"fazhi/{result.status}")
        if result.status == "new_version":
            logger.info(
                "new version %s of document %s: %s (%s)",
                result.version_id,
                result.document_id,
                report.title if report else "",
                capture.url,
            )
        elif capture.outcome == "not_modified":
            logger.debug("not modified: %s", capture.url)
        elif capture.outcome != "ok":
            logger.warning("%s: %s (%s)", capture.outcome, capture.url, capture.error)

    # -- extraction ------------------------------------------------------------------------------

    async def extract(self, capture: Capture, body: bytes, page: Report | None = None) -> Report | None:
        """The capture's report, or None with the capture turned into an ``error`` that says why."""
        job = ExtractionJob(body, capture.final_url or capture.url, capture.content_type, page)
        to_ship = _to_ship.get()
        key = job_key(job) if self.shipped or to_ship is not None else ""
        try:
            report = self.shipped_report(key) or await self.extractor.extract(job)
        except ExtractionFailed as failed:
            if to_ship is not None:
                to_ship.append(ShippedExtraction(key, extractor_version(), failure=failed.reason))
            capture.outcome, capture.error = "error", failed.reason
            self.count("fazhi/extraction_failed")
            return None
        if to_ship is not None:
            to_ship.append(ShippedExtraction(key, extractor_version(), report=report.to_dict()))
        return report

    def shipped_report(self, key: str) -> Report | None:
        """The report a worker sent for this job, if its extractor is this one's; raises its failure."""
        shipped = self.shipped.get(key) if key else None
        if shipped is not None:
            self.consulted.add(key)
        if shipped is None:
            return None
        if shipped.version != extractor_version():
            self.count("fazhi/extractions/redone_other_version")
            return None
        if shipped.failure is not None:
            self.count("fazhi/extractions/shipped")
            raise ExtractionFailed(shipped.failure)
        try:
            report = checked_report(shipped.report)
        except (ValueError, TypeError) as exc:
            logger.warning("a worker's report for %s is not valid (%s): extracting it again", shipped.key, exc)
            self.count("fazhi/extractions/redone_invalid")
            return None
        self.count("fazhi/extractions/shipped")
        return report

    async def page_report(self, url: str) -> Report | None:
        """The report page an attachment came from: extracted in this crawl, else read back from the archive.

        The archive copy covers a page that answered 304, or one fetched before a resumed crawl (JOBDIR).
        """
        if url not in self.pages:
            body = self.validators.last_body(url) if self.validators is not None else None
            future: asyncio.Future[Report | None] = asyncio.get_running_loop().create_future()
            self.pages[url] = future
            report = None
            if body is not None:
                report = await self.extract(Capture(url=url, fetched_at=utc_now(), status=200, outcome="ok"), body)
            future.set_result(report)
        return await asyncio.shield(self.pages[url])

    async def capture_and_report(self, item: Item) -> tuple[Capture, Report | None]:
        """The capture of one fetch, and the report extracted from it when it is a good report page or file."""
        capture = to_capture(item)
        if capture.outcome != "ok" or item.get("kind") == "listing":
            return capture, None
        parent_url = item.get("parent_url")
        if parent_url is None:
            # Attachments of this page may be recorded while it is still being extracted: they wait for it.
            future: asyncio.Future[Report | None] = asyncio.get_running_loop().create_future()
            self.pages[capture.url] = future
            report = await self.extract(capture, capture.body)
            future.set_result(report)
            if report is None or not report.attachments:
                del self.pages[capture.url]  # only pages that link files are ever asked for again
            if report is None:
                return capture, None
            if report.is_report and report_lives_in_attachments(report):
                # A cover page: the attachment carries the report; the page alone is not a version.
                capture.error = "cover page: the report is in its attachment"
                return capture, None
        else:
            page = await self.page_report(parent_url)
            report = await self.extract(capture, capture.body, page)
            if report is None:
                return capture, None
            if page is not None and not report_lives_in_attachments(page):
                # A full report page that also offers a file copy: keep the file, don't version it twice.
                capture.error = "attachment of a report page that carries the full text"
                return capture, None
        if not report.is_report:
            capture.error = f"not a report: {report.reason}"  # a report URL that answered something else
        return capture, report

    async def paged_captures_and_report(self, item: Item) -> list[tuple[Capture, Report | None]]:
        """A report over several pages: every page a capture; one version of the joined text.

        Unchanged pages (304) are read back from the archive. If any page could not be read, no
        version is made: half a report is not a new version of it.
        """
        captures = [to_capture(item)] + [to_capture(part) for part in item["continuations"]]
        pairs: list[tuple[Capture, Report | None]] = [(c, None) for c in captures]
        unreadable = [c for c in captures if c.outcome not in ("ok", "not_modified")]
        fresh = [c for c in captures if c.outcome == "ok"]
        if unreadable or not fresh:
            for capture in captures:
                if capture.outcome == "ok":
                    capture.error = f"page of a {len(captures)}-page report that could not be read whole"
            return pairs
        validators = self.validators  # None in a worker, which has no archive to read unchanged pages from
        bodies = [c.body if c.outcome == "ok" else validators.last_body(c.url) if validators else None for c in captures]
        if any(b is None for b in bodies):
            fresh[0].error = "an unchanged page of this report is missing from the archive"
            return pairs
        first = await self.extract(captures[0], bodies[0] or b"")
        rest = [await self.extract(c, b or b"", first) for b, c in zip(bodies[1:], captures[1:], strict=True)]
        if first is None or any(r is None for r in rest):
            return pairs  # the page that failed says why; the others were read, but not whole
        carrier = fresh[0]  # the version hangs on a capture that was really downloaded
        joined = join_pages(first, [r for r in rest if r is not None])
        return [(c, joined if c is carrier else None) for c in captures]

    # -- removal ---------------------------------------------------------------------------------

    def mark_removed_reports(self, crawl_started: str) -> list[int]:
        """After a complete crawl that began at ``crawl_started``: mark what its readable portals say is gone.

        Forgets the portals seen so far, so a long-lived writer (``fazhi ingest``) starts the next crawl afresh.
        Runs on the writer's own open archive when there is one, else on one archive opened for every
        portal (the crawl's pipeline, whose writer has closed by then): no archive opened per portal.
        """
        portals = sorted(self.portals - self.unreadable_lists)
        self.portals.clear()
        self.unreadable_lists.clear()
        if not portals:
            return []
        if self.writer is not None and self.writer.is_open:
            return self.writer.call(lambda archive: self._mark_removed(archive, portals, crawl_started))
        with Archive(self.db_path, warc=False) as archive:
            return self._mark_removed(archive, portals, crawl_started)

    def _mark_removed(self, archive: Archive, portals: list[str], crawl_started: str) -> list[int]:
        removed_all: list[int] = []
        for portal in portals:
            removed = archive.mark_removed(portal, crawl_started)
            if removed:
                self.count("fazhi/removed_documents", len(removed))
                logger.warning("%d report(s) gone from %s: documents %s", len(removed), portal, removed)
                removed_all += removed
        return removed_all
