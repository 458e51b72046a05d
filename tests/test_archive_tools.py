"""check_archive, export_reports, search and mark_removed on a small realistic archive."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from real_corpus import shared_text
from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

from archive import Archive, export
from archive.check import check_archive
from archive.export import export_reports
from archive.removal import mark_removed
from archive.search import search

PORTAL = "http://127.0.0.1:8000/qinghe/index.html"


@pytest.fixture
def db(tmp_path) -> Path:
    """Three agencies, four reports, one silently edited."""
    path = tmp_path / "archive.db"
    zhishan_2020 = shared_text("corpus/zhishan-2020-report.txt")
    reports = [
        ("2024-04-01T08:00:00Z", make_report()),
        ("2023-04-01T08:00:00Z", make_report(ZHISHAN_2022, agency="址山镇人民政府", year=2022,
                                             url="http://127.0.0.1:8000/qinghe/zhishan/2022.html")),
        ("2021-04-01T08:00:00Z", make_report(zhishan_2020, agency="址山镇人民政府", year=2020,
                                             url="http://127.0.0.1:8000/qinghe/zhishan/2020.html")),
        ("2024-04-01T08:00:00Z", make_report(QINGHE_2023.replace("青禾县司法局", "云岭市司法局"),
                                             agency="云岭市司法局", url="http://127.0.0.1:8000/yunling/2023.html")),
        ("2024-06-01T08:00:00Z", make_report(QINGHE_2023.replace("受理79件", "受理80件"))),
    ]  # fmt: skip
    with Archive(path) as arc:
        for fetched_at, report in reports:
            arc.ingest(make_capture(report, fetched_at=fetched_at), report)
        arc.ingest(make_capture(None, outcome="blocked", status=412, body=b"$_ts", fetched_at="2024-06-02T00:00:00Z"),
                   None)  # fmt: skip
    return path


def test_a_sound_archive_has_no_problems(db):
    assert check_archive(db) == []


def test_check_finds_a_tampered_body(db):
    conn = sqlite3.connect(db)
    import zlib

    conn.execute("UPDATE bodies SET body = ? WHERE id = (SELECT body_id FROM captures WHERE id = 2)",
                 [zlib.compress(b"<html>forged</html>")])  # fmt: skip
    conn.commit()
    conn.close()
    problems = check_archive(db)
    assert len(problems) == 1
    assert problems[0].startswith("body ") and "body sha256" in problems[0]


def test_check_finds_an_edited_header_set(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE header_sets SET headers = replace(headers, 'nginx', 'apache') WHERE id = 1")
    conn.commit()
    conn.close()
    assert check_archive(db) == ["header set 1: digest does not match its headers"]


def test_check_finds_orphans_and_edited_text(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE versions SET text = text || '（补）', text_normalized = NULL WHERE id = 1")
    conn.execute("INSERT INTO versions (document_id, capture_id, fingerprint, first_seen, last_seen, seen_count) "
                 "VALUES (1, 999, 'x', '2024', '2024', 1)")  # fmt: skip
    conn.execute("INSERT INTO document_urls (url, document_id) VALUES ('http://127.0.0.1:8000/gone', 77)")
    conn.commit()
    conn.close()
    problems = "\n".join(check_archive(db))
    assert "version 1: text does not match its fingerprint" in problems
    assert "version without a capture: 6" in problems
    assert "document_urls row points at missing document: http://127.0.0.1:8000/gone" in problems


def test_export_jsonl_round_trip(db, tmp_path):
    out = tmp_path / "reports.jsonl"
    assert export_reports(db, "jsonl", out) == 4
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_key = {(r["agency"], r["report_year"]): r for r in rows}
    edited = by_key[("青禾县司法局", 2023)]
    assert "受理80件" in edited["text"]
    assert (edited["version_number"], edited["versions_total"]) == (2, 2)
    assert by_key[("址山镇人民政府", 2020)]["text"] == shared_text("corpus/zhishan-2020-report.txt")
    assert by_key[("址山镇人民政府", 2020)]["level"] == "township"


def test_export_csv_all_versions(db, tmp_path):
    out = tmp_path / "reports.csv"
    assert export_reports(db, "csv", out, all_versions=True) == 5
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    qinghe = [r for r in rows if r["agency"] == "青禾县司法局"]
    assert [r["version_number"] for r in qinghe] == ["1", "2"]
    assert qinghe[0]["text"] == QINGHE_2023


def test_export_parquet_needs_pyarrow(db, tmp_path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        with pytest.raises(RuntimeError, match="pyarrow"):
            export_reports(db, "parquet", tmp_path / "r.parquet")
        return
    assert export_reports(db, "parquet", tmp_path / "r.parquet") == 4
    assert pq.read_table(tmp_path / "r.parquet").num_rows == 4


def test_exports_stream_in_chunks_and_row_groups_with_the_same_rows(db, tmp_path, monkeypatch):
    """Rows read a few at a time and parquet written a row group at a time give the table whole."""
    import io

    import pyarrow.parquet as pq

    whole = tmp_path / "whole.jsonl"
    export_reports(db, "jsonl", whole, all_versions=True)
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    monkeypatch.setattr(export, "ROW_GROUP_ROWS", 2)
    chunked = tmp_path / "chunked.jsonl"
    export_reports(db, "jsonl", chunked, all_versions=True)
    assert chunked.read_bytes() == whole.read_bytes()
    stream = io.BytesIO()  # standard output: written as it goes, never sought back
    assert export_reports(db, "parquet", stream, all_versions=True) == 5
    parquet = pq.ParquetFile(io.BytesIO(stream.getvalue()))
    assert parquet.metadata.num_row_groups == 3
    rows = [json.loads(line) for line in whole.read_text(encoding="utf-8").splitlines()]
    assert parquet.read().to_pylist() == rows


def test_an_empty_archive_exports_an_empty_table(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "archive.db"
    Archive(path).close()
    assert export_reports(path, "parquet", tmp_path / "r.parquet") == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.num_rows == 0 and table.column_names == list(export.COLUMNS)


def test_export_rejects_unknown_format(db, tmp_path):
    with pytest.raises(ValueError):
        export_reports(db, "xlsx", tmp_path / "r.xlsx")


def _latest_texts(db: Path) -> dict[tuple[str, int], str]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT a.name, d.report_year, v.text FROM versions v JOIN documents d ON d.id = v.document_id "
        "JOIN agencies a ON a.id = d.agency_id WHERE v.id IN (SELECT max(id) FROM versions GROUP BY document_id)"
    ).fetchall()
    conn.close()
    return {(agency, year): text for agency, year, text in rows}


@pytest.mark.parametrize(
    ("query", "must_find"),
    [
        ("复议", ("青禾县司法局", 2023)),
        ("普法", ("址山镇人民政府", 2022)),
        ("执法", ("址山镇人民政府", 2020)),
        ("行政复议", ("云岭市司法局", 2023)),
        ("矛盾纠纷", ("址山镇人民政府", 2022)),
        ("法治建设领导小组", ("址山镇人民政府", 2020)),
        ("普法 纠错率", ("青禾县司法局", 2023)),
        ("公平竞争审查制度不存在的词", None),
    ],
)
def test_search_finds_exactly_the_reports_containing_the_query(db, query, must_find):
    texts = _latest_texts(db)
    expected = {key for key, text in texts.items() if all(term in text for term in query.split())}
    assert (must_find in expected) if must_find else not expected
    hits = search(db, query)
    assert {(h["agency"], h["report_year"]) for h in hits} == expected
    assert all(any(term in h["snippet"] for term in query.split()) for h in hits)


def test_search_returns_latest_version_with_snippet(db):
    (hit,) = search(db, "受理80件")
    assert hit["agency"] == "青禾县司法局"
    assert "受理80件" in hit["snippet"]
    assert search(db, "受理79件", agency="青禾县") == []
    assert [h["version_id"] for h in search(db, "受理79件", agency="青禾县", all_versions=True)] == [1]


def test_search_filters_by_agency_and_year(db):
    assert {h["agency"] for h in search(db, "复议", agency="云岭")} == {"云岭市司法局"}
    assert {h["report_year"] for h in search(db, "普法", agency="址山镇", year=2022)} == {2022}
    assert search(db, "复议", year=2019) == []
    assert len(search(db, "普法", limit=2)) == 2


def test_search_index_picks_up_new_versions(db):
    assert search(db, "府院联动") == []
    report = make_report(QINGHE_2023 + "\n建立府院联动机制。")
    with Archive(db) as arc:
        arc.ingest(make_capture(report, fetched_at="2024-09-01T00:00:00Z"), report)
    assert [h["agency"] for h in search(db, "府院联动")] == ["青禾县司法局"]


def test_search_normalises_traditional_and_full_width_queries(db):
    simplified = {h["version_id"] for h in search(db, "行政复议")}
    assert simplified
    assert {h["version_id"] for h in search(db, "行政復議")} == simplified
    assert {h["version_id"] for h in search(db, "復議")} == {h["version_id"] for h in search(db, "复议")}
    assert search(db, "纠错率１２．２％")  # full-width digits as typed with a Chinese IME


def _normalised_texts(db: Path) -> dict[int, str]:
    from archive.versions import normalized_text

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, coalesce(title, ''), text, text_normalized FROM versions").fetchall()
    conn.close()
    return {vid: (normalized_text(text, stored) + "\n" + title).casefold() for vid, title, text, stored in rows}


def test_every_length_of_query_finds_exactly_the_versions_holding_it(db):
    """1 character (a prefix of the index's tokens), 2 (one token), 3–8 (candidates checked against the text)."""
    import random

    texts = _normalised_texts(db)
    rng = random.Random(17)
    pool = [t for t in texts.values()]
    for length in range(1, 9):
        for _ in range(12):
            source = rng.choice(pool)
            start = rng.randrange(0, len(source) - length)
            query = source[start : start + length]
            if not query.isalnum():
                continue  # spaces and punctuation split a query into terms
            expected = {vid for vid, text in texts.items() if query.casefold() in text}
            found = {h["version_id"] for h in search(db, query, all_versions=True, limit=100)}
            assert found == expected, query


def test_a_query_whose_pairs_are_all_there_but_not_together_is_not_found(tmp_path):
    path = tmp_path / "archive.db"
    report = make_report("全年受理复议申请86件。议案办理纠错12件。", agency="石桥县人民政府", year=2023,
                         url="http://127.0.0.1:8000/shimen/show.asp?id=2")  # fmt: skip
    with Archive(path) as arc:
        arc.ingest(make_capture(report), report)
    # 复议 and 议案 are both runs of the text (the index's candidates), 复议案 is not in it.
    assert search(path, "复议案") == []
    assert [h["agency"] for h in search(path, "议案办理")] == ["石桥县人民政府"]


def test_search_matches_full_width_text_and_letters_in_any_case(tmp_path):
    path = tmp_path / "archive.db"
    text = "全年办理ＡＰＰ政务服务事项１２３件，Web端同步上线。\n推进法治政府建设。"
    report = make_report(text, agency="石桥县人民政府", year=2023, url="http://127.0.0.1:8000/shimen/show.asp?id=1")
    report.text_normalized = "全年办理APP政务服务事项123件,Web端同步上线。\n推进法治政府建设。"  # as extraction makes it
    with Archive(path) as arc:
        arc.ingest(make_capture(report), report)
        assert arc.db.execute("SELECT text_normalized FROM versions").fetchone() == (None,)  # the NFKC of the text
    for query in ("APP", "app", "ＡＰＰ", "123件", "１２３", "web端", "WEB", "P"):
        assert [h["agency"] for h in search(path, query)] == ["石桥县人民政府"], query
    assert search(path, "1234") == []


def test_search_treats_query_syntax_as_text(db):
    assert search(db, 'AND OR "NEAR"') == []
    assert search(db, "%") == []


def _crawl(db: Path, fetched_at: str, urls: list[str], outcome: str = "ok", status: int = 200) -> None:
    with Archive(db) as arc:
        for url in urls:
            arc.ingest(make_capture(None, url=url, fetched_at=fetched_at, outcome=outcome, status=status), None)


def _document_urls(db: Path) -> list[str]:
    return [u for (u,) in sqlite3.connect(db).execute("SELECT url FROM documents ORDER BY id")]


def test_mark_removed_marks_only_what_answered_gone(db):
    urls = _document_urls(db)
    started = "2025-01-01T00:00:00Z"
    _crawl(db, "2025-01-01T01:00:00Z", urls[:2])  # still there
    _crawl(db, "2025-01-01T01:00:00Z", urls[3:], outcome="error", status=404)  # gone
    # urls[2] was not asked at all in this crawl: no evidence either way
    assert mark_removed(db, PORTAL, started) == [4]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT removed_at, last_seen FROM documents WHERE url = ?", [urls[3]]).fetchone() == (
        started,
        "2024-04-01T08:00:00Z",
    )
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 5  # nothing deleted
    assert conn.execute("SELECT count(*) FROM documents WHERE removed_at IS NULL").fetchone()[0] == 3


