"""Real texts and pages through extraction into the archive: the contract between the two stages."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_corpus import shared_path, shared_text

from archive import Archive
from archive.capture import Capture
from archive.check import check_archive
from archive.search import search
from archive.versions import version_report, version_text
from extraction import extract_report

URL = "http://127.0.0.1:8000/zhishan/202103/t20210320_1.html"


def zhishan_page(text: str, visits: int) -> bytes:
    """The report inside TRS-style chrome; ``visits`` changes the visit counter, as live pages do."""
    paragraphs = "\n".join(f"<p>{line}</p>" for line in text.splitlines())
    title = "址山镇2020年法治政府建设年度报告"
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title><meta name="ArticleTitle" content="{title}">'
        '<meta name="PubDate" content="2021-03-20 10:00"><meta name="ContentSource" content="鹤山市址山镇人民政府">'
        '</head><body><div class="position">您当前的位置：首页 &gt; 法治政府建设</div>'
        f'<h1>{title}</h1><div class="TRS_Editor">{paragraphs}</div>'
        f"<div>扫一扫在手机打开当前页</div><div>访问次数：{visits}</div></body></html>"
    ).encode()


def fetch(body: bytes, fetched_at: str, url: str = URL) -> tuple[Capture, object]:
    capture = Capture(url=url, fetched_at=fetched_at, status=200, outcome="ok", body=body,
                      content_type="text/html; charset=utf-8")  # fmt: skip
    return capture, extract_report(body, url=url, content_type=capture.content_type)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def zhishan() -> str:
    return shared_text("corpus/zhishan-2020-report.txt")


def test_a_real_report_is_versioned_once_and_edits_are_caught(db, zhishan):
    with Archive(db) as arc:
        first = arc.ingest(*fetch(zhishan_page(zhishan, 101), "2021-04-01T00:00:00Z"))
        # Same report, new visit counter: a new raw body, but the same text.
        again = arc.ingest(*fetch(zhishan_page(zhishan, 2150), "2021-06-01T00:00:00Z"))
        edited_text = zhishan.replace("址山镇成立以党委书记为组长", "址山镇成立以镇长为组长", 1)
        assert edited_text != zhishan
        edited = arc.ingest(*fetch(zhishan_page(edited_text, 3001), "2021-09-01T00:00:00Z"))
        stats = arc.stats()
    assert (first.status, again.status, edited.status) == ("new_version", "seen_again", "new_version")
    assert first.document_id == again.document_id == edited.document_id
    assert (stats["captures"], stats["versions"], stats["documents"], stats["revised_documents"]) == (
        3,
        2,
        1,
        1,
    )
    assert "以镇长为组长" in version_text(db, edited.version_id)
    assert "以党委书记为组长" in version_text(db, first.version_id)
    report = version_report(db, first.version_id)
    assert (
        report.report_year == 2020 and report.sections and report.text == version_text(db, first.version_id)
    )
    assert check_archive(db) == []


def test_the_archived_report_is_searchable(db, zhishan):
    with Archive(db) as arc:
        arc.ingest(*fetch(zhishan_page(zhishan, 1), "2021-04-01T00:00:00Z"))
    for query in ("普法", "执法", "法治建设领导小组"):
        assert query in zhishan
        (hit,) = search(db, query)
        assert hit["report_year"] == 2020 and query in hit["snippet"]


@pytest.mark.parametrize("name", ["deqing-county-gov-article.html", "shanxi-province-gov-article.html"])
def test_real_pages_that_are_not_reports_are_kept_as_captures_only(db, name):
    raw = shared_path(f"real-pages/{name}").read_bytes()
    with Archive(db, warc=False) as arc:  # no WARC record to hold the page: the database keeps it
        result = arc.ingest(*fetch(raw, "2024-04-01T00:00:00Z", url=f"http://127.0.0.1:8000/{name}"))
        assert result.status == "capture_only"
        assert arc.body(result.capture_id) == raw
        stored = arc.db.execute(
            "SELECT length(b.body) FROM captures c JOIN bodies b ON b.id = c.body_id WHERE c.id = ?",
            [result.capture_id],
        ).fetchone()[0]
        assert arc.stats()["versions"] == 0
    assert stored < len(raw) / 3  # zlib on real portal HTML
