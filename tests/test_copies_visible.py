"""Copies are visible as copies: the same agency-year report republished on another portal (转载).

The county portal publishes the report; the department portal reposts it with a 转载 line. The
archive keeps both texts (test_archive_copies.py), and every reader shows the second as a copy, not
as a revision after publication: ``fazhi stats``, the crawl's notifications (``events_since``), the
site's index, document, version pages and feed. A real edit on the county portal afterwards is a
revision, diffed against what the county portal carried before — not against the copy.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_fazhi
from test_archive_copies import COUNTY_URL, DEPT_URL, county_page, department_copy
from test_archive_fixtures import QINGHE_2023

from archive import Archive
from archive.capture import Capture
from archive.readmodel import ArchiveReader
from extraction import extract_report
from report.site import build_report_site
from report.vocabulary import COPY_LABEL

COUNTY_PORTAL = "http://127.0.0.1:8000/qinghe/index.html"
DEPT_PORTAL = "http://127.0.0.1:8000/qhsfj/index.html"
EDITED = QINGHE_2023.replace("纠错率12.2%", "纠错率8.1%")


def ingest(arc: Archive, url: str, portal: str, body: bytes, at: str) -> str:
    capture = Capture(url=url, fetched_at=at, status=200, outcome="ok", body=body, portal=portal,
                      content_type="text/html; charset=utf-8", headers={"ETag": '"a1"'})  # fmt: skip
    return arc.ingest(capture, extract_report(body, url=url, content_type=capture.content_type)).status


@pytest.fixture
def copied(tmp_path):
    """Two crawls of both portals: the report and its copy, each seen twice."""
    db = tmp_path / "archive.db"
    with Archive(db) as arc:
        for day in ("2024-04-01", "2024-05-01"):
            assert ingest(arc, COUNTY_URL, COUNTY_PORTAL, county_page(), f"{day}T00:00:00Z") in ("new_version", "seen_again")
            assert ingest(arc, DEPT_URL, DEPT_PORTAL, department_copy(), f"{day}T00:05:00Z") in ("new_version", "seen_again")
    return db


def edit_on_the_county_portal(db) -> None:
    with Archive(db) as arc:
        assert ingest(arc, COUNTY_URL, COUNTY_PORTAL, county_page(EDITED), "2024-07-01T00:00:00Z") == "new_version"


def stats(db) -> dict:
    done = run_fazhi("stats", "--db", str(db), "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stats_count_a_copy_as_a_copy_and_an_edit_as_a_revision(copied):
    assert (stats(copied)["versions"], stats(copied)["copies"], stats(copied)["revised_documents"]) == (2, 1, 0)
    text = run_fazhi("stats", "--db", str(copied)).stdout
    assert "0 revised after publication" in text and "1 of them copies on another portal (转载)" in text
    edit_on_the_county_portal(copied)
    assert (stats(copied)["versions"], stats(copied)["copies"], stats(copied)["revised_documents"]) == (3, 1, 1)


def test_a_copy_is_no_revision_in_what_a_crawl_reports(copied):
    with ArchiveReader(copied) as reader:
        assert [e.kind for e in reader.events_since("2024-01-01T00:00:00Z")] == ["new_report"]
    edit_on_the_county_portal(copied)
    with ArchiveReader(copied) as reader:
        events = reader.events_since("2024-06-01T00:00:00Z")
    assert [(e.kind, e.version_number) for e in events] == [("revision", 3)]


def test_the_site_shows_the_copy_as_a_copy(copied, tmp_path):
    site = build_report_site(copied, tmp_path / "site").parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "其中 0 份报告发布后被修改" in index
    (document,) = (site / "documents").glob("*.html")
    page = document.read_text(encoding="utf-8")
    assert page.count('<span class="copy"') == 1 and "发布后修改：" not in page  # the copy, once in the versions table
    versions = sorted(int(p.stem) for p in (site / "versions").glob("*.html"))
    sections = [page[page.index(f'id="v{v}"') :].split("</section>", 1)[0] for v in versions]
    assert [COPY_LABEL in s for s in sections] == [False, True]
    assert "发布后修改：" not in (site / "feed.atom").read_text(encoding="utf-8")  # no revision entry


def test_an_edit_after_a_copy_is_diffed_against_its_own_portals_text(copied, tmp_path):
    edit_on_the_county_portal(copied)
    site = build_report_site(copied, tmp_path / "site").parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "其中 1 份报告发布后被修改" in index
    # the revision's row on the reviewer's desk lists the report's editions, not the copy
    assert re.search(r'href="documents/\d+\.html#v1"', index) and re.search(r'href="documents/\d+\.html#v3"', index)
    assert not re.search(r'href="documents/\d+\.html#v2"', index), "the copy is not listed as an edition"
    (document,) = (site / "documents").glob("*.html")
    page = document.read_text(encoding="utf-8")
    assert page.count("发布后修改：") == 1
    start = page.index("发布后修改：")
    heading, section = page[start:].split("</h2>", 1)[0], page[start:page.index("</section>", start)]
    assert "第 1 版" in heading and "第 3 版" in heading and "第 2 版" not in heading
    assert "8.1%" in section and "转载自" not in section  # the edit, and nothing of the copy's 转载 line
    feed = (site / "feed.atom").read_text(encoding="utf-8")
    assert feed.count("发布后修改：") == 1 and "报告第 3 版" in feed
