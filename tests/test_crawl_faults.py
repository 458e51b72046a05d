"""The crawl against a misbehaving portal: challenges and soft 404s are recorded as what they are and
never archived as reports; transient faults are retried and recovered; a blocked report is archived
once the portal lets the crawler through again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from test_crawl import run_crawl

from sample_portal.faults import FaultPlan
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

FIRST = dt.date(2024, 4, 15)
RECOVERED = dt.date(2025, 7, 1)
PLAN = FaultPlan.parse(
    "challenge_412=1,challenge_521=1,waf_200=1,soft_404=2,http_5xx_burst=2,timeout=1,reset=1,truncated=1,"
    "timeout_seconds=1,seed=11,recover_after=2025-01-01"
)
# Fast backoff and a short download timeout so the test's own clock stays small.
SETTINGS = ("-s", "FAZHI_BLOCKED_BACKOFF=0.05", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=3")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    db = tmp / "archive.db"
    with start_in_thread(FIRST, port=0, faults=PLAN) as portal:
        first = run_crawl(portal.start_urls, db, tmp / "first.log", *SETTINGS)
        port = portal.port
    conn = sqlite3.connect(db)
    snapshot = {
        "documents": conn.execute("select count(*) from documents").fetchone()[0],
        "outcomes": dict(conn.execute("select outcome, count(*) from captures group by outcome").fetchall()),
        "version_urls": {u for (u,) in conn.execute(
            "select captures.url from versions join capture_records captures on captures.id = versions.capture_id")},
    }  # fmt: skip
    conn.close()
    with start_in_thread(RECOVERED, port=port, faults=PLAN) as portal:
        second = run_crawl(portal.start_urls, db, tmp / "second.log", *SETTINGS)
    return {
        "db": db,
        "first": first,
        "second": second,
        "snapshot": snapshot,
        "base": f"http://127.0.0.1:{port}",
    }


def test_blocked_and_soft_404_pages_are_recorded_not_archived(faulty):
    targets = PLAN.targets(FIRST)
    refused = targets["challenge_412"] + targets["challenge_521"] + targets["waf_200"] + targets["soft_404"]
    snapshot = faulty["snapshot"]
    assert snapshot["outcomes"].get("blocked", 0) >= 3
    # one soft 404 says 页面不存在, the other redirects to the portal's home page
    assert faulty["first"]["fazhi/outcome/soft_404"] == 2
    assert faulty["first"]["fazhi/outcome/blocked"] == 3
    assert faulty["first"]["fazhi/blocked_retries"] >= 3  # each challenge was retried before giving up
    for path in refused:
        assert faulty["base"] + path not in snapshot["version_urls"]
    assert snapshot["documents"] == len(visible_reports(FIRST)) - len(refused)


def test_transient_faults_are_recovered_in_the_same_crawl(faulty):
    targets = PLAN.targets(FIRST)
    transient = targets["http_5xx_burst"] + targets["timeout"] + targets["reset"] + targets["truncated"]
    assert len(transient) == 5
    for path in transient:
        assert faulty["base"] + path in faulty["snapshot"]["version_urls"], path


def test_blocked_reports_are_archived_once_the_portal_recovers(faulty):
    conn = sqlite3.connect(faulty["db"])
    documents = conn.execute("select count(*) from documents").fetchone()[0]
    blocked_versions = conn.execute(
        "select count(*) from versions join captures on captures.id = versions.capture_id "
        "where captures.outcome != 'ok'"
    ).fetchone()[0]
    conn.close()
    assert documents == len(visible_reports(RECOVERED))
    assert blocked_versions == 0
    assert faulty["second"].get("fazhi/outcome/blocked", 0) == 0
