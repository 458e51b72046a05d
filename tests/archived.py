"""What a crawl left in the archive, read with plain sqlite3 as any other tool would read it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_AGENCY_YEAR = (
    "select agencies.name, documents.report_year from documents join agencies on agencies.id = documents.agency_id"
)


def archived_reports(db: Path, where: str = "") -> set[tuple[str, int]]:
    """(agency, report year) of every document, optionally filtered by an SQL condition on documents."""
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute(_AGENCY_YEAR + (f" where {where}" if where else "")).fetchall())
    finally:
        conn.close()


def version_texts(db: Path) -> dict[tuple[str, int], list[str]]:
    """(agency, report year) → the texts of its versions, oldest first."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "select agencies.name, documents.report_year, versions.text from versions "
            "join documents on documents.id = versions.document_id "
            "join agencies on agencies.id = documents.agency_id order by versions.id"
        ).fetchall()
    finally:
        conn.close()
    out: dict[tuple[str, int], list[str]] = {}
    for agency, year, text in rows:
        out.setdefault((agency, year), []).append(text)
    return out
