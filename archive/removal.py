"""Reports taken down from a portal: marked removed, never deleted — and only when the portal said so.

A report taken down is itself news, so a false "removed" is a false story. After a complete crawl of
a portal, a document of that portal is marked with ``removed_at`` (``last_seen`` keeps the date it was
last seen) only when every URL it is known at was asked in that crawl and answered "gone": HTTP 404
or 410, or a soft 404 (a "page not found" page, a redirect to the home page). An error, a 5xx, a
challenge page, a failed extraction, or not being asked at all is no evidence, and marks nothing.
A crawl that saw nothing good of the portal marks nothing either: a portal that answers 404 to
everything is broken, not emptied. A report that comes back is unmarked by the next ingest that sees it.
"""

from __future__ import annotations

from pathlib import Path

from archive.store import immediate, open_database

_SEEN = ("ok", "not_modified")
GONE_STATUSES = (404, 410)


def answered_gone(status: int | None, outcome: str) -> bool:
    """A real "gone": 404 or 410, or a soft 404."""
    return outcome == "soft_404" or (outcome == "error" and status in GONE_STATUSES)


def mark_removed(path: str | Path, portal: str, crawl_started: str) -> list[int]:
    """Mark documents of ``portal`` whose URLs all answered "gone" since ``crawl_started`` (ISO UTC); their ids."""
    db = open_database(path)
    try:
        with immediate(db):  # takes the write lock first: a read-then-write must not meet another writer half-way
            # The last answer of each URL of this portal in this crawl.
            answers = {
                url: (status, outcome)
                for url, status, outcome in db.execute(
                    "SELECT url, status, outcome FROM capture_records WHERE portal = ? AND fetched_at >= ? "
                    "ORDER BY id",
                    [portal, crawl_started],
                )
            }
            if not any(outcome in _SEEN for _status, outcome in answers.values()):
                return []
            candidates = db.execute(
                "SELECT DISTINCT u.document_id FROM document_urls u JOIN capture_records c ON c.url = u.url "
                "JOIN documents d ON d.id = u.document_id WHERE c.portal = ? AND d.removed_at IS NULL",
                [portal],
            ).fetchall()
            removed = []
            for (document_id,) in candidates:
                urls = [u for (u,) in db.execute("SELECT url FROM document_urls WHERE document_id = ?", [document_id])]
                if urls and all(u in answers and answered_gone(*answers[u]) for u in urls):
                    db.execute("UPDATE documents SET removed_at = ? WHERE id = ?", [crawl_started, document_id])
                    removed.append(document_id)
            return removed
    finally:
        db.close()
