"""An archive written by schema 1 (every capture row carrying its URL, hex sha256, headers and
portal as text) is migrated to schema 2 whole: same captures, same bodies, same headers, nothing
lost, and a failed migration leaves the old archive untouched. Schema 3 adds which URL carries
which version (``version_urls``) and each document's current version; schema 5 (from a schema-4
fixture with its WARC files, below) finds bodies in their WARC records, keeps the normalised text
only where it is not the NFKC of the text, packs the stored Report and rebuilds the search index.

tests/fixtures/archive/schema1.sql is the ``.dump`` of a small archive made by the schema-1 code:
an ok capture and its unchanged recapture (same body, new Date header), a 304, an attachment, a
blocked page behind a redirect, a report edited between two captures, and a failed fetch.
"""

from __future__ import annotations

import hashlib
import json
import shutil
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
from archive.search import search
from archive.versions import normalized_text, version_report
from archive.warc import warc_dir_for

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
        assert [(s["marker"], s["title"], s["level"], s["part"]) for s in data["sections"]] == [
            (s.marker, s.title, s.level, s.part) for s in report.sections]  # fmt: skip
        stored = json.loads(
            sqlite3.connect(old_db).execute("SELECT report FROM versions WHERE id = ?", [vid]).fetchone()[0]
        )
        # Each section a short list of offsets into the text (schema 4): no copy of its text or title.
        assert all(isinstance(s, list) and data_s["text"] not in s
                   for s, data_s in zip(stored["sections"], data["sections"], strict=True))  # fmt: skip
        assert {k: v for k, v in stored.items() if k != "sections"} == {
            k: v for k, v in data.items() if k != "sections"
        }
        assert {k: getattr(report, k) for k in data if k not in ("sections", "attachments")} == {
            k: v for k, v in data.items() if k not in ("sections", "attachments")}  # fmt: skip


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


# --- schema 4 → 5 ---------------------------------------------------------------------------
# tests/fixtures/archive/schema4.sql (+ schema4.warcs/, its WARC files) is the dump of an archive the
# schema-4 code wrote: conftest's small archive (an edited report, a 304, a WAF block, three other
# reports), a re-post in traditional characters and a report whose normalised text is its text.
DUMP4 = Path(__file__).parent / "fixtures" / "archive" / "schema4.sql"


@pytest.fixture
def schema4_db(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    conn = sqlite3.connect(path)
    conn.executescript(DUMP4.read_text(encoding="utf-8"))
    conn.close()
    shutil.copytree(DUMP4.with_suffix(".warcs"), warc_dir_for(path))
    return path


def _schema4_versions(path: Path) -> dict[int, tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, document_id, title, text, coalesce(text_normalized, text), fingerprint, first_seen, last_seen, "
        "seen_count, report FROM versions ORDER BY id"
    ).fetchall()
    conn.close()
    return {r[0]: r[1:] for r in rows}


def test_a_schema_4_archive_is_migrated_to_5(schema4_db):
    before = _schema4_versions(schema4_db)
    conn = sqlite3.connect(schema4_db)
    captures = conn.execute("SELECT id, sha256, body_size, headers, kind FROM capture_records ORDER BY id").fetchall()
    conn.close()
    with Archive(schema4_db) as arc:
        bodies = {row[0]: arc.body(row[0]) for row in captures}
        after = arc.db.execute(
            "SELECT id, document_id, title, text, text_normalized, fingerprint, first_seen, last_seen, seen_count "
            "FROM versions ORDER BY id"
        ).fetchall()
        flat = arc.db.execute("SELECT id, sha256, body_size, headers, kind FROM capture_records ORDER BY id").fetchall()
        located = arc.db.execute("SELECT count(*) FROM bodies WHERE warc_offset IS NOT NULL").fetchone()[0]

    assert [tuple(r) for r in flat] == captures
    assert all(hashlib.sha256(bodies[c[0]]).hexdigest() == c[1] and len(bodies[c[0]]) == c[2] for c in captures)
    # Every body a response brought is found in its WARC record now (all but the 304's empty one).
    assert located == 8
    assert [r[0] for r in after] == list(before)
    stored = {}
    for vid, document_id, title, text, text_normalized, print_, first, last, count in after:
        old = before[vid]
        assert (document_id, title, text, print_, first, last, count) == (*old[:3], *old[4:8])
        assert normalized_text(text, text_normalized) == old[3]  # the same normalised text, however kept
        stored[vid] = text_normalized
        report = version_report(schema4_db, vid)
        kept = json.loads(old[8])
        assert [(s["marker"], s["title"], s["level"], s["part"]) for s in kept["sections"]] == [
            (s.marker, s.title, s.level, s.part) for s in report.sections]  # fmt: skip
        assert report.text == text and report.title == kept["title"]
    # Kept only where it is not the NFKC form: the re-post in traditional characters.
    assert [vid for vid, value in stored.items() if value is not None] == [6]
    assert check_archive(schema4_db) == []
    # The index holds every migrated version: the edited report's two and the re-post (now current).
    for query in ("行政复议", "复议", "行政復議"):  # a traditional query is normalised like the text
        assert {h["version_id"] for h in search(schema4_db, query, all_versions=True)} == {1, 2, 6}, query
        assert {h["version_id"] for h in search(schema4_db, query)} == {6}, query
    versions = [v for (v,) in sqlite3.connect(schema4_db).execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [4, 5]


def test_a_failed_migration_to_5_leaves_the_schema_4_archive_as_it_was(schema4_db, monkeypatch):
    from archive import bigrams

    dump_before = "\n".join(sqlite3.connect(schema4_db).iterdump())
    calls = []

    def failing_index(*args):
        calls.append(args)
        if len(calls) == 4:
            raise OSError("disk full")
        return original(*args)

    original = bigrams.index_version
    monkeypatch.setattr(bigrams, "index_version", failing_index)
    with pytest.raises(ArchiveWriteError, match="disk full"):
        Archive(schema4_db)
    assert "\n".join(sqlite3.connect(schema4_db).iterdump()) == dump_before
