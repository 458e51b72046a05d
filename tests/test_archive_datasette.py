"""datasette/metadata.json describes the archive's real tables and its canned queries run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from test_archive_fixtures import QINGHE_2023, make_capture, make_report

from archive import Archive

METADATA = Path(__file__).resolve().parents[1] / "datasette" / "metadata.json"


def test_metadata_matches_the_schema_and_queries_run(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    edited = make_report(QINGHE_2023.replace("受理79件", "受理81件"))
    with Archive(db, warc=False) as arc:
        arc.ingest(make_capture(report), report)
        arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        arc.ingest(make_capture(None, outcome="blocked", status=412, error="WAF", body=b"$_ts"), None)
    meta = json.loads(METADATA.read_text(encoding="utf-8"))["databases"][db.stem]
    conn = sqlite3.connect(db)
    for table, info in meta["tables"].items():
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        assert columns, f"{table} is not a table of the archive"
        assert set(info.get("columns", {})) <= columns, table
    results = {name: conn.execute(q["sql"]).fetchall() for name, q in meta["queries"].items()}
    assert results["silent_edits"][0][:2] == ("青禾县司法局", 2023)
    assert results["silent_edits"][0][3] == 2
    assert results["blocked_or_failed_fetches"] == [("blocked", "WAF", 1, "2024-04-01T08:00:00Z")]
    assert results["removed_reports"] == []
