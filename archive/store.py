"""The archive: every fetch as a capture, every distinct text of a report as a version.

One ``ingest`` (or one ``ingest_many`` batch) is one transaction, so a crash mid-crawl leaves either
the whole capture — or batch — (with its document and version rows) or none of it. One writer at a time holds the archive's lock file
(``archive.db.lock``, archive.lock); the database runs in WAL mode, so readers (``fazhi check``,
the crawl's own validator lookups) and the writer never block each other, and a write that still
meets a busy database is retried until the busy timeout, then raised as ``ArchiveBusy``. Every
failure to write is an ``archive.errors.ArchiveWriteError`` and leaves nothing half-written: the
transaction is rolled back and the capture's WARC record cut back off. A raw body is kept once per
sha256, in the WARC response record that first carried it (the database keeps the sha256 and where
the record is; a zlib copy only where no WARC record holds it), URLs and stable headers once each
(archive.interned): an unchanged recapture adds a short row of integers, not a second copy of the page.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from archive import interned
from archive.agencies import infer_level, infer_region
from archive.bigrams import index_version
from archive.capture import Capture
from archive.errors import ArchiveWriteError, is_busy, write_error
from archive.fingerprint import fingerprint_of, fingerprint_text
from archive.lock import WriterLock
from archive.readonly import archive_stats
from archive.schema import KIND_FAZHI_REPORT, ensure_schema
from archive.versions import report_json, stored_normalized
from extraction.report import Report

logger = logging.getLogger(__name__)

STATUSES = ("new_version", "seen_again", "capture_only")
# Agency names that say nothing: reports under them are never merged by (agency, year).
UNKNOWN_AGENCIES = frozenset({"", "未知", "unknown"})
# How long a write waits for another connection's transaction before it fails (seconds).
DEFAULT_BUSY_TIMEOUT = 30.0
# How long a second writer waits for the first to finish before refusing (0: refuse at once).
DEFAULT_LOCK_WAIT = 0.0
# Pages of a new archive. A version row (a few KB of text) overflows a page; SQLite fills overflow
# pages whole and keeps the rest in the leaf, and with 4 KiB pages that rest (up to ~4 KB) leaves
# most leaves holding one row and half empty — 2 KiB pages waste a fifth as much (benchmarks/archive.py).
PAGE_SIZE = 2048
# URLs whose ids a writer remembers at most (then it starts over): ~100 bytes each.
URL_IDS_KEPT = 200_000
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
        if not db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only a new, empty file takes it
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


def database_file(db: Database | sqlite3.Connection) -> Path | None:
    """The file of a connection's main database (None in memory): where its WARC folder is found."""
    conn = getattr(db, "conn", db)
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None


