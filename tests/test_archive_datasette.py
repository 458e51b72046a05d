"""Datasette on an archive of any file name: descriptions, the search index read as plain FTS5, every canned query.

Datasette itself (its ASGI app, as Datasette's own tests drive it) serves the archive, immutable,
with the metadata ``fazhi datasette --db PATH`` generates for that file.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from fazhi.datasette import TEMPLATE, metadata_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check_db(tmp_path_factory, small_archive) -> Path:
    """The small archive under the name crawler/portals.toml suggests for a check crawl."""
    db = tmp_path_factory.mktemp("datasette") / "check.db"
    shutil.copy(small_archive, db)
    return db


def test_metadata_matches_the_schema(check_db):
    meta = metadata_for(check_db)["databases"]["check"]
    conn = sqlite3.connect(check_db)
    for table, info in meta["tables"].items():
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        assert columns, f"{table} is not a table of the archive"
        assert set(info.get("columns", {})) <= columns, table
    assert meta["tables"]["versions_bigrams"]["hidden"] and "fts_table" not in meta["tables"]["versions"]


def test_the_metadata_file_for_archive_db_is_the_generated_one():
    """datasette/metadata.json (for `datasette archive.db -m …`) is what fazhi datasette generates."""
    written = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    assert written == metadata_for("archive.db"), "regenerate: fazhi datasette --db archive.db --metadata"
    assert TEMPLATE.is_file()


def _get(db: Path, paths: dict[str, str]) -> dict[str, object]:
    from datasette.app import Datasette

    async def fetch_all() -> dict[str, object]:
        app = Datasette(immutables=[str(db)], metadata=metadata_for(db))
        return {name: await app.client.get(path) for name, path in paths.items()}

    return asyncio.run(fetch_all())


def _q(**params: str) -> str:
    return urllib.parse.urlencode({**params, "_shape": "array"})


def test_datasette_serves_any_file_name_with_its_queries(check_db):
    queries = metadata_for(check_db)["databases"]["check"]["queries"]
    pages = _get(check_db, {
        "tables": "/check.json",
        "captures": "/check/capture_records.json?" + _q(outcome="blocked"),
        "html": "/check/captures",
        "silent_edits": "/check/silent_edits.json?" + _q(),
        "removed_reports": "/check/removed_reports.json?" + _q(),
        "reports_by_agency_and_year": "/check/reports_by_agency_and_year.json?" + _q(),
        "blocked_or_failed_fetches": "/check/blocked_or_failed_fetches.json?" + _q(),
        "agencies_missing_a_year": "/check/agencies_missing_a_year.json?" + _q(),
        "agency_all_years": "/check/reports_of_an_agency.json?" + _q(agency="址山", year=""),
        "agency_one_year": "/check/reports_of_an_agency.json?" + _q(agency="青禾", year="2022"),
        "search_two_chars": "/check/search_reports.json?" + _q(q="复议"),
        "search_phrase": "/check/search_reports.json?" + _q(q="行政复议"),
        "search_nothing": "/check/search_reports.json?" + _q(q="量子纠缠"),
        # The index needs nothing registered: Datasette's own SQLite answers a MATCH on it.
        "index_two_chars": "/check.json?" + _q(sql="select rowid from versions_bigrams where versions_bigrams match '\"复议\"'"),
        "index_nonsense": "/check.json?" + _q(sql="select rowid from versions_bigrams where versions_bigrams match '\"量子\" AND \"纠缠\"'"),
    })  # fmt: skip
    assert all(page.status_code == 200 for page in pages.values()), {
        k: (p.status_code, p.text[:200]) for k, p in pages.items() if p.status_code != 200
    }
    ran = {name for name in pages if name in queries} | {"reports_of_an_agency", "search_reports"}
    assert ran == set(queries), "every canned query is run here"
    data = {name: page.json() for name, page in pages.items() if name not in ("html", "tables")}
    tables = {t["name"] for t in pages["tables"].json()["tables"]}
    assert {"captures", "versions", "documents", "bodies", "urls"} <= tables
    assert "Every fetch, whatever its outcome" in pages["html"].text  # the description, under check.db too
    assert [row["reason"] for row in data["captures"]] == ["WAF"]
    assert [(r["agency"], r["report_year"], r["versions"]) for r in data["silent_edits"]] == [("青禾县司法局", 2023, 2)]
    assert data["removed_reports"] == []
    # A 304 confirmed a page: it is not a fetch that failed.
    assert [(r["outcome"], r["captures"]) for r in data["blocked_or_failed_fetches"]] == [("blocked", 1)]
    assert data["agencies_missing_a_year"] == [{"agency": "址山镇人民政府", "level": "township", "missing_years": "2022"}]
    assert [(r["agency"], r["report_year"]) for r in data["agency_all_years"]] == [
        ("址山镇人民政府", 2021), ("址山镇人民政府", 2023)]  # fmt: skip
    assert [(r["agency"], r["report_year"]) for r in data["agency_one_year"]] == [("青禾县司法局", 2022)]
    # Two characters (below what trigrams index) and a phrase find the same report; nonsense finds nothing.
    assert [(r["agency"], r["report_year"]) for r in data["search_two_chars"]] == [("青禾县司法局", 2023)]
    assert [r["version_id"] for r in data["search_phrase"]] == [r["version_id"] for r in data["search_two_chars"]]
    assert "复议" in data["search_phrase"][0]["context"]
    assert data["search_nothing"] == []
    # Both versions of the edited report hold 复议 (any version, not only the current one); nonsense: none.
    assert sorted(r["rowid"] for r in data["index_two_chars"]) == [1, 2]
    assert data["index_nonsense"] == []


def test_an_archive_without_its_search_index_still_serves_every_query(tmp_path, check_db):
    """An archive whose index was dropped: the search query matches by LIKE, every page works."""
    db = tmp_path / "old.db"
    shutil.copy(check_db, db)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE versions_bigrams")
    conn.commit()
    conn.close()
    from datasette.app import Datasette

    meta = metadata_for(db, has_index=False)

    async def fetch(path: str):
        return await Datasette(immutables=[str(db)], metadata=meta).client.get(path)

    for q in ("复议", "行政复议"):
        page = asyncio.run(fetch("/old/search_reports.json?" + _q(q=q)))
        assert page.status_code == 200 and [r["report_year"] for r in page.json()] == [2023], page.text[:300]
    assert asyncio.run(fetch("/old/versions.json?" + _q())).status_code == 200


@pytest.mark.slow
def test_fazhi_datasette_serves_on_loopback_and_stops_with_its_server(tmp_path, check_db):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "fazhi.cli", "datasette", "--db", str(check_db), "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # readiness: until the port accepts
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/check/reports_of_an_agency.json?" + _q(agency="青禾", year="2023")
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            rows = json.loads(response.read())
        assert [(r["agency"], r["versions"]) for r in rows] == [("青禾县司法局", 2)]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # Datasette went with it: nothing listens any more
