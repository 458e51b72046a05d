"""A version's Report as stored (``versions.report``) and read back, for ``fazhi diff --db`` and other tools.

The text is a column of its own; the JSON keeps the rest, without what it can be rebuilt from: each
section is a short list whose text (and title, where the text holds it) are
[start, end) offsets into ``versions.text`` rather than another copy of the report.

``versions.text_normalized`` is kept only where it is not simply the NFKC form of the text (a
re-post in traditional characters, repaired mojibake): NULL means ``unicodedata.normalize("NFKC",
text)``, which :func:`normalized_text` computes. (Readers in plain SQL who use
``coalesce(text_normalized, text)`` get the text itself there: it differs from its NFKC form only
in full-width punctuation, digits and letters.)
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from archive.readonly import connect_readonly
from extraction.report import Report


def normalized_text(text: str | None, stored: str | None) -> str:
    """A version's normalised text: the stored one, or (NULL) the NFKC form of its text."""
    return stored if stored is not None else unicodedata.normalize("NFKC", text or "")


def stored_normalized(text: str, normalized: str) -> str | None:
    """What ``versions.text_normalized`` keeps for this pair: None when it is the NFKC form of the text."""
    return None if normalized == unicodedata.normalize("NFKC", text) else normalized


def report_json(report: Report) -> str:
    """The Report as compact JSON without its text fields or copies of the text."""
    data = {name: getattr(report, name) for name in _REPORT_FIELDS}  # dataclasses.asdict deep-copies: slow
    data["attachments"] = [dict(vars(a)) for a in report.attachments]
    data["sections"] = [dict(vars(s)) for s in report.sections]
    return pack_report(data, report.text)


_REPORT_FIELDS = tuple(f for f in Report.__dataclass_fields__ if f not in ("text", "text_normalized"))


def pack_report(data: dict[str, Any], text: str) -> str:
    """``data`` (a Report's dict without its texts, sections with ``text`` or ``span``) as stored.

    A section found in the text is a list ``[marker, level, part, start, end, title_start, title_end]``
    (its title as a string in place of the last two where the text does not hold it); one that is
    not found stays an object with its own ``text``.
    """
    sections_as_spans(data, text)
    packed: list[Any] = []
    for section in data.get("sections") or []:
        if "span" not in section:
            packed.append(section)
            continue
        start, end = section["span"]
        title = section.get("title") or ""
        at = text.find(title, start, end) if title else -1
        where: list[Any] = [at, at + len(title)] if at >= 0 else [title]
        packed.append([section["marker"], section["level"], section["part"], start, end, *where])
    data["sections"] = packed
    # Every field stays, empty or not: tools read keys such as "warnings" straight from the JSON.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sections_as_spans(data: dict[str, Any], text: str) -> dict[str, Any]:
    """Replace each section's ``text`` found in ``text`` by its ``span`` (in place; returns ``data``)."""
    position = 0
    for section in data.get("sections") or []:
        start = text.find(section["text"], position) if "text" in section else -1
        if start >= 0:
            section["span"] = [start, start + len(section.pop("text"))]
            position = start
    return data


def report_from_json(data: str | None, text: str, text_normalized: str | None = None) -> Report:
    """The Report that :func:`report_json` stored, its section texts and titles cut back out of ``text``.

    ``text_normalized``: the version's normalised text (None: the NFKC form of ``text``).
    """
    fields = json.loads(data or "{}")
    sections = []
    for section in fields.get("sections") or []:
        if isinstance(section, list):  # schema 4: [marker, level, part, start, end, title_start, title_end | title]
            marker, level, part, start, end, *where = section
            title = text[where[0] : where[1]] if len(where) == 2 else where[0]
            section = {"marker": marker, "level": level, "part": part, "title": title, "text": text[start:end]}
        elif "span" in section:  # schema 2–3: an object with its text as a span
            start, end = section.pop("span")
            section["text"] = text[start:end]
        sections.append(section)
    if sections:
        fields["sections"] = sections
    normalized = text_normalized if text_normalized is not None else normalized_text(text, None)
    return Report.from_dict({**fields, "text": text, "text_normalized": normalized})


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
        row = conn.execute("SELECT text, text_normalized, report FROM versions WHERE id = ?", [version_id]).fetchone()
    finally:
        conn.close()
    if row is None:
        raise KeyError(f"no version {version_id} in {db_path}")
    text = row["text"] or ""
    return report_from_json(row["report"], text, normalized_text(text, row["text_normalized"]))
