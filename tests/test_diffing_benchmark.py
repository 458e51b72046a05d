"""benchmarks/diffing.py runs and reports numbers that agree with diff_texts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from real_corpus import shared_text

from diffing.textdiff import diff_texts

ROOT = Path(__file__).resolve().parents[1]

# benchmarks/ is a script folder, not an installed package: load the file itself.
_spec = importlib.util.spec_from_file_location("benchmarks_diffing", ROOT / "benchmarks" / "diffing.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
edited_copy, main, ten_thousand_characters = bench.edited_copy, bench.main, bench.ten_thousand_characters


def test_ten_thousand_characters_and_a_real_edit() -> None:
    old = ten_thousand_characters(shared_text("corpus/zhishan-2020-report.txt"))
    assert len(old) == 10_000
    new = edited_copy(old)
    d = diff_texts(old, new)
    assert d.stats["changed"] > 10 and d.stats["deleted"] > 10 and d.stats["inserted"] > 5
    assert d.figures


def test_main_on_files(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("一、总体情况。全年审核合同80件。", encoding="utf-8")
    new.write_text("一、总体情况。全年审核合同95件。", encoding="utf-8")
    numbers = main(["--old", str(old), "--new", str(new), "--repeat", "1"])
    assert numbers["sentences_changed"] == 1 and numbers["changed_figures"] == 1
    assert numbers["diff_texts_ms"] > 0 and numbers["difflib_lines_ms"] >= 0
    assert numbers["diff_reports_ms"] >= numbers["diff_texts_ms"] * 0.5


def test_site_speed_mode_builds_every_page(tmp_path: Path) -> None:
    """--site on a small generated archive: every agency, report, version and year pair gets its page, in parallel."""
    numbers = main(["--site", "--agencies", "40", "--years", "3", "--work-dir", str(tmp_path)])
    assert numbers["agencies"] == 40 and numbers["documents"] == 120 and numbers["versions"] >= 120
    # the index and the search page; per agency its page, its 3 reports, its 2 year pairs; a page per version
    assert numbers["pages"] == 2 + 40 * (1 + 3 + 2) + numbers["versions"]
    assert numbers["build_report_site_s"] > 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count('<tr>\n<td><a href="agencies/') == 40  # the region tables list every agency once


def test_generated_reports_are_report_sized_and_move_their_plans() -> None:
    import random

    from diffing.yoy import compare_years

    rng = random.Random(3)
    texts, plans = [], bench._PLANS[:5]
    for year in (2020, 2021, 2022):
        text, plans = bench.generated_report("白石县第7号镇人民政府", year, list(plans), rng)
        texts.append(text)
    assert all(2000 <= len(t) <= 4000 for t in texts)
    counts = compare_years(texts[0], texts[1]).counts
    assert counts["kept"] + counts["changed"] >= 1 and counts["added"] >= 1


def test_ten_thousand_character_benchmark_reports_its_timings() -> None:
    """The speed itself is the benchmark's to print (README, Measured); a test asserts no wall-clock bound."""
    shared_text("corpus/zhishan-2020-report.txt")  # its default input
    numbers = main(["--repeat", "2"])
    assert numbers["old_chars"] == 10_000
    assert numbers["diff_texts_ms"] > 0, numbers


def test_pairs_names_tuning_pairs_by_number_and_ranges() -> None:
    assert bench.pair_numbers("t62-t64,t70") == {62, 63, 64, 70}
    assert bench.pair_numbers("T05, 7") == {5, 7}


def test_pairs_refuses_what_names_no_pair() -> None:
    with pytest.raises(ValueError, match="not a pair number"):
        bench.pair_numbers("t6x")
    with pytest.raises(SystemExit):  # argparse's error: the sealed half is never scored per pair
        main(["--quality", "--pairs", "t62", "--half", "sealed"])
