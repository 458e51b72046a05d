"""The archive: every fetch as a capture, every distinct text of a report as a version.

One ``ingest`` is one transaction, so a crash mid-crawl leaves either the whole capture (with its
document and version rows) or none of it. One writer at a time holds the archive's lock file
(``archive.db.lock``, archive.lock); the database runs in WAL mode, so readers (``fazhi check``,
the crawl's own validator lookups) and the writer never block each other, and a write that still
meets a busy database is retried until the busy timeout, then raised as ``ArchiveBusy``. Every
failure to write is an ``archive.errors.ArchiveWriteError`` and leaves nothing half-written: the
transaction is rolled back and the capture's WARC record cut back off. Raw bodies are
zlib-compressed and stored once per sha256, URLs and stable headers once each (archive.interned):
an unchanged recapture adds a short row of integers, not a second copy of the page.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from archive import interned
from archive.agencies import infer_level, infer_region
from archive.capture import Capture
from archive.errors import ArchiveWriteError, is_busy, write_error
from archive.fingerprint import fingerprint, fingerprint_text
from archive.lock import WriterLock
from archive.readonly import archive_stats
from archive.schema import KIND_FAZHI_REPORT, ensure_schema
from archive.versions import report_json
from extraction.report import Report

logger = logging.getLogger(__name__)

STATUSES = ("new_version", "seen_again", "capture_only")
# Agency names that say nothing: reports under them are never merged by (agency, year).
UNKNOWN_AGENCIES = frozenset({"", "未知", "unknown"})
# How long a write waits for another connection's transaction before it fails (seconds).
DEFAULT_BUSY_TIMEOUT = 30.0
# How long a second writer waits for the first to finish before refusing (0: refuse at once).
DEFAULT_LOCK_WAIT = 0.0
# Archives open for writing in this process, by path: only the first may cut torn WARC tails
# (another one's file could be mid-write).
_open_writers: dict[Path, int] = {}


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: the capture row always, the document and version when it was a report."""

    capture_id: int
    document_id: int | None
    version_id: int | None
    status: str  # one of STATUSES


