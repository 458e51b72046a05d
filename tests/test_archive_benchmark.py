"""benchmarks/archive.py runs at a small N and its numbers agree with what the archive does."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from real_corpus import has_shared

ROOT = Path(__file__).resolve().parents[1]

# benchmarks/ is a script folder, not an installed package: load the file itself.
_spec = importlib.util.spec_from_file_location("benchmarks_archive", ROOT / "benchmarks" / "archive.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_generated_reports_are_distinct_documents() -> None:
    reports = bench.generated_reports(50)
    assert len({(r.agency, r.report_year) for r in reports}) == 50
    assert len({r.text for r in reports}) == 50
    assert all("一、主要举措和成效" in r.text and "%" in r.text for r in reports)


def test_benchmark_at_small_n(tmp_path: Path) -> None:
    numbers = bench.main(["--n", "40", "--rounds", "1", "--dir", str(tmp_path)])
    assert numbers["reports"] == 40
    assert numbers["raw_bytes"] > 40 * 2000
    # Text, sections and the compressed body: more than the body alone, well under 4 copies of it.
    assert 0.3 < numbers["stored_bytes_per_raw_byte"] < 4
    # Bodies, URLs and stable headers are stored once: a recapture costs a row of ids (issue target ≤ 300).
    assert 0 < numbers["bytes_per_unchanged_recapture"] <= 300
    assert 0 < numbers["bytes_per_304_recapture"] <= 300
    # A URL's first 304 adds its header set too (~270 B at N=300; 40 captures only measure to ±100 B).
    assert 0 < numbers["bytes_per_first_304_recapture"] < 450
    if has_shared("corpus") and has_shared("real-pages"):
        assert numbers["gold_pages"] >= 12 and 0.1 < numbers["gold_pages_stored_bytes_per_raw_byte"] < 1.5
    else:  # the gold pages wrap the real corpus: without ../shared the benchmark says so instead of a number
        assert numbers["gold_pages"].startswith("not measured") and "shared" in numbers["gold_pages"]
    assert numbers["archive_ingest_per_s"] > 0 and numbers["bare_insert_per_s"] > 0
    # WAL: a reader in a long read transaction never makes a write fail; the rollback journal it blocks.
    assert numbers["ingests_failed_beside_a_long_reader_wal"] == "0 of 39"
    assert numbers["ingests_failed_beside_a_long_reader_delete"] == "39 of 39"
    assert numbers["ingest_rate_ratio_wal_normal_vs_delete_full"] > 0
    totals = numbers["search_totals"]
    assert totals["truth"] > 0
    assert totals["bigram_index"] == totals["truth"] and totals["bigram_index_wrong"] == 0
    assert totals["jieba"] <= totals["truth"]


def test_benchmark_at_scale_on_a_small_archive(tmp_path: Path) -> None:
    """--docs: the measured archive is what the archive's API made, and every number comes from it."""
    import sqlite3

    from archive.versions import normalized_text

    numbers = bench.main(["--docs", "120", "--dir", str(tmp_path)])
    assert [p["documents"] for p in numbers["growth"]] == [24, 48, 72, 96, 120]
    db = tmp_path / "scale.db"
    conn = sqlite3.connect(db)
    texts = [normalized_text(t, s) for t, s in conn.execute("SELECT text, text_normalized FROM versions")]
    assert numbers["documents"] == 120 and len(texts) >= 120  # (the ingest-mode rounds add reports after the sizes)
    assert conn.execute("SELECT count(DISTINCT agency_id) FROM documents").fetchone()[0] >= 20
    conn.close()
    assert numbers["version_text_utf8_bytes"] > 120 * 2000 and 0 < numbers["db_per_text"] < 10
    for query, row in numbers["search_2_chars"].items():  # the totals are the texts that hold the query
        assert row["matches"] == numbers["search_2_chars_like_scan_before"][query]["matches"]
    assert numbers["check"]["ok"] and numbers["export_parquet_all_versions"]["file_mb"] >= 0
    assert numbers["removal_documents_crawled"] == 1 and numbers["removal_marked"] == 0
    # fazhi report cold, then --rebuild from the kept analyses (every page drawn, no pair analysed), then
    # again after a later crawl edited one agency's latest report: only it is drawn, its changed pairs analysed.
    cold, warm, edits = numbers["report_full"], numbers["report_rebuild_warm"], numbers["report_after_edits"]
    analysed = re.search(r"(\d+) pairs of texts analysed, 0 taken", cold["said"])
    assert cold["said"].startswith(f"wrote {tmp_path / 'site' / 'index.html'} (20 agencies, 0 unchanged")
    assert analysed and int(analysed.group(1)) >= 20 * 4  # ~5 year pairs an agency
    assert warm["said"].endswith(f"(20 agencies, 0 unchanged since the last report; 0 pairs of texts analysed, "
                                 f"{analysed.group(1)} taken from the last report's analyses)")  # fmt: skip
    assert edits["agencies_edited"] == 1
    assert "(20 agencies, 19 unchanged since the last report; " in edits["said"]
    assert cold["peak_mb"] > 0 and warm["peak_mb"] > 0
    assert set(numbers["targets"]) == {
        "database ≤ 2× the UTF-8 text of its versions", "two-character search ≤ 0.2 s",
        "archive ≤ 5 ms per capture (batched)", "export --all-versions ≤ 300 MB",
        "fazhi report ≤ 500 MB (cold build)", "fazhi report ≤ 500 MB (warm rebuild)",
        "fazhi report full rebuild ≤ 60 s (cold: nothing kept)",
        "fazhi report full rebuild ≤ 60 s (warm: analyses kept)"}  # fmt: skip
