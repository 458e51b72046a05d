"""A report whose URL answers 404 is marked removed after a complete crawl; nothing is deleted."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from archived import archived_reports
from test_crawl import run_crawl

from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

LATER = dt.date(2025, 7, 1)
EARLIER = dt.date(2024, 4, 15)


def test_reports_gone_from_the_portal_are_marked_removed_not_deleted(tmp_path: Path):
    db = tmp_path / "archive.db"
    with start_in_thread(LATER, port=0) as portal:
        run_crawl(portal.start_urls, db, tmp_path / "later.log")
        port = portal.port
    # The same portals as they stood a year before: the 2024 reports are not there (a take-down, as
    # far as the crawler can tell).
    with start_in_thread(EARLIER, port=port) as portal:
        # Archived reports are asked again even when no list links them (FAZHI_RECHECK_YEARS): the 2024
        # ones answer 404, which is what marks them removed.
        stats = run_crawl(portal.start_urls, db, tmp_path / "earlier.log", "-s", "FAZHI_RECHECK_YEARS=100")
    gone = {(r.agency, r.year) for r in visible_reports(LATER)} - {(r.agency, r.year) for r in visible_reports(EARLIER)}
    removed = archived_reports(db, "documents.removed_at is not null")
    conn = sqlite3.connect(db)
    total = conn.execute("select count(*) from documents").fetchone()[0]
    kept_versions = conn.execute(
        "select count(*) from versions join documents on documents.id = document_id where removed_at is not null"
    ).fetchone()[0]
    conn.close()
    assert removed == gone
    assert stats["fazhi/removed_documents"] == len(gone)
    assert total == len(visible_reports(LATER)), "nothing is deleted"
    assert kept_versions >= len(gone)
