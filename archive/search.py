"""``fazhi search``: Chinese full-text search over the archived reports with SQLite FTS5.

SQLite's ``trigram`` tokenizer indexes every 3-character run, so any substring of 3+ characters
is found through the index, with no word segmentation to get wrong (a jieba-segmented index misses
words jieba cut differently in the text and in the query; benchmarks/archive.py measures both).
Trigrams cannot match 1–2 character queries (复议, 普法, 执法), so those terms are matched with
LIKE on the versions' text, which scans it; at the archive's size (thousands of reports) that is
milliseconds. The index is contentless: it holds the trigrams, not another copy of the texts.

Queries are normalised like the indexed text (``text_normalized``: NFKC, traditional → simplified),
so 行政復議 finds 行政复议.

The index (``versions_fts``, rowid = version id) is kept by the writer: ``archive.Archive`` adds the
new versions when it closes (versions are append-only, so only ids above the highest indexed one).
Searching only reads (the archive is opened read-only): when the index is missing or behind — a crawl
killed before it closed — the same query runs as a LIKE scan of the versions, with the same answer.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.readonly import open_for_reading
from extraction.normalization import normalize_text

FTS_TABLE = "versions_fts"
SNIPPET_CHARS = 40


def update_search_index(db: Database | sqlite3.Connection) -> int:
    """Create the trigram index if missing and add unindexed versions; returns how many were added.

    For the archive's writer (one transaction); reading commands never call it.
    """
    db.execute("SAVEPOINT fazhi_search_index")
    try:
        # Contentless (content=''): the index only, not a second copy of every text; hits join versions.
        db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, text, tokenize='trigram', content='')"
        )
        cursor = db.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, text) "
            f"SELECT id, coalesce(title, ''), coalesce(text_normalized, text, '') FROM versions "
            f"WHERE id > (SELECT coalesce(max(rowid), 0) FROM {FTS_TABLE}) ORDER BY id"
        )
    except BaseException:
        db.execute("ROLLBACK TO fazhi_search_index")
        db.execute("RELEASE fazhi_search_index")
        raise
    db.execute("RELEASE fazhi_search_index")
    return cursor.rowcount


def index_is_current(conn: sqlite3.Connection) -> bool:
    """Whether ``versions_fts`` exists and holds every version."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [FTS_TABLE]).fetchone():
        return False
    indexed = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {FTS_TABLE}").fetchone()[0]
    return indexed >= conn.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0]


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


def _where(terms: list[str], indexed: bool) -> tuple[list[str], list[Any]]:
    """Conditions for every term: FTS MATCH for 3+ characters (LIKE below that), or LIKE on the versions."""
    where: list[str] = []
    params: list[Any] = []
    if indexed:
        long_terms = [t for t in terms if len(t) >= 3]
        if long_terms:
            where.append(f"{FTS_TABLE} MATCH ?")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        short = [t for t in terms if len(t) < 3]
    else:
        short = terms
    title, text = "coalesce(v.title, '')", "coalesce(v.text_normalized, v.text, '')"
    for term in short:
        where.append(f"({text} LIKE ? ESCAPE '\\' OR {title} LIKE ? ESCAPE '\\')")
        params += [f"%{_escape_like(term)}%"] * 2
    return where, params


def search_with_total(
    path: str | Path,
    query: str,
    agency: str | None = None,
    year: int | None = None,
    limit: int = 20,
    all_versions: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """``search``'s hits, and how many there are in all (``limit`` cuts the hits, not the total)."""
    terms = query_terms(query)
    if not terms:
        return [], 0
    conn = open_for_reading(path)
    try:
        indexed = index_is_current(conn)
        where, params = _where(terms, indexed)
        if not all_versions:
            where.append("v.id = d.current_version_id")  # the text the document's URLs carry now
        if agency:
            where.append("a.name LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(agency)}%")
        if year is not None:
            where.append("d.report_year = ?")
            params.append(int(year))
        uses_match = indexed and any(len(t) >= 3 for t in terms)
        source = (
            f"{FTS_TABLE} JOIN versions v ON v.id = {FTS_TABLE}.rowid" if indexed else "versions v"
        )
        body = "coalesce(v.text_normalized, v.text, '')"
        base = (
            f"FROM {source} JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id "
            f"WHERE {' AND '.join(where)}"
        )
        total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
        order = f"bm25({FTS_TABLE})," if uses_match else ""
        sql = (
            f"SELECT v.id AS version_id, d.id AS document_id, a.name AS agency, d.report_year, v.title, "
            f"d.url, v.published, v.first_seen, v.last_seen, d.removed_at, {body} AS body "
            f"{base} ORDER BY {order} d.report_year DESC, v.id DESC LIMIT ?"
        )
        hits = []
        for row in conn.execute(sql, [*params, int(limit)]):
            hit = dict(row)
            hit["snippet"] = _snippet(hit.pop("body"), terms)
            hits.append(hit)
        return hits, total
    finally:
        conn.close()


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
    The archive is only read.
    """
    return search_with_total(path, query, agency=agency, year=year, limit=limit, all_versions=all_versions)[0]
