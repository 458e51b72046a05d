"""Archive.ingest: captures always, versions only for changed texts of real reports."""

from __future__ import annotations

import json
import sqlite3
import zlib

import pytest
from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

from archive import Archive
from archive.agencies import infer_level, infer_region
from archive.fingerprint import fingerprint
from archive.schema import SCHEMA_VERSION
from archive.warc import read_body, warc_dir_for
from extraction.report import Attachment


@pytest.fixture
def arc(tmp_path):
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


def rows(arc: Archive, sql: str, *params) -> list[tuple]:
    return list(arc.db.execute(sql, params).fetchall())


def test_first_ingest_makes_a_document_and_a_version(arc):
    report = make_report()
    res = arc.ingest(make_capture(report), report)
    assert res.status == "new_version"
    assert res.document_id and res.version_id and res.capture_id
    (doc,) = rows(arc, "SELECT agency_id, report_year, kind, url FROM documents")
    assert doc[1:] == (2023, "fazhi_report", report.url)
    (agency,) = rows(arc, "SELECT name, level, region FROM agencies")
    assert agency == ("青禾县司法局", "department", "青禾县")
    (text,) = rows(arc, "SELECT text FROM versions WHERE id = ?", res.version_id)
    assert text[0] == QINGHE_2023


def test_same_text_again_is_seen_again_and_counted(arc):
    report = make_report()
    first = arc.ingest(make_capture(report, fetched_at="2024-04-01T08:00:00Z"), report)
    second = arc.ingest(make_capture(report, fetched_at="2024-05-01T08:00:00Z"), report)
    third = arc.ingest(make_capture(report, fetched_at="2024-06-01T08:00:00Z"), report)
    assert [second.status, third.status] == ["seen_again", "seen_again"]
    assert second.version_id == third.version_id == first.version_id
    assert rows(arc, "SELECT seen_count, first_seen, last_seen FROM versions") == [
        (3, "2024-04-01T08:00:00Z", "2024-06-01T08:00:00Z")
    ]
    assert rows(arc, "SELECT last_seen FROM documents") == [("2024-06-01T08:00:00Z",)]
    assert arc.stats()["captures"] == 3


def test_unchanged_recapture_stores_the_body_once(arc):
    report = make_report()
    a = arc.ingest(make_capture(report), report)
    b = arc.ingest(make_capture(report, fetched_at="2024-05-01T08:00:00Z"), report)
    stored = rows(arc, "SELECT id, body_id, sha256 FROM capture_records ORDER BY id")
    assert stored[0][1:] == stored[1][1:]
    assert rows(arc, "SELECT count(*) FROM bodies") == [(1,)]
    stats = arc.stats()
    assert stats["bodies"] == 1 and stats["fetched_body_bytes"] == 2 * len(make_capture(report).body)
    # The WARC response record of the first capture holds the bytes; the database their sha256 and place.
    assert stats["stored_body_bytes"] == 0 and stats["bodies_in_warc"] == 1
    assert arc.body(b.capture_id) == arc.body(a.capture_id) == make_capture(report).body


def test_without_warc_files_the_database_keeps_the_body(tmp_path):
    report = make_report()
    capture = make_capture(report)
    with Archive(tmp_path / "archive.db", warc=False) as arc:
        res = arc.ingest(capture, report)
        (body,) = rows(arc, "SELECT body FROM bodies")[0]
        assert zlib.decompress(body) == capture.body == arc.body(res.capture_id)
        assert 0 < arc.stats()["stored_body_bytes"] < len(capture.body)


def test_whitespace_and_punctuation_changes_make_no_new_version(arc):
    report = make_report()
    arc.ingest(make_capture(report), report)
    relaid = QINGHE_2023.replace("，", ",").replace("：", ":").replace("\n", "\n\n  ").replace("。", ". ")
    res = arc.ingest(
        make_capture(make_report(relaid), fetched_at="2024-05-02T00:00:00Z"), make_report(relaid)
    )
    assert res.status == "seen_again"
    assert arc.stats()["captures"] == 2
    assert arc.stats()["versions"] == 1
    assert fingerprint(relaid) == fingerprint(QINGHE_2023)


