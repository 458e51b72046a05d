"""benchmarks/diffing.py runs and reports numbers that agree with diff_texts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from diffing.textdiff import diff_texts

ROOT = Path(__file__).resolve().parents[1]
ZHISHAN = ROOT / ".." / "shared" / "corpus" / "zhishan-2020-report.txt"

# benchmarks/ is a script folder, not an installed package: load the file itself.
_spec = importlib.util.spec_from_file_location("benchmarks_diffing", ROOT / "benchmarks" / "diffing.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
edited_copy, main, ten_thousand_characters = bench.edited_copy, bench.main, bench.ten_thousand_characters


def test_ten_thousand_characters_and_a_real_edit() -> None:
    old = ten_thousand_characters(ZHISHAN.read_text(encoding="utf-8"))
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
