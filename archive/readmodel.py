"""The archive as its readers see it: typed records over one read-only connection, all the SQL in one place.

The report site, the feed, notifications and findings exports read the archive only through
:class:`ArchiveReader`, so the schema (docs/CONTRACTS.md §3) is known here and nowhere else, and no
reader can alter the file (SQLite ``mode=ro``, opened by :func:`archive.readonly.open_for_reading`, which also refuses a file that is not an archive of this schema).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from archive.copies import copy_ids, version_places
from archive.readonly import open_for_reading
from archive.versions import normalized_text, report_from_json
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


def _of_agencies(column: str, agency_ids: Sequence[int] | None) -> tuple[str, list[int]]:
    """An SQL condition restricting ``column`` to ``agency_ids`` (None: every agency), and its parameters."""
    if agency_ids is None:
        return "1", []
    return f"{column} IN ({', '.join('?' * len(agency_ids))})", list(agency_ids)


class ArchiveReader:
    """Read-only access to one archive file; use as a context manager (or call ``close``).

    The methods a report reads agency by agency take ``agency_ids`` (None: all): a reader of a
    national archive holds one batch of agencies' texts at a time, not the archive's.
    """

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

    def agencies(self, agency_ids: Sequence[int] | None = None) -> list[AgencyRecord]:
        """Every agency (or those of ``agency_ids``), in the order they entered the archive."""
        where, params = _of_agencies("id", agency_ids)
        return [AgencyRecord(r["id"], r["name"], r["level"], r["region"]) for r in self._rows(
            f"SELECT id, name, level, region FROM agencies WHERE {where} ORDER BY id", *params
        )]  # fmt: skip

    def reporting_agency_ids(self) -> list[int]:
        """The agencies with at least one report (a document with a year and a version), in id order."""
        return [r[0] for r in self._rows(
            "SELECT DISTINCT d.agency_id FROM documents d WHERE d.agency_id IS NOT NULL AND d.report_year IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM versions v WHERE v.document_id = d.id) ORDER BY d.agency_id"
        )]  # fmt: skip

    def current_texts(self, agencies: tuple[int, int] | None = None) -> Iterator[tuple[int, str]]:
        """(agency id, text) of each report's current version, by agency: one streaming pass, no list.

        ``agencies``: only the agencies with ids from the first to the last (inclusive); None: every agency."""
        where, params = ("d.agency_id BETWEEN ? AND ?", list(agencies)) if agencies is not None else ("1", [])
        for r in self._conn.execute(
            "SELECT d.agency_id, v.text FROM documents d JOIN versions v ON v.id = coalesce(d.current_version_id, "
            "(SELECT x.id FROM versions x WHERE x.document_id = d.id ORDER BY x.first_seen DESC, x.id DESC LIMIT 1)) "
            f"WHERE d.agency_id IS NOT NULL AND d.report_year IS NOT NULL AND {where} "  # noqa: S608 (no input in it)
            "ORDER BY d.agency_id, d.report_year, d.id",
            params,
        ):
            yield r[0], r[1] or ""

    def documents(self, agency_ids: Sequence[int] | None = None) -> list[DocumentRecord]:
        """Every document with an agency and a report year, by agency, then year."""
        where, params = _of_agencies("agency_id", agency_ids)
        return [
            DocumentRecord(r["id"], r["agency_id"], r["report_year"], r["title"], r["url"], r["first_seen"],
                           r["last_seen"], r["removed_at"], r["current_version_id"])  # fmt: skip
            for r in self._rows(
                "SELECT id, agency_id, report_year, title, url, first_seen, last_seen, removed_at, current_version_id "
                "FROM documents "
                f"WHERE agency_id IS NOT NULL AND report_year IS NOT NULL AND {where} ORDER BY agency_id, report_year, id",
                *params,
            )
        ]

    def versions(
        self, with_report: bool = False, agency_ids: Sequence[int] | None = None
    ) -> dict[int, list[VersionRecord]]:
        """Each document's versions, oldest first (by first seen); ``with_report`` also reads the stored Reports."""
        out: dict[int, list[VersionRecord]] = {}
        report = "report" if with_report else "NULL AS report"
        where, params = _of_agencies("agency_id", agency_ids)
        places = version_places(self._conn, agency_ids)
        for r in self._rows(
            "SELECT id, document_id, capture_id, title, text, text_normalized, "
            f"first_seen, last_seen, seen_count, published, {report} FROM versions "
            + ("" if agency_ids is None else f"WHERE document_id IN (SELECT id FROM documents WHERE {where}) ")
            + "ORDER BY document_id, first_seen, id",
            *params,
        ):
            out.setdefault(r["document_id"], []).append(
                VersionRecord(
                    r["id"], r["document_id"], r["capture_id"], r["title"], r["text"] or "",
                    normalized_text(r["text"], r["text_normalized"]),
                    r["first_seen"], r["last_seen"], r["seen_count"], r["published"], r["report"],
                    *places.get(r["id"], (None, False)),
                )  # fmt: skip
            )
        return out

    def last_seen(self) -> str | None:
        """When the archive last saw any report: the date the site is "as of"."""
        return self._conn.execute("SELECT max(last_seen) FROM versions").fetchone()[0]

    def version_captures(self, agency_ids: Sequence[int] | None = None) -> dict[int, list[CaptureRecord]]:
        """Each version's evidence: the capture it came from, then every fetch of a URL carrying it that saw it.

        ``version_urls`` says which URLs carry a version and from when to when; a fetch of one of them saw
        the version when it answered ok or not-modified in that span. Oldest first.
        """
        out: dict[int, list[CaptureRecord]] = {}
        where, params = _of_agencies("agency_id", agency_ids)
        for r in self._rows(
            f"SELECT DISTINCT v.id AS version_id, {_CAPTURE_COLUMNS} FROM versions v "
            "JOIN version_urls vu ON vu.version_id = v.id "
            "JOIN captures x ON x.id = v.capture_id OR (x.url_id = vu.url_id AND x.outcome IN (?, ?) "
            "AND x.fetched_at >= vu.first_seen AND x.fetched_at <= vu.last_seen) "
            "JOIN capture_records c ON c.id = x.id "
            + ("" if agency_ids is None else f"WHERE v.document_id IN (SELECT id FROM documents WHERE {where}) ")
            + "ORDER BY v.id, c.fetched_at, c.id",
            *SEEN_OUTCOMES,
            *params,
        ):
            out.setdefault(r["version_id"], []).append(_capture(r))
        return out

    def unavailable_documents(self, agency_ids: Sequence[int] | None = None) -> list[tuple[int, CaptureRecord]]:
        """(document id, capture) for each URL of a report whose latest fetch could not read it."""
        marks = ", ".join("?" for _ in UNAVAILABLE_OUTCOMES)
        where, params = _of_agencies("agency_id", agency_ids)
        return [
            (r["document_id"], _capture(r))
            for r in self._rows(
                f"SELECT du.document_id, {_CAPTURE_COLUMNS} FROM document_urls du JOIN urls u ON u.url = du.url "
                "JOIN capture_records c ON c.id = (SELECT x.id FROM captures x WHERE x.url_id = u.id "
                "ORDER BY x.fetched_at DESC, x.id DESC LIMIT 1) "
                f"WHERE c.outcome IN ({marks}) "
                + ("" if agency_ids is None else f"AND du.document_id IN (SELECT id FROM documents WHERE {where}) ")
                + "ORDER BY du.document_id, c.url",
                *UNAVAILABLE_OUTCOMES,
                *params,
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
        """The raw bodies (as fetched) of the captures versions came from, of one content type: benchmark input.

        Each is read from the WARC record that holds it (schema 5 keeps no second copy in the database).
        """
        from archive.store import capture_body

        return [capture_body(self._conn, r["id"]) for r in self._rows(
            "SELECT c.id FROM captures c WHERE c.id IN (SELECT capture_id FROM versions) "
            "AND c.body_id IS NOT NULL AND c.content_type LIKE ? || '%' ORDER BY c.id",
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