def open_database(path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> ArchiveDatabase:
    """The archive database for writing: foreign keys enforced, schema in place, WAL journal.

    WAL (set after any migration, so a failed one leaves the file as it was) lets readers read while
    a writer writes; ``synchronous=NORMAL`` is WAL's usual pairing: a commit survives a crashed
    process, and a power cut can lose the last commits but never corrupts the file
    (benchmarks/archive.py measures what each costs). Closing it goes back to the rollback journal
    when it is the last connection, so the file at rest is a plain one (:class:`ArchiveDatabase`).
    """
    db = ArchiveDatabase(sqlite3.connect(str(path), timeout=busy_timeout))
    try:
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        db.execute("PRAGMA foreign_keys = ON")
        ensure_schema(db)
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            # Switching needs every other connection gone: a reader that has it open keeps it as it is.
            logger.warning("archive %s: a reader holds it, keeping its rollback journal this time (%s)", path, exc)
        wal = db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute(f"PRAGMA synchronous = {'NORMAL' if wal else 'FULL'}")  # NORMAL is safe with WAL only
    except BaseException:
        db.close()
        raise
    return db


class ArchiveDatabase(Database):
    """The writer's connection; closing it leaves the archive one plain file.

    The WAL is folded back in and the file returns to the rollback journal, so readers open it
    without making ``-wal``/``-shm`` files beside it and a copy of ``archive.db`` is the whole
    archive. Switching needs no other connection open; when one is (the crawl's validator lookups,
    a Datasette left running), the WAL is checkpointed and stays, and the next writer finds it so.
    """

    def close(self) -> None:
        try:
            self.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.OperationalError:
            try:
                self.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                logger.warning("archive: WAL not checkpointed at close (%s)", exc)
        super().close()


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """One write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

    A deferred ``BEGIN`` reads first and upgrades later, and an upgrade that meets another writer
    fails at once with SQLITE_BUSY whatever the busy timeout; taking the lock first makes the wait
    the busy handler's. sqlite-utils' own ``atomic()`` blocks inside become savepoints.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                logger.exception("rollback failed")
        raise


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
    ``lock_wait``: seconds to wait for another writer's lock before raising ``ArchiveLocked``.
    ``busy_timeout``: seconds a write waits on a busy database before raising ``ArchiveBusy``.
    """

    def __init__(
        self,
        path: str | Path,
        warc: bool | None = None,
        lock_wait: float = DEFAULT_LOCK_WAIT,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.lock = WriterLock(self.path, wait=lock_wait)
        try:
            try:
                self.db = open_database(self.path, busy_timeout)
            except (sqlite3.Error, OSError) as exc:
                raise write_error(exc, self.path) from exc
            self.warc = _warc_store(self.path, warc)
            if self.warc is not None and not _open_writers.get(self.path.resolve()):
                self._cut_torn_warc_tails()
            _open_writers[self.path.resolve()] = _open_writers.get(self.path.resolve(), 0) + 1
        except BaseException:
            if getattr(self, "db", None) is not None:
                self.db.close()
            self.lock.release()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Bring the search index up to date (reading commands never write it), then close and let go of the lock."""
        from archive.search import update_search_index  # archive.search reads through this module

        if self.lock.released:
            return
        try:
            update_search_index(self.db)
        except sqlite3.Error as exc:  # a full disk, say: the next writer's close indexes what is missing
            logger.warning("archive %s: search index not brought up to date (%s)", self.path, exc)
        finally:
            if self.warc is not None:
                self.warc.close()
            _open_writers[self.path.resolve()] -= 1
            self.db.close()
            self.lock.release()

    def _cut_torn_warc_tails(self) -> None:
        """Cut the torn last record a killed writer may have left in a WARC file (no capture refers to it)."""
        from archive.warc import cut_torn_tail

        folder = self.warc.folder
        if not folder.is_dir():
            return
        last = dict(
            self.db.execute(
                "SELECT w.name, max(c.warc_offset) FROM captures c JOIN warc_files w ON w.id = c.warc_file_id "
                "GROUP BY w.name"
            ).fetchall()
        )
        for file in sorted(folder.glob("*.warc.gz")):
            scan = cut_torn_tail(file, last.get(file.name) or 0)
            if scan.torn_at is not None:
                logger.warning(
                    "cut a torn WARC record an interrupted writer left: %s at offset %d (%d bytes: %s)",
                    file.name, scan.torn_at, scan.size - scan.torn_at, scan.problem,
                )  # fmt: skip

    # -- ingest -----------------------------------------------------------------------------------

    def ingest(self, capture: Capture, report: Report | None) -> IngestResult:
        """Record the capture; make or refresh a version only for an ``ok`` capture of a real report with text.

        Raises ``ArchiveWriteError`` (``ArchiveFull``, ``ArchiveBusy`` …) when it cannot, having
        written nothing: the caller must stop, not carry on without this capture.
        """
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.05
        while True:
            try:
                return self._ingest_once(capture, report)
            except ArchiveWriteError:
                raise
            except (sqlite3.Error, OSError) as exc:
                if is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(pause)  # another connection's transaction: try the whole ingest again
                    pause = min(pause * 2, 1.0)
                    continue
                raise write_error(exc, self.path) from exc

    def _ingest_once(self, capture: Capture, report: Report | None) -> IngestResult:
        location = None
        try:
            with immediate(self.db):
                capture_id, location = self._record_capture(capture)
                return self._ingest_report(capture_id, capture, report)
        except BaseException:
            if location is not None and self.warc is not None:
                self.warc.discard(location)  # the capture row is not there: neither is its record
            raise

    def _ingest_report(self, capture_id: int, capture: Capture, report: Report | None) -> IngestResult:
        if capture.outcome != "ok" or report is None or not report.is_report or not _has_words(report):
            document_id = None
            if capture.outcome == "not_modified":
                # A 304 proves the page is still there, and still carries the text it carried.
                document_id = self._document_for_urls(_urls(capture, None))
                if document_id is not None:
                    self._touch_document(document_id, capture.fetched_at)
                    self._confirm_by_url(document_id, capture)
            return IngestResult(capture_id, document_id, None, "capture_only")
        document_id = self._document(capture, report)
        if is_truncated(report) and (kept := self._complete_version(document_id)) is not None:
            # A page that had to be cut is no new text of a report already held whole.
            self.db.execute(
                "UPDATE captures SET reason = ? WHERE id = ?",
                [f"truncated extraction: the complete version {kept} stays current", capture_id],
            )
            return IngestResult(capture_id, document_id, None, "capture_only")
        version_id, status = self._version(document_id, capture_id, capture, report)
        self._record_attachments(document_id, capture_id, report)
        return IngestResult(capture_id, document_id, version_id, status)

    def _record_capture(self, capture: Capture) -> tuple[int, Any]:
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
            "kind": capture.kind,
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
        return self.db["captures"].insert(row).last_pk, location

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
        """The version this text is: one the document already has (any of them, not only the latest), or a new one.

        The same report at two URLs (a county portal and a department's 转载 copy) must not flip-flop
        between two "revisions" on every crawl: a text seen before is seen again, and
        ``version_urls`` says which URL carries which version.
        """
        print_ = fingerprint(report.text_normalized or report.text)
        known = self.db.execute(
            "SELECT id FROM versions WHERE document_id = ? AND fingerprint = ? ORDER BY id DESC LIMIT 1",
            [document_id, print_],
        ).fetchone()
        if known:
            self._confirm(document_id, known[0], capture)
            return known[0], "seen_again"
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
        self._carried_at(version_id, capture)
        self.db.execute("UPDATE documents SET current_version_id = ? WHERE id = ?", [version_id, document_id])
        return version_id, "new_version"

    def _carried_at(self, version_id: int, capture: Capture) -> None:
        """Record (or refresh) that the capture's URL carries ``version_id``."""
        self.db.execute(
            "INSERT INTO version_urls (version_id, url_id, first_seen, last_seen, seen_count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT (version_id, url_id) DO UPDATE SET "
            "last_seen = max(last_seen, excluded.last_seen), seen_count = seen_count + 1",
            [version_id, interned.url_id(self.db, capture.url), capture.fetched_at, capture.fetched_at],
        )

    def _confirm(self, document_id: int, version_id: int, capture: Capture) -> None:
        """A capture showed ``version_id``'s text again: its dates and count move, and the URL's record.

        It becomes the document's current text again only when it comes back at a URL that carried
        the current one (a revert); a copy at another URL seen again changes nothing.
        """
        self.db.execute(
            "UPDATE versions SET last_seen = max(last_seen, ?), seen_count = seen_count + 1 WHERE id = ?",
            [capture.fetched_at, version_id],
        )
        url_id = interned.url_id(self.db, capture.url)
        reverted = self.db.execute(
            "SELECT d.current_version_id FROM documents d JOIN version_urls u ON u.version_id = d.current_version_id "
            "WHERE d.id = ? AND u.url_id = ? AND d.current_version_id != ?",
            [document_id, url_id, version_id],
        ).fetchone()
        self._carried_at(version_id, capture)
        if reverted and not self._is_truncated_version(version_id):
            self.db.execute("UPDATE documents SET current_version_id = ? WHERE id = ?", [version_id, document_id])

    def _confirm_by_url(self, document_id: int, capture: Capture) -> None:
        """A 304 for a URL: the version that URL carried last is confirmed, like the document."""
        found = self.db.execute(
            "SELECT u.version_id FROM version_urls u JOIN versions v ON v.id = u.version_id "
            "JOIN urls l ON l.id = u.url_id WHERE l.url = ? AND v.document_id = ? "
            "ORDER BY u.last_seen DESC, u.version_id DESC LIMIT 1",
            [capture.url, document_id],
        ).fetchone()
        if found:
            self._confirm(document_id, found[0], capture)

    def _is_truncated_version(self, version_id: int) -> bool:
        return bool(
            self.db.execute(
                f"SELECT 1 FROM versions v WHERE v.id = ? AND {_TRUNCATED_SQL}", [version_id]
            ).fetchone()
        )

    def _complete_version(self, document_id: int) -> int | None:
        """The document's current version if it is complete, else its newest complete one (None: none is)."""
        found = self.db.execute(
            f"SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id WHERE v.document_id = ? "
            f"AND NOT {_TRUNCATED_SQL} ORDER BY v.id = d.current_version_id DESC, v.id DESC LIMIT 1",
            [document_id],
        ).fetchone()
        return found[0] if found else None

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


# A version whose extraction had to cut the page (the extractor's warning starts with "truncated").
_TRUNCATED_SQL = (
    "EXISTS (SELECT 1 FROM json_each(v.report, '$.warnings') w WHERE w.value LIKE 'truncated%')"
)


def is_truncated(report: Report) -> bool:
    """Did extraction have to cut this page (a warning starting with "truncated")?"""
    return any(str(w).startswith("truncated") for w in report.warnings or [])


def _has_words(report: Report) -> bool:
    """An empty extraction (a failed parse, a page redesign) must never replace the last good text."""
    return bool(fingerprint_text(report.text_normalized or report.text))


def _urls(capture: Capture, report: Report | None) -> list[str]:
    urls = [capture.url, capture.final_url, report.url if report else None]
    return list(dict.fromkeys(u for u in urls if u))
