"""Reports that vanish from a portal: marked removed, never deleted.

A report taken down is itself news. After a crawl of a portal, documents of that portal that the
crawl did not see are marked with ``removed_at`` (``last_seen`` keeps the date they were last
seen). A crawl that saw nothing good of the portal (blocked, down) is no evidence and marks nothing;
a document whose page was blocked in this crawl is not marked either. A report that comes back is
unmarked by the next ingest that sees it.

The check reads what the crawl saw (the portal's captures since it began, through the index on
``captures(portal_id, fetched_at)``) and the portal's documents (``portal_documents``), so it
costs what one crawl of one portal costs, however many crawls and portals the archive holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archive.store import Archive

_SEEN = ("ok", "not_modified")


def mark_removed(
    path: str | Path, portal: str, crawl_started: str, seen_urls: Iterable[str] | None = None
) -> list[int]:
    """Mark documents of ``portal`` not seen since ``crawl_started`` (ISO UTC) as removed; returns their ids.

    ``seen_urls`` overrides what counts as seen (default: URLs with an ok / not_modified capture of
    this portal fetched at or after ``crawl_started``). A writer already open in this process can
    call ``Archive.mark_removed`` instead, on its own connection.
    """
    with Archive(path, warc=False) as archive:
        return archive.mark_removed(portal, crawl_started, seen_urls)


def mark_removed_on(
    conn: sqlite3.Connection | Any, portal: str, crawl_started: str, seen_urls: Iterable[str] | None = None
) -> list[int]:
    """:func:`mark_removed` inside the caller's write transaction on ``conn``."""
    found = conn.execute("SELECT id FROM portals WHERE name = ?", [portal]).fetchone()
    if found is None:
        return []
    portal_id = found[0]
    crawled = {
        url: outcome
        for url, outcome in conn.execute(
            "SELECT u.url, c.outcome FROM captures c JOIN urls u ON u.id = c.url_id "
            "WHERE c.portal_id = ? AND c.fetched_at >= ? ORDER BY c.id",
            [portal_id, crawl_started],
        )
    }
    seen = set(seen_urls) if seen_urls is not None else {u for u, o in crawled.items() if o in _SEEN}
    if not seen:
        return []
    kept = seen | {u for u, o in crawled.items() if o == "blocked"}
    removed = []
    for (document_id,) in conn.execute(
        "SELECT p.document_id FROM portal_documents p JOIN documents d ON d.id = p.document_id "
        "WHERE p.portal_id = ? AND d.removed_at IS NULL ORDER BY p.document_id",
        [portal_id],
    ).fetchall():
        urls = {u for (u,) in conn.execute("SELECT url FROM document_urls WHERE document_id = ?", [document_id])}
        if not urls & kept:
            conn.execute("UPDATE documents SET removed_at = ? WHERE id = ?", [crawl_started, document_id])
            removed.append(document_id)
    return removed
