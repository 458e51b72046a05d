"""The archive at scale: ``python -m benchmarks.archive --docs 50000`` (this module does the work).

Builds an archive of N report documents with the archive's own API (``Archive.ingest_many`` in
batches, as a batching writer would), from the sample portal's report generator (sample_portal:
each agency's evolving plans, figures and outline, composed as its reports for 2019–2024) run for
N/6 fictional agencies, each page in portal chrome and spread over 500 portals. Then it measures,
side by side in the same run where it claims a speed-up:

- bytes per document (database, WARC) at five sizes, and the database against the UTF-8 text of
  all its versions (target ≤ 2×), with the largest tables;
- ingest rate as the archive grows; ms per capture batched vs one at a time vs a bare
  sqlite-utils insert of the same rows (target ≤ 5 ms);
- search latency by query length (1, 2, 3, 4+ characters; target ≤ 0.2 s for two), beside the
  LIKE scan that answered 1–2 character queries before the two-character index;
- ``fazhi export`` time and peak memory (jsonl, parquet, --all-versions; target ≤ 300 MB), beside
  building the parquet table whole as before;
- ``fazhi check`` time and peak memory, and fingerprinting every version at C speed beside the
  per-character loop it replaced;
- ``fazhi report``: a full build's time and peak memory (the process and its workers together,
  proportional set size sampled from /proc by benchmarks.report_memory, the largest process and the parent; targets ≤ 60 s, ≤ 500 MB), then a rebuild into the same site after a later
  crawl edited 1 % of the agencies' latest reports (only those agencies are analysed again);
- the removal check after a crawl of one portal, beside the queries it replaced (every capture of
  the portal read through the view).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from archive import Archive
from archive.capture import Capture
from archive.fingerprint import fingerprint
from archive.search import search_with_total
from archive.versions import normalized_text
from archive.warc import warc_dir_for
from benchmarks.report_memory import measure
from extraction.normalization import normalize_text
from extraction.report import Report
from extraction.sections import parse_sections
from sample_portal.agencies import Agency, report_title
from sample_portal.evolution import evolve
from sample_portal.report_text import compose_report

ROOT = Path(__file__).resolve().parents[1]
PORTALS = 500
BATCH = 100
YEARS = range(2019, 2025)
# Place-name characters for fictional agencies (three of them and 县: 64,000 distinct counties).
PLACES = "青云石龙城双鹤松柳桃梅兰竹菊金银铜铁山河湖海江溪泉川林峰岭岗坪坝塘湾洲沙滩桥关东西南北"
KINDS = (
    ("人民政府", "government", "县政府"), ("司法局", "justice", "县司法局"),
    ("市场监督管理局", "enforcement", "县市场监管局"), ("生态环境局", "enforcement", "县生态环境局"),
    ("交通运输局", "enforcement", "县交通运输局"), ("城关镇人民政府", "township", "城关镇"),
)  # fmt: skip
QUERIES = {
    "1": ("法", "罚", "诉"),
    "2": ("复议", "普法", "执法", "调解"),
    "3": ("纠错率", "合法性", "双随机", "府院联"),
    "4+": ("行政复议", "法治政府建设", "重大行政决策", "规范性文件", "证明事项告知承诺制"),
}
TARGETS = {"db_per_text": 2.0, "search_2_chars_s": 0.2, "ms_per_capture": 5.0, "export_peak_mb": 300,
           "report_peak_mb": 500, "report_s": 60}


def _agencies(count: int) -> list[Agency]:
    rng = random.Random(7)
    out: list[Agency] = []
    n = len(PLACES)
    i = 0
    while len(out) < count:
        unit = PLACES[i % n] + PLACES[(i // n) % n] + PLACES[(i // n // n) % n] + "县"
        for suffix, kind, short in KINDS:
            outline = rng.choice(("standard", "yishi", "arabic", "broken"))
            out.append(Agency(f"s{len(out)}", unit + suffix, short, "county", unit, "p",
                              "{name}{year}年法治政府建设年度报告", outline, rng.uniform(0.5, 6.0), kind,
                              other_matters=rng.random() < 0.3))  # fmt: skip
        i += 1
    return out[:count]


def page(report: Report) -> bytes:
    from benchmarks.archive import page as portal_page

    return portal_page(report)


def scale_reports(n: int, first: int = 0) -> Iterator[Report]:
    """Reports ``first`` … ``first + n - 1`` of the series: agencies × 2019–2024, composed by the sample portal's generator."""
    made = first - first % len(YEARS)
    agencies = _agencies(-(-(first + n) // len(YEARS)))
    for agency in agencies[first // len(YEARS) :]:
        evolution = evolve(agency)
        for year in YEARS:
            if made == first + n:
                return
            if made < first:
                made += 1
                continue
            text = compose_report(agency.key, year, evolution=evolution)
            doc = 100000 + made
            url = f"http://127.0.0.1:8000/p{made % PORTALS}/zwgk/fzzfjs/{year + 1}03/t{year + 1}0315_{doc}.html"
            yield Report(title=report_title(agency, year), text=text, text_normalized=normalize_text(text), url=url,
                         publisher=agency.name, agency=agency.name, region=agency.region, report_year=year,
                         published=f"{year + 1}-03-15", is_report=True, sections=parse_sections(text))  # fmt: skip
            made += 1


def _capture(report: Report, fetched_at: str, not_modified: bool = False) -> Capture:
    from benchmarks.archive import capture_of

    return capture_of(report, fetched_at, not_modified)


def _warc_bytes(db: Path) -> int:
    folder = warc_dir_for(db)
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def _db_bytes(arc: Archive) -> int:
    arc.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL folded in: the file is the database
    return arc.path.stat().st_size


def build(db: Path, n: int, checkpoints: int = 5) -> dict[str, Any]:
    """Ingest N reports in batches; bytes per document and ingest rate at each fifth of the way."""
    points = []
    text_bytes = 0
    reports = scale_reports(n)
    done, began = 0, time.perf_counter()
    ingest_s = 0.0
    step = max(1, n // checkpoints)
    with Archive(db) as arc:
        while done < n:
            upto = (done // step + 1) * step  # the next checkpoint; the last one is N itself
            upto = n if upto >= step * checkpoints else upto
            batch = [next(reports) for _ in range(min(BATCH, upto - done))]
            pairs = [(_capture(r, "2025-04-01T08:00:00Z"), r) for r in batch]
            text_bytes += sum(len(r.text.encode("utf-8")) for r in batch)
            start = time.perf_counter()
            arc.ingest_many(pairs)
            ingest_s += time.perf_counter() - start
            done += len(batch)
            if done == upto:
                size, warc = _db_bytes(arc), _warc_bytes(db)
                points.append({
                    "documents": done, "db_bytes_per_document": round(size / done),
                    "warc_bytes_per_document": round(warc / done), "db_per_text": round(size / text_bytes, 3),
                    "ingest_per_s_since_last": round((done - (points[-1]["documents"] if points else 0)) / ingest_s, 1),
                })  # fmt: skip
                ingest_s = 0.0
        total_s = time.perf_counter() - began
    return {"growth": points, "build_s": round(total_s, 1)}


def sizes(db: Path, n: int) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        text = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM versions").fetchone()[0]
        tables = conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"
        ).fetchall()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    size = db.stat().st_size
    return {
        "documents": n,
        "db_bytes": size,
        "warc_bytes": _warc_bytes(db),
        "version_text_utf8_bytes": text,
        "db_per_text": round(size / text, 3),
        "db_bytes_per_document": round(size / n),
        "warc_bytes_per_document": round(_warc_bytes(db) / n),
        "text_bytes_per_document": round(text / n),
        "page_size": page_size,
        "largest_tables_bytes_per_document": {name: round(b / n) for name, b in tables},
    }


def ingest_modes(db: Path, workdir: Path, docs: int, rounds: int = 3, per_round: int = 200) -> dict[str, Any]:
    """ms per capture into the big archive: batches of 100 vs one transaction each; a bare insert beside."""
    extra = scale_reports(rounds * per_round, first=docs)  # past the archive's own: new reports, new URLs
    times: dict[str, list[float]] = {"batched": [], "one_at_a_time": [], "bare_sqlite_utils_insert": []}
    bare = sqlite_utils.Database(workdir / "bare.db")
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("PRAGMA synchronous = NORMAL")
    with Archive(db) as arc:
        for r in range(rounds):
            reports = [next(extra) for _ in range(per_round)]
            day = f"2025-05-{r + 1:02d}T08:00:00Z"
            pairs = [(_capture(x, day), x) for x in reports]
            for mode in (("batched", "one_at_a_time") if r % 2 == 0 else ("one_at_a_time", "batched")):
                chosen = pairs[: per_round // 2] if mode == "batched" else pairs[per_round // 2 :]
                start = time.perf_counter()
                if mode == "batched":
                    for i in range(0, len(chosen), BATCH):
                        arc.ingest_many(chosen[i : i + BATCH])
                else:
                    for capture, report in chosen:
                        arc.ingest(capture, report)
                times[mode].append((time.perf_counter() - start) / len(chosen) * 1000)
            start = time.perf_counter()
            for capture, report in pairs[: per_round // 2]:
                with bare.atomic():  # what archive writes used to be: sqlite-utils inserts, a transaction each
                    pk = bare["captures"].insert({"url": capture.url, "fetched_at": capture.fetched_at,
                                                  "status": capture.status, "body": capture.body}, pk="id").last_pk
                    bare["versions"].insert({"capture_id": pk, "title": report.title, "text": report.text,
                                             "report": json.dumps(report.to_dict(), ensure_ascii=False)}, pk="id")  # fmt: skip
            times["bare_sqlite_utils_insert"].append((time.perf_counter() - start) / (per_round // 2) * 1000)
    bare.close()
    out = {f"ms_per_capture_{k}": f"{statistics.median(v):.2f} (range {min(v):.2f}–{max(v):.2f})" for k, v in times.items()}
    out["ms_per_capture_batched_median"] = round(statistics.median(times["batched"]), 2)
    return out


def _timed(run: Any, repeat: int = 3) -> tuple[float, Any]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def searches(db: Path) -> dict[str, Any]:
    """Median of three searches per query (``fazhi search``'s library call, 20 hits and the total)."""
    out: dict[str, Any] = {}
    for length, queries in QUERIES.items():
        rows = {}
        for q in queries:
            seconds, (hits, total) = _timed(lambda q=q: search_with_total(db, q, limit=20))
            rows[q] = {"s": round(seconds, 3), "matches": total}
        out[f"search_{length}_chars"] = rows
        out[f"search_{length}_chars_max_s"] = max(r["s"] for r in rows.values())
    # Beside it: the LIKE scan that answered 1–2 character queries before (schema 4 and older).
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    like = {}
    for q in QUERIES["2"]:
        seconds, total = _timed(lambda q=q: conn.execute(
            "SELECT count(*) FROM versions v JOIN documents d ON d.id = v.document_id WHERE v.id = d.current_version_id "
            "AND (coalesce(v.text_normalized, v.text) LIKE ? OR v.title LIKE ?)", [f"%{q}%"] * 2).fetchone()[0])  # fmt: skip
        like[q] = {"s": round(seconds, 3), "matches": total}
    conn.close()
    out["search_2_chars_like_scan_before"] = like
    out["search_2_chars_speedup_vs_like_scan"] = round(
        statistics.median(like[q]["s"] for q in like) / max(1e-6, statistics.median(
            out["search_2_chars"][q]["s"] for q in like)), 1)  # fmt: skip
    return out


def _child(argv: list[str]) -> tuple[float, float, int]:
    """Run a command; (seconds, peak resident MB, exit status) of that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


WHOLE_TABLE_PARQUET = """
import sys, pyarrow as pa, pyarrow.parquet as pq
from archive.export import _rows
rows = list(_rows(sys.argv[1], True))  # every row in memory, then one table: the export before it streamed
pq.write_table(pa.Table.from_pylist(rows), sys.argv[2])
"""


def exports(db: Path, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fmt in ("jsonl", "parquet"):
        target = workdir / f"export.{fmt}"
        seconds, peak, code = _child([sys.executable, "-m", "fazhi.cli", "export", "--db", str(db), "--format", fmt,
                                      "--all-versions", "--out", str(target)])  # fmt: skip
        assert code == 0, f"export {fmt} failed"
        out[f"export_{fmt}_all_versions"] = {"s": round(seconds, 1), "peak_mb": round(peak), "file_mb": round(target.stat().st_size / 2**20)}
        target.unlink()
    seconds, peak, code = _child([sys.executable, "-c", WHOLE_TABLE_PARQUET, str(db), str(workdir / "whole.parquet")])
    out["export_parquet_whole_table_before"] = {"s": round(seconds, 1), "peak_mb": round(peak)} if code == 0 else "failed"
    (workdir / "whole.parquet").unlink(missing_ok=True)
    return out


def _edited(report: Report) -> Report:
    text = report.text.replace("。", "。此句为年中修订时补充。", 1)
    return Report(**{**vars(report), "text": text, "text_normalized": normalize_text(text),
                     "sections": parse_sections(text)})  # fmt: skip


def _report_run(command: list[str]) -> dict[str, Any]:
    """Run ``fazhi report``: its time, and the peak memory of it and its workers (benchmarks.report_memory)."""
    m = measure(command, interval=0.2)
    assert m.returncode == 0, f"{' '.join(command[2:])} failed"
    return {"s": round(m.seconds, 1), "peak_mb": round(m.peaks.total_pss_mb),
            "largest_process_mb": round(m.peaks.largest_process_mb),
            "parent_mb": round(m.peaks.process_rss_mb.get(m.peaks.root, 0)), "said": m.stdout.strip()}  # fmt: skip


def reports(db: Path, workdir: Path, n: int) -> dict[str, Any]:
    """``fazhi report`` three ways into one site: a cold build (nothing kept: every pair analysed), a full
    rebuild with the last build's analyses at hand (``--rebuild``: every page drawn again, as after new
    templates), then a rebuild after a later crawl edited 1 % of the agencies' latest reports (those
    agencies' pages drawn and their changed pairs analysed, the others' pages copied)."""
    site = workdir / "site"
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "fazhi.cli", "report", "--db", str(db), "--out", str(site)]
    out: dict[str, Any] = {"report_full": _report_run(command), "load_after_cold": os.getloadavg()[0]}
    out["report_cache_mb"] = round(sum(f.stat().st_size for f in (site / ".report-cache").iterdir()) / 2**20)
    out["report_site_mb"] = round(sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 2**20)
    out["report_rebuild_warm"] = _report_run([*command, "--rebuild"])
    out["load_after_warm"] = os.getloadavg()[0]
    agencies = -(-n // len(YEARS))
    edited = [_edited(next(scale_reports(1, first=a * len(YEARS) + len(YEARS) - 1)))
              for a in range(0, agencies, 100) if a * len(YEARS) + len(YEARS) - 1 < n]  # fmt: skip
    with Archive(db) as arc:
        arc.ingest_many([(_capture(r, "2025-05-01T08:00:00Z"), r) for r in edited])
    out["report_after_edits"] = {**_report_run(command), "agencies_edited": len(edited)}
    out["load_after_edits"] = os.getloadavg()[0]
    shutil.rmtree(site, ignore_errors=True)
    return out


def reports_only(docs: int, workdir: Path) -> dict[str, Any]:
    """Only the ``fazhi report`` measurements, on an archive of ``docs`` built once into ``workdir`` and
    reused by the next run (each run edits a copy of it)."""
    base = workdir / f"base-{docs}.db"
    numbers: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    if not base.is_file():
        building = workdir / f"building-{docs}.db"
        numbers["build_s"] = build(building, docs)["build_s"]
        building.rename(base)
        warc_dir_for(building).rename(warc_dir_for(base))
    db = workdir / "scale.db"
    shutil.copyfile(base, db)
    numbers |= reports(db, workdir, docs)
    numbers["targets"] = report_targets(numbers)
    return numbers


def _fingerprint_text_before(text: str) -> str:
    """The per-character loop archive.fingerprint replaced (kept here to measure beside it)."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")


def checks(db: Path) -> dict[str, Any]:
    seconds, peak, code = _child([sys.executable, "-m", "fazhi.cli", "check", "--db", str(db)])
    out: dict[str, Any] = {"check": {"s": round(seconds, 1), "peak_mb": round(peak), "ok": code == 0}}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    texts = [normalized_text(t, s) for t, s in conn.execute("SELECT text, text_normalized FROM versions")]
    conn.close()
    import hashlib

    start = time.perf_counter()
    for t in texts:
        hashlib.sha256(_fingerprint_text_before(t).encode()).hexdigest()
    before = time.perf_counter() - start
    start = time.perf_counter()
    for t in texts:
        fingerprint(t)
    after = time.perf_counter() - start
    out["fingerprint_all_versions_s"] = {"c_speed": round(after, 2), "per_character_before": round(before, 2),
                                         "speedup": round(before / max(after, 1e-9), 1)}  # fmt: skip
    return out


def removal(db: Path, n: int) -> dict[str, Any]:
    """A re-crawl of one portal (every report answers 304), then its removal check; the old queries beside it."""
    portal = "http://127.0.0.1:8000/p0/"
    started = "2025-06-01T00:00:00Z"
    crawled = [next(scale_reports(1, first=i)) for i in range(0, n, PORTALS)]
    with Archive(db) as arc:
        arc.ingest_many([(_capture(r, started, not_modified=True), None) for r in crawled])
        seconds, removed = _timed(lambda: arc.mark_removed(portal, started))
    # The queries it replaced, on the schema they ran on (no index on captures' portal and date):
    # the index is dropped inside a transaction that is rolled back.
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("DROP INDEX idx_captures_portal_id_fetched_at")
    before, _ = _timed(lambda: (
        conn.execute("SELECT url, outcome FROM capture_records WHERE portal = ? AND fetched_at >= ? ORDER BY id",
                     [portal, started]).fetchall(),
        conn.execute("SELECT DISTINCT u.document_id FROM document_urls u JOIN capture_records c ON c.url = u.url "
                     "JOIN documents d ON d.id = u.document_id WHERE c.portal = ? AND d.removed_at IS NULL",
                     [portal]).fetchall()))  # fmt: skip
    conn.execute("ROLLBACK")
    conn.close()
    return {"removal_check_one_portal_s": round(seconds, 4), "removal_documents_crawled": len(crawled),
            "removal_marked": len(removed), "removal_queries_before_s": round(before, 3),
            "removal_speedup": round(before / max(seconds, 1e-6), 1)}  # fmt: skip


def _verdict(value: float, limit: float) -> str:
    return f"{value} ≤ {limit}: {'met' if value <= limit else 'NOT MET'}"


def report_targets(numbers: dict[str, Any]) -> dict[str, str]:
    full, warm = numbers["report_full"], numbers["report_rebuild_warm"]
    return {
        "fazhi report ≤ 500 MB (cold build)": _verdict(full["peak_mb"], TARGETS["report_peak_mb"]),
        "fazhi report ≤ 500 MB (warm rebuild)": _verdict(warm["peak_mb"], TARGETS["report_peak_mb"]),
        "fazhi report full rebuild ≤ 60 s (cold: nothing kept)": _verdict(full["s"], TARGETS["report_s"]),
        "fazhi report full rebuild ≤ 60 s (warm: analyses kept)": _verdict(warm["s"], TARGETS["report_s"]),
    }


def targets(numbers: dict[str, Any]) -> dict[str, str]:
    verdict = _verdict
    return {
        "database ≤ 2× the UTF-8 text of its versions": verdict(numbers["db_per_text"], TARGETS["db_per_text"]),
        "two-character search ≤ 0.2 s": verdict(numbers["search_2_chars_max_s"], TARGETS["search_2_chars_s"]),
        "archive ≤ 5 ms per capture (batched)": verdict(numbers["ms_per_capture_batched_median"], TARGETS["ms_per_capture"]),
        "export --all-versions ≤ 300 MB": verdict(max(numbers["export_jsonl_all_versions"]["peak_mb"],
                                                      numbers["export_parquet_all_versions"]["peak_mb"]),
                                                  TARGETS["export_peak_mb"]),  # fmt: skip
    } | (report_targets(numbers) if "report_full" in numbers else {})


def run(docs: int, workdir: Path, report_site: bool = True) -> dict[str, Any]:
    db = workdir / "scale.db"
    numbers: dict[str, Any] = {}
    built = build(db, docs)
    numbers["build_s"], numbers["growth"] = built["build_s"], built["growth"]
    numbers |= sizes(db, docs)  # before the measurements below add to it
    numbers |= searches(db)
    numbers |= exports(db, workdir)
    numbers |= checks(db)
    if report_site:
        numbers |= reports(db, workdir, docs)
    numbers |= removal(db, docs)
    numbers |= ingest_modes(db, workdir, docs)
    numbers["targets"] = targets(numbers)
    return numbers
