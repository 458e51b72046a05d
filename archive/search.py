"""``fazhi search``: Chinese full-text search over the archived reports with SQLite FTS5.

SQLite's ``trigram`` tokenizer indexes every 3-character run, so any substring of 3+ characters
is found through the index, with no word segmentation to get wrong (a jieba-segmented index misses
words jieba cut differently in the text and in the query; benchmarks/archive.py measures both).
Trigrams cannot match 1–2 character queries (复议, 普法, 执法), so those terms are matched with
LIKE on the same FTS table, which scans it; at the archive's size (thousands of reports) that is
milliseconds.

Queries are normalised like the indexed text (``text_normalized``: NFKC, traditional → simplified),
so 行政復議 finds 行政复议.

The index (``versions_fts``, rowid = version id) is brought up to date on each search: versions are
append-only, so only ids above the highest indexed one are added.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.store import open_database
from extraction.normalization import normalize_text

FTS_TABLE = "versions_fts"
SNIPPET_CHARS = 40


def _ensure_index(db: Database) -> int:
    """Create the trigram index if missing and add unindexed versions; returns how many were added."""
    with db.atomic():
        db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, text, tokenize='trigram')"
        )
        cursor = db.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, text) "
            f"SELECT id, coalesce(title, ''), coalesce(text_normalized, text, '') FROM versions "
            f"WHERE id > (SELECT coalesce(max(rowid), 0) FROM {FTS_TABLE}) ORDER BY id"
        )
        return cursor.rowcount


def build_search_index(path: str | Path) -> int:
    """Index the versions not yet indexed (search does this too); returns how many were added."""
    db = open_database(path)
    try:
        return _ensure_index(db)
    finally:
        db.close()


def query_terms(query: str) -> list[str]:
    """The query's terms, normalised as the indexed text is (NFKC, simplified), split on spaces and punctuation."""
    folded = normalize_text(unicodedata.normalize("NFKC", query))
    return [t for t in re.split(r"[\s\W_]+", folded) if t]


def _snippet(text: str, terms: list[str]) -> str:
    flat = " ".join(text.split())
    positions = [flat.find(t) for t in terms if t in flat]
    if not positions:
        return flat[: SNIPPET_CHARS * 2]
    start = max(0, min(positions) - SNIPPET_CHARS)
    end = min(len(flat), min(positions) + SNIPPET_CHARS)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    path: str | Path,
    query: str,
    agency: str | None = None,
    year: int | None = None,
    limit: int = 20,
    all_versions: bool = False,
) -> list[dict[str, Any]]:
    """Reports containing every term of ``query`` (latest version of each, unless ``all_versions``).

    ``agency`` matches part of the agency name (青禾 finds 青禾县司法局). Each hit: version_id,
    document_id, agency, report_year, title, url, published, first_seen, last_seen, removed_at, snippet.
    """
    terms = query_terms(query)
    if not terms:
        return []
    db = open_database(path)
    try:
        _ensure_index(db)
        long_terms = [t for t in terms if len(t) >= 3]
        where, params = [], []
        if long_terms:
            where.append(f"{FTS_TABLE} MATCH ?")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        for term in terms:
            if len(term) < 3:
                where.append(f"({FTS_TABLE}.text LIKE ? ESCAPE '\\' OR {FTS_TABLE}.title LIKE ? ESCAPE '\\')")
                params += [f"%{_escape_like(term)}%"] * 2
        if not all_versions:
            where.append("v.id = d.current_version_id")
        if agency:
            where.append("a.name LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(agency)}%")
        if year is not None:
            where.append("d.report_year = ?")
            params.append(int(year))
        order = f"bm25({FTS_TABLE})," if long_terms else ""
        sql = (
            f"SELECT v.id AS version_id, d.id AS document_id, a.name AS agency, d.report_year, v.title, "
            f"d.url, v.published, v.first_seen, v.last_seen, d.removed_at, {FTS_TABLE}.text AS body "
            f"FROM {FTS_TABLE} JOIN versions v ON v.id = {FTS_TABLE}.rowid "
            f"JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id "
            f"WHERE {' AND '.join(where)} ORDER BY {order} d.report_year DESC, v.id DESC LIMIT ?"
        )
        hits = []
        for row in db.query(sql, [*params, int(limit)]):
            body = row.pop("body")
            row["snippet"] = _snippet(body, terms)
            hits.append(row)
        return hits
    finally:
        db.close()
