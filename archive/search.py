"""``fazhi search``: Chinese full-text search over the archived reports, through the two-character index.

Chinese has no spaces to split words at, and a segmenter (jieba) cuts the same word differently in
a text and in a query (benchmarks/archive.py compared them: it missed words and found wrong ones).
So the index is of every two-character run of the normalised text (archive.bigrams,
``versions_bigrams``): a query of one or two characters (复议, 普法) is answered by the index alone;
a longer one by the versions holding all its runs, kept when their text holds the query itself
(``instr``, and the normalised text where the raw one differs).

Queries are normalised like the indexed text (``text_normalized``: NFKC, traditional → simplified),
so 行政復議 finds 行政复议. Matching ignores letter case, as the index does.

The writer indexes each version as it stores it, so the index is never behind; searching only reads
(the archive is opened read-only). An archive without the index (someone dropped it) is searched by
a scan of the versions, with the same answer.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.bigrams import CREATE_INDEX, INDEX_TABLE, exact, index_version, match_expression
from archive.readonly import open_for_reading
from archive.versions import normalized_text
from extraction.normalization import normalize_text

FTS_TABLE = INDEX_TABLE
SNIPPET_CHARS = 40


def update_search_index(db: Database | sqlite3.Connection) -> int:
    """Create the index if it is missing and fill it with every version; returns how many were added.

    The writer keeps the index at ingest, so this only rebuilds one that was dropped (``fazhi migrate``).
    """
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [INDEX_TABLE]).fetchone():
        return 0
    db.execute("SAVEPOINT fazhi_search_index")
    try:
        db.execute(CREATE_INDEX)
        rows = db.execute("SELECT id, title, text_normalized, text FROM versions ORDER BY id").fetchall()
        for version_id, title, stored, text in rows:
            index_version(db, version_id, title, normalized_text(text, stored))
    except BaseException:
        db.execute("ROLLBACK TO fazhi_search_index")
        db.execute("RELEASE fazhi_search_index")
        raise
    db.execute("RELEASE fazhi_search_index")
    return len(rows)


def index_is_current(conn: sqlite3.Connection) -> bool:
    """Whether the index exists (the writer keeps it current with every version it stores)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [INDEX_TABLE]).fetchone() is not None


def query_terms(query: str) -> list[str]:
    """The query's terms, normalised as the indexed text is (NFKC, simplified), split on spaces and punctuation."""
    folded = normalize_text(unicodedata.normalize("NFKC", query))
    return [t for t in re.split(r"[\s\W_]+", folded) if t]


def _snippet(text: str, terms: list[str]) -> str:
    flat = " ".join(text.split())
    folded = flat.casefold()
    positions = [folded.find(t.casefold()) for t in terms if t.casefold() in folded]
    if not positions:
        return flat[: SNIPPET_CHARS * 2]
    start = max(0, min(positions) - SNIPPET_CHARS)
    end = min(len(flat), min(positions) + SNIPPET_CHARS)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _holds(text: str | None, stored: str | None, title: str | None, term: str) -> bool:
    """Does the version's normalised text, or its title, hold ``term`` (ignoring case)?"""
    wanted = term.casefold()
    if wanted in normalized_text(text, stored).casefold():
        return True
    return wanted in unicodedata.normalize("NFKC", title or "").casefold()


def _connect(path: str | Path) -> sqlite3.Connection:
    conn = open_for_reading(path)
    conn.create_function("fazhi_holds", 4, _holds, deterministic=True)
    return conn


# A version holds a term: its raw text or title at C speed first, else the normalised forms in Python.
_HOLDS = "(instr(v.text, ?) > 0 OR instr(coalesce(v.title, ''), ?) > 0 OR fazhi_holds(v.text, v.text_normalized, v.title, ?))"


