"""Reports that vanish from a portal: marked removed, never deleted.

A report taken down is itself news. After a crawl of a portal, documents of that portal that the
crawl did not see are marked with ``removed_at`` (``last_seen`` keeps the date they were last
seen). A crawl that saw nothing good of the portal (blocked, down) is no evidence and marks nothing;
a document whose page was blocked in this crawl is not marked either. A report that comes back is
unmarked by the next ingest that sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archive.store import immediate, open_database

_SEEN = ("ok", "not_modified")


def mark_removed(
    path: str | Path, portal: str, crawl_started: str, seen_urls: Iterable[str] | None = None
) -> list[int]:
    """Mark documents of ``portal`` not seen since ``crawl_started`` (ISO UTC) as removed; returns their ids.

    ``seen_urls`` overrides what counts as seen (default: URLs with an ok / not_modified capture of
    this portal fetched at or after ``crawl_started``).
    """
    db = open_database(path)
    try:
        with immediate(db):  # takes the write lock first: a read-then-write must not meet another writer half-way
            crawled = {
                url: outcome
                for url, outcome in db.execute(
                    "SELECT url, outcome FROM capture_records WHERE portal = ? AND fetched_at >= ? ORDER BY id",
                    [portal, crawl_started],
                )
            }
            seen = set(seen_urls) if seen_urls is not None else {u for u, o in crawled.items() if o in _SEEN}
            if not seen:
                return []
            blocked = {u for u, o in crawled.items() if o == "blocked"}
            candidates = db.execute(
                "SELECT DISTINCT u.document_id FROM document_urls u JOIN capture_records c ON c.url = u.url "
                "JOIN documents d ON d.id = u.document_id WHERE c.portal = ? AND d.removed_at IS NULL",
                [portal],
            ).fetchall()
            removed = []
            for (document_id,) in candidates:
                urls = {
                    u
                    for (u,) in db.execute(
                        "SELECT url FROM document_urls WHERE document_id = ?", [document_id]
                    )
                }
                if urls & seen or urls & blocked:
                    continue
                db.execute("UPDATE documents SET removed_at = ? WHERE id = ?", [crawl_started, document_id])
                removed.append(document_id)
            return removed
    finally:
        db.close()
