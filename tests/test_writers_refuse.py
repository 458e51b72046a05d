"""Writers write only archives: ``scrapy crawl`` and ``fazhi ingest`` refuse a file that is not one, untouched.

A mistyped ``-s ARCHIVE_DB=`` or ``--db`` naming somebody else's SQLite database, an empty file or a
text file is refused at start with one line and exit 1, before a lock file or a table is written; a
missing file is made a new archive, and an archive of an older schema is migrated, as before.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import run_fazhi
from test_cli_readonly import NOT_ARCHIVES, snapshot

from archive.readonly import open_for_reading
from archive.schema import SCHEMA_VERSION
from crawler.command import crawl_command, crawl_env
from crawler.distributed.local_redis import free_port
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]

def crawl(start: str, db: Path, log: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command([start], db, "-s", f"LOG_FILE={log}", "-s", "DEPTH_LIMIT=1"),
        cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
@NOT_ARCHIVES
def test_a_crawl_into_a_file_that_is_not_an_archive_refuses_at_start(tmp_path, make, says):
    home = tmp_path / "home"
    home.mkdir()
    db = make(home)
    before = snapshot(home)
    # Nobody listens there: a crawl that started would end "every start URL failed", in another line.
    done = crawl(f"http://127.0.0.1:{free_port()}/index.html", db, tmp_path / "log")
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("scrapy crawl reports: ") and says in line and line.endswith("not starting")
    assert snapshot(home) == before  # byte-identical, no lock file, no journal beside it


@NOT_ARCHIVES
def test_ingest_into_a_file_that_is_not_an_archive_refuses_before_redis(tmp_path, make, says):
    """Refused before Redis is even asked: nobody listens on the port, and that is not what it says."""
    home = tmp_path / "home"
    home.mkdir()
    db = make(home)
    before = snapshot(home)
    done = run_fazhi("ingest", "--from-redis", f"redis://127.0.0.1:{free_port()}/0", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert says in line and "Redis" not in line
    assert snapshot(home) == before


@pytest.mark.slow
def test_a_crawl_makes_a_missing_archive_and_migrates_an_older_one(tmp_path):
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.executescript((ROOT / "tests" / "fixtures" / "archive" / "schema1.sql").read_text(encoding="utf-8"))
    conn.close()
    old_captures = sqlite3.connect(old).execute("SELECT count(*) FROM captures").fetchone()[0]
    new = tmp_path / "new.db"
    with start_in_thread(dt.date(2024, 4, 15), port=0) as portal:
        for db in (new, old):
            done = crawl(portal.start_urls[0], db, tmp_path / f"{db.stem}.log")
            assert done.returncode == 0, done.stderr
    for db, at_least in ((new, 1), (old, old_captures + 1)):
        conn = open_for_reading(db)  # current schema: the crawl migrated the old one
        try:
            assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] >= at_least
        finally:
            conn.close()
