"""Archive.ingest_many: a batch of captures in one transaction — all of it or none of it.

A writer that batches (one commit and one WARC sync per batch) must keep what a capture-at-a-time
writer promised: a failed batch leaves no row and no WARC record, a process killed mid-batch loses
that batch and nothing before it, and every committed capture's record is whole and where its row
says. The kill test SIGKILLs a real writer process at a point it does not choose.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

from archive import Archive
from archive.check import check_archive
from archive.errors import ArchiveFull
from archive.warc import scan_warc_file, warc_dir_for

ROOT = Path(__file__).resolve().parents[1]


def _reports(n: int, start: int = 0) -> list:
    out = []
    for i in range(start, start + n):
        agency = f"青禾县第{i}司法所" if i % 2 else f"址山镇{i}人民政府"
        text = (QINGHE_2023 if i % 2 else ZHISHAN_2022).replace("2023年", f"{2000 + i % 24}年") + f"\n附：第{i}号"
        out.append(make_report(text, agency=agency, year=2000 + i % 24, url=f"http://127.0.0.1:8000/b/{i}.html"))
    return out


def _warc_bytes(db: Path) -> int:
    folder = warc_dir_for(db)
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def test_a_batch_is_recorded_as_its_captures_would_be_one_by_one(tmp_path):
    reports = _reports(6)
    pairs = [(make_capture(r), r) for r in reports]
    pairs.append((make_capture(reports[0], fetched_at="2024-05-01T00:00:00Z"), reports[0]))  # seen again
    pairs.append((make_capture(None, outcome="blocked", status=412, error="WAF", body=b"$_ts"), None))
    with Archive(tmp_path / "one.db") as one, Archive(tmp_path / "many.db") as many:
        singly = [one.ingest(c, r) for c, r in pairs]
        batched = many.ingest_many(pairs)
        assert [(r.document_id, r.version_id, r.status) for r in batched] == [
            (r.document_id, r.version_id, r.status) for r in singly]  # fmt: skip
        assert batched[6].status == "seen_again" and batched[6].version_id == batched[0].version_id
        assert many.stats() == one.stats()
        assert [many.body(r.capture_id) for r in batched] == [c.body for c, _ in pairs]
    for db in ("one.db", "many.db"):
        assert check_archive(tmp_path / db) == []


def test_a_batch_that_cannot_be_written_leaves_nothing(tmp_path):
    db = tmp_path / "archive.db"
    first, rest = _reports(1), _reports(5, start=1)
    with Archive(db) as arc:
        arc.ingest(make_capture(first[0]), first[0])
        captures, warcs = arc.stats()["captures"], _warc_bytes(db)
        pages = arc.db.execute("PRAGMA page_count").fetchone()[0]
        arc.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # full part-way through the batch
        big = [(make_capture(r, body=r.text.encode() * 40), r) for r in rest]
        written = []
        write = arc.warc.write
        arc.warc.write = lambda *args: written.append(write(*args)) or written[-1]  # counts, then writes
        with pytest.raises(ArchiveFull):
            arc.ingest_many(big)
        assert len(written) >= 2  # records of the batch were on disk when the database filled up
        assert arc.stats()["captures"] == captures
        assert _warc_bytes(db) == warcs  # every record of the batch cut back off
        arc.db.execute("PRAGMA max_page_count = 1073741823")
        assert [r.status for r in arc.ingest_many(big)] == ["new_version"] * 5  # ids it had cached are gone
    assert check_archive(db) == []


def test_an_empty_batch_is_nothing(tmp_path):
    with Archive(tmp_path / "archive.db") as arc:
        assert arc.ingest_many([]) == []
        assert arc.stats()["captures"] == 0


_WRITER = """
import sys
sys.path.insert(0, {tests!r})
from test_archive_batches import _reports
from test_archive_fixtures import make_capture
from archive import Archive
arc = Archive({db!r})
for batch in range(1000):
    reports = _reports(5, start=batch * 5)
    arc.ingest_many([(make_capture(r, body=r.text.encode() * 20), r) for r in reports])
    print(batch, flush=True)
"""


def test_a_writer_killed_mid_batch_loses_only_that_batch(tmp_path):
    db = tmp_path / "archive.db"
    code = _WRITER.format(tests=str(Path(__file__).parent), db=str(db))
    writer = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    for line in writer.stdout:  # killed while it writes its next batches, wherever it is in them
        if int(line) == 7:
            writer.send_signal(signal.SIGKILL)
            break
    writer.stdout.close()
    writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL, "the writer finished before it could be killed"
    conn = sqlite3.connect(db)
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    conn.close()
    assert captures >= 40 and captures % 5 == 0  # whole batches: the eight reported and perhaps more
    with Archive(db):  # the next writer cuts a record the killed one left half-written
        pass
    for file in warc_dir_for(db).iterdir():
        assert scan_warc_file(file).torn_at is None
    assert check_archive(db) == []  # every committed capture's record is whole, where its row says