def capture_body(db: Database | sqlite3.Connection, capture_id: int) -> bytes:
    """The raw body of a capture as it was fetched: from its WARC record, or the database's copy.

    Each distinct body is one ``bodies`` row; the WARC response record of the capture that first
    brought it holds the bytes (``warc_file_id``/``warc_offset``), or, where no WARC record does,
    the row itself (zlib). KeyError when neither can give it back whole (sha256 checked).
    """
    row = db.execute(
        "SELECT b.sha256, b.body, b.size, w.name, b.warc_offset FROM captures c JOIN bodies b ON b.id = c.body_id "
        "LEFT JOIN warc_files w ON w.id = b.warc_file_id WHERE c.id = ?",
        [capture_id],
    ).fetchone()
    if row is None:
        raise KeyError(f"no capture {capture_id}")
    sha, body, size, warc_file, offset = row
    if body is not None:
        return zlib.decompress(body)
    if warc_file is None:
        if size:
            raise KeyError(f"capture {capture_id}: body {sha.hex()} is not stored")
        return b""
    from warcio.exceptions import ArchiveLoadFailed

    from archive.warc import read_body, warc_dir_for

    db_file = database_file(db)
    try:
        if db_file is None:
            raise OSError("an archive in memory has no WARC folder")
        raw = read_body(warc_dir_for(db_file), warc_file, offset)
    except (OSError, ValueError, StopIteration, ArchiveLoadFailed) as exc:
        raise KeyError(f"capture {capture_id}: body {sha.hex()[:12]}… unreadable in {warc_file}@{offset} ({exc})") from exc
    if hashlib.sha256(raw).digest() != sha:
        raise KeyError(f"capture {capture_id}: the WARC record {warc_file}@{offset} holds another body")
    return raw


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
    (None, the default: when warcio is installed; True: required; False: never). Where a WARC
    record holds a body, the database keeps its sha256 and where it is, not a second copy.
    ``lock_wait``: seconds to wait for another writer's lock before raising ``ArchiveLocked``.
    ``busy_timeout``: seconds a write waits on a busy database before raising ``ArchiveBusy``.

    Writes are plain prepared statements (sqlite3 caches them per connection), and ids of the few
    values every capture repeats (portals, WARC files, agencies) are remembered between captures
    and forgotten when a transaction is rolled back.
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
        self._ids: dict[tuple[str, str], int | None] = {}
        # URL → id, and URL id → its last whole header set (None: no capture of it has one), for the
        # URLs this writer has recorded: a capture's URL is looked up 2–4 times (its page's, the
        # version's carrier …) and a re-crawl repeats them. Forgotten with the ids on a rollback.
        self._url_ids: dict[str, int] = {}
        self._last_headers: dict[int, tuple[int, str] | None] = {}
        self._agencies: dict[str, tuple[int, str | None]] = {}
        try:
            try:
                self.db = open_database(self.path, busy_timeout)
            except (sqlite3.Error, OSError) as exc:
                raise write_error(exc, self.path) from exc
            self.conn = self.db.conn
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
        """Close the WARC file and the database (one plain file again) and let go of the lock.

        Nothing is left to catch up: the search index is written with each version (archive.bigrams).
        """
        if self.lock.released:
            return
        try:
            if self.warc is not None:
                self.warc.close()
        finally:
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
        return self.ingest_many([(capture, report)])[0]

    def ingest_many(self, items: Iterable[tuple[Capture, Report | None]]) -> list[IngestResult]:
        """Record a batch of (capture, report) pairs in one transaction: all of them, or none.

        For a writer that batches (docs/CONTRACTS.md §3): one commit, and one sync of the WARC file,
        for the whole batch instead of one per capture. Each capture is recorded exactly as
        :meth:`ingest` would, in order (a later capture sees what an earlier one wrote), and the
        results come back in the same order. On any failure nothing of the batch stays — no row,
        no WARC record — and ``ArchiveWriteError`` is raised; a process killed mid-batch loses the
        batch (its rows were never committed), which the next crawl fetches again.
        """
        batch = list(items)
        if not batch:
            return []
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.05
        while True:
            try:
                return self._ingest_batch(batch)
            except ArchiveWriteError:
                raise
            except (sqlite3.Error, OSError) as exc:
                if is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(pause)  # another connection's transaction: try the whole batch again
                    pause = min(pause * 2, 1.0)
                    continue
                raise write_error(exc, self.path) from exc

    def _ingest_batch(self, batch: list[tuple[Capture, Report | None]]) -> list[IngestResult]:
        written: list[Any] = []  # WARC locations of this batch, in order
        try:
            with immediate(self.db):
                results = []
                for capture, report in batch:
                    capture_id = self._record_capture(capture, written)
                    results.append(self._ingest_report(capture_id, capture, report))
                if self.warc is not None and written:
                    self.warc.sync()  # the records are on disk before the rows that point at them commit
                return results
        except BaseException:
            self._ids.clear()  # ids inserted by the rolled-back transaction no longer exist
            self._url_ids.clear()
            self._last_headers.clear()
            self._agencies.clear()
            if self.warc is not None:
                first_in_file: dict[str, Any] = {}
                for location in written:
                    first_in_file.setdefault(location.file, location)
                for location in first_in_file.values():
                    self.warc.discard(location)  # the capture rows are not there: neither are their records
            raise

    def _interned(self, table: str, value: str | None) -> int | None:
        """Id of a portal or WARC file name (few, repeated by every capture), remembered between captures."""
        if not value:
            return None
        key = (table, value)
        if key not in self._ids:
            self._ids[key] = (
                interned.portal_id(self.conn, value) if table == "portals" else interned.warc_file_id(self.conn, value)
            )
        return self._ids[key]

    def _url_id(self, url: str) -> int:
        """The id of ``url`` (inserted when new), remembered while this writer runs (bounded)."""
        found = self._url_ids.get(url)
        if found is None:
            if len(self._url_ids) >= URL_IDS_KEPT:
                self._url_ids.clear()
                self._last_headers.clear()
            found, new = interned.url_id_new(self.conn, url)
            self._url_ids[url] = found
            if new:
                self._last_headers[found] = None  # a new URL has no capture, so no header set yet
        return found

    def _record_capture(self, capture: Capture, written: list[Any]) -> int:
        c = self.conn
        body = capture.body or b""
        digest = interned.body_digest(body)
        url_id = self._url_id(capture.url)
        final_url = capture.final_url if capture.final_url != capture.url else None
        final_url_id = self._url_id(final_url) if final_url else None
        known = c.execute(
            "SELECT b.id, u.url, b.first_fetched_at FROM bodies b LEFT JOIN urls u ON u.id = b.first_url_id "
            "WHERE b.sha256 = ?",
            [digest],
        ).fetchone()
        first = (known[1], known[2]) if known and body and known[1] else None
        confirmed = capture.status == 304 and c.execute(
            "SELECT u.url, c.fetched_at FROM captures c JOIN urls u ON u.id = coalesce(c.final_url_id, c.url_id) "
            "WHERE c.url_id = ? AND c.status = 200 AND c.outcome = 'ok' ORDER BY c.id DESC LIMIT 1",
            [url_id],
        ).fetchone()
        location = self.warc.write(capture, first, tuple(confirmed) if confirmed else None) if self.warc else None
        if location is not None:
            written.append(location)
        stable_headers, varying_headers = interned.split_headers(capture.headers)
        headers_id, headers_base_id = interned.header_set_ids(
            c, url_id, stable_headers, last=self._last_headers.get(url_id, interned.UNKNOWN)
        )
        if headers_id is not None and headers_base_id is None:
            self._last_headers[url_id] = (headers_id, stable_headers)  # type: ignore[assignment]
        warc_file_id = self._interned("warc_files", location.file if location else None)
        if known:
            body_id = known[0]
        elif body and location is not None and location.record_type == "response":
            # The WARC record holds the bytes: the row keeps their sha256 and where they are.
            # The body's first URL is the one its WARC record was written under (after redirects).
            body_id = c.execute(
                "INSERT INTO bodies (sha256, size, body, first_url_id, first_fetched_at, warc_file_id, warc_offset) "
                "VALUES (?, ?, NULL, ?, ?, ?, ?)",
                [digest, len(body), final_url_id or url_id, capture.fetched_at, warc_file_id, location.offset],
            ).lastrowid
        else:
            body_id = interned.body_id(c, body, final_url_id or url_id, capture.fetched_at, digest)
        return c.execute(
            "INSERT INTO captures (url_id, final_url_id, fetched_at, status, outcome, reason, kind, content_type, "
            "headers_id, headers_base_id, headers_varying, body_id, portal_id, parent_url_id, warc_file_id, warc_offset) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [url_id, final_url_id, capture.fetched_at, capture.status, capture.outcome, capture.error, capture.kind,
             capture.content_type, headers_id, headers_base_id, varying_headers, body_id,
             self._interned("portals", capture.portal),
             self._url_id(capture.parent_url) if capture.parent_url else None,
             warc_file_id, location.offset if location else None],
        ).lastrowid  # fmt: skip

    def _ingest_report(self, capture_id: int, capture: Capture, report: Report | None) -> IngestResult:
        # The fingerprint's text is taken once: it says whether there are words at all (an empty extraction,
        # a failed parse or a page redesign, never replaces the last good text) and which version it is.
        ok = capture.outcome == "ok" and report is not None and report.is_report
        words = fingerprint_text(report.text_normalized or report.text) if ok and report is not None else ""
        if not words:
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
            self.conn.execute(
                "UPDATE captures SET reason = ? WHERE id = ?",
                [f"truncated extraction: the complete version {kept} stays current", capture_id],
            )
            return IngestResult(capture_id, document_id, None, "capture_only")
        version_id, status = self._version(document_id, capture_id, capture, report, words)
        self._record_attachments(document_id, capture_id, report)
        return IngestResult(capture_id, document_id, version_id, status)

    def _agency(self, report: Report) -> int | None:
        name = (report.agency or report.publisher or "").strip()
        if name in UNKNOWN_AGENCIES:
            return None
        found = self._agencies.get(name)
        if found is None:
            row = self.conn.execute("SELECT id, region FROM agencies WHERE name = ?", [name]).fetchone()
            if row is None:
                region = report.region or infer_region(name)
                agency_id = self.conn.execute(
                    "INSERT INTO agencies (name, level, region) VALUES (?, ?, ?)", [name, infer_level(name), region]
                ).lastrowid
                row = (agency_id, region)
            found = self._agencies[name] = (row[0], row[1])
        if found[1] is None and report.region:
            self.conn.execute("UPDATE agencies SET region = ? WHERE id = ?", [report.region, found[0]])
            self._agencies[name] = (found[0], report.region)
        return found[0]

    def _document_for_urls(self, urls: list[str]) -> int | None:
        for url in urls:
            found = self.conn.execute("SELECT document_id FROM document_urls WHERE url = ?", [url]).fetchone()
            if found:
                return found[0]
        return None

    def _document(self, capture: Capture, report: Report) -> int:
        """Identity: a URL seen before, else (agency, year, kind) when both are known, else a new document."""
        c = self.conn
        urls = _urls(capture, report)
        agency_id = self._agency(report)
        document_id = self._document_for_urls(urls)
        if document_id is None and agency_id is not None and report.report_year is not None:
            found = c.execute(
                "SELECT id FROM documents WHERE agency_id = ? AND report_year = ? AND kind = ?",
                [agency_id, report.report_year, KIND_FAZHI_REPORT],
            ).fetchone()
            document_id = found[0] if found else None
        if document_id is None:
            document_id = c.execute(
                "INSERT INTO documents (agency_id, report_year, kind, title, url, first_seen, last_seen, removed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                [agency_id, report.report_year, KIND_FAZHI_REPORT, report.title or None,
                 report.url or capture.final_url or capture.url, capture.fetched_at, capture.fetched_at],
            ).lastrowid  # fmt: skip
        else:
            self._touch_document(document_id, capture.fetched_at)
            if report.title:
                c.execute("UPDATE documents SET title = ? WHERE id = ?", [report.title, document_id])
        for url in urls:
            c.execute("INSERT OR IGNORE INTO document_urls (url, document_id) VALUES (?, ?)", [url, document_id])
        return document_id

    def _touch_document(self, document_id: int, seen_at: str) -> None:
        self.conn.execute(
            "UPDATE documents SET last_seen = max(last_seen, ?), removed_at = NULL WHERE id = ?",
            [seen_at, document_id],
        )

    def _version(
        self, document_id: int, capture_id: int, capture: Capture, report: Report, words: str
    ) -> tuple[int, str]:
        """The version this text is: one the document already has (any of them, not only the latest), or a new one.

        The same report at two URLs (a county portal and a department's 转载 copy) must not flip-flop
        between two "revisions" on every crawl: a text seen before is seen again, and
        ``version_urls`` says which URL carries which version.
        """
        c = self.conn
        normalized = report.text_normalized or report.text
        print_ = fingerprint_of(words)  # = fingerprint(normalized)
        known = c.execute(
            "SELECT id FROM versions WHERE document_id = ? AND fingerprint = ? ORDER BY id DESC LIMIT 1",
            [document_id, print_],
        ).fetchone()
        if known:
            self._confirm(document_id, known[0], capture)
            return known[0], "seen_again"
        version_id = c.execute(
            "INSERT INTO versions (document_id, capture_id, title, fingerprint, published, first_seen, last_seen, "
            "seen_count, report, text_normalized, text) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            [document_id, capture_id, report.title, print_, report.published, capture.fetched_at,
             capture.fetched_at, report_json(report), stored_normalized(report.text, normalized), report.text],
        ).lastrowid  # fmt: skip
        index_version(c, version_id, report.title, normalized)
        self._carried_at(version_id, capture)
        c.execute("UPDATE documents SET current_version_id = ? WHERE id = ?", [version_id, document_id])
        return version_id, "new_version"

    def _carried_at(self, version_id: int, capture: Capture) -> None:
        """Record (or refresh) that the capture's URL carries ``version_id``."""
        self.conn.execute(
            "INSERT INTO version_urls (version_id, url_id, first_seen, last_seen, seen_count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT (version_id, url_id) DO UPDATE SET "
            "last_seen = max(last_seen, excluded.last_seen), seen_count = seen_count + 1",
            [version_id, self._url_id(capture.url), capture.fetched_at, capture.fetched_at],
        )

    def _confirm(self, document_id: int, version_id: int, capture: Capture) -> None:
        """A capture showed ``version_id``'s text again: its dates and count move, and the URL's record.

        It becomes the document's current text again only when it comes back at a URL that carried
        the current one (a revert); a copy at another URL seen again changes nothing.
        """
        c = self.conn
        c.execute(
            "UPDATE versions SET last_seen = max(last_seen, ?), seen_count = seen_count + 1 WHERE id = ?",
            [capture.fetched_at, version_id],
        )
        url_id = self._url_id(capture.url)
        reverted = c.execute(
            "SELECT d.current_version_id FROM documents d JOIN version_urls u ON u.version_id = d.current_version_id "
            "WHERE d.id = ? AND u.url_id = ? AND d.current_version_id != ?",
            [document_id, url_id, version_id],
        ).fetchone()
        self._carried_at(version_id, capture)
        if reverted and not self._is_truncated_version(version_id):
            c.execute("UPDATE documents SET current_version_id = ? WHERE id = ?", [version_id, document_id])

    def _confirm_by_url(self, document_id: int, capture: Capture) -> None:
        """A 304 for a URL: the version that URL carried last is confirmed, like the document."""
        found = self.conn.execute(
            "SELECT u.version_id FROM version_urls u JOIN versions v ON v.id = u.version_id "
            "JOIN urls l ON l.id = u.url_id WHERE l.url = ? AND v.document_id = ? "
            "ORDER BY u.last_seen DESC, u.version_id DESC LIMIT 1",
            [capture.url, document_id],
        ).fetchone()
        if found:
            self._confirm(document_id, found[0], capture)

    def _is_truncated_version(self, version_id: int) -> bool:
        return bool(
            self.conn.execute(f"SELECT 1 FROM versions v WHERE v.id = ? AND {_TRUNCATED_SQL}", [version_id]).fetchone()
        )

    def _complete_version(self, document_id: int) -> int | None:
        """The document's current version if it is complete, else its newest complete one (None: none is)."""
        found = self.conn.execute(
            f"SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id WHERE v.document_id = ? "
            f"AND NOT {_TRUNCATED_SQL} ORDER BY v.id = d.current_version_id DESC, v.id DESC LIMIT 1",
            [document_id],
        ).fetchone()
        return found[0] if found else None

    def _record_attachments(self, document_id: int, capture_id: int, report: Report) -> None:
        for attachment in report.attachments:
            self.conn.execute(
                "INSERT OR IGNORE INTO attachments (document_id, capture_id, name, url) VALUES (?, ?, ?, ?)",
                [document_id, capture_id, attachment.name, attachment.url],
            )

    # -- after a crawl ----------------------------------------------------------------------------

    def mark_removed(self, portal: str, crawl_started: str) -> list[int]:
        """archive.removal.mark_removed on this writer's own connection (no second connection per portal)."""
        from archive.removal import mark_removed_on

        try:
            with immediate(self.db):
                return mark_removed_on(self.conn, portal, crawl_started)
        except (sqlite3.Error, OSError) as exc:
            raise write_error(exc, self.path) from exc

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


def _urls(capture: Capture, report: Report | None) -> list[str]:
    urls = [capture.url, capture.final_url, report.url if report else None]
    return list(dict.fromkeys(u for u in urls if u))
