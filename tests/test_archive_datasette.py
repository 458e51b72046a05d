"""datasette/metadata.json describes the archive's real tables and its canned queries run."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

from archive import Archive

METADATA = Path(__file__).resolve().parents[1] / "datasette" / "metadata.json"


def _archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    report = make_report()
    edited = make_report(QINGHE_2023.replace("受理79件", "受理81件"))
    with Archive(db, warc=False) as arc:
        arc.ingest(make_capture(report), report)
        arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        arc.ingest(make_capture(None, outcome="blocked", status=412, error="WAF", body=b"$_ts"), None)
        for agency, year in (("青禾县司法局", 2022), ("址山镇人民政府", 2021), ("址山镇人民政府", 2023)):
            other = make_report(
                ZHISHAN_2022, agency=agency, year=year, url=f"http://127.0.0.1:8000/{year}/{agency}.html"
            )
            arc.ingest(make_capture(other), other)
    return db


def test_metadata_matches_the_schema_and_queries_run(tmp_path):
    db = _archive(tmp_path)
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
    assert results["agencies_missing_a_year"] == [("址山镇人民政府", "township", "2022")]


def test_datasette_serves_the_archive_with_its_metadata(tmp_path):
    """Datasette itself (its ASGI app, as its own tests drive it) opens the archive and runs every canned query."""
    from datasette.app import Datasette

    db = _archive(tmp_path)
    meta = json.loads(METADATA.read_text(encoding="utf-8"))

    async def fetch_all() -> dict[str, object]:
        app = Datasette([str(db)], metadata=meta, immutables=[])
        pages = {"tables": await app.client.get("/archive.json")}
        pages["captures"] = await app.client.get("/archive/capture_records.json?_shape=array&outcome=blocked")
        for name in meta["databases"]["archive"]["queries"]:
            pages[name] = await app.client.get(f"/archive/{name}.json?_shape=array")
        pages["html"] = await app.client.get("/archive/captures")
        return pages

    pages = asyncio.run(fetch_all())
    assert all(page.status_code == 200 for page in pages.values()), {
        k: p.status_code for k, p in pages.items()
    }
    tables = {t["name"] for t in pages["tables"].json()["tables"]}
    assert {"captures", "versions", "documents", "bodies", "urls"} <= tables
    assert [row["reason"] for row in pages["captures"].json()] == ["WAF"]
    assert pages["silent_edits"].json()[0]["agency"] == "青禾县司法局"
    assert pages["agencies_missing_a_year"].json() == [
        {"agency": "址山镇人民政府", "level": "township", "missing_years": "2022"}
    ]
    assert "Every fetch, whatever its outcome" in pages["html"].text  # the table description is shown
