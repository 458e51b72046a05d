"""What the archive costs: bytes stored, bytes per unchanged recapture, ingest rate, search recall.

Usage: python -m benchmarks.archive [--n N] [--dir DIR]
       python -m benchmarks.archive --docs 50000 [--dir DIR]   (the archive at scale: benchmarks/archive_scale.py)
       python -m benchmarks.archive --docs 50000 --report-only --dir DIR   (fazhi report only, the archive kept in DIR)

Generates N fictional reports (numbered outline, figures, portal chrome around the body; agencies ×
years), ingests them into a fresh archive and measures, side by side from one run:
- stored bytes per raw byte (the whole database file / the raw bodies fetched), and the same for
  the WARC files written beside it;
- bytes added per unchanged recapture (the same N pages fetched again, 200 with the same body and a
  new Date header; target ≤ 300: body, URL, portal and stable headers are stored once, so only a row
  of ids is added), and per 304 answer to a conditional re-fetch;
- stored bytes per raw byte on the extraction gold pages (real portals' chrome and real report texts);
- ingest rate of Archive.ingest beside a bare sqlite-utils insert of the same capture and version
  rows, one transaction each in the same journal mode (the ratio is the price of identity,
  fingerprints, dedup and the WARC record);
- journaling: the same ingests with the WAL journal the archive uses (synchronous NORMAL), WAL with
  synchronous FULL, and the rollback journal of schema 2 and before (DELETE, FULL), in alternating
  rounds (medians); and how many ingests fail while a reader holds a read transaction (a
  ``fazhi check`` or a report build running during a crawl) with a short busy timeout;
- search: the two-character index archive.search uses beside a jieba-segmented FTS5 index, on queries
  users type, against the truth (the units whose text contains the query), on the paragraphs of
  the real corpus texts in ../shared/corpus when a development checkout has them, else on the
  generated reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import json
import random
import sqlite3
import tempfile
import time
import unicodedata
import zlib
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import Archive
from archive.capture import Capture
from archive.search import query_terms, search
from archive.versions import normalized_text
from archive.warc import warc_dir_for
from extraction.report import Report

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT / ".." / "shared" / "corpus"
QUERIES = (
    "复议", "普法", "执法", "调解", "法治", "行政复议", "行政执法", "法律顾问", "依法行政", "合法性审查",
    "矛盾纠纷", "第一责任人", "法治政府建设", "公共法律服务", "执法监督", "纠错率", "重大行政决策",
    "规范性文件", "双随机", "府院联动", "谁执法谁普法", "复议 纠错率",
)  # fmt: skip

AGENCY_UNITS = tuple(
    a + b + c for c in ("县", "镇", "街道", "乡") for a in "青云石址龙城双鹤" for b in "禾岭桥山口南"
)
AGENCY_KINDS = ("人民政府", "司法局", "市场监督管理局", "生态环境局", "交通运输局")
PARAGRAPHS = (
    "全年共收到行政复议申请{a}件，受理{b}件，审结{c}件，纠错率{p}%。",
    "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，评查执法案卷{a}卷。",
    "落实“谁执法谁普法”普法责任制，开展普法宣传活动{a}场次，发放宣传资料{b}份。",
    "聘请法律顾问{a}名，全年审查合同{b}份、规范性文件{c}件，提出法律意见{d}条。",
    "重大行政决策严格履行公众参与、专家论证、风险评估、合法性审查、集体讨论决定程序。",
    "全镇调解矛盾纠纷{a}宗，调解成功率{p}%，防止民间纠纷转化为刑事案件。",
    "深入推进“双随机、一公开”监管，抽查市场主体{a}户，公示结果{b}条。",
    "建立府院联动机制，行政机关负责人出庭应诉{a}次，出庭应诉率100%。",
    "完善公共法律服务体系，建成村(居)公共法律服务工作室{a}个，办理法律援助案件{b}件。",
    "加强行政执法监督，开展执法人员培训{a}期，{b}名执法人员通过资格考试。",
    "党政主要负责人切实履行推进法治建设第一责任人职责，主持召开专题会议{a}次。",
    "清理规范性文件{a}件，废止{b}件，修改{c}件，及时向社会公布清理结果。",
    "推进“放管服”改革，政务服务事项网上可办率达{p}%，办理时限平均压缩{a}%。",
    "存在的不足：基层执法力量薄弱，执法人员专业能力有待提高，普法形式较为单一。",
)
OUTLINE = ("一、主要举措和成效", "二、党政主要负责人履行推进法治建设第一责任人职责情况", "三、存在的不足和原因",
           "四、下一年度推进法治政府建设的主要安排")  # fmt: skip


def generated_reports(n: int, seed: int = 2024) -> list[Report]:
    """N distinct reports (agency × year × figures), deterministic for a seed."""
    rng = random.Random(seed)
    agencies = [u + k for u in AGENCY_UNITS for k in AGENCY_KINDS]
    reports = []
    for i in range(n):
        # Distinct (agency, year) for every report up to 960 × 6; the years run on past that.
        agency, year = agencies[i % len(agencies)], 2019 + i // len(agencies)
        lines = [f"{year}年，{agency}深入学习贯彻习近平法治思想，现将{year}年法治政府建设情况报告如下："]
        for heading in OUTLINE:
            lines.append(heading)
            for k, template in enumerate(rng.sample(PARAGRAPHS, 4)):
                figures = {c: rng.randint(3, 900) for c in "abcd"} | {"p": round(rng.uniform(50, 99.9), 1)}
                lines.append(f"({'一二三四'[k]}){template.format(**figures)}")
        text = "\n".join(lines)
        url = f"http://127.0.0.1:8000/p{i % 7}/zwgk/fzzfjs/{year + 1}03/t{year + 1}0315_{1000 + i}.html"
        reports.append(
            Report(title=f"{agency}{year}年法治政府建设年度报告", text=text,
                   text_normalized=unicodedata.normalize("NFKC", text), url=url, agency=agency, publisher=agency,
                   report_year=year, published=f"{year + 1}-03-15", is_report=True)
        )  # fmt: skip
    return reports


def page(report: Report) -> bytes:
    """The report inside the chrome a TRS-style portal page carries."""
    body = "".join(f"<p style='text-indent:2em'>{line}</p>\n" for line in report.text.splitlines())
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + report.title + "</title>"
        "<link rel='stylesheet' href='/css/common.css'><script src='/js/jquery.min.js'></script></head><body>"
        "<div class='top'><a href='/'>首页</a> | <a href='/zwgk/'>政务公开</a> | <a href='/bsfw/'>办事服务</a></div>"
        "<div class='position'>您当前的位置：<a href='/'>首页</a> &gt; 政务公开 &gt; 法治政府建设</div>"
        "<table class='xxgk'><tr><td>索引号：</td><td>11440700MB2C12345X/2024-00123</td><td>发布机构：</td>"
        f"<td>{report.agency}</td></tr><tr><td>发布日期：</td><td>{report.published}</td></tr></table>"
        f"<h1>{report.title}</h1><div class='fontsize'>【字体：大 中 小】 打印 关闭</div>"
        f"<div class='TRS_Editor'>{body}</div><div class='share'>扫一扫在手机打开当前页</div>"
        "<div class='footer'>主办单位：人民政府办公室 网站标识码：4407000001 ICP备05012345号</div>"
        "</body></html>"
    ).encode("utf-8")


def _http_date(iso: str) -> str:
    return email.utils.format_datetime(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def capture_of(report: Report, fetched_at: str, not_modified: bool = False) -> Capture:
    """The fetch of a report page as a crawl records it: 200 with the page, or a 304 answer to If-None-Match."""
    # Validators of this page (a real server's differ from page to page), the same on every fetch of it.
    etag = f'"{zlib.crc32((report.url or "").encode()):x}-5f1e"'
    modified = _http_date(f"{report.published or '2024-03-15'}T02:00:00Z")
    headers = {"Date": _http_date(fetched_at), "Server": "nginx", "ETag": etag, "Last-Modified": modified,
               "X-Frame-Options": "SAMEORIGIN"}  # fmt: skip
    if not not_modified:
        headers |= {"Content-Type": "text/html; charset=utf-8", "Accept-Ranges": "bytes"}
    return Capture(url=report.url or "", fetched_at=fetched_at, status=304 if not_modified else 200,
                   outcome="not_modified" if not_modified else "ok", body=b"" if not_modified else page(report),
                   content_type=None if not_modified else "text/html; charset=utf-8",
                   portal=f"http://127.0.0.1:8000/{report.url.split('/')[3]}/", headers=headers)  # fmt: skip


def _warc_bytes(db: Path) -> int:
    folder = warc_dir_for(db)
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


MIN_RECAPTURES = 600


def _growth_per_capture(
    db: Path, reports: list[Report], rounds: int, not_modified: bool, day0: int = 0
) -> tuple[float, float]:
    """Database and WARC bytes added per unchanged recapture, over ``rounds`` re-fetches of every report."""
    size, warc = db.stat().st_size, _warc_bytes(db)
    with Archive(db) as arc:
        for day in range(day0, day0 + rounds):
            fetched_at = f"2025-{6 if not_modified else 5:02d}-01T{day // 60:02d}:{day % 60:02d}:00Z"
            for report in reports:
                result = arc.ingest(
                    capture_of(report, fetched_at, not_modified), None if not_modified else report
                )
                assert result.document_id and result.status in ("seen_again", "capture_only")
    count = rounds * len(reports)
    return (db.stat().st_size - size) / count, (_warc_bytes(db) - warc) / count


def search_index_bytes(db: Path) -> int | None:
    """Bytes the search index (versions_bigrams and its shadow tables) takes; None without SQLite's dbstat."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'versions_bigrams%'").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def measure_storage_and_rate(reports: list[Report], workdir: Path) -> dict[str, float]:
    db = workdir / "archive.db"
    raw = 0
    start = time.perf_counter()
    with Archive(db) as arc:
        for report in reports:
            capture = capture_of(report, "2025-04-01T08:00:00Z")
            raw += len(capture.body)
            arc.ingest(capture, report)
    ingest_s = time.perf_counter() - start
    first_size = db.stat().st_size
    index_size = search_index_bytes(db) or 0  # written by the archive when it closes; reported on its own
    first_warc = _warc_bytes(db)
    # Enough recaptures that the file's growth in whole pages (4 KiB) is not what is measured.
    rounds = max(1, -(-MIN_RECAPTURES // len(reports)))
    recapture_bytes, recapture_warc_bytes = _growth_per_capture(db, reports, rounds, not_modified=False)
    # A URL's first 304 brings a header set of its own (its ETag without the entity headers); later ones reuse it.
    first_304_bytes, _ = _growth_per_capture(db, reports, 1, not_modified=True, day0=0)
    not_modified_bytes, not_modified_warc_bytes = _growth_per_capture(db, reports, rounds, not_modified=True, day0=1)

    bare = sqlite_utils.Database(workdir / "bare.db")
    bare.execute("PRAGMA journal_mode = WAL")  # the archive's journal, so the ratio is the price of its work
    bare.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    for i, report in enumerate(reports, start=1):
        capture = capture_of(report, "2025-04-01T08:00:00Z")
        with bare.atomic():  # one transaction per capture, as Archive.ingest
            bare["captures"].insert({"url": capture.url, "fetched_at": capture.fetched_at, "status": capture.status,
                                     "outcome": capture.outcome, "body": capture.body}, pk="id")  # fmt: skip
            bare["versions"].insert({"capture_id": i, "title": report.title, "text": report.text,
                                     "report": json.dumps(report.to_dict(), ensure_ascii=False)}, pk="id")  # fmt: skip
    bare_s = time.perf_counter() - start
    bare.close()
    return {
        "reports": len(reports),
        "raw_bytes": raw,
        "db_bytes": first_size,
        "stored_bytes_per_raw_byte": round((first_size - index_size) / raw, 3),
        "search_index_bytes_per_raw_byte": round(index_size / raw, 3),
        "bytes_per_unchanged_recapture": round(recapture_bytes, 1),
        "bytes_per_first_304_recapture": round(first_304_bytes, 1),
        "bytes_per_304_recapture": round(not_modified_bytes, 1),
        "warc_bytes_per_raw_byte": round(first_warc / raw, 3),
        "warc_bytes_per_unchanged_recapture": round(recapture_warc_bytes, 1),
        "warc_bytes_per_304_recapture": round(not_modified_warc_bytes, 1),
        "archive_ingest_per_s": round(len(reports) / ingest_s, 1),
        "bare_insert_per_s": round(len(reports) / bare_s, 1),
        "ingest_time_ratio_vs_bare": round(ingest_s / bare_s, 2),
    }


# (journal_mode, synchronous) compared; the first is what archive.store.open_database sets.
JOURNALS = (("wal", "normal"), ("wal", "full"), ("delete", "full"))


def _ingest_all(
    db: Path, reports: list[Report], journal: tuple[str, str], busy_timeout: float = 30.0, reader: bool = False
) -> int:
    """Ingest every report into a fresh archive at ``db`` in this journal mode; returns how many failed.

    ``reader``: after the first report, a read-only connection holds one read transaction throughout.
    """
    from archive.errors import ArchiveWriteError

    failed = 0
    with Archive(db, busy_timeout=busy_timeout) as arc:
        arc.db.execute(f"PRAGMA journal_mode = {journal[0]}")
        arc.db.execute(f"PRAGMA synchronous = {journal[1]}")
        held = None
        for i, report in enumerate(reports):
            if reader and i == 1:
                held = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
                held.execute("BEGIN")
                held.execute("SELECT count(*) FROM captures").fetchone()
            try:
                arc.ingest(capture_of(report, "2025-04-01T08:00:00Z"), report)
            except ArchiveWriteError:
                failed += 1
        if held is not None:
            held.execute("COMMIT")
            held.close()
    return failed


def measure_journaling(reports: list[Report], workdir: Path, rounds: int = 3) -> dict[str, Any]:
    """Ingest rate per journal mode (median of alternating rounds), and ingests lost to a long reader."""
    import statistics

    rates: dict[tuple[str, str], list[float]] = {j: [] for j in JOURNALS}
    for r in range(rounds):
        for journal in JOURNALS if r % 2 == 0 else JOURNALS[::-1]:
            db = workdir / f"journal-{journal[0]}-{journal[1]}-{r}.db"
            start = time.perf_counter()
            _ingest_all(db, reports, journal)
            rates[journal].append(len(reports) / (time.perf_counter() - start))
    medians = {j: statistics.median(v) for j, v in rates.items()}
    out: dict[str, Any] = {
        f"ingest_per_s_{j[0]}_{j[1]}": f"{medians[j]:.1f} (range {min(v):.1f}–{max(v):.1f})" for j, v in rates.items()
    }
    base = medians[JOURNALS[-1]]
    out |= {f"ingest_rate_ratio_{j[0]}_{j[1]}_vs_delete_full": round(medians[j] / base, 2) for j in JOURNALS[:-1]}
    # A reader holding one read transaction throughout (what a long `fazhi check` does), 50 ms busy timeout.
    for journal in (JOURNALS[0], JOURNALS[-1]):
        failed = _ingest_all(workdir / f"reader-{journal[0]}.db", reports, journal, busy_timeout=0.05, reader=True)
        out[f"ingests_failed_beside_a_long_reader_{journal[0]}"] = f"{failed} of {len(reports) - 1}"
    return out


def measure_gold_pages(workdir: Path) -> dict[str, Any]:
    """Stored bytes per raw byte on the extraction gold pages, each extracted and archived as a crawl would.

    Report pages in 14 portals' chrome (two of them saved from real portals, five wrapping the real
    report texts of ../shared/corpus), so a development checkout is needed; the empty archive's size
    is subtracted so only what the pages added is counted.
    """
    from benchmarks.extraction import load_cases
    from extraction import extract_report

    try:
        cases = load_cases()
    except OSError as exc:
        return {"gold_pages": f"not measured: {exc}"}
    db = workdir / "gold-pages.db"
    with Archive(db, warc=False):
        pass
    empty = db.stat().st_size
    with Archive(db, warc=False) as arc:
        for i, case in enumerate(cases):
            url = case.url or f"http://127.0.0.1:8000/gold/{i}/{case.name}.html"
            capture = Capture(url=url, fetched_at="2025-04-01T08:00:00Z", status=200, outcome="ok", body=case.body,
                              content_type="text/html", headers={"Content-Type": "text/html"})  # fmt: skip
            arc.ingest(capture, extract_report(case.body, url=url, content_type="text/html"))
        versions = arc.stats()["versions"]
    raw = sum(len(case.body) for case in cases)
    return {
        "gold_pages": len(cases),
        "gold_pages_archived_as_reports": versions,
        "gold_pages_raw_bytes": raw,
        "gold_pages_stored_bytes_per_raw_byte": round((db.stat().st_size - empty - (search_index_bytes(db) or 0)) / raw, 3),
        "gold_pages_search_index_bytes_per_raw_byte": round((search_index_bytes(db) or 0) / raw, 3),
    }


def _jieba_index(db: sqlite_utils.Database) -> None:
    import jieba

    jieba.setLogLevel(60)
    db.execute("CREATE VIRTUAL TABLE jieba_fts USING fts5(words)")
    for vid, text, stored in db.execute("SELECT id, text, text_normalized FROM versions").fetchall():
        text = normalized_text(text, stored)
        db.execute(
            "INSERT INTO jieba_fts (rowid, words) VALUES (?, ?)", [vid, " ".join(jieba.cut_for_search(text))]
        )
    db.conn.commit()


def _jieba_search(db: sqlite_utils.Database, query: str) -> set[int]:
    import jieba

    tokens = [t for term in query_terms(query) for t in jieba.cut(term) if t.strip()]
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    return {r[0] for r in db.execute("SELECT rowid FROM jieba_fts WHERE jieba_fts MATCH ?", [match])}


def compare_search(reports: list[Report], workdir: Path) -> dict[str, Any]:
    """Per query: how many reports hold it, how many each index finds, and the wrong hits."""
    path = workdir / "search.db"
    with Archive(path) as arc:
        for report in reports:
            arc.ingest(capture_of(report, "2025-04-01T08:00:00Z"), report)
    db = sqlite_utils.Database(path)
    texts = {vid: normalized_text(text, stored) for vid, text, stored in
             db.execute("SELECT id, text, text_normalized FROM versions").fetchall()}  # fmt: skip
    start = time.perf_counter()
    _jieba_index(db)
    jieba_index_s = time.perf_counter() - start
    per_query, totals = {}, {"truth": 0, "bigram_index": 0, "jieba": 0, "bigram_index_wrong": 0, "jieba_wrong": 0}
    for query in QUERIES:
        truth = {vid for vid, text in texts.items() if all(t in text for t in query_terms(query))}
        found = {h["version_id"] for h in search(path, query, limit=len(texts) + 1)}
        jie = _jieba_search(db, query)
        row = {"truth": len(truth), "bigram_index": len(found & truth), "jieba": len(jie & truth),
               "bigram_index_wrong": len(found - truth), "jieba_wrong": len(jie - truth)}  # fmt: skip
        per_query[query] = row
        for key in totals:
            totals[key] += row[key]
    db.close()
    return {"search_totals": totals, "search_per_query": per_query,
            "jieba_index_s": round(jieba_index_s, 2)}  # fmt: skip


def corpus_paragraphs() -> list[Report]:
    """Each paragraph of the real report texts of a development checkout as one searchable unit.

    Real wording is what tells the indexes apart (a generated corpus repeats its own phrasing);
    a few hundred paragraphs give each query dozens of chances to be segmented differently.
    """
    out: list[Report] = []
    for name in (
        "zhishan-2020-report.txt",
        "shuangshan-2021-page-as-text.txt",
        "content-farm-compilation-5-articles.txt",
    ):
        path = SHARED_CORPUS / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) < 20:
                continue
            i = len(out)
            out.append(Report(title=f"{name} ¶{i}", text=line.strip(), text_normalized=unicodedata.normalize("NFKC", line.strip()),
                              url=f"http://127.0.0.1:8000/corpus/{i}.html", agency=None,
                              report_year=2020, is_report=True))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="generated reports (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per journal mode (default 3)")
    parser.add_argument("--dir", type=Path, help="keep the databases here (default: a temporary folder)")
    parser.add_argument("--docs", type=int, help="build an archive of this many documents and measure it at scale instead")
    parser.add_argument("--report-only", action="store_true",
                        help="with --docs: only the fazhi report runs (cold, warm --rebuild, after 1 %% edited), "
                             "on the archive kept in --dir from the last run (built there when missing)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.docs and args.report_only:
        from benchmarks.archive_scale import reports_only

        if args.dir is None:
            parser.error("--report-only keeps its archive in --dir: give one")
        args.dir.mkdir(parents=True, exist_ok=True)
        numbers = reports_only(args.docs, args.dir)
        print(json.dumps(numbers, ensure_ascii=False, indent=2))
        return numbers
    if args.docs:
        from benchmarks.archive_scale import run

        with tempfile.TemporaryDirectory() as tmp:
            workdir = args.dir or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            numbers = run(args.docs, workdir)
        print(json.dumps(numbers, ensure_ascii=False, indent=2))
        return numbers
    reports = generated_reports(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        numbers: dict[str, Any] = measure_storage_and_rate(reports, workdir)
        numbers |= measure_journaling(reports, workdir, rounds=args.rounds)
        numbers |= measure_gold_pages(workdir)
        paragraphs = corpus_paragraphs()
        numbers["search_corpus"] = (
            f"{len(paragraphs)} real paragraphs" if paragraphs else f"{len(reports)} generated"
        )
        numbers |= compare_search(paragraphs or reports, workdir)
    print(json.dumps(numbers, ensure_ascii=False, indent=2))
    return numbers


if __name__ == "__main__":
    main()
