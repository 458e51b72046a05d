"""Reading stored versions back, for ``fazhi diff --db`` and other tools outside the ingest path."""

from __future__ import annotations

from pathlib import Path

from archive.store import open_database


def version_text(db_path: str | Path, version_id: int) -> str:
    """The text of version ``version_id``; KeyError if there is no such version."""
    db = open_database(db_path)
    try:
        row = db.execute("SELECT text FROM versions WHERE id = ?", [version_id]).fetchone()
    finally:
        db.close()
    if row is None:
        raise KeyError(f"no version {version_id} in {db_path}")
    return row[0] or ""