def test_a_real_edit_makes_a_new_version_and_keeps_the_old(arc):
    report = make_report()
    first = arc.ingest(make_capture(report), report)
    edited_text = QINGHE_2023.replace("纠错率12.2%", "纠错率8.1%")
    edited = make_report(edited_text)
    second = arc.ingest(make_capture(edited, fetched_at="2024-07-01T00:00:00Z"), edited)
    assert second.status == "new_version"
    assert second.document_id == first.document_id
    texts = rows(arc, "SELECT text FROM versions WHERE document_id = ? ORDER BY id", first.document_id)
    assert [t[0] for t in texts] == [QINGHE_2023, edited_text]
    assert arc.stats()["revised_documents"] == 1


@pytest.mark.parametrize(
    ("outcome", "status", "error"),
    [
        ("blocked", 412, "WAF challenge ($_ts)"),
        ("soft_404", 200, "页面不存在"),
        ("error", 503, "Service Unavailable"),
        ("not_modified", 304, None),
    ],
)
def test_bad_captures_never_make_or_hide_versions(arc, outcome, status, error):
    report = make_report()
    good = arc.ingest(make_capture(report), report)
    bad = arc.ingest(
        make_capture(report, outcome=outcome, status=status, error=error, fetched_at="2024-08-01T00:00:00Z",
                     body=b"<html><body>\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81</body></html>"),
        report,
    )  # fmt: skip
    assert bad.status == "capture_only"
    assert bad.version_id is None
    assert rows(arc, "SELECT id, text FROM versions") == [(good.version_id, QINGHE_2023)]
    assert rows(arc, "SELECT outcome, reason FROM captures WHERE id = ?", bad.capture_id) == [
        (outcome, error)
    ]
    assert arc.stats()["outcomes"] == {"ok": 1, outcome: 1}


def test_none_report_and_not_a_report_are_capture_only(arc):
    assert (
        arc.ingest(make_capture(None, url="http://127.0.0.1:8000/qinghe/list.html"), None).status
        == "capture_only"
    )
    info = make_report(
        "2023年政府信息公开工作年度报告……", is_report=False, title="2023年政府信息公开工作年度报告"
    )
    res = arc.ingest(make_capture(info), info)
    assert (res.status, res.document_id, res.version_id) == ("capture_only", None, None)
    stats = arc.stats()
    assert (stats["documents"], stats["versions"], stats["captures"]) == (0, 0, 2)


def test_an_empty_extraction_never_replaces_the_last_good_text(arc):
    report = make_report()
    good = arc.ingest(make_capture(report), report)
    empty = make_report(" \n\n。", url=report.url)
    res = arc.ingest(make_capture(empty, fetched_at="2024-09-01T00:00:00Z"), empty)
    assert (res.status, res.version_id) == ("capture_only", None)
    assert rows(arc, "SELECT id FROM versions") == [(good.version_id,)]


def test_same_agency_and_year_at_a_new_url_is_the_same_document(arc):
    report = make_report()
    first = arc.ingest(make_capture(report), report)
    moved = make_report(url="http://127.0.0.1:8000/qinghe/zwgk/fzzfjs/202405/t20240520_2002.html")
    second = arc.ingest(make_capture(moved), moved)
    assert second.document_id == first.document_id
    assert second.status == "seen_again"
    urls = {u for (u,) in rows(arc, "SELECT url FROM document_urls WHERE document_id = ?", first.document_id)}
    assert urls == {report.url, moved.url}


def test_unknown_agencies_are_never_merged(arc):
    a = make_report(agency=None, url="http://127.0.0.1:8000/a.html")
    b = make_report(ZHISHAN_2022, agency="未知", url="http://127.0.0.1:8000/b.html")
    ra = arc.ingest(make_capture(a), a)
    rb = arc.ingest(make_capture(b), b)
    assert ra.document_id != rb.document_id
    assert ra.status == rb.status == "new_version"
    assert arc.stats()["agencies"] == 0


def test_url_seen_before_wins_over_agency_and_year(arc):
    report = make_report()
    first = arc.ingest(make_capture(report), report)
    # Extraction got the year wrong on a later fetch: the URL still says which document this is.
    again = make_report(QINGHE_2023 + "\n（本报告于2024年5月更正）", year=2024)
    res = arc.ingest(make_capture(again, fetched_at="2024-05-01T00:00:00Z"), again)
    assert res.document_id == first.document_id
    assert res.status == "new_version"