def search_with_total(
    path: str | Path,
    query: str,
    agency: str | None = None,
    year: int | None = None,
    limit: int = 20,
    all_versions: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """``search``'s hits, and how many there are in all (``limit`` cuts the hits, not the total).

    Hits come newest report year first (then the newest version). One pass finds every match's id
    and year; only the hits shown are read in full.
    """
    terms = query_terms(query)
    if not terms:
        return [], 0
    conn = _connect(path)
    try:
        indexed = index_is_current(conn)
        try:
            matches = _matches(conn, terms, indexed, agency, year, all_versions)
        except sqlite3.OperationalError:
            if not indexed:
                raise
            # A term the index's tokenizer splits otherwise (a character it does not count as a letter).
            matches = _matches(conn, terms, False, agency, year, all_versions)
        top = heapq.nlargest(int(limit), matches, key=lambda m: (m[1] if m[1] is not None else -1, m[0]))
        hits = []
        for version_id, _year in top:
            row = conn.execute(
                "SELECT v.id AS version_id, d.id AS document_id, a.name AS agency, d.report_year, v.title, d.url, "
                "v.published, v.first_seen, v.last_seen, d.removed_at, v.text_normalized, v.text FROM versions v "
                "JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id WHERE v.id = ?",
                [version_id],
            ).fetchone()
            hit = dict(row)
            body = normalized_text(hit.pop("text"), hit.pop("text_normalized"))
            hit["snippet"] = _snippet(body, terms)
            hits.append(hit)
        return hits, len(matches)
    finally:
        conn.close()


def _matches(
    conn: sqlite3.Connection, terms: list[str], indexed: bool, agency: str | None, year: int | None,
    all_versions: bool,
) -> list[tuple[int, int | None]]:
    """(version id, report year) of every version holding all ``terms``, within the filters.

    Three steps, each a plain pass: the index's candidates (row ids only), the versions the filters
    leave (small columns of documents and versions, never a text), then — for a term longer than
    two characters, or without an index — the texts of the candidates that are left, checked a
    chunk at a time. Joining every candidate to its version and document row by row cost more than
    all of that for a word every report holds.
    """
    where, params = [], []
    if agency:
        where.append("a.name LIKE ? ESCAPE '\\'")
        params.append(f"%{_escape_like(agency)}%")
    if year is not None:
        where.append("d.report_year = ?")
        params.append(int(year))
    joins = "LEFT JOIN agencies a ON a.id = d.agency_id " if agency else ""
    filters = f"WHERE {' AND '.join(where)}" if where else ""
    if all_versions:
        sql = f"SELECT v.id, d.report_year FROM versions v JOIN documents d ON d.id = v.document_id {joins}{filters}"
    else:  # the text the document's URLs carry now
        sql = f"SELECT d.current_version_id, d.report_year FROM documents d {joins}{filters}"
    if indexed:
        expression = " AND ".join(f"({match_expression(t)})" for t in terms)
        candidates = {r for (r,) in conn.execute(f"SELECT rowid FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH ?", [expression])}
        matches = [(vid, y) for vid, y in conn.execute(sql, params) if vid in candidates]
        checked = [t for t in terms if not exact(t)]
    else:
        matches = [(vid, y) for vid, y in conn.execute(sql, params) if vid is not None]
        checked = terms
    if not checked:
        return matches
    holding: set[int] = set()
    condition = " AND ".join([_HOLDS] * len(checked))
    term_params = [t for term in checked for t in (term, term, term)]
    ids = sorted(vid for vid, _ in matches)  # in row order: the texts are read front to back
    for start in range(0, len(ids), CHECK_CHUNK):
        chunk = ids[start : start + CHECK_CHUNK]
        holding.update(
            r for (r,) in conn.execute(
                f"SELECT v.id FROM versions v WHERE v.id IN ({', '.join('?' * len(chunk))}) AND {condition}",
                [*chunk, *term_params],
            )
        )  # fmt: skip
    return [m for m in matches if m[0] in holding]


CHECK_CHUNK = 500


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
    """Reports containing every term of ``query`` (the current version of each, unless ``all_versions``).

    ``agency`` matches part of the agency name (青禾 finds 青禾县司法局). Each hit: version_id,
    document_id, agency, report_year, title, url, published, first_seen, last_seen, removed_at, snippet.
    The archive is only read.
    """
    return search_with_total(path, query, agency=agency, year=year, limit=limit, all_versions=all_versions)[0]