@pytest.mark.parametrize(
    ("outcome", "status", "removed"),
    [
        ("error", 404, True),
        ("error", 410, True),
        ("soft_404", 200, True),  # a "page not found" page
        ("soft_404", 302, True),  # a redirect to the home page
        ("error", 503, False),
        ("error", 500, False),
        ("error", None, False),  # no answer: a timeout, a reset
        ("blocked", 412, False),
        ("error", 200, False),  # an extraction that failed
    ],
)
def test_only_a_real_gone_marks_a_report_removed(db, outcome, status, removed):
    urls = _document_urls(db)
    _crawl(db, "2025-01-01T01:00:00Z", urls[:3])
    _crawl(db, "2025-01-01T01:00:00Z", urls[3:], outcome=outcome, status=status)
    assert mark_removed(db, PORTAL, "2025-01-01T00:00:00Z") == ([4] if removed else [])


def test_a_blocked_crawl_marks_nothing(db):
    _crawl(db, "2025-01-01T01:00:00Z", _document_urls(db), outcome="blocked", status=412)
    assert mark_removed(db, PORTAL, "2025-01-01T00:00:00Z") == []


def test_a_crawl_where_everything_is_404_marks_nothing(db):
    """A portal that answers 404 to every page is broken, not emptied."""
    _crawl(db, "2025-01-01T01:00:00Z", _document_urls(db), outcome="error", status=404)
    assert mark_removed(db, PORTAL, "2025-01-01T00:00:00Z") == []


