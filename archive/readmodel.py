"""The archive as its readers see it: typed records over one read-only connection, all the SQL in one place.

The report site, the feed, notifications and findings exports read the archive only through
:class:`ArchiveReader`, so the schema (docs/CONTRACTS.md §3) is known here and nowhere else, and no
reader can alter the file (SQLite ``mode=ro``, opened by :func:`archive.readonly.open_for_reading`, which also refuses a file that is not an archive of this schema).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.copies import copy_ids, version_places
from archive.readonly import open_for_reading
from archive.versions import report_from_json
from extraction.report import Report

# Outcomes that say a capture saw the page as it was: a fresh copy, or the server's "not modified".
SEEN_OUTCOMES = ("ok", "not_modified")
# Outcomes that say a report could not be read at its URL.
UNAVAILABLE_OUTCOMES = ("blocked", "soft_404", "error")


@dataclass(frozen=True)
class AgencyRecord:
    id: int
    name: str
    level: str | None
    region: str | None


@dataclass(frozen=True)
class DocumentRecord:
    """One agency's report for one year (its versions are read apart: :meth:`ArchiveReader.versions`)."""

    id: int
    agency_id: int
    report_year: int
    title: str | None
    url: str | None
    first_seen: str | None
    last_seen: str | None
    removed_at: str | None
    current_version_id: int | None = None  # the version its URLs carry now (not always the newest)


@dataclass(frozen=True)
class VersionRecord:
    """One distinct text of a document, as first and last seen; ``report`` rebuilds extraction's Report."""

    id: int
    document_id: int
    capture_id: int | None
    title: str | None
    text: str
    text_normalized: str
    first_seen: str | None
    last_seen: str | None
    seen_count: int | None
    published: str | None
    report_data: str | None = None
    place: int | None = None  # the portal it was first seen on (archive.copies)
    copy: bool = False  # the report as another portal republished it, not a revision (archive.copies)

    def report(self, agency: str | None = None) -> Report:
        """The stored Report (sections, dates, attachments); ``agency`` fills a missing agency name."""
        report = report_from_json(self.report_data, self.text, self.text_normalized)
        if agency and not report.agency:
            report.agency = agency
        return report


@dataclass(frozen=True)
class CaptureRecord:
    """One fetch as evidence: where, when, what the server said (status, Last-Modified) and what came back."""

    id: int
    url: str
    final_url: str | None
    fetched_at: str
    status: int | None
    outcome: str
    reason: str | None
    content_type: str | None
    sha256: str | None
    body_size: int | None
    last_modified: str | None
    etag: str | None
    warc_file: str | None
    warc_offset: int | None
    kind: str | None = None  # listing / report / attachment (schema 4; None when the crawl did not say)


