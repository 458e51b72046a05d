"""An archive written by schema 1 (every capture row carrying its URL, hex sha256, headers and
portal as text) is migrated to schema 2 whole: same captures, same bodies, same headers, nothing
lost, and a failed migration leaves the old archive untouched. Schema 3 adds which URL carries
which version (``version_urls``) and each document's current version.

tests/fixtures/archive/schema1.sql is the ``.dump`` of a small archive made by the schema-1 code:
an ok capture and its unchanged recapture (same body, new Date header), a 304, an attachment, a
blocked page behind a redirect, a report edited between two captures, and a failed fetch.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from test_archive_fixtures import make_capture, make_report

from archive import Archive, interned
from archive.check import check_archive
from archive.errors import ArchiveWriteError
from archive.schema import SCHEMA_VERSION
from archive.versions import version_report

DUMP = Path(__file__).parent / "fixtures" / "archive" / "schema1.sql"
FLAT = ("id", "url", "final_url", "fetched_at", "status", "outcome", "reason", "content_type", "headers",
        "sha256", "body_size", "portal", "parent_url", "warc_file", "warc_offset")  # fmt: skip


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    conn = sqlite3.connect(path)
    conn.executescript(DUMP.read_text(encoding="utf-8"))
    conn.close()
    return path


def _schema1_captures(path: Path) -> tuple[list[dict], dict[str, bytes]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM captures ORDER BY id")]
    conn.close()
    bodies = {r["sha256"]: zlib.decompress(r["body"]) for r in rows if r["body"] is not None}
    for r in rows:
        r["headers"] = json.loads(r["headers"]) if r["headers"] else None
    return [{k: r[k] for k in FLAT} for r in rows], bodies


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("documents", "versions", "attachments", "agencies", "document_urls", "captures")
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_schema_1_archive_is_migrated_whole(old_db):
    before, bodies = _schema1_captures(old_db)
    counts = _counts(sqlite3.connect(old_db))
    assert check_archive(old_db) == [
        f"archive schema 1 is not this code's {SCHEMA_VERSION}: `fazhi migrate --db {old_db}` upgrades it"
    ]
    with Archive(old_db, warc=False) as arc:
        after = [dict(zip(FLAT, row, strict=True)) for row in arc.db.execute(
            f"SELECT {', '.join(FLAT)} FROM capture_records ORDER BY id")]  # fmt: skip
        for row in after:
            row["headers"] = json.loads(row["headers"]) if row["headers"] else None
        assert after == before
        for row in before:
            expected = bodies.get(row["sha256"], b"")
            assert arc.body(row["id"]) == expected and len(expected) == row["body_size"]
        assert _counts(arc.db.conn) == counts
        # The unchanged recapture now shares the body and the header set; only Date differs.
        shared = arc.db.execute(
            "SELECT body_id, headers_id, headers_varying FROM captures WHERE id IN (1, 2)"
        ).fetchall()
        assert shared[0][:2] == shared[1][:2] and shared[0][2] != shared[1][2]
        assert (
            arc.db.execute("SELECT count(*) FROM bodies").fetchone()[0] == len(bodies) + 1
        )  # + the empty body
        assert arc.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert check_archive(old_db) == []
    versions = [
        v for (v,) in sqlite3.connect(old_db).execute("SELECT version FROM schema_version ORDER BY version")
    ]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_section_texts_survive_as_spans(old_db):
    conn = sqlite3.connect(old_db)
    before = {vid: json.loads(data) for vid, data in conn.execute("SELECT id, report FROM versions")}
    conn.close()
    with Archive(old_db, warc=False):
        pass
    for vid, data in before.items():
        report = version_report(old_db, vid)
        assert [s["text"] for s in data["sections"]] == [s.text for s in report.sections]
        stored = json.loads(
            sqlite3.connect(old_db).execute("SELECT report FROM versions WHERE id = ?", [vid]).fetchone()[0]
        )
        assert all("span" in s and "text" not in s for s in stored["sections"])
        assert {k: v for k, v in stored.items() if k != "sections"} == {
            k: v for k, v in data.items() if k != "sections"
        }


def test_a_migrated_archive_goes_on_deduplicating(old_db):
    report = make_report()
    with Archive(old_db, warc=False) as arc:
        stored = arc.db.execute("SELECT count(*) FROM bodies").fetchone()[0]
        again = arc.ingest(make_capture(report, fetched_at="2024-07-01T08:00:00Z"), report)
        assert again.status == "seen_again"
        assert arc.db.execute("SELECT count(*) FROM bodies").fetchone()[0] == stored


def test_a_failed_migration_leaves_the_old_archive_as_it_was(old_db, monkeypatch):
    dump_before = "\n".join(sqlite3.connect(old_db).iterdump())
    calls = []

    def failing_url_id(db, url):
        calls.append(url)
        if len(calls) == 5:
            raise OSError("disk full")
        return original(db, url)

    original = interned.url_id
    monkeypatch.setattr(interned, "url_id", failing_url_id)
    with pytest.raises(ArchiveWriteError, match="disk full"):
        Archive(old_db, warc=False)
    assert "\n".join(sqlite3.connect(old_db).iterdump()) == dump_before


def test_fazhi_migrate_reports_the_upgrade(old_db):
    def migrate() -> str:
        done = subprocess.run([sys.executable, "-m", "fazhi.cli", "migrate", "--db", str(old_db)],
                              capture_output=True, text=True, check=True)  # fmt: skip
        return done.stdout.strip()

    assert migrate() == f"{old_db}: schema 1 → {SCHEMA_VERSION}"
    assert migrate() == f"{old_db}: already at schema {SCHEMA_VERSION}"
