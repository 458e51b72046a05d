"""Reads are reads: every reading command leaves the file it is pointed at byte-identical.

A foreign SQLite database, an empty file and a text file are refused with one sentence naming what
they are; a real archive is read without a byte changing (no migration, no index built, no journal).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import Ran, run_fazhi

ROOT = Path(__file__).resolve().parents[1]


def fazhi(*argv: str, cwd: Path) -> Ran:
    return run_fazhi(*argv, cwd=cwd)


def read_commands(db: Path, out: Path) -> list[list[str]]:
    return [
        ["stats", "--db", str(db)],
        ["stats", "--db", str(db), "--format", "json"],
        ["search", "行政复议", "--db", str(db)],
        ["search", "复议", "--db", str(db), "--agency", "青禾", "--year", "2023"],
        ["export", "--db", str(db), "--format", "jsonl", "--out", str(out / "reports.jsonl")],
        ["export", "--db", str(db), "--format", "csv", "--out", "-", "--all-versions"],
        ["export", "--db", str(db), "--format", "parquet", "--out", str(out / "reports.parquet")],
        ["report", "--db", str(db), "--out", str(out / "site")],
        ["check", "--db", str(db)],
        ["diff", "1", "2", "--db", str(db)],
        ["datasette", "--db", str(db), "--metadata"],
    ]


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file in the folder (the database, and any journal or WARC file beside it)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _foreign(folder: Path) -> Path:
    db = folder / "birds.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE birds (name TEXT, seen TEXT)")
    conn.executemany("INSERT INTO birds VALUES (?, ?)", [("crane", "2024-04-01"), ("egret", "2024-05-02")])
    conn.commit()
    conn.close()
    return db


def _empty(folder: Path) -> Path:
    db = folder / "empty.db"
    db.write_bytes(b"")
    return db


def _text(folder: Path) -> Path:
    db = folder / "notes.db"
    db.write_text("法治政府建设 notes, not a database\n", encoding="utf-8")
    return db


# The files that are not archives, and what refusing each says (also for the writers: test_writers_refuse).
NOT_ARCHIVES = pytest.mark.parametrize(
    ("make", "says"),
    [(_foreign, "an SQLite database with 1 table(s) of its own (birds), not a fazhi archive"),
     (_empty, "is an empty file (0 bytes), not a fazhi archive"),
     (_text, "is not an SQLite database but a text file of")],
    ids=["foreign-sqlite", "zero-bytes", "text-file"],
)  # fmt: skip


@NOT_ARCHIVES
def test_a_file_that_is_not_an_archive_is_refused_and_untouched(tmp_path, make, says):
    home = tmp_path / "home"
    home.mkdir()
    db = make(home)
    before = snapshot(home)
    out = tmp_path / "out"
    out.mkdir()
    for argv in [*read_commands(db, out), ["migrate", "--db", str(db)]]:
        done = fazhi(*argv, cwd=tmp_path)
        assert done.returncode == 1, (argv, done.stdout, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert says in line, (argv, line)
        assert snapshot(home) == before, argv  # byte-identical, and no journal or WAL file beside it
    assert list(out.iterdir()) == [], "a refused read wrote no output"


def test_reading_an_archive_changes_no_byte_of_it(tmp_path, small_archive):
    home = tmp_path / "home"
    shutil.copytree(small_archive.parent, home)
    db = home / small_archive.name
    before = snapshot(home)
    out = tmp_path / "out"
    out.mkdir()
    for argv in read_commands(db, out):
        done = fazhi(*argv, cwd=tmp_path)
        assert done.returncode == 0, (argv, done.stderr)
        assert "Traceback" not in done.stderr
        assert snapshot(home) == before, argv
    assert (out / "reports.jsonl").read_text(encoding="utf-8").count("\n") == 4
    assert (out / "site" / "index.html").is_file()


def test_search_without_a_current_index_scans_and_still_writes_nothing(tmp_path, small_archive):
    """An archive whose index is missing (dropped by hand) is searched by a scan, with the same answers."""
    from archive.search import search, search_with_total

    db = tmp_path / "archive.db"
    shutil.copy(small_archive, db)
    indexed = {h["version_id"] for h in search(db, "行政复议")}
    short = {h["version_id"] for h in search(db, "复议")}
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE versions_bigrams")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    assert {h["version_id"] for h in search(db, "行政复议")} == indexed and indexed
    assert {h["version_id"] for h in search(db, "复议")} == short
    hits, total = search_with_total(db, "法治", limit=1)
    assert len(hits) == 1 and total == 4
    assert db.read_bytes() == before


def test_an_archive_of_an_older_schema_is_read_only_after_migrate(tmp_path):
    """Reading never migrates: it names the command that does."""
    fixture = ROOT / "tests" / "fixtures" / "archive" / "schema1.sql"
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(fixture.read_text(encoding="utf-8"))
    conn.close()
    before = db.read_bytes()
    done = fazhi("stats", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 1 and "fazhi migrate --db" in done.stderr and "older" in done.stderr
    assert db.read_bytes() == before
    assert fazhi("migrate", "--db", str(db), cwd=tmp_path).returncode == 0
    assert fazhi("stats", "--db", str(db), cwd=tmp_path).returncode == 0
