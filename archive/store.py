"""The archive: every fetch as a capture, every distinct text of a report as a version.

One ``ingest`` is one transaction, so a crash mid-crawl leaves either the whole capture (with its
document and version rows) or none of it. Raw bodies are zlib-compressed and stored once per
sha256, URLs and stable headers once each (archive.interned): an unchanged recapture adds a short
row of integers, not a second copy of the page.
"""

from __future__ import annotations

import logging
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from archive import interned
from archive.agencies import infer_level, infer_region
from archive.capture import Capture
from archive.fingerprint import fingerprint, fingerprint_text
from archive.readonly import archive_stats
from archive.schema import KIND_FAZHI_REPORT, ensure_schema
from archive.versions import report_json
from extraction.report import Report

logger = logging.getLogger(__name__)

STATUSES = ("new_version", "seen_again", "capture_only")
# Agency names that say nothing: reports under them are never merged by (agency, year).
UNKNOWN_AGENCIES = frozenset({"", "未知", "unknown"})


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: the capture row always, the document and version when it was a report."""

    capture_id: int
    document_id: int | None
    version_id: int | None
    status: str  # one of STATUSES


def open_database(path: str | Path) -> Database:
    """The archive database with foreign keys enforced and the schema in place."""
    db = Database(path)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        ensure_schema(db)
    except BaseException:
        db.close()
        raise
    return db


def capture_body(db: Database | sqlite3.Connection, capture_id: int) -> bytes:
    """The raw body of a capture as it was fetched (each distinct body is stored once, in ``bodies``)."""
    row = db.execute(
        "SELECT b.sha256, b.body, b.size FROM captures c JOIN bodies b ON b.id = c.body_id WHERE c.id = ?",
        [capture_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"no capture {capture_id}")
    sha, body, size = row
    if body is None:
        if size:
            raise KeyError(f"capture {capture_id}: body {sha.hex()} is not stored")
        return b""
    return zlib.decompress(body)


def _warc_store(path: Path, warc: bool | None) -> Any:
    if warc is False:
        return None
    try:
        from archive.warc import WarcStore
    except ImportError:
        if warc:
            raise RuntimeError("WARC output needs warcio: pip install warcio") from None
        logger.warning("warcio is not installed: raw captures are kept in the database only, not as WARC")
        return None
    return WarcStore(path)


class Archive:
    """The archive database at ``path`` (created with its schema if missing).

    ``warc``: also write raw captures as WARC files in ``<db stem>.warcs/`` beside the database
    (None, the default: when warcio is installed; True: required; False: never).
    """

    def __init__(self, path: str | Path, warc: bool | None = None) -> None:
        self.path = Path(path)
        self.db = open_database(self.path)
        self.warc = _warc_store(self.path, warc)

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Bring the search index up to date (reading commands never write it), then close."""
        from archive.search import update_search_index  # archive.search reads through this module

        try:
            update_search_index(self.db)
        finally:
            if self.warc is not None:
                self.warc.close()
            self.db.close()

    # -- ingest -----------------------------------------------------------------------------------

    def ingest(self, capture: Capture, report: Report | None) -> IngestResult:
        """Record the capture; make or refresh a version only for an ``ok`` capture of a real report with text."""
        with self.db.atomic():
            capture_id = self._record_capture(capture)
            if capture.outcome != "ok" or report is None or not report.is_report or not _has_words(report):
                document_id = None
                if capture.outcome == "not_modified":
                    # A 304 proves the page is still there, though it adds no text.
                    document_id = self._document_for_urls(_urls(capture, None))
                    if document_id is not None:
                        self._touch_document(document_id, capture.fetched_at)
                return IngestResult(capture_id, document_id, None, "capture_only")
            document_id = self._document(capture, report)
            version_id, status = self._version(document_id, capture_id, capture, report)
            self._record_attachments(document_id, capture_id, report)
            return IngestResult(capture_id, document_id, version_id, status)

    def _record_capture(self, capture: Capture) -> int:
        body = capture.body or b""
        digest = interned.body_digest(body)
        url_id = interned.url_id(self.db, capture.url)
        final_url = capture.final_url if capture.final_url != capture.url else None
        final_url_id = interned.optional_url_id(self.db, final_url)
        known = interned.find_body(self.db, digest) if body else None
        first = known and self.db.execute(
            "SELECT u.url, b.first_fetched_at FROM bodies b JOIN urls u ON u.id = b.first_url_id WHERE b.id = ?",
            [known],
        ).fetchone()
        confirmed = capture.status == 304 and self.db.execute(
            "SELECT u.url, c.fetched_at FROM captures c JOIN urls u ON u.id = coalesce(c.final_url_id, c.url_id) "
            "WHERE c.url_id = ? AND c.status = 200 AND c.outcome = 'ok' ORDER BY c.id DESC LIMIT 1",
            [url_id],
        ).fetchone()
        location = (
            self.warc.write(capture, tuple(first) if first else None, tuple(confirmed) if confirmed else None)
            if self.warc
            else None
        )
        stable_headers, varying_headers = interned.split_headers(capture.headers)
        headers_id, headers_base_id = interned.header_set_ids(self.db, url_id, stable_headers)
        row = {
            "url_id": url_id,
            "final_url_id": final_url_id,
            "fetched_at": capture.fetched_at,
            "status": capture.status,
            "outcome": capture.outcome,
            "reason": capture.error,
            "content_type": capture.content_type,
            "headers_id": headers_id,
            "headers_base_id": headers_base_id,
            "headers_varying": varying_headers,
            # The body's first URL is the one its WARC record was written under (after redirects).
            "body_id": known or interned.body_id(self.db, body, final_url_id or url_id, capture.fetched_at, digest),
            "portal_id": interned.portal_id(self.db, capture.portal),
            "parent_url_id": interned.optional_url_id(self.db, capture.parent_url),
            "warc_file_id": interned.warc_file_id(self.db, location.file if location else None),
            "warc_offset": location.offset if location else None,
        }
        return self.db["captures"].insert(row).last_pk

    def _agency(self, report: Report) -> int | None:
        name = (report.agency or report.publisher or "").strip()
        if name in UNKNOWN_AGENCIES:
            return None
        found = self.db.execute("SELECT id, region FROM agencies WHERE name = ?", [name]).fetchone()
        if found:
            if found[1] is None and report.region:
                self.db["agencies"].update(found[0], {"region": report.region})
            return found[0]
        row = {"name": name, "level": infer_level(name), "region": report.region or infer_region(name)}
        return self.db["agencies"].insert(row).last_pk

    def _document_for_urls(self, urls: list[str]) -> int | None:
        for url in urls:
            found = self.db.execute("SELECT document_id FROM document_urls WHERE url = ?", [url]).fetchone()
            if found:
                return found[0]
        return None

    def _document(self, capture: Capture, report: Report) -> int:
        """Identity: a URL seen before, else (agency, year, kind) when both are known, else a new document."""
        urls = _urls(capture, report)
        agency_id = self._agency(report)
        document_id = self._document_for_urls(urls)
        if document_id is None and agency_id is not None and report.report_year is not None:
            found = self.db.execute(
                "SELECT id FROM documents WHERE agency_id = ? AND report_year = ? AND kind = ?",
                [agency_id, report.report_year, KIND_FAZHI_REPORT],
            ).fetchone()
            document_id = found[0] if found else None
        if document_id is None:
            document_id = (
                self.db["documents"]
                .insert(
                    {
                        "agency_id": agency_id,
                        "report_year": report.report_year,
                        "kind": KIND_FAZHI_REPORT,
                        "title": report.title or None,
                        "url": report.url or capture.final_url or capture.url,
                        "first_seen": capture.fetched_at,
                        "last_seen": capture.fetched_at,
                        "removed_at": None,
                    }
                )
                .last_pk
            )
        else:
            self._touch_document(document_id, capture.fetched_at)
            if report.title:
                self.db["documents"].update(document_id, {"title": report.title})
        for url in urls:
            self.db.execute(
                "INSERT OR IGNORE INTO document_urls (url, document_id) VALUES (?, ?)", [url, document_id]
            )
        return document_id

    def _touch_document(self, document_id: int, seen_at: str) -> None:
        self.db.execute(
            "UPDATE documents SET last_seen = max(last_seen, ?), removed_at = NULL WHERE id = ?",
            [seen_at, document_id],
        )

    def _version(
        self, document_id: int, capture_id: int, capture: Capture, report: Report
    ) -> tuple[int, str]:
        print_ = fingerprint(report.text_normalized or report.text)
        latest = self.db.execute(
            "SELECT id, fingerprint FROM versions WHERE document_id = ? ORDER BY id DESC LIMIT 1",
            [document_id],
        ).fetchone()
        if latest and latest[1] == print_:
            self.db.execute(
                "UPDATE versions SET last_seen = max(last_seen, ?), seen_count = seen_count + 1 WHERE id = ?",
                [capture.fetched_at, latest[0]],
            )
            return latest[0], "seen_again"
        version_id = (
            self.db["versions"]
            .insert(
                {
                    "document_id": document_id,
                    "capture_id": capture_id,
                    "title": report.title,
                    "text": report.text,
                    # NULL when it is the text itself: readers use coalesce(text_normalized, text).
                    "text_normalized": report.text_normalized
                    if report.text_normalized != report.text
                    else None,
                    "fingerprint": print_,
                    "published": report.published,
                    "report": report_json(report),
                    "first_seen": capture.fetched_at,
                    "last_seen": capture.fetched_at,
                    "seen_count": 1,
                }
            )
            .last_pk
        )
        return version_id, "new_version"

    def _record_attachments(self, document_id: int, capture_id: int, report: Report) -> None:
        for attachment in report.attachments:
            self.db.execute(
                "INSERT OR IGNORE INTO attachments (document_id, capture_id, name, url) VALUES (?, ?, ?, ?)",
                [document_id, capture_id, attachment.name, attachment.url],
            )

    # -- reading ----------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts of what the archive holds, for the CLI and the crawl log (archive.readonly.archive_stats)."""
        return archive_stats(self.db)

    def body(self, capture_id: int) -> bytes:
        """The raw body of capture ``capture_id`` as it was fetched."""
        return capture_body(self.db, capture_id)


def _has_words(report: Report) -> bool:
    """An empty extraction (a failed parse, a page redesign) must never replace the last good text."""
    return bool(fingerprint_text(report.text_normalized or report.text))


def _urls(capture: Capture, report: Report | None) -> list[str]:
    urls = [capture.url, capture.final_url, report.url if report else None]
    return list(dict.fromkeys(u for u in urls if u))
