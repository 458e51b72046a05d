"""The archive's tables (docs/CONTRACTS.md §3), created with sqlite-utils.

The database is meant to be kept for years and read without this project (sqlite3, Datasette), so
the schema is plain tables with declared foreign keys and a ``schema_version`` table that later
migrations can check and bump.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

from archive.bigrams import CREATE_INDEX

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 5
KIND_FAZHI_REPORT = "fazhi_report"
# Tables holding one text value each, stored once and referred to by id (archive.interned).
_INTERNED_TEXT = {"urls": "url", "warc_files": "name"}


def _create_tables(db: Database) -> None:
    db["schema_version"].create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    db["portals"].create(
        {"id": int, "name": str, "base_url": str}, pk="id", not_null=["name"], if_not_exists=True
    )
    db["agencies"].create(
        {"id": int, "name": str, "level": str, "region": str}, pk="id", not_null=["name"], if_not_exists=True
    )
    db["documents"].create(
        {
            "id": int,
            "agency_id": int,
            "report_year": int,
            "kind": str,
            "title": str,
            "url": str,
            "first_seen": str,
            "last_seen": str,
            "removed_at": str,
            # The version whose text the document's URLs carry now (not always the newest: a text
            # can come back). No declared foreign key: versions refer to documents; `fazhi check` verifies it.
            "current_version_id": int,
        },
        pk="id",
        foreign_keys=[("agency_id", "agencies", "id")],
        not_null=["kind", "first_seen", "last_seen"],
        if_not_exists=True,
    )
    db["document_urls"].create(
        {"url": str, "document_id": int},
        pk="url",
        foreign_keys=[("document_id", "documents", "id")],
        not_null=["document_id"],
        if_not_exists=True,
    )
    for table, column in _INTERNED_TEXT.items():
        db[table].create({"id": int, column: str}, pk="id", not_null=[column], if_not_exists=True)
    # Found by an 8-byte digest of the JSON (archive.interned), not a unique index on the JSON itself,
    # which would hold every header set twice: most URLs get a set of their own (ETag, Last-Modified).
    db["header_sets"].create(
        {"id": int, "digest": bytes, "headers": str}, pk="id", not_null=["digest", "headers"], if_not_exists=True
    )
    db["bodies"].create(
        # first_url_id / first_fetched_at: the capture that brought the body, which a WARC revisit
        # record of a later capture refers to (kept here so captures need no index on body_id).
        # warc_file_id / warc_offset: the WARC response record holding the body (schema 5); ``body``
        # (zlib) is kept only where no WARC record holds it.
        {"id": int, "sha256": bytes, "size": int, "body": bytes, "first_url_id": int, "first_fetched_at": str,
         "warc_file_id": int, "warc_offset": int},  # fmt: skip
        pk="id",
        foreign_keys=[("first_url_id", "urls", "id"), ("warc_file_id", "warc_files", "id")],
        not_null=["sha256", "size"],
        if_not_exists=True,
    )
    _create_captures(db, "captures")
    _create_versions(db, "versions")
    _create_version_urls(db)
    db.execute(CREATE_INDEX)
    db["attachments"].create(
        {"id": int, "document_id": int, "capture_id": int, "name": str, "url": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("capture_id", "captures", "id")],
        not_null=["document_id", "url"],
        if_not_exists=True,
    )


def _create_versions(db: Database, name: str) -> None:
    """One row per distinct text of a document; the long columns last (schema 5), so a reader of the
    dates, counts or fingerprint never walks the text's overflow pages."""
    db[name].create(
        {
            "id": int,
            "document_id": int,
            "capture_id": int,
            "title": str,
            "fingerprint": str,
            "published": str,
            "first_seen": str,
            "last_seen": str,
            "seen_count": int,
            "report": str,
            "text_normalized": str,  # NULL: the NFKC form of text (archive.versions.normalized_text)
            "text": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("capture_id", "captures", "id")],
        not_null=["document_id", "capture_id", "fingerprint", "first_seen", "last_seen", "seen_count"],
        if_not_exists=True,
    )


def _create_version_urls(db: Database) -> None:
    """Which URL carries which version, and when: the same report at two URLs is two rows, not two revisions."""
    db["version_urls"].create(
        {"version_id": int, "url_id": int, "first_seen": str, "last_seen": str, "seen_count": int},
        pk=("version_id", "url_id"),
        foreign_keys=[("version_id", "versions", "id"), ("url_id", "urls", "id")],
        not_null=["first_seen", "last_seen", "seen_count"],
        if_not_exists=True,
    )


