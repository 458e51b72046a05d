"""Whole crawls a saved page cannot stand in for: a family's API paged through by a real crawl, and a
portal's site search against its robots.txt."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from archived import archived_reports

from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)


def test_the_gkmlpt_spider_finds_every_report_of_its_portal(tmp_path: Path):
    """The one end-to-end crawl of the gkmlpt family (the others crawl in tests/test_crawl.py); what each
    family yields for each page is tested on saved pages (tests/test_family_*.py)."""
    db = tmp_path / "archive.db"
    expected = {(r.agency, r.year) for r in visible_reports(AS_OF, include_gkmlpt=True) if r.url_path.startswith("/lingnan/")}
    assert expected
    with start_in_thread(AS_OF, port=0, gkmlpt=True) as portal:
        done = subprocess.run(
            crawl_command([portal.base_url + "/lingnan/gkmlpt/index"], db, "-s", "LOG_LEVEL=INFO", spider="gkmlpt"),
            cwd=ROOT, env=crawl_env(),
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert archived_reports(db) == expected


def test_site_search_finds_reports_where_robots_txt_allows_it(tmp_path: Path):
    """The sample network's robots.txt disallows /search: a polite crawl asks it nothing; where a
    portal allows its search (here: robots.txt not obeyed, as for a portal without one), results lead
    to the reports. The polite crawl, every start URL refused, did nothing: it says so and exits 1."""
    expected = {(r.agency, r.year) for r in visible_reports(AS_OF) if "法治" in r.title or "依法行政" in r.title}
    results = {}
    with start_in_thread(AS_OF, port=0) as portal:
        for obey in (True, False):
            db, stats_file = tmp_path / f"{obey}.db", tmp_path / f"{obey}.json"
            done = subprocess.run(
                crawl_command([], db, "-a", f"search={portal.base_url}/search?q={{q}}",
                              "-s", f"ROBOTSTXT_OBEY={obey}", "-s", f"FAZHI_STATS_FILE={stats_file}",
                              spider="generic"),
                cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert done.returncode == (1 if obey else 0), done.stderr[-3000:]
            if obey:
                assert "every start URL failed (3 of 3)" in done.stderr.splitlines()[-1]
            results[obey] = (archived_reports(db), json.loads(stats_file.read_text()))
    polite, stats = results[True]
    assert polite == set()
    assert stats["robotstxt/forbidden"] == 3  # the three search queries, none sent
    found, _ = results[False]
    # The portal's search answers at most 50 hits a query, with no further pages.
    assert found <= expected
    assert len(found) >= 50
