"""A version's Report as stored (``versions.report``) and read back, for ``fazhi diff --db`` and other tools.

The text is a column of its own; the JSON keeps the rest. A section's text is a run of the report's
text, so it is stored as ``span`` [start, end) into ``versions.text`` rather than a third copy of
the report (a section whose text cannot be found keeps its ``text``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive.readonly import connect_readonly
from extraction.report import Report


def report_json(report: Report) -> str:
    """The Report as JSON without its text fields, sections as spans into ``report.text``."""
    data = report.to_dict()
    del data["text"], data["text_normalized"]
    return json.dumps(sections_as_spans(data, report.text), ensure_ascii=False)


def sections_as_spans(data: dict[str, Any], text: str) -> dict[str, Any]:
    """Replace each section's ``text`` found in ``text`` by its ``span`` (in place; returns ``data``)."""
    position = 0
    for section in data.get("sections") or []:
        start = text.find(section["text"], position) if "text" in section else -1
        if start >= 0:
            section["span"] = [start, start + len(section.pop("text"))]
            position = start
    return data


def report_from_json(data: str | None, text: str, text_normalized: str) -> Report:
    """The Report that :func:`report_json` stored, its section texts cut back out of ``text``."""
    fields = json.loads(data or "{}")
    for section in fields.get("sections") or []:
        if "span" in section:
            start, end = section.pop("span")
            section["text"] = text[start:end]
    return Report.from_dict({**fields, "text": text, "text_normalized": text_normalized})


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


def same_document(db_path: str | Path, a: int, b: int) -> bool:
    """Are versions ``a`` and ``b`` two versions of one document (one agency's report for one year)?"""
    conn = connect_readonly(db_path)
    try:
        rows = conn.execute("SELECT id, document_id FROM versions WHERE id IN (?, ?)", [a, b]).fetchall()
    finally:
        conn.close()
    documents = {row["id"]: row["document_id"] for row in rows}
    return a in documents and b in documents and documents[a] == documents[b]


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
    return report_from_json(row["report"], row["text"] or "", row["normalized"] or "")