def _create_captures(db: Database, name: str) -> None:
    """One row per fetch: small integers pointing at the URL, body, header set, portal and WARC file."""
    db[name].create(
        {
            "id": int,
            "url_id": int,
            "final_url_id": int,  # NULL when no redirect was followed
            "fetched_at": str,
            "status": int,
            "outcome": str,
            "reason": str,
            "kind": str,  # what the crawl fetched it as: listing, report or attachment (NULL before schema 4)
            "content_type": str,
            "headers_id": int,
            "headers_base_id": int,  # set when headers_id holds only what differs from this URL's usual set
            "headers_varying": str,
            "body_id": int,
            "portal_id": int,
            "parent_url_id": int,
            "warc_file_id": int,
            "warc_offset": int,
        },
        pk="id",
        foreign_keys=[
            ("url_id", "urls", "id"),
            ("final_url_id", "urls", "id"),
            ("headers_id", "header_sets", "id"),
            ("headers_base_id", "header_sets", "id"),
            ("body_id", "bodies", "id"),
            ("portal_id", "portals", "id"),
            ("parent_url_id", "urls", "id"),
            ("warc_file_id", "warc_files", "id"),
        ],
        not_null=["url_id", "fetched_at", "outcome", "body_id"],
        if_not_exists=True,
    )


# Every capture as one flat row, the way readers (sqlite3, Datasette, other tools) want it: URLs as
# text, sha256 as hex, all response headers as one JSON object.
CAPTURE_RECORDS_VIEW = """
CREATE VIEW IF NOT EXISTS capture_records AS
SELECT c.id, u.url, f.url AS final_url, c.fetched_at, c.status, c.outcome, c.reason, c.kind, c.content_type,
       CASE WHEN h.headers IS NULL AND c.headers_varying IS NULL THEN NULL
            ELSE json_patch(json_patch(coalesce(hb.headers, '{}'), coalesce(h.headers, '{}')),
                            coalesce(c.headers_varying, '{}')) END AS headers,
       lower(hex(b.sha256)) AS sha256, b.size AS body_size,
       (b.body IS NOT NULL OR b.warc_offset IS NOT NULL) AS body_stored, c.body_id,
       p.name AS portal, pu.url AS parent_url, w.name AS warc_file, c.warc_offset
FROM captures c
JOIN urls u ON u.id = c.url_id
JOIN bodies b ON b.id = c.body_id
LEFT JOIN urls f ON f.id = c.final_url_id
LEFT JOIN header_sets h ON h.id = c.headers_id
LEFT JOIN header_sets hb ON hb.id = c.headers_base_id
LEFT JOIN portals p ON p.id = c.portal_id
LEFT JOIN urls pu ON pu.id = c.parent_url_id
LEFT JOIN warc_files w ON w.id = c.warc_file_id
"""


# Which URLs carry which version of each document: a report and its copies on other portals side by side.
VERSION_URL_RECORDS_VIEW = """
CREATE VIEW IF NOT EXISTS version_url_records AS
SELECT v.document_id, u.version_id, l.url, u.first_seen, u.last_seen, u.seen_count,
       u.version_id = d.current_version_id AS current
FROM version_urls u
JOIN versions v ON v.id = u.version_id
JOIN documents d ON d.id = v.document_id
JOIN urls l ON l.id = u.url_id
"""


