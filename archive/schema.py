"""The archive's tables (docs/CONTRACTS.md §3), created with sqlite-utils.

The database is meant to be kept for years and read without this project (sqlite3, Datasette), so
the schema is plain tables with declared foreign keys and a ``schema_version`` table that later
migrations can check and bump.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

SCHEMA_VERSION = 1
# Version n's migration turns a version n-1 archive into version n. _create_tables always creates
# the newest tables, so a migration only has to bring an older archive's existing tables up to date.
MIGRATIONS: dict[int, Callable[[Database], None]] = {}
KIND_FAZHI_REPORT = "fazhi_report"


def _create_tables(db: Database) -> None:
    db["schema_version"].create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    db["portals"].create({"id": int, "name": str, "base_url": str}, pk="id", not_null=["name"], if_not_exists=True)
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
    db["captures"].create(
        {
            "id": int,
            "url": str,
            "final_url": str,
            "fetched_at": str,
            "status": int,
            "outcome": str,
            "reason": str,
            "content_type": str,
            "headers": str,
            "sha256": str,
            "body": bytes,
            "body_size": int,
            "portal": str,
            "parent_url": str,
            "warc_file": str,
            "warc_offset": int,
        },
        pk="id",
        not_null=["url", "fetched_at", "outcome", "sha256", "body_size"],
        if_not_exists=True,
    )
    db["versions"].create(
        {
            "id": int,
            "document_id": int,
            "capture_id": int,
            "title": str,
            "text": str,
            "text_normalized": str,
            "fingerprint": str,
            "published": str,
            "report": str,
            "first_seen": str,
            "last_seen": str,
            "seen_count": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("capture_id", "captures", "id")],
        not_null=["document_id", "capture_id", "fingerprint", "first_seen", "last_seen", "seen_count"],
        if_not_exists=True,
    )
    db["attachments"].create(
        {"id": int, "document_id": int, "capture_id": int, "name": str, "url": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("capture_id", "captures", "id")],
        not_null=["document_id", "url"],
        if_not_exists=True,
    )


def _create_indexes(db: Database) -> None:
    db["agencies"].create_index(["name"], unique=True, if_not_exists=True)
    db["portals"].create_index(["name"], unique=True, if_not_exists=True)
    db["documents"].create_index(["agency_id", "report_year", "kind"], unique=True, if_not_exists=True)
    db["document_urls"].create_index(["document_id"], if_not_exists=True)
    db["captures"].create_index(["url"], if_not_exists=True)
    # Only the captures holding a body are indexed by sha256 (dedup looks them up): an unchanged
    # recapture then adds no index entry.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_captures_stored_sha256 ON captures (sha256) WHERE body IS NOT NULL"
    )
    db["versions"].create_index(["document_id"], if_not_exists=True)
    db["versions"].create_index(["capture_id"], if_not_exists=True)
    db["attachments"].create_index(["document_id", "url"], unique=True, if_not_exists=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ensure_schema(db: Database) -> int:
    """Create whatever is missing, migrate an older archive, record the version; returns the version in force."""
    with db.atomic():
        existing = db["versions"].exists()
        _create_tables(db)
        current = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if current is None:
            # A new archive is created at the newest version; one with data but no record is version 1.
            current = 1 if existing else SCHEMA_VERSION
            db["schema_version"].insert({"version": current, "applied_at": _now()})
        if current > SCHEMA_VERSION:
            raise RuntimeError(f"archive schema version {current} is newer than this code ({SCHEMA_VERSION})")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](db)
            db["schema_version"].insert({"version": version, "applied_at": _now()})
            current = version
        _create_indexes(db)
    return current
