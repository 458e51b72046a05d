"""The archive's writer thread (crawler/archive_writer.py) on a real archive: group commits, and failures kept to their item.

Items are written from many coroutines at once, as a crawl's pipeline does; the writer thread takes
what queued while it was busy as one transaction where the archive batches (``Archive.ingest_many``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from archive import Archive
from archive.capture import Capture
from archive.errors import ArchiveWriteError
from crawler.archive_writer import ArchiveWriter

BATCHES = hasattr(Archive, "ingest_many")


def capture(n: int, url: str | None = None) -> Capture:
    return Capture(
        url=url if url is not None else f"http://127.0.0.1:8000/qinghe/zwgk/fzzfjs/index_{n}.html",
        fetched_at=f"2025-04-01T08:00:{n % 60:02d}Z", status=200, outcome="ok",
        body=f"<html><body>list page {n}</body></html>".encode(), content_type="text/html; charset=utf-8",
        kind="listing",
    )  # fmt: skip


def urls(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [u for (u,) in conn.execute("SELECT url FROM capture_records ORDER BY id")]
    finally:
        conn.close()


def write_all(writer: ArchiveWriter, items: list[list[Capture]]) -> list[object]:
    async def run() -> list[object]:
        return await asyncio.gather(*(writer.write([(c, None) for c in item]) for item in items), return_exceptions=True)

    return asyncio.run(run())


def test_concurrent_items_are_all_committed_each_with_its_own_results(tmp_path):
    db = tmp_path / "a.db"
    writer = ArchiveWriter(str(db), batch_seconds=0.2)
    writer.open()
    try:
        items = [[capture(n)] for n in range(30)] + [[capture(100), capture(101)]]  # one item of two pages
        results = write_all(writer, items)
    finally:
        writer.close()
    assert not [r for r in results if isinstance(r, BaseException)]
    assert [len(r) for r in results] == [1] * 30 + [2]  # type: ignore[arg-type]
    ids = [res.capture_id for r in results for res in r]  # type: ignore[union-attr]
    assert len(set(ids)) == 32
    assert sorted(urls(db)) == sorted(c.url for item in items for c in item)
    if BATCHES:  # waiting 0.2 s for a batch to fill, 31 items written at once take a few transactions
        assert writer.batches < 31 and writer.largest_batch > 1
    else:
        assert writer.batches == 31


def test_a_capture_the_archive_refuses_fails_its_own_item_only(tmp_path):
    db = tmp_path / "a.db"
    writer = ArchiveWriter(str(db), batch_seconds=0.2)
    writer.open()
    try:
        bad = Capture(url=None, fetched_at="2025-04-01T08:00:00Z", status=200, outcome="ok", body=b"x")  # type: ignore[arg-type]
        results = write_all(writer, [[capture(1)], [bad], [capture(2)]])
    finally:
        writer.close()
    assert isinstance(results[1], ArchiveWriteError)
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    assert sorted(urls(db)) == sorted([capture(1).url, capture(2).url])


def test_an_archive_another_writer_holds_is_refused_at_open(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db):  # this process holds the lock: open it from a second process
        import subprocess
        import sys

        probe = (
            "import sys; from crawler.archive_writer import ArchiveWriter\n"
            "from archive.errors import ArchiveLocked\n"
            "w = ArchiveWriter(sys.argv[1])\n"
            "try:\n    w.open()\nexcept ArchiveLocked as e:\n    print('locked:', e)\n"
        )
        out = subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("locked:"), out.stdout + out.stderr


def test_close_writes_what_is_queued_and_a_closed_writer_refuses(tmp_path):
    db = tmp_path / "a.db"
    writer = ArchiveWriter(str(db), batch_seconds=5.0)  # would wait 5 s for a batch: close does not

    async def run() -> None:
        pending = writer.submit([(capture(7), None)])  # queued now; the thread waits for a batch to fill
        await asyncio.get_running_loop().run_in_executor(None, writer.close)
        assert len(await pending) == 1
        with pytest.raises(RuntimeError):
            await writer.write([(capture(8), None)])

    writer.open()
    asyncio.run(run())
    assert urls(db) == [capture(7).url]
