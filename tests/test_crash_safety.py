"""A crawl killed with SIGKILL mid-run leaves a consistent archive, and a re-run completes it.

The archive's writer thread commits captures in batches, each one transaction, so the archive holds
whole batches or none of one; an item counts as recorded (and its version is logged) only once its
batch is committed. Extraction runs in a pool of worker processes, which must not outlive the crawl.
This proves both on a real crawl rather than on a unit of the store.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from processes import descendants, ended

from archive import Archive
from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)


NEW_VERSION = re.compile(r"new version (\d+) of document")
BATCH = re.compile(r"committed (\d+) captures of \d+ items in one transaction")
def test_sigkill_mid_crawl_loses_and_doubles_nothing(tmp_path: Path):
    db = tmp_path / "archive.db"
    env = crawl_env()
    # DEBUG, for the writer's "committed N captures" lines; batches of half a second, so that they are many
    batched = ("-s", "LOG_LEVEL=DEBUG", "-s", "FAZHI_ARCHIVE_BATCH_SECONDS=0.5", "-s", "FAZHI_EXTRACTION_WORKERS=2")
    with start_in_thread(AS_OF, port=0) as portal:
        crawl = subprocess.Popen(
            crawl_command(portal.start_urls, db, *batched), cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        assert crawl.stderr is not None
        logged_versions: list[int] = []
        largest_batch = 0
        workers: list[int] = []
        # An archive without Archive.ingest_many commits one capture a transaction: nothing to wait for.
        batching = hasattr(Archive, "ingest_many")
        for line in crawl.stderr:  # the recording service logs each version once its batch is committed
            if found := BATCH.search(line):
                largest_batch = max(largest_batch, int(found.group(1)))
            if found := NEW_VERSION.search(line):
                logged_versions.append(int(found.group(1)))
            if len(logged_versions) >= 12 and (largest_batch >= 2 or not batching):
                workers = descendants(crawl.pid)  # mid-crawl: the extraction pool is up
                crawl.send_signal(signal.SIGKILL)
                break
        crawl.stderr.close()
        crawl.wait(timeout=60)
        assert crawl.returncode == -signal.SIGKILL, "the crawl finished before it could be killed"
        assert len(workers) >= 2, f"no extraction workers found under the crawl: {workers}"
        alive = [pid for pid in workers if not ended(pid, within=30)]
        assert not alive, f"extraction processes {alive} outlived the killed crawl"

        partial = sqlite3.connect(db)
        partial_versions = {v for (v,) in partial.execute("select id from versions")}
        partial.close()
        # Every version logged as committed survived the kill; what was in flight is simply not there.
        assert set(logged_versions) <= partial_versions
        assert len(partial_versions) < len(visible_reports(AS_OF))

        check = subprocess.run(
            [sys.executable, "-m", "fazhi.cli", "check", "--db", str(db)],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr

        rerun = subprocess.run(
            crawl_command(portal.start_urls, db, "-s", "LOG_LEVEL=INFO"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert rerun.returncode == 0, rerun.stderr[-3000:]

    conn = sqlite3.connect(db)
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    versions = conn.execute("select count(*) from versions").fetchone()[0]
    doubled = conn.execute(
        "select count(*) from (select agency_id, report_year from documents group by 1, 2 having count(*) > 1)"
    ).fetchone()[0]
    conn.close()
    published = len(visible_reports(AS_OF))
    assert documents == published, "a report was lost"
    assert versions == published, "a report was versioned twice"
    assert doubled == 0
    check = subprocess.run(
        [sys.executable, "-m", "fazhi.cli", "check", "--db", str(db)], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_interrupted_crawl_resumes_from_jobdir(tmp_path: Path):
    """Ctrl-C a crawl started with JOBDIR, start it again: it picks up where it stopped."""
    db, jobdir = tmp_path / "archive.db", tmp_path / "job"
    env = crawl_env()
    with start_in_thread(AS_OF, port=0) as portal:
        command = crawl_command(portal.start_urls, db, "-s", "LOG_LEVEL=INFO") + ["-s", f"JOBDIR={jobdir}"]
        crawl = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        assert crawl.stderr is not None
        seen = 0
        for line in crawl.stderr:
            if "new version" in line:
                seen += 1
                if seen == 8:
                    crawl.send_signal(signal.SIGINT)  # graceful: Scrapy saves its queue in JOBDIR
        crawl.wait(timeout=120)
        crawl.stderr.close()
        conn = sqlite3.connect(db)
        first_run = conn.execute("select count(*) from versions").fetchone()[0]
        conn.close()
        assert first_run < len(visible_reports(AS_OF)), "the crawl finished before it was interrupted"
        assert (jobdir / "requests.queue").exists()

        resumed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert "Resuming crawl" in resumed.stderr

    conn = sqlite3.connect(db)
    versions = conn.execute("select count(*) from versions").fetchone()[0]
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    conn.close()
    assert documents == versions == len(visible_reports(AS_OF))
