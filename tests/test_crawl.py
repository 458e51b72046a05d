"""End to end: the sample portal on a free loopback port, a real ``scrapy crawl``, the archive it leaves.

Two crawls, as a scheduled job would run them: the network as of spring 2024, then as of summer 2025
(new reports published, some old ones silently edited). Assertions are on what the archive holds,
compared with what the portal published.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from archived import version_texts

from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
FIRST = dt.date(2024, 4, 15)
SECOND = dt.date(2025, 7, 1)


def run_crawl(start_urls: list[str], db: Path, log: Path, *settings: str) -> dict:
    """Run the crawl as a user does, in its own process; return Scrapy's final stats."""
    stats_file = log.with_suffix(".stats.json")
    command = crawl_command(start_urls, db, "-s", f"LOG_FILE={log}", "-s", f"FAZHI_STATS_FILE={stats_file}", *settings)
    done = subprocess.run(command, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:] + log.read_text(errors="replace")[-3000:]
    return json.loads(stats_file.read_text())


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    db = tmp / "archive.db"
    with start_in_thread(FIRST, port=0) as portal:
        first_stats = run_crawl(portal.start_urls, db, tmp / "first.log")
        port = portal.port
    first = sqlite3.connect(db)
    first_counts = {t: first.execute(f"select count(*) from {t}").fetchone()[0] for t in ("documents", "versions")}
    first.close()
    # Same address a year later, as a real portal keeps its URLs.
    with start_in_thread(SECOND, port=port) as portal:
        second_stats = run_crawl(portal.start_urls, db, tmp / "second.log")
        versions_before_rerun = sqlite3.connect(db).execute("select count(*) from versions").fetchone()[0]
        # The scheduled re-run with nothing changed on the portals.
        rerun_stats = run_crawl(portal.start_urls, db, tmp / "rerun.log")
    return {
        "db": db,
        "first_stats": first_stats,
        "second_stats": second_stats,
        "rerun_stats": rerun_stats,
        "first_counts": first_counts,
        "versions_before_rerun": versions_before_rerun,
        "port": port,
        "tmp": tmp,
    }


def test_first_crawl_archives_every_published_report_once(crawled):
    published = visible_reports(FIRST)
    assert len(published) >= 20
    assert crawled["first_counts"]["documents"] == len(published)
    assert crawled["first_counts"]["versions"] == len(published)


def test_archived_text_is_the_published_text(crawled):
    versions = version_texts(crawled["db"])
    for report in visible_reports(SECOND):
        key = (report.agency, report.year)
        assert key in versions, f"missing {report.agency} {report.year} ({report.url_path})"
        assert squash(versions[key][-1]) == squash(report.text), f"{key} text differs"


def test_second_crawl_adds_new_reports_and_catches_silent_edits(crawled):
    db = crawled["db"]
    versions = version_texts(db)
    assert len(versions) == len(visible_reports(SECOND))
    edited = [r for r in visible_reports(SECOND) if r.edited_on and FIRST < r.edited_on <= SECOND]
    assert edited, "the sample portal must edit a report between the two crawls"
    for report in edited:
        texts = versions[(report.agency, report.year)]
        assert len(texts) == 2, f"{report.agency} {report.year}: {len(texts)} versions"
        assert squash(texts[0]) != squash(texts[1])
    total_versions = sum(len(v) for v in versions.values())
    assert total_versions == len(versions) + len(edited)


def test_unchanged_reports_are_seen_again_not_versioned(crawled):
    stats = crawled["second_stats"]
    unchanged = len(visible_reports(FIRST)) - len(
        [r for r in visible_reports(SECOND) if r.edited_on and FIRST < r.edited_on <= SECOND]
    )
    seen_again = stats.get("fazhi/seen_again", 0) + stats.get("fazhi/outcome/not_modified", 0)
    assert seen_again >= unchanged


def test_other_documents_are_never_archived_as_reports(crawled):
    conn = sqlite3.connect(crawled["db"])
    titles = [t for (t,) in conn.execute("select title from versions")]
    conn.close()
    assert titles
    assert not [t for t in titles if "信息公开" in t or "预决算" in t or "预算" in t]


def test_stats_command_reports_the_archive(crawled):
    done = subprocess.run(
        [sys.executable, "-m", "fazhi.cli", "stats", "--db", str(crawled["db"]), "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    stats = json.loads(done.stdout)
    assert stats["documents"] == len(visible_reports(SECOND))
    assert stats["versions"] > stats["documents"]
    assert stats["captures"] >= stats["versions"]
    assert stats["agencies"] >= 8


def test_unchanged_rerun_downloads_little_and_versions_nothing(crawled):
    first, rerun = crawled["first_stats"], crawled["rerun_stats"]
    assert rerun["downloader/response_bytes"] <= 0.2 * first["downloader/response_bytes"]
    assert rerun.get("fazhi/new_version", 0) == 0
    # every report was still asked about: unchanged ones answered 304, nothing was skipped
    assert rerun.get("fazhi/outcome/not_modified", 0) >= len(visible_reports(SECOND))
    conn = sqlite3.connect(crawled["db"])
    assert conn.execute("select count(*) from versions").fetchone()[0] == crawled["versions_before_rerun"]
    conn.close()


def test_unchanged_reports_dates_and_counts_move_with_every_confirming_capture(crawled):
    """A 304 re-run confirms each current version: its last_seen is the document's, its count went up."""
    conn = sqlite3.connect(crawled["db"])
    rows = conn.execute(
        "select d.id, d.last_seen, v.last_seen, v.seen_count from documents d "
        "join versions v on v.id = d.current_version_id"
    ).fetchall()
    conn.close()
    assert len(rows) == len(visible_reports(SECOND))
    assert [r for r in rows if r[1] != r[2]] == [], "a version's last_seen stayed behind its document's"
    assert all(seen_count >= 2 for *_, seen_count in rows)  # the re-run's 304 at least


def test_archived_reports_are_rechecked_even_when_no_list_links_them(crawled):
    """Lists cut off after the first level (DEPTH_LIMIT=1): reports are reached only from the archive."""
    with start_in_thread(SECOND, port=crawled["port"]) as portal:
        stats = run_crawl(
            portal.start_urls, crawled["db"], crawled["tmp"] / "recheck.log",
            "-s", "DEPTH_LIMIT=1", "-s", "FAZHI_RECHECK_YEARS=100",
        )  # fmt: skip
    assert stats.get("fazhi/outcome/not_modified", 0) >= len(visible_reports(SECOND))
    assert stats.get("fazhi/new_version", 0) == 0
