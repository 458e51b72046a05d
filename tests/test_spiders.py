"""Each CMS family's spider, alone, on the sample portal of its style: every report of that portal."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from archived import archived_reports

from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    ("spider", "home"),
    [
        ("trs", "/qinghe/index.html"),
        ("hanweb", "/yunling/index.html"),
        ("generic", "/shimen/index.asp"),
        ("gkmlpt", "/lingnan/gkmlpt/index"),
    ],
)
def test_family_spider_finds_its_portals_reports(spider: str, home: str, tmp_path: Path):
    db = tmp_path / "archive.db"
    prefix = home.split("/")[1]
    published = visible_reports(AS_OF, include_gkmlpt=True)
    expected = {(r.agency, r.year) for r in published if r.url_path.startswith(f"/{prefix}/")}
    assert expected
    with start_in_thread(AS_OF, port=0, gkmlpt=True) as portal:
        done = subprocess.run(
            crawl_command([portal.base_url + home], db, "-s", "LOG_LEVEL=INFO", spider=spider),
            cwd=ROOT, env=crawl_env(),
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    archived = archived_reports(db)
    assert archived == expected


def test_a_family_spider_alone_misses_another_familys_pagination(tmp_path: Path):
    """The mixins do real work: without the Hanweb one, the column's records past the inline first page are lost."""
    db = tmp_path / "archive.db"
    with start_in_thread(AS_OF, port=0) as portal:
        subprocess.run(
            crawl_command([portal.base_url + "/yunling/index.html"], db, "-s", "LOG_LEVEL=INFO", spider="trs"),
            cwd=ROOT, env=crawl_env(),
            capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
    conn = sqlite3.connect(db)
    archived = conn.execute("select count(*) from documents").fetchone()[0]
    conn.close()
    on_portal = [r for r in visible_reports(AS_OF) if r.url_path.startswith("/yunling/")]
    assert archived < len(on_portal)


def test_a_sitemap_start_url_finds_reports_by_their_own_titles(tmp_path: Path):
    db, stats_file = tmp_path / "archive.db", tmp_path / "stats.json"
    expected = {(r.agency, r.year) for r in visible_reports(AS_OF) if r.url_path.startswith("/qinghe/")}
    with start_in_thread(AS_OF, port=0) as portal:
        done = subprocess.run(
            crawl_command([portal.base_url + "/qinghe/sitemap.xml"], db, "-s", "FAZHI_SITEMAP_YEARS=100",
                          "-s", f"FAZHI_STATS_FILE={stats_file}", spider="generic"),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    archived = archived_reports(db)
    assert archived == expected
    stats = json.loads(stats_file.read_text())
    assert stats["fazhi/candidates_not_reports"] > 0  # news and other documents were judged and left out


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
