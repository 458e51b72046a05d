"""Optional browser fetching: scrapy-playwright driving Debian's Chromium gives the same archive."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from archived import version_texts

from crawler.command import crawl_command, crawl_env
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian package chromium is missing: apt-get install chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def test_every_page_through_the_browser_archives_the_same_reports(chromium: str, tmp_path: Path):
    db, stats_file = tmp_path / "archive.db", tmp_path / "stats.json"
    published = [r for r in visible_reports(AS_OF) if r.url_path.startswith("/shimen/")]
    with start_in_thread(AS_OF, port=0) as portal:
        done = subprocess.run(
            crawl_command(
                [portal.base_url + "/shimen/index.asp"], db,
                "-s", "FAZHI_BROWSER=True", "-s", "FAZHI_BROWSER_FOR=all", "-s", f"FAZHI_CHROMIUM={chromium}",
                "-s", f"FAZHI_STATS_FILE={stats_file}",
            ),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(stats_file.read_text())
    browser_pages = sum(v for k, v in stats.items() if k.startswith("playwright/response_count") and isinstance(v, int))
    assert browser_pages >= len(published), {k: v for k, v in stats.items() if k.startswith("playwright")}
    texts = {key: versions[-1] for key, versions in version_texts(db).items()}
    assert len(texts) == len(published)
    for report in published:
        assert "".join(texts[(report.agency, report.year)].split()) == "".join(report.text.split()), report.title