def test_different_agencies_and_years_are_different_documents(arc):
    q = make_report()
    z = make_report(ZHISHAN_2022, agency="址山镇人民政府", year=2022, url="http://127.0.0.1:8000/z/1.html")
    q22 = make_report(QINGHE_2023.replace("2023", "2022"), year=2022, url="http://127.0.0.1:8000/q/2022.html")
    ids = {arc.ingest(make_capture(r), r).document_id for r in (q, z, q22)}
    assert len(ids) == 3
    levels = dict(rows(arc, "SELECT name, level FROM agencies"))
    assert levels == {"青禾县司法局": "department", "址山镇人民政府": "township"}


def test_attachments_are_recorded_once(arc):
    pdf = Attachment(name="青禾县司法局2023年法治政府建设年度报告.pdf", url="http://127.0.0.1:8000/q/a.pdf")
    report = make_report(attachments=[pdf])
    first = arc.ingest(make_capture(report), report)
    arc.ingest(make_capture(report, fetched_at="2024-05-01T00:00:00Z"), report)
    assert rows(arc, "SELECT document_id, capture_id, name, url FROM attachments") == [
        (first.document_id, first.capture_id, pdf.name, pdf.url)
    ]


def test_capture_rows_keep_raw_sha_and_headers(arc):
    report = make_report()
    capture = make_capture(report)
    res = arc.ingest(capture, report)
    import hashlib
    import json

    sha, size, headers = rows(arc, "SELECT sha256, body_size, headers FROM capture_records WHERE id = ?",
                              res.capture_id)[0]  # fmt: skip
    body, warc_file, offset = rows(
        arc, "SELECT b.body, w.name, b.warc_offset FROM bodies b JOIN warc_files w ON w.id = b.warc_file_id "
        "WHERE sha256 = ?", hashlib.sha256(capture.body).digest())[0]  # fmt: skip
    assert sha == hashlib.sha256(capture.body).hexdigest()
    assert body is None  # no second copy: the capture's WARC response record holds the bytes
    assert read_body(warc_dir_for(arc.path), warc_file, offset) == capture.body == arc.body(res.capture_id)
    assert size == len(capture.body)
    assert json.loads(headers)["ETag"] == '"65f3a1-2c1"'


def test_a_failing_ingest_leaves_nothing_behind(arc, monkeypatch):
    report = make_report()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(arc, "_version", explode)
    with pytest.raises(RuntimeError):
        arc.ingest(make_capture(report), report)
    stats = arc.stats()
    assert (stats["captures"], stats["documents"], stats["agencies"]) == (0, 0, 0)


def test_stats_keys_and_reopen(tmp_path):
    db = tmp_path / "a.db"
    report = make_report()
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
    with Archive(db) as arc:
        stats = arc.stats()
    assert {"documents", "versions", "captures", "agencies", "outcomes", "revised_documents"} <= set(stats)
    assert stats["documents"] == stats["versions"] == stats["captures"] == stats["agencies"] == 1
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    fks = {row[2] for row in conn.execute("PRAGMA foreign_key_list(versions)")}
    assert fks == {"documents", "captures"}


@pytest.mark.parametrize(
    ("name", "level", "region"),
    [
        ("址山镇人民政府", "township", "址山镇"),
        ("城南街道办事处", "subdistrict", "城南街道"),
        ("青禾县人民政府", "county", "青禾县"),
        ("江门市蓬江区人民政府", "district", "江门市蓬江区"),
        ("云岭市人民政府", "city", "云岭市"),
        ("广东省人民政府", "province", "广东省"),
        ("青禾县市场监督管理局", "department", "青禾县"),
        ("云岭市生态环境委员会", "department", "云岭市"),
        ("青禾县人民政府办公室", "department", "青禾县"),
        ("广东省司法厅", "department", "广东省"),
        ("未知", None, None),
    ],
)
def test_agency_level_and_region_from_name(name, level, region):
    assert infer_level(name) == level
    assert infer_region(name) == region


def test_an_older_archive_is_migrated_once(tmp_path, monkeypatch):
    from archive import schema

    db = tmp_path / "old.db"
    report = make_report()
    with Archive(db, warc=False) as arc:
        arc.ingest(make_capture(report), report)

    def add_language(database):
        database["versions"].add_column("language", str)
        database.execute("UPDATE versions SET language = 'zh-Hans'")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr(schema, "MIGRATIONS", {current + 1: add_language})
    with Archive(db, warc=False) as arc:
        assert rows(arc, "SELECT language FROM versions") == [("zh-Hans",)]
    with Archive(db, warc=False) as arc:  # not applied twice
        versions = [v for (v,) in rows(arc, "SELECT version FROM schema_version ORDER BY version")]
        assert versions == [current, current + 1]
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current)
    with pytest.raises(RuntimeError, match="newer than this code"):
        Archive(db, warc=False)


