"""One report, many copies; honest dates: which versions a capture makes, confirms or leaves alone.

The pages are built as two real portals publish one report: the county portal's own page and a
department portal's copy with a 转载 line, both through the real extraction. A text already held
for the document (any of its versions) is seen again, never a new "revision"; ``version_urls``
says which URL carries which version; a 304 moves the version's dates like the document's; a
page extraction had to cut never replaces a complete version.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_archive_fixtures import QINGHE_2023, make_capture

from archive import Archive
from archive.capture import Capture
from archive.check import check_archive
from archive.export import export_reports
from extraction import extract_report
from extraction.report import Report

COUNTY_URL = "http://127.0.0.1:8000/qinghe/zwgk/fzzfjs/202403/t20240315_1001.html"
DEPT_URL = "http://127.0.0.1:8000/qhsfj/tzgg/art/2024/3/18/art_77_3301.html"
TITLE = "青禾县司法局2023年法治政府建设年度报告"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{line}</p>" for line in text.splitlines())


def county_page(text: str = QINGHE_2023) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{TITLE}_青禾县人民政府</title></head><body>'
        '<div class="breadcrumb">您当前的位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>'
        f'<h1>{TITLE}</h1><div class="info">发布时间：2024-03-15　来源：青禾县司法局</div>'
        f'<div class="TRS_Editor">{_paragraphs(text)}</div>'
        '<div class="footer">网站标识码 1234000001 主办单位：青禾县人民政府办公室</div></body></html>'
    ).encode()


def department_copy(text: str = QINGHE_2023) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
        '<div class="position">当前位置：首页 &gt; 通知公告</div>'
        f'<h2 class="title">{TITLE}</h2><p class="meta">发布日期：2024-03-18 信息来源：青禾县人民政府网站</p>'
        f'<div id="zoom"><p>（转载自青禾县人民政府网站）</p>{_paragraphs(text)}</div>'
        '<div class="foot">青禾县司法局 版权所有</div></body></html>'
    ).encode()


def fetched(url: str, body: bytes, at: str, status: int = 200) -> tuple[Capture, Report | None]:
    """A capture of ``body`` at ``url`` and what extraction makes of it (None for a 304)."""
    if status == 304:
        return Capture(url=url, fetched_at=at, status=304, outcome="not_modified", headers={"ETag": '"a1"'}), None
    capture = Capture(url=url, fetched_at=at, status=200, outcome="ok", body=body,
                      content_type="text/html; charset=utf-8", headers={"ETag": '"a1"'})  # fmt: skip
    return capture, extract_report(body, url=url, content_type=capture.content_type)


@pytest.fixture
def arc(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


def _versions(arc: Archive) -> list[tuple]:
    return arc.db.execute("SELECT id, document_id, seen_count, first_seen, last_seen FROM versions ORDER BY id").fetchall()


def _carried(arc: Archive) -> dict[str, list[int]]:
    """URL → the versions it carried, in order."""
    carried: dict[str, list[int]] = {}
    for url, version_id in arc.db.execute(
        "SELECT l.url, u.version_id FROM version_urls u JOIN urls l ON l.id = u.url_id ORDER BY u.version_id"
    ):
        carried.setdefault(url, []).append(version_id)
    return carried


def test_two_urls_with_the_same_report_do_not_flip_flop_over_three_crawls(arc, tmp_path):
    statuses = []
    for crawl, day in enumerate(("2024-04-01", "2024-05-01", "2024-06-01")):
        for url, page in ((COUNTY_URL, county_page()), (DEPT_URL, department_copy())):
            capture, report = fetched(url, page, f"{day}T0{crawl}:00:00Z")
            statuses.append(arc.ingest(capture, report).status)
    documents = arc.db.execute("SELECT id, current_version_id FROM documents").fetchall()
    assert len(documents) == 1, "one agency-year report, one document"
    versions = _versions(arc)
    # The copy's text differs by its 转载 line: two texts, each made once, then only seen again.
    assert statuses == ["new_version", "new_version"] + ["seen_again"] * 4
    assert [v[2] for v in versions] == [3, 3]
    assert [v[4] for v in versions] == ["2024-06-01T02:00:00Z"] * 2
    county, copy = (v[0] for v in versions)
    assert _carried(arc) == {COUNTY_URL: [county], DEPT_URL: [copy]}, "which URL carries which text"
    assert documents[0][1] == copy  # the newest text stays current: no flip back and forth
    assert arc.db.execute("SELECT url, current FROM version_url_records ORDER BY version_id").fetchall() == [
        (COUNTY_URL, 0), (DEPT_URL, 1)
    ]
    assert check_archive(arc.path) == []


def test_a_genuinely_new_text_at_either_url_is_still_a_new_version(arc):
    for url, page in ((COUNTY_URL, county_page()), (DEPT_URL, department_copy())):
        arc.ingest(*fetched(url, page, "2024-04-01T00:00:00Z"))
    edited = QINGHE_2023.replace("纠错率12.2%", "纠错率8.1%")
    result = arc.ingest(*fetched(COUNTY_URL, county_page(edited), "2024-07-01T00:00:00Z"))
    assert result.status == "new_version"
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (result.version_id,)
    copy_again = arc.ingest(*fetched(DEPT_URL, department_copy(), "2024-07-01T00:05:00Z"))
    assert copy_again.status == "seen_again"
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (result.version_id,)
    assert arc.stats()["versions"] == 3 and arc.stats()["revised_documents"] == 1


def test_a_text_that_comes_back_at_its_url_is_current_again_without_a_new_version(arc):
    first = arc.ingest(*fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z"))
    edited = arc.ingest(*fetched(COUNTY_URL, county_page(QINGHE_2023.replace("86件", "88件")), "2024-05-01T00:00:00Z"))
    back = arc.ingest(*fetched(COUNTY_URL, county_page(), "2024-06-01T00:00:00Z"))
    assert (edited.status, back.status, back.version_id) == ("new_version", "seen_again", first.version_id)
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (first.version_id,)
    rows = export_reports(arc.path, "jsonl", arc.path.with_name("latest.jsonl"))
    assert rows == 1
    assert f'"version_id": {first.version_id}' in arc.path.with_name("latest.jsonl").read_text(encoding="utf-8")


def test_a_304_moves_the_versions_last_seen_and_seen_count_like_the_documents(arc):
    made = arc.ingest(*fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z"))
    arc.ingest(*fetched(COUNTY_URL, b"", "2024-05-01T00:00:00Z", status=304))
    arc.ingest(*fetched(COUNTY_URL, county_page(), "2024-06-01T00:00:00Z"))  # an unchanged 200
    arc.ingest(*fetched(COUNTY_URL, b"", "2024-07-01T00:00:00Z", status=304))
    version = arc.db.execute("SELECT seen_count, first_seen, last_seen FROM versions WHERE id = ?", [made.version_id])
    assert version.fetchone() == (4, "2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z")
    assert arc.db.execute("SELECT last_seen FROM documents").fetchone() == ("2024-07-01T00:00:00Z",)
    assert arc.db.execute("SELECT seen_count, last_seen FROM version_urls").fetchall() == [(4, "2024-07-01T00:00:00Z")]


def test_a_304_confirms_the_version_its_own_url_carries(arc):
    county = arc.ingest(*fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z"))
    copy = arc.ingest(*fetched(DEPT_URL, department_copy(), "2024-04-01T00:05:00Z"))
    arc.ingest(*fetched(COUNTY_URL, b"", "2024-05-01T00:00:00Z", status=304))
    seen = dict(arc.db.execute("SELECT id, last_seen FROM versions").fetchall())
    assert seen == {county.version_id: "2024-05-01T00:00:00Z", copy.version_id: "2024-04-01T00:05:00Z"}


def _cut(report: Report) -> Report:
    """The report as extraction returns it when the page had to be cut (its warning says so)."""
    half = "\n".join(report.text.splitlines()[:6])
    return dataclasses.replace(report, text=half, text_normalized=half,
                               warnings=[*report.warnings, "truncated: page cut at 1,000,000 characters"])  # fmt: skip


def test_a_truncated_page_never_replaces_a_complete_version(arc):
    capture, report = fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z")
    complete = arc.ingest(capture, report)
    capture, report = fetched(COUNTY_URL, county_page(), "2024-05-01T00:00:00Z")
    cut = arc.ingest(capture, _cut(report))
    assert (cut.status, cut.version_id) == ("capture_only", None)
    assert arc.db.execute("SELECT count(*) FROM versions").fetchone() == (1,)
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (complete.version_id,)
    reason = arc.db.execute("SELECT reason FROM captures WHERE id = ?", [cut.capture_id]).fetchone()[0]
    assert reason.startswith("truncated extraction") and str(complete.version_id) in reason


def test_a_report_first_seen_truncated_is_kept_until_the_complete_text_comes(arc):
    capture, report = fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z")
    first = arc.ingest(capture, _cut(report))
    assert first.status == "new_version"  # better than nothing, and marked by its warning
    capture, report = fetched(COUNTY_URL, county_page(), "2024-05-01T00:00:00Z")
    whole = arc.ingest(capture, report)
    assert whole.status == "new_version"
    capture, report = fetched(COUNTY_URL, county_page(), "2024-06-01T00:00:00Z")
    again = arc.ingest(capture, _cut(report))
    assert again.status == "capture_only"
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (whole.version_id,)
    assert check_archive(arc.path) == []


def test_a_migrated_archive_knows_which_url_carries_each_version(arc):
    """Schema 3's migration fills version_urls from each version's capture (tests/test_archive_migration covers 1→3)."""
    report = extract_report(county_page(), url=COUNTY_URL)
    made = arc.ingest(make_capture(report, url=COUNTY_URL, body=county_page()), report)
    arc.db.execute("DELETE FROM version_urls")
    arc.db.execute("UPDATE documents SET current_version_id = NULL")
    from archive.schema import MIGRATIONS

    MIGRATIONS[3](arc.db)
    assert _carried(arc) == {COUNTY_URL: [made.version_id]}
    assert arc.db.execute("SELECT current_version_id FROM documents").fetchone() == (made.version_id,)


def test_copies_read_agency_by_agency_are_the_copies_read_over_the_whole_archive(tmp_path):
    """``version_places`` for a batch of agencies reads only their documents, and finds the same copies."""
    from test_archive_fixtures import make_capture, make_report

    from archive.copies import version_places

    db = tmp_path / "archive.db"
    county, dept = "http://127.0.0.1:8000/qinghe/index.html", "http://127.0.0.1:8000/qhsfj/index.html"
    edited = QINGHE_2023.replace("纠错率12.2%", "纠错率8.1%")
    other = QINGHE_2023.replace("青禾县", "松溪县")
    with Archive(db) as arc:
        for (capture, report), portal in zip(
            [fetched(COUNTY_URL, county_page(), "2024-04-01T00:00:00Z"),
             fetched(DEPT_URL, department_copy(), "2024-04-02T00:00:00Z"),
             fetched(COUNTY_URL, county_page(edited), "2024-07-01T00:00:00Z")],
            [county, dept, county], strict=True,
        ):  # fmt: skip
            arc.ingest(dataclasses.replace(capture, portal=portal), report)
        songxi = "http://127.0.0.1:8000/songxi/zwgk/2024/t20240320_77.html"
        for text, url, portal, at in [
            (other, songxi, "http://127.0.0.1:8000/songxi/index.html", "2024-04-03T00:00:00Z"),
            (other + "\n（转载）", "http://127.0.0.1:8000/sxsfj/art_9.html", "http://127.0.0.1:8000/sxsfj/index.html",
             "2024-04-04T00:00:00Z"),
        ]:  # fmt: skip
            report = make_report(text, agency="松溪县司法局", url=url)
            capture = dataclasses.replace(make_capture(report, fetched_at=at), portal=portal)
            arc.ingest(capture, report)
        conn = arc.conn
        everything = version_places(conn)
        agencies = [a for (a,) in conn.execute("SELECT DISTINCT agency_id FROM documents WHERE agency_id IS NOT NULL")]
        assert len(agencies) == 2
        seen: dict[int, tuple[int | None, bool]] = {}
        for agency in agencies:
            ids = {v for (v,) in conn.execute(
                "SELECT v.id FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.agency_id = ?", [agency]
            )}  # fmt: skip
            batch = version_places(conn, [agency])
            assert set(batch) == ids  # only this agency's versions were read
            assert batch == {v: everything[v] for v in ids}
            assert sum(copy for _place, copy in batch.values()) == 1  # each agency has its one copy
            seen |= batch
        assert seen == everything
        assert version_places(conn, []) == {}
