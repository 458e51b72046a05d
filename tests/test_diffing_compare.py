"""`fazhi diff` knows what it compares: two versions of one report get a revision diff, two years the
year-over-year analysis; renumbering or a changed year alone is not a 修改 (issue 12, item 8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from archive.capture import Capture
from diffing.compare import compare_reports, comparison_mode
from diffing.sections import as_report
from diffing.textdiff import diff_texts
from extraction.report import Report

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "yoy"
REPORT_2020 = (FIXTURES / "02-nanxi-zhen" / "old.txt").read_text(encoding="utf-8")
REPORT_2021 = (FIXTURES / "02-nanxi-zhen" / "new.txt").read_text(encoding="utf-8")
FIRST_KEYS = {"commitments", "follow_through", "problems", "figures", "boilerplate", "text_diff"}


NUMBERS = "一二三四五"


def _revised(text: str) -> str:
    """The 2020 report as a silent edit leaves it: a first result added, the four after it renumbered
    ((一)→(二) …), one figure changed."""
    head, rest = text.split("一、工作开展情况\n", 1)
    results, tail = rest.split("二、存在的问题和不足", 1)
    renumbered = [f"({NUMBERS[k + 1]}){line[3:]}" for k, line in enumerate(results.splitlines())]
    edited = "\n".join([head + "一、工作开展情况", "(一)学法用法。全年组织集体学法4次。", *renumbered])
    return (edited + "\n二、存在的问题和不足" + tail).replace("排查矛盾纠纷215起", "排查矛盾纠纷225起")


def _fazhi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def test_two_versions_of_one_report_get_a_revision_diff(tmp_path: Path) -> None:
    old, new = tmp_path / "v1.txt", tmp_path / "v2.txt"
    old.write_text(REPORT_2020, encoding="utf-8")
    new.write_text(_revised(REPORT_2020), encoding="utf-8")
    done = _fazhi("diff", str(old), str(new), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["mode"] == "revision"
    assert FIRST_KEYS <= set(data)  # the first version's keys are still there
    # the renumbered items are not edits; the added one and the figure are
    stats = data["text_diff"]["stats"]
    assert (stats["changed"], stats["inserted"], stats["deleted"]) == (1, 2, 0)
    assert data["figures"] == [{"label": "组织共排查矛盾纠纷", "before": "215起", "after": "225起", "changed": True}]
    assert data["follow_through"] == [] and not any(data["commitments"].values())
    text = _fazhi("diff", str(old), str(new)).stdout
    assert "修订" in text and "未见落实" not in text and "沿用上年原文" not in text


def test_two_years_get_the_year_over_year_analysis(tmp_path: Path) -> None:
    old, new = tmp_path / "2020.txt", tmp_path / "2021.txt"
    old.write_text(REPORT_2020, encoding="utf-8")
    new.write_text(REPORT_2021, encoding="utf-8")
    data = json.loads(_fazhi("diff", str(old), str(new), "--format", "json").stdout)
    assert data["mode"] == "year_over_year" and FIRST_KEYS <= set(data)
    assert data["counts"]["kept"] == 1 and len(data["follow_through"]) == 4
    text = _fazhi("diff", str(old), str(new)).stdout
    # the text lists changed figures only, and says how many stayed the same
    assert "数字变化（另有 0 项数字未变）" in text and text.count("数字变化") == 1


def test_a_year_bump_or_a_renumbering_alone_is_not_a_change() -> None:
    old = "(二)2022年全年审核合同80件。\n(三)推进政务公开。\n"
    new = "(一)2023年全年审核合同80件。\n(三)推进政务公开工作。\n"
    loose = diff_texts(old, new, ignore_numbering=True, ignore_years=True)
    assert loose.stats == {"equal": 1, "changed": 1, "inserted": 0, "deleted": 0} and not loose.figures
    strict = diff_texts(old, new)
    assert strict.stats["changed"] == 2  # the plain diff still shows every character that moved
    yoy = compare_reports(as_report("某镇2022年法治政府建设工作报告\n" + old),
                          as_report("某镇2023年法治政府建设工作报告\n" + new))  # fmt: skip
    assert yoy.mode == "year_over_year" and yoy.text_diff.stats["changed"] == 1


@pytest.mark.parametrize(
    ("old", "new", "same", "mode"),
    [
        (Report(report_year=2022, agency="甲镇"), Report(report_year=2022, agency="甲镇"), None, "revision"),
        (Report(report_year=2022, agency="甲镇"), Report(report_year=2023, agency="甲镇"), None, "year_over_year"),
        (Report(report_year=2022, agency="甲镇"), Report(report_year=2022, agency="乙镇"), None, "year_over_year"),
        (Report(title="甲镇报告"), Report(title="甲镇报告"), None, "revision"),
        (Report(report_year=2022), Report(report_year=2023), True, "revision"),  # the archive says one document
        (Report(report_year=2022), Report(report_year=2022), False, "year_over_year"),
    ],
)
def test_comparison_mode(old: Report, new: Report, same: bool | None, mode: str) -> None:
    assert comparison_mode(old, new, same) == mode


def test_archived_versions_by_id(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    arc = Archive(db)
    versions = []
    try:
        for k, (year, text) in enumerate([(2020, REPORT_2020), (2020, _revised(REPORT_2020)), (2021, REPORT_2021)]):
            url = f"http://127.0.0.1:8000/nanxi/{year}.html"
            report = Report(title=f"南溪镇人民政府{year}年法治政府建设工作情况报告", text=text, text_normalized=text,
                            url=url, report_year=year, agency="南溪镇人民政府", published=f"{year + 1}-03-15",
                            is_report=True, sections=as_report(text).sections)  # fmt: skip
            body = f"<html><body><div class='TRS_Editor'>{text}</div></body></html>".encode()
            capture = Capture(url=url, fetched_at=f"{year + 1}-03-2{k}T08:00:00Z", status=200, outcome="ok",
                              body=body, content_type="text/html; charset=utf-8")  # fmt: skip
            versions.append(arc.ingest(capture, report).version_id)
    finally:
        arc.close()
    first, edited, next_year = versions
    revision = json.loads(_fazhi("diff", str(first), str(edited), "--db", str(db), "--format", "json").stdout)
    assert revision["mode"] == "revision" and revision["text_diff"]["stats"]["changed"] == 1
    assert revision["text_diff"]["stats"]["inserted"] == 2
    yoy = json.loads(_fazhi("diff", str(edited), str(next_year), "--db", str(db), "--format", "json").stdout)
    assert yoy["mode"] == "year_over_year" and yoy["counts"]["followed_through"] == 3
