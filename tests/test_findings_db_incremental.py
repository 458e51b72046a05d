"""findings.db rebuilt from the last build's file: unchanged agencies' rows copied, the file as a full build's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.findings_db import FindingsDbWriter

COLUMNS = {
    "commitments": ("agency", "report_year", "status", "text", "score"),
    "compliance": ("agency", "kind"),
}


def agency_rows(agency: int, edition: int = 0) -> dict[str, list[dict]]:
    return {
        "commitments": [{"agency": f"局{agency}", "report_year": 2020 + k, "status": "kept", "score": 90.5,
                         "text": f"计划{agency}-{k}-{edition}"} for k in range(agency % 3 + 1)],
        "compliance": [{"agency": f"局{agency}", "kind": "late"}] if agency % 2 else [],
    }  # fmt: skip


def write(
    path: Path, agencies: dict[int, int], previous: Path | None = None, version: str = "v1"
) -> FindingsDbWriter:
    """``agencies``: id → edition (a new edition is a changed agency, its digest with it)."""
    writer = FindingsDbWriter(path, COLUMNS, previous, version)
    for agency, edition in agencies.items():
        writer.add(agency_rows(agency, edition), agency, f"digest-{agency}-{edition}")
    writer.add({"compliance": [{"agency": None, "kind": "unavailable"}]})
    writer.finish()
    return writer


def rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}  # noqa: S608
    finally:
        conn.close()


def test_a_rebuild_copies_unchanged_agencies_and_holds_what_a_full_build_holds(tmp_path: Path) -> None:
    first = tmp_path / "first.db"
    write(first, {1: 0, 2: 0, 3: 0, 4: 0, 5: 0})
    before = first.read_bytes()
    now = {1: 0, 6: 0, 2: 0, 3: 1, 4: 0}  # 3 edited, 5 gone, 6 new (between 1 and 2 in the archive's order)
    again = write(tmp_path / "again.db", now, first)
    write(tmp_path / "full.db", now)
    assert rows(tmp_path / "again.db") == rows(tmp_path / "full.db")
    assert again.copied == 3 and again.written == 2
    assert first.read_bytes() == before  # the last build's file is only read
    found = rows(tmp_path / "again.db")
    assert ("局3", 2020, "kept", "计划3-0-1", 90.5, 3) in found["commitments"]
    assert not any(r[-1] == 5 for r in found["commitments"] + found["compliance"])
    assert found["compliance"][-1] == (None, "unavailable", None)  # rows of no agency: written each build


def test_rows_of_other_code_or_another_file_are_not_copied(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = tmp_path / "first.db"
    write(first, {1: 0, 2: 0})
    assert write(tmp_path / "other-code.db", {1: 0, 2: 0}, first, version="v2").copied == 0
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE findings_build (x)")
    conn.close()
    text = tmp_path / "text.db"
    text.write_text("not a database")
    for previous in (foreign, text, tmp_path / "missing.db"):
        before = previous.read_bytes() if previous.exists() else None
        writer = write(tmp_path / "new.db", {1: 0, 2: 0}, previous)
        assert writer.copied == 0 and writer.written == 2
        assert rows(tmp_path / "new.db") == rows(first)
        assert (previous.read_bytes() if previous.exists() else None) == before
    assert "not a findings.db this program wrote" in caplog.text
