"""Reading stored versions back, for ``fazhi diff --db`` and other tools outside the ingest path."""

from __future__ import annotations

import json
from pathlib import Path

from archive.readonly import connect_readonly
from extraction.report import Report


def version_text(db_path: str | Path, version_id: int) -> str:
    """The text of version ``version_id``; KeyError if there is no such version."""
    conn = connect_readonly(db_path)
    try:
        row = conn.execute("SELECT text FROM versions WHERE id = ?", [version_id]).fetchone()
    finally:
        conn.close()
    if row is None:
        raise KeyError(f"no version {version_id} in {db_path}")
    return row["text"] or ""


def version_report(db_path: str | Path, version_id: int) -> Report:
    """The Report of version ``version_id`` as extraction made it (sections, dates, attachments)."""
    conn = connect_readonly(db_path)
    try:
        row = conn.execute(
            "SELECT text, coalesce(text_normalized, text) AS normalized, report FROM versions WHERE id = ?",
            [version_id],
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise KeyError(f"no version {version_id} in {db_path}")
    data = json.loads(row["report"] or "{}")
    return Report.from_dict({**data, "text": row["text"] or "", "text_normalized": row["normalized"] or ""})