def _header(headers: str | None, name: str) -> str | None:
    """One response header from the stored JSON object, whatever case the crawler kept it in."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in json.loads(headers).items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


_CAPTURE_COLUMNS = (
    "c.id, c.url, c.final_url, c.fetched_at, c.status, c.outcome, c.reason, c.content_type, c.headers, "
    "c.sha256, c.body_size, c.warc_file, c.warc_offset, c.kind"
)


def _capture(row: sqlite3.Row) -> CaptureRecord:
    return CaptureRecord(
        row["id"], row["url"], row["final_url"], row["fetched_at"], row["status"], row["outcome"], row["reason"],
        row["content_type"], row["sha256"], row["body_size"], _header(row["headers"], "Last-Modified"),
        _header(row["headers"], "ETag"), row["warc_file"], row["warc_offset"], row["kind"],
    )  # fmt: skip


@dataclass(frozen=True)
class ArchivedEvent:
    """Something a crawl added to the archive: a new report, a new version of one, or a removal."""

    kind: str  # new_report / revision / removal
    agency: str | None
    report_year: int | None
    title: str | None
    url: str | None
    document_id: int
    version_id: int | None
    when: str
    version_number: int | None = None


class ArchiveReader:
    """Read-only access to one archive file; use as a context manager (or call ``close``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = open_for_reading(self.path)

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _rows(self, sql: str, *params: object) -> list[sqlite3.Row]:
        return list(self._conn.execute(sql, params))

    def agencies(self) -> list[AgencyRecord]:
        """Every agency, in the order they entered the archive."""
        return [AgencyRecord(r["id"], r["name"], r["level"], r["region"]) for r in self._rows(
            "SELECT id, name, level, region FROM agencies ORDER BY id"
        )]  # fmt: skip

    def documents(self) -> list[DocumentRecord]:
        """Every document with an agency and a report year, by agency, then year."""
        return [
            DocumentRecord(r["id"], r["agency_id"], r["report_year"], r["title"], r["url"], r["first_seen"],
                           r["last_seen"], r["removed_at"], r["current_version_id"])  # fmt: skip
            for r in self._rows(
                "SELECT id, agency_id, report_year, title, url, first_seen, last_seen, removed_at, current_version_id "
                "FROM documents "
                "WHERE agency_id IS NOT NULL AND report_year IS NOT NULL ORDER BY agency_id, report_year, id"
            )
        ]

    def versions(self, with_report: bool = False) -> dict[int, list[VersionRecord]]:
        """Each document's versions, oldest first (by first seen); ``with_report`` also reads the stored Reports."""
        out: dict[int, list[VersionRecord]] = {}
        report = "report" if with_report else "NULL AS report"
        places = version_places(self._conn)
        for r in self._rows(
            "SELECT id, document_id, capture_id, title, text, coalesce(text_normalized, text) AS normalized, "
            f"first_seen, last_seen, seen_count, published, {report} FROM versions ORDER BY document_id, first_seen, id"
        ):
            out.setdefault(r["document_id"], []).append(
                VersionRecord(
                    r["id"], r["document_id"], r["capture_id"], r["title"], r["text"] or "", r["normalized"] or "",
                    r["first_seen"], r["last_seen"], r["seen_count"], r["published"], r["report"],
                    *places.get(r["id"], (None, False)),
                )  # fmt: skip
            )
        return out

    def last_seen(self) -> str | None:
        """When the archive last saw any report: the date the site is "as of"."""
        return self._conn.execute("SELECT max(last_seen) FROM versions").fetchone()[0]

    def version_captures(self) -> dict[int, list[CaptureRecord]]:
        """Each version's evidence: the capture it came from, then every fetch of a URL carrying it that saw it.

        ``version_urls`` says which URLs carry a version and from when to when; a fetch of one of them saw
        the version when it answered ok or not-modified in that span. Oldest first.
        """
        out: dict[int, list[CaptureRecord]] = {}
        for r in self._rows(
            f"SELECT DISTINCT v.id AS version_id, {_CAPTURE_COLUMNS} FROM versions v "
            "JOIN version_urls vu ON vu.version_id = v.id "
            "JOIN captures x ON x.id = v.capture_id OR (x.url_id = vu.url_id AND x.outcome IN (?, ?) "
            "AND x.fetched_at >= vu.first_seen AND x.fetched_at <= vu.last_seen) "
            "JOIN capture_records c ON c.id = x.id ORDER BY v.id, c.fetched_at, c.id",
            *SEEN_OUTCOMES,
        ):
            out.setdefault(r["version_id"], []).append(_capture(r))
        return out

    def unavailable_documents(self) -> list[tuple[int, CaptureRecord]]:
        """(document id, capture) for each URL of a report whose latest fetch could not read it."""
        marks = ", ".join("?" for _ in UNAVAILABLE_OUTCOMES)
        return [
            (r["document_id"], _capture(r))
            for r in self._rows(
                f"SELECT du.document_id, {_CAPTURE_COLUMNS} FROM document_urls du JOIN urls u ON u.url = du.url "
                "JOIN capture_records c ON c.id = (SELECT x.id FROM captures x WHERE x.url_id = u.id "
                "ORDER BY x.fetched_at DESC, x.id DESC LIMIT 1) "
                f"WHERE c.outcome IN ({marks}) ORDER BY du.document_id, c.url",
                *UNAVAILABLE_OUTCOMES,
            )
        ]

    def unreadable_report_urls(self) -> list[CaptureRecord]:
        """Report pages and attachments no archived report is known at whose latest fetch could not read them.

        A report blocked from its first fetch on never becomes a document, so ``unavailable_documents``
        cannot name it; the crawl's ``kind`` (schema 4) tells its page from a list page.
        """
        marks = ", ".join("?" for _ in UNAVAILABLE_OUTCOMES)
        return [_capture(r) for r in self._rows(
            f"SELECT {_CAPTURE_COLUMNS} FROM capture_records c JOIN captures k ON k.id = c.id "
            f"WHERE k.kind IN ('report', 'attachment') AND c.outcome IN ({marks}) "
            "AND k.id = (SELECT x.id FROM captures x WHERE x.url_id = k.url_id ORDER BY x.fetched_at DESC, x.id DESC LIMIT 1) "
            "AND c.url NOT IN (SELECT url FROM document_urls) ORDER BY c.fetched_at DESC, c.url",
            *UNAVAILABLE_OUTCOMES,
        )]  # fmt: skip

    def events_since(self, since: str) -> list[ArchivedEvent]:
        """What the archive gained at or after ``since`` (an ISO time, as the archive writes them), oldest first.

        A document first seen then is a new report (its first version is not also a revision); a later
        version of an older document is a revision, unless it is a copy on another portal
        (archive.copies); a ``removed_at`` then is a removal.
        """
        copies = copy_ids(self._conn)
        document = (
            "SELECT d.id, d.report_year, coalesce(d.title, v.title) AS title, d.url, a.name AS agency, "
            "d.first_seen, d.removed_at FROM documents d LEFT JOIN agencies a ON a.id = d.agency_id "
            "LEFT JOIN versions v ON v.id = (SELECT min(id) FROM versions WHERE document_id = d.id)"
        )
        events = [
            ArchivedEvent("new_report", r["agency"], r["report_year"], r["title"], r["url"], r["id"], None, r["first_seen"])
            for r in self._rows(f"{document} WHERE d.first_seen >= ? AND EXISTS "
                                "(SELECT 1 FROM versions x WHERE x.document_id = d.id)", since)  # fmt: skip
        ]
        events += [
            ArchivedEvent("removal", r["agency"], r["report_year"], r["title"], r["url"], r["id"], None, r["removed_at"])
            for r in self._rows(f"{document} WHERE d.removed_at >= ?", since)
        ]
        events += [
            ArchivedEvent("revision", r["agency"], r["report_year"], r["title"], r["url"], r["document_id"], r["id"],
                          r["first_seen"], r["number"])  # fmt: skip
            for r in self._rows(
                "SELECT v.id, v.document_id, v.first_seen, coalesce(d.title, v.title) AS title, d.url, d.report_year, "
                "a.name AS agency, (SELECT count(*) FROM versions p WHERE p.document_id = v.document_id "
                "AND (p.first_seen < v.first_seen OR (p.first_seen = v.first_seen AND p.id <= v.id))) AS number "
                "FROM versions v JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id "
                "WHERE v.first_seen >= ? AND EXISTS (SELECT 1 FROM versions e WHERE e.document_id = v.document_id "
                "AND e.id < v.id)",
                since,
            )
            if r["id"] not in copies
        ]
        return sorted(events, key=lambda e: (e.when, e.kind, e.document_id))

    def replay_pages(self) -> list[tuple[str, str, str]]:
        """(URL, fetch time, title) of the capture each version came from: the pages a replay should list."""
        return [(r["url"], r["fetched_at"], r["title"] or "") for r in self._rows(
            "SELECT c.url, c.fetched_at, coalesce(v.title, d.title) AS title FROM versions v "
            "JOIN documents d ON d.id = v.document_id JOIN capture_records c ON c.id = v.capture_id "
            "WHERE c.warc_file IS NOT NULL ORDER BY c.fetched_at, v.id"
        )]  # fmt: skip

    def warc_files(self) -> list[str]:
        """Names of the WARC files the captures point into (inside the archive's ``.warcs`` folder)."""
        return [r["name"] for r in self._rows("SELECT name FROM warc_files ORDER BY id")]

    def search_index_state(self) -> tuple[bool, bool]:
        """(the full-text index exists, it holds every version): what ``fazhi datasette`` tells the reader."""
        from archive.search import FTS_TABLE, index_is_current

        exists = self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [FTS_TABLE]).fetchone() is not None
        return exists, exists and index_is_current(self._conn)

    def version_bodies(self, content_type_prefix: str = "text/html") -> list[bytes]:
        """The raw bodies (as fetched) of the captures versions came from, of one content type: benchmark input."""
        import zlib

        return [zlib.decompress(r["body"]) for r in self._rows(
            "SELECT b.body FROM captures c JOIN bodies b ON b.id = c.body_id WHERE c.id IN "
            "(SELECT capture_id FROM versions) AND b.body IS NOT NULL AND c.content_type LIKE ? || '%'",
            content_type_prefix,
        )]  # fmt: skip

    def texts_by_report(self) -> dict[tuple[str, int], str]:
        """(agency, report year) → the text of its newest version."""
        return {(r["name"], r["report_year"]): r["text"] for r in self._rows(
            "SELECT a.name, d.report_year, v.text FROM versions v JOIN documents d ON d.id = v.document_id "
            "JOIN agencies a ON a.id = d.agency_id ORDER BY v.id"
        )}  # fmt: skip

    def outcomes_by_url(self) -> dict[str, set[str]]:
        """Every URL fetched → the outcomes its captures had."""
        out: dict[str, set[str]] = {}
        for r in self._rows("SELECT url, outcome FROM capture_records"):
            out.setdefault(r["url"], set()).add(r["outcome"])
        return out
