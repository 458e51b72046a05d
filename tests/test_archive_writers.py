"""Writing the archive when something else is writing it, or the disk is full: nothing half-written, nothing lost silently.

One writer holds ``archive.db.lock``; another process refuses at once (or waits, bounded); SQLite
busy past the timeout and a full disk raise ``ArchiveWriteError`` with one line and leave the
database and the WARC files as they were, so a re-run completes the archive.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

from archive import Archive
from archive.check import check_archive
from archive.errors import ArchiveBusy, ArchiveFull, ArchiveLocked, ArchiveWriteError
from archive.lock import lock_path_for
from archive.warc import WarcStore, scan_warc_file, warc_dir_for

ROOT = Path(__file__).resolve().parents[1]
ZHISHAN_URL = "http://127.0.0.1:8000/zhishan/art/2023/3/1/art_1_88.html"


def _other_writer(db: Path, wait: float = 0.0) -> subprocess.Popen:
    """Another process opening the archive as a writer: prints 'trying', then 'got' or the refusal."""
    code = (
        "import sys\nfrom archive import Archive\nfrom archive.errors import ArchiveLocked\n"
        "print('trying', flush=True)\n"
        f"try:\n    Archive({str(db)!r}, lock_wait={wait})\nexcept ArchiveLocked as exc:\n"
        "    print(exc, file=sys.stderr)\n    sys.exit(3)\nprint('got', flush=True)\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _warc_bytes(db: Path) -> dict[str, int]:
    folder = warc_dir_for(db)
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def test_a_second_writer_process_refuses_with_one_line_naming_the_first(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db):
        other = _other_writer(db)
        out, err = other.communicate(timeout=60)
    assert other.returncode == 3, out + err
    assert "got" not in out
    (line,) = err.strip().splitlines()
    assert f"archive {db} is being written by pid {os.getpid()}" in line
    assert "ARCHIVE_LOCK_WAIT" in line
    assert lock_path_for(db) == tmp_path / "archive.db.lock"


def test_a_waiting_writer_gets_the_lock_when_the_first_closes(tmp_path):
    db = tmp_path / "archive.db"
    arc = Archive(db)
    other = _other_writer(db, wait=120)
    assert other.stdout is not None
    assert other.stdout.readline().strip() == "trying"
    assert other.poll() is None, "the other writer finished while this one held the lock"
    report = make_report()
    arc.ingest(make_capture(report), report)  # still ours to write
    arc.close()
    out, err = other.communicate(timeout=120)
    assert (other.returncode, out.strip()) == (0, "got"), err


def test_the_lock_is_shared_within_a_process_and_dropped_at_close(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db) as first, Archive(db) as second:  # the pipeline's archive and the removal marking
        report = make_report()
        first.ingest(make_capture(report), report)
        second.ingest(make_capture(report, fetched_at="2024-05-01T00:00:00Z"), report)
    other = _other_writer(db)
    out, err = other.communicate(timeout=60)
    assert (other.returncode, out.split()) == (0, ["trying", "got"]), err


def test_a_database_busy_past_the_timeout_raises_and_writes_nothing(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db, busy_timeout=0.2) as arc:
        arc.ingest(make_capture(report), report)
        warcs = _warc_bytes(db)
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another connection's write transaction, held
        edited = make_report(QINGHE_2023.replace("审结74件", "审结75件"))
        with pytest.raises(ArchiveBusy) as caught:
            arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        assert len(str(caught.value).splitlines()) == 1 and str(db) in str(caught.value)
        assert _warc_bytes(db) == warcs, "the WARC record of the capture that was not recorded is still there"
        blocker.execute("ROLLBACK")
        blocker.close()
        assert arc.db.execute("SELECT count(*) FROM captures").fetchone()[0] == 1
        again = arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        assert again.status == "new_version"
    assert check_archive(db) == []


def test_a_reader_in_a_long_transaction_does_not_block_the_writer(tmp_path):
    """WAL: `fazhi check` or a report build reading for minutes never makes the crawl's writes fail."""
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db, busy_timeout=0.2) as arc:
        arc.ingest(make_capture(report), report)
        reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM captures").fetchone() == (1,)
        other = make_report(ZHISHAN_2022, agency="址山镇人民政府", year=2022, url=ZHISHAN_URL)
        assert arc.ingest(make_capture(other), other).status == "new_version"
        assert reader.execute("SELECT count(*) FROM captures").fetchone() == (1,)  # its snapshot
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM captures").fetchone() == (2,)
        reader.close()
        assert arc.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_full_database_raises_archive_full_and_cuts_the_warc_record_back(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
        pages = arc.db.execute("PRAGMA page_count").fetchone()[0]
        arc.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, as on a full disk
        warcs = _warc_bytes(db)
        other = make_report(ZHISHAN_2022 * 40, agency="址山镇人民政府", year=2022, url=ZHISHAN_URL)
        with pytest.raises(ArchiveFull, match="database is full"):
            arc.ingest(make_capture(other), other)
        assert _warc_bytes(db) == warcs
        assert check_archive(db) == []
        arc.db.execute("PRAGMA max_page_count = 1073741823")  # space again: the re-run records it
        assert arc.ingest(make_capture(other), other).status == "new_version"
    assert check_archive(db) == []


class _DiskFillsUp(WarcStore):
    """A WARC store on a disk with ``room`` bytes left: writes what fits, then ENOSPC, as write(2) does."""

    def __init__(self, db_path: Path, room: int) -> None:
        super().__init__(db_path)
        self.room = room

    def _write_some(self, data: memoryview) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = super()._write_some(data[: self.room])
        self.room -= written
        return written


def test_a_warc_file_that_fills_the_disk_keeps_only_whole_records(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    other = make_report(ZHISHAN_2022, agency="址山镇人民政府", year=2022, url=ZHISHAN_URL)
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
        arc.warc.close()
        arc.warc = _DiskFillsUp(db, room=150)  # less than a record: the write stops part-way
        with pytest.raises(ArchiveFull, match=r"no space to write .*\.warc\.gz"):
            arc.ingest(make_capture(other), other)
        assert arc.db.execute("SELECT count(*) FROM captures").fetchone()[0] == 1
        for file in warc_dir_for(db).iterdir():
            assert scan_warc_file(file).torn_at is None
        assert check_archive(db) == []
        arc.warc.room = 1 << 20  # space freed: the same capture goes in whole
        assert arc.ingest(make_capture(other), other).status == "new_version"
    assert check_archive(db) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs, really full when written past that (needs root to mount)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_warc_files_on_a_full_tmpfs_keep_only_whole_records(tmp_path, tiny_disk):
    db = tmp_path / "archive.db"
    warc_dir_for(db).symlink_to(tiny_disk, target_is_directory=True)  # the WARCs on the small disk
    recorded = []
    with Archive(db) as arc:
        with pytest.raises(ArchiveFull, match="No space left on device"):
            for n in range(200):
                url = f"http://127.0.0.1:8000/qinghe/zwgk/fzzfjs/202403/t20240315_{n}.html"
                page = make_report(QINGHE_2023 + f"\n附：第{n}号", year=2000 + n % 24, url=url)
                capture = make_capture(page, body=os.urandom(4096) + page.text.encode())  # incompressible
                recorded.append(arc.ingest(capture, page).capture_id)
        assert 0 < len(recorded) < 200
        assert arc.db.execute("SELECT count(*) FROM captures").fetchone()[0] == len(recorded)
    assert check_archive(db) == []


def test_check_names_the_warc_file_with_a_torn_record_and_the_next_writer_cuts_it(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
        arc.ingest(make_capture(report, fetched_at="2024-05-01T00:00:00Z"), report)
    (warc,) = warc_dir_for(db).iterdir()
    whole = warc.read_bytes()
    with warc.open("ab") as fh:  # a writer killed half-way through its next record
        fh.write(whole[: len(whole) // 2])
    problems = check_archive(db)
    assert len(problems) == 1
    assert problems[0].startswith(f"WARC file {warc}: torn record at offset {len(whole)}")
    with Archive(db):  # the next writer, holding the lock, cuts what no capture refers to
        pass
    assert warc.read_bytes() == whole
    assert check_archive(db) == []


def test_check_names_the_warc_file_cut_inside_an_indexed_record(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    edited = make_report(QINGHE_2023.replace("审结74件", "审结75件"))
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
        last = arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        offset = arc.db.execute("SELECT warc_offset FROM captures WHERE id = ?", [last.capture_id]).fetchone()[0]
    (warc,) = warc_dir_for(db).iterdir()
    os.truncate(warc, warc.stat().st_size - 7)  # a copy that stopped early
    problems = check_archive(db)
    assert any(p.startswith(f"WARC file {warc}: torn record at offset {offset}") for p in problems), problems
    assert any(p.startswith(f"capture {last.capture_id}: WARC {warc.name}@{offset}") for p in problems), problems


def test_write_errors_are_one_line_archive_write_errors():
    assert issubclass(ArchiveLocked, ArchiveWriteError) and issubclass(ArchiveFull, ArchiveWriteError)
    assert str(ArchiveWriteError("a\nb  c")) == "a b c"


def test_an_archive_at_rest_is_one_plain_file(tmp_path):
    """After the writer closes: no lock file, no WAL; a read-only reader then leaves nothing beside it."""
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db, warc=False) as arc:
        arc.ingest(make_capture(report), report)
        assert arc.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert lock_path_for(db).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db"]
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert reader.execute("SELECT count(*) FROM versions").fetchone() == (1,)
    assert reader.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db"]
