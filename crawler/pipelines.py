"""The one pipeline: raw fetch → extraction → archive. No decisions of its own beyond wiring."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive import Archive
from archive.capture import Capture
from archive.errors import ArchiveWriteError
from archive.removal import mark_removed
from archive.store import IngestResult
from archive.validators import ValidatorStore
from crawler.discovery import report_lives_in_attachments
from crawler.items import CaptureItem
from crawler.spiders.base import utc_now
from extraction import extract_report
from extraction.blocking import classify_response
from extraction.pages import join_pages
from extraction.report import Report

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Records every fetch as a capture and every changed report text as a new version."""

    def __init__(self, db_path: str, crawler: Crawler) -> None:
        self.db_path = db_path
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive: Archive | None = None
        # Reports extracted in this crawl from pages that link attachments, for those attachments.
        self.pages: dict[str, Report] = {}
        self.started = utc_now()
        self.portals: set[str] = set()
        self.unreadable_lists: set[str] = set()  # portals some list of which could not be read

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler.settings.get("ARCHIVE_DB"), crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Spider | None = None) -> None:
        settings = getattr(self.crawler, "settings", None)  # `fazhi ingest` passes a stats-only stand-in
        self.archive = Archive(self.db_path, lock_wait=settings.getfloat("ARCHIVE_LOCK_WAIT", 0.0) if settings else 0.0)
        self.validators = ValidatorStore(self.db_path)
        self.started = utc_now()
        logger.info("archiving into %s", self.db_path)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Mark reports that vanished — only after a complete crawl of a portal whose lists all read.

        An interrupted crawl or an unreadable list is no evidence that a report is gone.
        """
        if reason != "finished":
            logger.info("crawl %s: not marking removed reports", reason)
            return
        self.mark_removed_reports(self.started)

    def mark_removed_reports(self, crawl_started: str) -> list[int]:
        """After a complete crawl that began at ``crawl_started``: mark what its readable portals no longer list.

        Forgets the portals seen so far, so a long-lived writer (``fazhi ingest``) starts the next crawl afresh.
        """
        removed_all: list[int] = []
        for portal in sorted(self.portals - self.unreadable_lists):
            removed = mark_removed(self.db_path, portal, crawl_started)
            if removed:
                self.stats.inc_value("fazhi/removed_documents", len(removed))
                logger.warning("%d report(s) no longer on %s: documents %s", len(removed), portal, removed)
                removed_all += removed
        self.portals.clear()
        self.unreadable_lists.clear()
        return removed_all

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.archive is not None:
            self.validators.close()  # first: the archive, closing last, leaves one plain file
            self.archive.close()
            self.archive = None

    def process_item(self, item: CaptureItem, spider: Spider | None = None) -> dict[str, Any]:
        assert self.archive is not None, "pipeline used before open_spider"
        if item.get("continuations"):
            pairs = self.paged_captures_and_report(item)
        else:
            pairs = [self.capture_and_report(item)]
        results = [self.record(item, capture, report) for capture, report in pairs]
        capture, result = pairs[-1][0], results[-1]
        return {
            "url": capture.url,
            "outcome": capture.outcome,
            "status": result.status,
            "document_id": result.document_id,
            "version_id": result.version_id,
        }

    def record(self, item: CaptureItem, capture: Capture, report: Report | None) -> IngestResult:
        assert self.archive is not None
        try:
            result = self.archive.ingest(capture, report)
        except ArchiveWriteError as exc:  # never carry on without it: stop the crawl, and say so (exit 1)
            self.stats.inc_value("fazhi/unrecorded_items")
            logger.error("not archived: %s: %s", capture.url, exc)
            if getattr(self.crawler, "engine", None) is None:
                raise  # `fazhi ingest`: the capture stays in Redis for the next writer
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_failed"))
            return IngestResult(0, None, None, "unrecorded")
        if capture.portal:
            self.portals.add(capture.portal)
            if item.get("kind") == "listing" and capture.outcome not in ("ok", "not_modified"):
                self.unreadable_lists.add(capture.portal)
        self.stats.inc_value(f"fazhi/outcome/{capture.outcome}")
        self.stats.inc_value(f"fazhi/{result.status}")
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
        return result

    def page_report(self, url: str) -> Report | None:
        """The report page an attachment came from: extracted in this crawl, else read back from the archive.

        The archive copy covers a page that answered 304, or one fetched before a resumed crawl (JOBDIR).
        """
        if url not in self.pages:
            body = self.validators.last_body(url)
            if body is None:
                return None
            self.pages[url] = extract_report(body, url=url)
        return self.pages[url]

    @staticmethod
    def to_capture(item: CaptureItem | dict[str, Any]) -> Capture:
        """The archive's record of one fetch, its outcome decided from status, headers and body."""
        body: bytes = item.get("body") or b""
        status = item.get("status")
        headers = item.get("headers") or {}
        outcome, reason = item.get("outcome"), item.get("error")
        if status == 304:
            outcome, reason = "not_modified", None
        elif status is not None:
            outcome, reason = classify_response(status, headers, body, item["url"], item.get("final_url"))
        return Capture(
            url=item["url"],
            final_url=item.get("final_url"),
            fetched_at=item["fetched_at"],
            status=status,
            outcome=outcome or "error",
            body=body,
            content_type=item.get("content_type"),
            headers=headers,
            portal=item.get("portal"),
            parent_url=item.get("parent_url"),
            error=reason if outcome != "ok" else item.get("error"),
        )

    def capture_and_report(self, item: CaptureItem) -> tuple[Capture, Report | None]:
        """Classify the fetch, then extract the report only from a good one."""
        capture = self.to_capture(item)
        body = capture.body
        if capture.outcome != "ok" or item.get("kind") == "listing":
            return capture, None
        parent_url = item.get("parent_url")
        page = self.page_report(parent_url) if parent_url else None
        report = extract_report(
            body, url=capture.final_url or capture.url, content_type=capture.content_type, page=page
        )
        if parent_url is None:
            if report.attachments:  # only pages that link files are ever asked for again
                self.pages[capture.url] = report
            if report.is_report and report_lives_in_attachments(report):
                # A cover page: the attachment carries the report; the page alone is not a version.
                capture.error = "cover page: the report is in its attachment"
                return capture, None
        elif page is not None and not report_lives_in_attachments(page):
            # A full report page that also offers a file copy: keep the file, don't version it twice.
            capture.error = "attachment of a report page that carries the full text"
            return capture, None
        return capture, report

    def paged_captures_and_report(self, item: CaptureItem) -> list[tuple[Capture, Report | None]]:
        """A report over several pages: every page a capture; one version of the joined text.

        Unchanged pages (304) are read back from the archive. If any page could not be read, no
        version is made: half a report is not a new version of it.
        """
        captures = [self.to_capture(item)] + [self.to_capture(part) for part in item["continuations"]]
        pairs: list[tuple[Capture, Report | None]] = [(c, None) for c in captures]
        unreadable = [c for c in captures if c.outcome not in ("ok", "not_modified")]
        fresh = [c for c in captures if c.outcome == "ok"]
        if unreadable or not fresh:
            for capture in captures:
                if capture.outcome == "ok":
                    capture.error = f"page of a {len(captures)}-page report that could not be read whole"
            return pairs
        bodies = [c.body if c.outcome == "ok" else self.validators.last_body(c.url) for c in captures]
        if any(b is None for b in bodies):
            fresh[0].error = "an unchanged page of this report is missing from the archive"
            return pairs
        first = extract_report(bodies[0], url=captures[0].url, content_type=captures[0].content_type)
        rest = [
            extract_report(b, url=c.url, content_type=c.content_type, page=first)
            for b, c in zip(bodies[1:], captures[1:], strict=True)
        ]
        carrier = fresh[0]  # the version hangs on a capture that was really downloaded
        return [(c, join_pages(first, rest) if c is carrier else None) for c in captures]
