"""Never delete what you did not make; never leave a half file under the real name; CSV cells inert."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import Ran, build_small_archive, run_fazhi
from test_archive_fixtures import make_capture, make_report

from archive import Archive
from archive.export import atomic_file, export_reports, neutralise_formula
from fazhi.outputs import MARKER, OutputRefused, check_output_directory, replace_directory

ROOT = Path(__file__).resolve().parents[1]


def fazhi(*argv: str, cwd: Path = ROOT) -> Ran:
    return run_fazhi(*argv, cwd=cwd)


def test_demo_refuses_a_directory_with_a_users_file_and_leaves_it(tmp_path):
    mine = tmp_path / "thesis.docx"
    mine.write_bytes(b"three years of work")
    for out in (".", str(tmp_path)):
        done = fazhi("demo", "--out", out, cwd=tmp_path)
        assert done.returncode == 1 and "not empty" in done.stderr and "thesis.docx" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]
    assert mine.read_bytes() == b"three years of work"


def test_report_rerun_leaves_exactly_the_pages_of_this_run(tmp_path, small_archive):
    site = tmp_path / "site"
    assert fazhi("report", "--db", str(small_archive), "--out", str(site)).returncode == 0
    first = {str(p.relative_to(site)) for p in site.rglob("*")}
    assert MARKER in first and "index.html" in first
    # The same site rebuilt from an archive that only has one agency: the other's pages must go.
    smaller = tmp_path / "smaller.db"
    report = make_report()
    with Archive(smaller, warc=False) as arc:
        arc.ingest(make_capture(report), report)
    assert fazhi("report", "--db", str(smaller), "--out", str(site)).returncode == 0
    second = {str(p.relative_to(site)) for p in site.rglob("*")}
    fresh = tmp_path / "fresh"
    assert fazhi("report", "--db", str(smaller), "--out", str(fresh)).returncode == 0
    assert second == {str(p.relative_to(fresh)) for p in fresh.rglob("*")}, "stale pages left behind"
    assert len(second) < len(first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "site", "smaller.db"]  # no temporaries left


def test_report_refuses_its_own_directory_once_a_user_file_is_in_it(tmp_path, small_archive):
    site = tmp_path / "site"
    assert fazhi("report", "--db", str(small_archive), "--out", str(site)).returncode == 0
    (site / "my-notes.txt").write_text("读后感", encoding="utf-8")
    done = fazhi("report", "--db", str(small_archive), "--out", str(site))
    assert done.returncode == 1 and "my-notes.txt" in done.stderr
    assert (site / "my-notes.txt").read_text(encoding="utf-8") == "读后感"
    assert (site / "index.html").is_file()


def test_report_writes_into_an_empty_directory_and_keeps_its_mode(tmp_path, small_archive):
    site = tmp_path / "empty"
    site.mkdir()
    assert fazhi("report", "--db", str(small_archive), "--out", str(site)).returncode == 0
    assert (site / "index.html").is_file()
    assert site.stat().st_mode & 0o755 == 0o755  # readable by a web server, not tempfile's 0700


def test_a_failed_build_leaves_the_previous_output_whole(tmp_path):
    out = tmp_path / "out"

    def good(fresh: Path) -> None:
        (fresh / "index.html").write_text("v1", encoding="utf-8")

    def bad(fresh: Path) -> None:
        (fresh / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("killed half-way")

    replace_directory(out, "report", good)
    with pytest.raises(RuntimeError):
        replace_directory(out, "report", bad)
    assert (out / "index.html").read_text(encoding="utf-8") == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with pytest.raises(OutputRefused, match="fazhi report"):
        check_output_directory(out, "demo")  # another command's directory is not the demo's


def test_export_to_standard_output_writes_no_file_named_dash(tmp_path, small_archive):
    done = fazhi("export", "--db", str(small_archive), "--format", "jsonl", "--out", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 4 and {r["agency"] for r in rows} == {"青禾县司法局", "址山镇人民政府"}
    assert "wrote 4 rows to standard output" in done.stderr
    assert not (tmp_path / "-").exists()
    done = fazhi("export", "--db", str(small_archive), "--format", "csv", "--out", "-", cwd=tmp_path)
    assert not done.stdout.startswith("\ufeff")  # a pipe gets plain UTF-8; files get Excel's BOM
    assert len(list(csv.DictReader(io.StringIO(done.stdout)))) == 4


def test_a_failed_export_leaves_no_file_under_the_real_name(tmp_path):
    target = tmp_path / "reports.csv"
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"version_id,text\n1,half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"the previous export")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"half")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["reports.csv"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(start):
    assert neutralise_formula(start + "HYPERLINK(\"http://x\")") == "'" + start + "HYPERLINK(\"http://x\")"


def test_csv_export_neutralises_scraped_formulas_and_jsonl_keeps_them(tmp_path):
    db = tmp_path / "archive.db"
    build_small_archive(db)
    hostile = make_report(title='=HYPERLINK("http://evil.example/","点击查看")', year=2020,
                          url="http://127.0.0.1:8000/qinghe/2020.html", text="-2+3 行政复议\n@SUM(A1)")  # fmt: skip
    with Archive(db) as arc:
        arc.ingest(make_capture(hostile), hostile)
    export_reports(db, "csv", tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["report_year"] == "2020")
    assert row["title"] == "'" + hostile.title
    assert row["text"].startswith("'-2+3")
    assert row["agency"] == "青禾县司法局" and row["version_id"].isdigit()  # ordinary cells as they are
    export_reports(db, "jsonl", tmp_path / "r.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(r["title"] == hostile.title for r in rows)  # JSON is data, not a spreadsheet
