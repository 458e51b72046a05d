"""Reports taken down from a portal: marked removed, never deleted — and only when the portal said so.

A report taken down is itself news, so a false "removed" is a false story. After a complete crawl of
a portal, a document of that portal is marked with ``removed_at`` (``last_seen`` keeps the date it was
last seen) only when every URL it is known at was asked in that crawl and answered "gone": HTTP 404
or 410, or a soft 404 (a "page not found" page, a redirect to the home page). An error, a 5xx, a
challenge page, a failed extraction, or not being asked at all is no evidence, and marks nothing.
A crawl that saw nothing good of the portal marks nothing either: a portal that answers 404 to
everything is broken, not emptied. A report that comes back is unmarked by the next ingest that sees it.

The check reads only what the crawl saw: the portal's captures since the crawl began (the index on
``captures(portal_id, fetched_at)``) and the documents of the URLs that answered "gone" (the
``document_urls`` key), so it costs what one crawl of one portal costs, however many crawls and
portals the archive holds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from archive.store import Archive

_SEEN = ("ok", "not_modified")
GONE_STATUSES = (404, 410)


def answered_gone(status: int | None, outcome: str) -> bool:
    """A real "gone": 404 or 410, or a soft 404."""
    return outcome == "soft_404" or (outcome == "error" and status in GONE_STATUSES)


def mark_removed(path: str | Path, portal: str, crawl_started: str) -> list[int]:
    """Mark documents of ``portal`` whose URLs all answered "gone" since ``crawl_started`` (ISO UTC); their ids.

    A writer already open in this process can call ``Archive.mark_removed`` instead, on its own connection.
    """
    with Archive(path, warc=False) as archive:
        return archive.mark_removed(portal, crawl_started)


def mark_removed_on(conn: sqlite3.Connection | Any, portal: str, crawl_started: str) -> list[int]:
    """:func:`mark_removed` inside the caller's write transaction on ``conn``."""
    found = conn.execute("SELECT id FROM portals WHERE name = ?", [portal]).fetchone()
    if found is None:
        return []
    # The last answer of each URL of this portal in this crawl.
    answers = {
        url: (status, outcome)
        for url, status, outcome in conn.execute(
            "SELECT u.url, c.status, c.outcome FROM captures c JOIN urls u ON u.id = c.url_id "
            "WHERE c.portal_id = ? AND c.fetched_at >= ? ORDER BY c.id",
            [found[0], crawl_started],
        )
    }
    if not any(outcome in _SEEN for _status, outcome in answers.values()):
        return []
    candidates: set[int] = set()
    for url, answer in answers.items():
        if answered_gone(*answer):
            row = conn.execute(
                "SELECT u.document_id FROM document_urls u JOIN documents d ON d.id = u.document_id "
                "WHERE u.url = ? AND d.removed_at IS NULL",
                [url],
            ).fetchone()
            if row:
                candidates.add(row[0])
    removed = []
    for document_id in sorted(candidates):
        urls = [u for (u,) in conn.execute("SELECT url FROM document_urls WHERE document_id = ?", [document_id])]
        if urls and all(u in answers and answered_gone(*answers[u]) for u in urls):
            conn.execute("UPDATE documents SET removed_at = ? WHERE id = ?", [crawl_started, document_id])
            removed.append(document_id)
    return removed