def _create_indexes(db: Database) -> None:
    db["agencies"].create_index(["name"], unique=True, if_not_exists=True)
    db["portals"].create_index(["name"], unique=True, if_not_exists=True)
    db["documents"].create_index(["agency_id", "report_year", "kind"], unique=True, if_not_exists=True)
    db["document_urls"].create_index(["document_id"], if_not_exists=True)
    for table, column in _INTERNED_TEXT.items():
        db[table].create_index([column], unique=True, if_not_exists=True)
    db["bodies"].create_index(["sha256"], unique=True, if_not_exists=True)
    db["header_sets"].create_index(["digest"], if_not_exists=True)
    # Lookups by URL (validators, removal). Not by body: every capture would pay for that entry.
    db["captures"].create_index(["url_id"], if_not_exists=True)
    # What one crawl of one portal saw (the removal check after it), without reading older crawls.
    db["captures"].create_index(["portal_id", "fetched_at"], if_not_exists=True)
    db["versions"].create_index(["document_id"], if_not_exists=True)
    db["versions"].create_index(["capture_id"], if_not_exists=True)
    db["version_urls"].create_index(["url_id"], if_not_exists=True)
    db["attachments"].create_index(["document_id", "url"], unique=True, if_not_exists=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _migrate_to_2(db: Database) -> None:
    """Schema 1 kept URLs, hex sha256, headers, portal and WARC file as text in every capture row
    (~520 bytes per unchanged recapture) and a copy of every section's text in ``versions.report``;
    schema 2 keeps each once and refers to it by id, and sections as spans of the text."""
    from archive import interned  # the same code ingest uses, so migrated rows equal new ones

    _create_captures(db, "captures_v2")
    for row in db.query("SELECT * FROM captures ORDER BY id"):
        stored = zlib.decompress(row["body"]) if row["body"] is not None else None
        digest = bytes.fromhex(row["sha256"])
        url_id = interned.url_id(db, row["url"])
        record_url_id = interned.url_id(db, row["final_url"]) if row["final_url"] else url_id  # its WARC URI
        body_id = interned.find_body(db, digest)
        if body_id is None and stored is None and row["body_size"]:
            # Recorded as stored nowhere: kept that way, and `fazhi check` says so.
            body_id = db["bodies"].insert(
                {"sha256": digest, "size": row["body_size"], "body": None, "first_url_id": record_url_id,
                 "first_fetched_at": row["fetched_at"]}  # fmt: skip
            ).last_pk
        elif body_id is None:
            body_id = interned.body_id(db, stored or b"", record_url_id, row["fetched_at"], digest)
        stable, varying = interned.split_headers(json.loads(row["headers"]) if row["headers"] else None)
        headers_id, headers_base_id = interned.header_set_ids(db, url_id, stable, table="captures_v2")
        db["captures_v2"].insert(
            {
                "id": row["id"],
                "url_id": url_id,
                "final_url_id": interned.optional_url_id(db, row["final_url"]),
                "fetched_at": row["fetched_at"],
                "status": row["status"],
                "outcome": row["outcome"],
                "reason": row["reason"],
                "content_type": row["content_type"],
                "headers_id": headers_id,
                "headers_base_id": headers_base_id,
                "headers_varying": varying,
                "body_id": body_id,
                "portal_id": interned.portal_id(db, row["portal"]),
                "parent_url_id": interned.optional_url_id(db, row["parent_url"]),
                "warc_file_id": interned.warc_file_id(db, row["warc_file"]),
                "warc_offset": row["warc_offset"],
            }
        )
    db.execute("DROP TABLE captures")
    db.execute("ALTER TABLE captures_v2 RENAME TO captures")
    # Section texts become spans into the version's text (archive.versions): the JSON is kept otherwise.
    from archive.versions import sections_as_spans

    for version_id, data, text in db.execute(
        "SELECT id, report, text FROM versions WHERE report IS NOT NULL"
    ).fetchall():
        packed = json.dumps(sections_as_spans(json.loads(data), text or ""), ensure_ascii=False)
        db.execute("UPDATE versions SET report = ? WHERE id = ?", [packed, version_id])


def _migrate_to_3(db: Database) -> None:
    """Schema 3 records which URL carries which version (``version_urls``) and the document's current
    version, so a text seen before at another URL is seen again rather than a new "revision".
    Each existing version is carried by the URL of the capture it came from, with its own dates and
    count (which captures confirmed it was not recorded before); its newest version is current."""
    if "current_version_id" not in db["documents"].columns_dict:
        db.execute("ALTER TABLE documents ADD COLUMN current_version_id INTEGER")
    db.execute(
        "UPDATE documents SET current_version_id = (SELECT max(id) FROM versions v WHERE v.document_id = documents.id)"
    )
    db.execute(
        "INSERT OR IGNORE INTO version_urls (version_id, url_id, first_seen, last_seen, seen_count) "
        "SELECT v.id, c.url_id, v.first_seen, v.last_seen, v.seen_count FROM versions v JOIN captures c "
        "ON c.id = v.capture_id ORDER BY v.id"
    )


def _migrate_to_4(db: Database) -> None:
    """Schema 4 records what the crawl fetched each capture as (``captures.kind``: listing, report or
    attachment), so a report page that failed extraction is told from a list page. Older captures
    keep NULL: the crawl did not say."""
    if "kind" not in db["captures"].columns_dict:
        db.execute("ALTER TABLE captures ADD COLUMN kind TEXT")
    db.execute("DROP VIEW IF EXISTS capture_records")  # made again below, with the column


def _migrate_to_5(db: Database) -> None:
    """Schema 5 keeps the archive small: a body a WARC record holds is found there (``bodies.warc_file_id``,
    ``warc_offset``: the record of the capture that first brought it); the normalised text only where it
    is not the NFKC form of the text; the stored Report without repeated keys or copies of section
    titles; the versions' long columns last; and the search index as two-character runs written at
    ingest (``versions_bigrams``), not the trigram index with positions the writer caught up at close.
    Bodies already in the database keep their copy there (nothing is dropped that was not re-read)."""
    from archive.bigrams import index_version
    from archive.versions import normalized_text, pack_report, stored_normalized

    if "warc_offset" not in db["bodies"].columns_dict:
        db.execute("ALTER TABLE bodies ADD COLUMN warc_file_id INTEGER REFERENCES warc_files(id)")
        db.execute("ALTER TABLE bodies ADD COLUMN warc_offset INTEGER")
    db.execute(
        "UPDATE bodies SET warc_file_id = c.warc_file_id, warc_offset = c.warc_offset "
        "FROM (SELECT body_id, min(id) AS first FROM captures GROUP BY body_id) f JOIN captures c ON c.id = f.first "
        "WHERE f.body_id = bodies.id AND bodies.size > 0 AND c.status IS NOT NULL AND c.status != 304 AND c.warc_file_id IS NOT NULL"
    )
    _create_versions(db, "versions_v5")
    columns = ("id", "document_id", "capture_id", "title", "fingerprint", "published", "first_seen", "last_seen",
               "seen_count")  # fmt: skip
    for row in db.query(f"SELECT {', '.join(columns)}, report, text_normalized, text FROM versions ORDER BY id"):
        text = row["text"] or ""
        # Schema 4's NULL meant "the text itself"; schema 5's means its NFKC form.
        normalized = row["text_normalized"] if row["text_normalized"] is not None else text
        report = json.loads(row["report"]) if row["report"] else None
        db.execute(
            f"INSERT INTO versions_v5 ({', '.join(columns)}, report, text_normalized, text) "
            f"VALUES ({', '.join('?' * (len(columns) + 3))})",
            [*(row[c] for c in columns), pack_report(report, text) if report is not None else None,
             stored_normalized(text, normalized), row["text"]],
        )  # fmt: skip
    db.execute("DROP VIEW IF EXISTS version_url_records")  # made again below, on the new table
    db.execute("DROP TABLE versions")
    db.execute("ALTER TABLE versions_v5 RENAME TO versions")
    db.execute("DROP TABLE IF EXISTS versions_fts")
    for version_id, title, stored, text in db.execute(
        "SELECT id, title, text_normalized, text FROM versions ORDER BY id"
    ).fetchall():
        index_version(db, version_id, title, normalized_text(text, stored))
    db.execute("DROP VIEW IF EXISTS capture_records")  # made again below, with body_stored from the WARC too


# Version n's migration turns a version n-1 archive into version n. _create_tables always creates
# the newest tables (a migration brings an older archive's existing ones up to date). Migrations
# run with foreign keys off (tables are rebuilt) and are checked before they commit.
MIGRATIONS: dict[int, Callable[[Database], None]] = {
    2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4, 5: _migrate_to_5,
}  # fmt: skip


def recorded_version(db: Database) -> int | None:
    """The archive's schema version; None for a new, empty database."""
    if db["schema_version"].exists():
        version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if version is not None:
            return version
    return 1 if db["versions"].exists() else None  # data from before versions were recorded


def ensure_schema(db: Database) -> int:
    """Create whatever is missing, migrate an older archive, record the version; returns the version in force."""
    current = recorded_version(db)
    if current is not None and current > SCHEMA_VERSION:
        raise RuntimeError(f"archive schema version {current} is newer than this code ({SCHEMA_VERSION})")
    migrating = current is not None and current < SCHEMA_VERSION
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    if migrating:
        db.execute("PRAGMA foreign_keys = OFF")  # has no effect inside a transaction
    try:
        with db.atomic():
            _create_tables(db)
            if current is None:
                current = SCHEMA_VERSION
                db["schema_version"].insert({"version": current, "applied_at": _now()})
            elif not db.execute("SELECT 1 FROM schema_version").fetchone():
                db["schema_version"].insert({"version": current, "applied_at": _now()})
            for version in range(current + 1, SCHEMA_VERSION + 1):
                logger.info("migrating archive %s from schema %d to %d", db.conn, version - 1, version)
                MIGRATIONS[version](db)
                db["schema_version"].insert({"version": version, "applied_at": _now()})
                current = version
            if migrating and (broken := db.execute("PRAGMA foreign_key_check").fetchall()):
                raise RuntimeError(
                    f"migration to schema {SCHEMA_VERSION} left broken references: {broken[:5]}"
                )
            _create_indexes(db)
            db.execute(CAPTURE_RECORDS_VIEW)
            db.execute(VERSION_URL_RECORDS_VIEW)
    finally:
        if migrating and foreign_keys:
            db.execute("PRAGMA foreign_keys = ON")
    return current
