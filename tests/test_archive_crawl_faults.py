"""Real crawls meeting ordinary machine faults: a second crawl into the same archive, a full disk.

Each crawl is the real ``scrapy crawl`` in its own process against the sample portal on a free
loopback port. What must hold: no item is dropped while the crawl exits 0 — a crawl that could not
record everything exits non-zero and says so; the archive is consistent (``fazhi check``); and a
re-run completes it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)


def _start(portal, db: Path, log: Path, *settings: str) -> subprocess.Popen:
    command = crawl_command(
        portal.start_urls, db, "-s", f"LOG_FILE={log}", "-s", f"FAZHI_STATS_FILE={log.with_suffix('.json')}", *settings
    )
    return subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(crawl: subprocess.Popen) -> tuple[int, str]:
    _, err = crawl.communicate(timeout=300)
    return crawl.returncode, err


def _stats(log: Path) -> dict:
    path = log.with_suffix(".json")
    return json.loads(path.read_text()) if path.exists() else {}


def _recorded(stats: dict) -> int:
    """Captures the crawl says it recorded (every recorded capture counts one outcome)."""
    return sum(v for k, v in stats.items() if k.startswith("fazhi/outcome/"))


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("documents", "versions", "captures")}
    finally:
        conn.close()


def _check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fazhi.cli", "check", "--db", str(db)], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("lock_wait", [0, 240], ids=["second-refuses", "second-waits"])
def test_two_crawls_into_one_archive_at_once_lose_nothing(tmp_path, plain, lock_wait):
    db = tmp_path / "archive.db"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    crawls = [_start(plain, db, log, "-s", f"ARCHIVE_LOCK_WAIT={lock_wait}") for log in logs]
    results = [_finish(c) for c in crawls]
    stats = [_stats(log) for log in logs]
    published = len(visible_reports(AS_OF))

    ok = [i for i, (code, _) in enumerate(results) if code == 0]
    refused = [i for i, (code, _) in enumerate(results) if code != 0]
    assert ok, f"no crawl succeeded: {[r[1][-2000:] for r in results]}"
    if lock_wait:
        assert refused == [], [results[i][1][-2000:] for i in refused]
    for i in refused:  # refused before it started, in one line naming the holder
        (line,) = results[i][1].strip().splitlines()
        assert line.startswith(f"archive {db} is being written by pid {crawls[1 - i].pid} since "), line
        log = logs[i].read_text(errors="replace") if logs[i].exists() else ""
        assert "Spider opened" not in log and not stats[i], "the refused crawl started anyway"
    for i in ok:
        assert not stats[i].get("fazhi/unrecorded_items"), stats[i]
        assert stats[i].get("finish_reason") == "finished"
    counts = _counts(db)
    assert counts["documents"] == counts["versions"] == published, "every report archived exactly once"
    assert counts["captures"] == sum(_recorded(stats[i]) for i in ok), "a capture the crawl counted is missing"
    check = _check(db)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: room for part of the crawl only (a whole one needs about 2 MB). Needs root to mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root; tests/test_archive_writers.py injects ENOSPC instead): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_crawl_that_fills_the_disk_exits_nonzero_and_a_rerun_completes_it(tmp_path, plain, small_disk):
    db = small_disk / "archive.db"
    full_log = tmp_path / "full.log"  # logs stay off the full disk
    code, err = _finish(_start(plain, db, full_log))
    stats = _stats(full_log)
    assert code != 0, "a crawl that could not record its captures exited 0"
    assert "not archived" in err, err[-2000:]
    assert stats["finish_reason"] == "archive_failed"
    assert stats["fazhi/unrecorded_items"] >= 1
    assert "No space left on device" in full_log.read_text(errors="replace") or "database is full" in full_log.read_text(errors="replace")
    partial = _counts(db)
    assert partial["captures"] == _recorded(stats), "a capture was counted but is not in the archive, or the reverse"
    assert partial["documents"] < len(visible_reports(AS_OF))
    check = _check(db)
    assert check.returncode == 0, check.stdout + check.stderr  # whole captures, whole WARC records

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)  # space freed
    rerun_log = tmp_path / "rerun.log"
    code, err = _finish(_start(plain, db, rerun_log))
    assert code == 0, err[-2000:] + rerun_log.read_text(errors="replace")[-2000:]
    counts = _counts(db)
    published = len(visible_reports(AS_OF))
    assert counts["documents"] == counts["versions"] == published
    assert counts["captures"] == partial["captures"] + _recorded(_stats(rerun_log))
    check = _check(db)
    assert check.returncode == 0, check.stdout + check.stderr
