"""A report split over two TRS pages is archived as one version of the whole text."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from test_crawl import run_crawl

from sample_portal.multipage import second_page_path, split_document
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

AS_OF = dt.date(2025, 7, 1)


def squash(text: str) -> str:
    return "".join(text.split())


def test_split_report_is_joined_and_rechecked_without_a_new_version(tmp_path: Path):
    doc = split_document()
    gold = next(r for r in visible_reports(AS_OF) if r.url_path == doc.url_path)
    db = tmp_path / "archive.db"
    with start_in_thread(AS_OF, port=0, multipage=True) as portal:
        start = [portal.base_url + "/qinghe/index.html"]
        first = run_crawl(start, db, tmp_path / "first.log")
        again = run_crawl(start, db, tmp_path / "again.log")
    conn = sqlite3.connect(db)
    texts = conn.execute(
        "select versions.text from versions join document_urls on document_urls.document_id = versions.document_id "
        "where document_urls.url like ?",
        ["%" + doc.url_path],
    ).fetchall()
    page_two = conn.execute(
        "select outcome, parent_url from capture_records where url like ?", ["%" + second_page_path(doc)]
    ).fetchall()
    conn.close()
    assert len(texts) == 1, "one version: the joined text, not one per page nor a new one on re-check"
    assert squash(texts[0][0]) == squash(gold.text)
    assert [o for o, _ in page_two] == ["ok", "not_modified"]
    assert all(p and p.endswith(doc.url_path) for _, p in page_two)
    assert first.get("fazhi/new_version", 0) >= 1
    assert again.get("fazhi/new_version", 0) == 0