def test_a_removed_report_that_returns_is_unmarked(db):
    _crawl(db, "2025-01-01T01:00:00Z", ["http://127.0.0.1:8000/qinghe/index.html"])
    _crawl(db, "2025-01-01T01:00:00Z", _document_urls(db), outcome="error", status=404)
    mark_removed(db, PORTAL, "2025-01-01T00:00:00Z")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents WHERE removed_at IS NOT NULL").fetchone()[0] == 4
    report = make_report()
    with Archive(db) as arc:
        arc.ingest(make_capture(report, fetched_at="2025-02-01T00:00:00Z"), report)
        assert arc.stats()["removed_documents"] == 3


@given(st.text(alphabet=st.sampled_from("法治政府复议a_B1 ，。\n—é"), max_size=40), st.text(max_size=10))
def test_index_tokens_are_every_pair_of_each_run_and_its_last_character(text, title):
    import re

    from archive.bigrams import tokens

    expected = set()
    for run in re.findall(r"[^\W_]+", text) + re.findall(r"[^\W_]+", title):
        expected |= {run[i : i + 2] for i in range(len(run) - 1)} | {run[-1]}
    assert set(tokens(title, text).split()) == expected


def test_every_table_can_be_read_and_dumped_by_other_tools(db):
    """A generic tool counts every table and dumps the database, the search index included."""
    conn = sqlite3.connect(db)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert "versions_bigrams" in tables
        counts = {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}  # noqa: S608
        assert counts["versions_bigrams"] == counts["versions"] == 5
        assert any(line.startswith('INSERT INTO "versions"') for line in conn.iterdump())
    finally:
        conn.close()