def test_report_json_keeps_sections_as_spans_and_reads_them_back():
    from archive.versions import report_from_json, report_json
    from extraction.report import Section

    report = make_report()
    report.sections = [
        Section(
            marker="一、", title="主要举措和成效", level=1, part="achievements", text=QINGHE_2023[60:200]
        ),
        Section(
            marker="(一)",
            title="深化行政复议体制改革",
            level=2,
            part="achievements",
            text=QINGHE_2023[90:150],
        ),
        Section(marker="三、", title="存在的不足", level=1, part="shortcomings", text="不在正文中的一段"),
    ]
    stored = json.loads(report_json(report))
    # Found in the text: a list of offsets (the title too where the text holds it); else its own text.
    assert [type(s).__name__ for s in stored["sections"]] == ["list", "list", "dict"]
    start = QINGHE_2023.index("深化行政复议体制改革")
    assert stored["sections"][1] == ["(一)", 2, "achievements", 90, 150, start, start + len("深化行政复议体制改革")]
    assert stored["sections"][2]["text"] == "不在正文中的一段"
    assert "text" not in stored and "text_normalized" not in stored and stored["warnings"] == []  # every field but the texts
    back = report_from_json(report_json(report), report.text, report.text_normalized)
    assert back == report


def test_a_304_keeps_its_own_headers_as_a_patch_shared_between_urls(arc):
    """A 304 leaves out the 200's entity headers: stored as one patch all URLs share, read back exactly."""
    from archive.capture import Capture

    sent = {}
    for n in range(3):
        url = f"http://127.0.0.1:8000/qinghe/t{n}.html"
        validators = {"ETag": f'"e{n}"', "Last-Modified": "Fri, 15 Mar 2024 02:00:00 GMT", "Server": "nginx"}
        ok = validators | {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(1000 + n),
                           "Date": "Mon, 01 Apr 2024 08:00:00 GMT"}  # fmt: skip
        not_modified = validators | {"Date": "Wed, 01 May 2024 08:00:00 GMT"}
        for headers, status, body in ((ok, 200, f"<p>{n}</p>".encode()), (not_modified, 304, b"")):
            capture = Capture(url=url, fetched_at="2024-05-01T08:00:00Z", status=status, body=body, headers=headers,
                              outcome="ok" if status == 200 else "not_modified")  # fmt: skip
            sent[arc.ingest(capture, None).capture_id] = headers
    read = {i: json.loads(h) for i, h in rows(arc, "SELECT id, headers FROM capture_records")}
    assert read == sent
    # Three whole sets (one per URL) and a single patch for all three 304s.
    patches = rows(arc, "SELECT DISTINCT h.headers FROM captures c JOIN header_sets h ON h.id = c.headers_id "
                        "WHERE c.headers_base_id IS NOT NULL")  # fmt: skip
    assert patches == [('{"Content-Length":null,"Content-Type":null}',)]
    assert rows(arc, "SELECT count(*) FROM header_sets") == [(4,)]


def test_a_body_only_a_warc_record_holds_is_read_back_for_the_crawl(tmp_path):
    """Conditional re-fetches and attachment pages read the last 200's body: from its WARC record."""
    from archive.validators import ValidatorStore

    db = tmp_path / "archive.db"
    report = make_report()
    capture = make_capture(report)
    with Archive(db) as arc:
        arc.ingest(capture, report)
        arc.ingest(make_capture(report, fetched_at="2024-06-01T00:00:00Z", outcome="not_modified", status=304,
                                body=b""), None)  # fmt: skip
    assert rows_of(db, "SELECT count(*) FROM bodies WHERE body IS NOT NULL AND size > 0") == [(0,)]
    store = ValidatorStore(db)
    try:
        assert store.last_body(capture.url) == capture.body
        assert store.validators(capture.url).etag == capture.headers["ETag"]
    finally:
        store.close()
    (warc,) = warc_dir_for(db).iterdir()
    warc.write_bytes(b"")  # the only copy gone: nothing false is handed back
    store = ValidatorStore(db)
    try:
        assert store.last_body(capture.url) is None
    finally:
        store.close()


def rows_of(db, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
