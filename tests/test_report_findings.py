"""Findings as data: ``fazhi export --table``, ``DIR/findings.db`` with its Datasette queries, the WACZ export,
and the compliance list on the index — on an archive with a late report, a missing year, an unreadable URL
and a plan written as a spreadsheet formula."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from archive import Archive
from archive.capture import Capture
from extraction.report import Report
from fazhi.cli import main
from report.findings import TABLES
from report.site import build_report_site

ROOT = Path(__file__).resolve().parents[1]
FORMULA = '=HYPERLINK("http://127.0.0.1:9/x","点击")加强行政执法人员法律知识培训。'
SIFA = {
    2021: "一、主要工作\n全年办理行政复议案件9件,其中纠错2件。\n二、存在不足\n队伍力量不足。\n"
    f"三、下一步打算\n{FORMULA}\n推进行政复议规范化建设。\n开展法治宣传进社区活动。\n",
    2022: "一、主要工作\n全年办理行政复议案件12件,其中纠错3件。\n二、存在不足\n队伍力量仍然不足。\n"
    "三、下一步打算\n加强行政执法人员法律知识和业务技能培训。\n推行复议案件繁简分流机制。\n",
}
TOWN = "一、主要工作\n全年审核规范性文件6件。\n二、存在不足\n宣传不足。\n三、下一步打算\n加强普法宣传。\n"


def _ingest(archive: Archive, agency: str, year: int, text: str, published: str, fetched: str, url: str) -> None:
    report = Report(title=f"{agency}{year}年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                    report_year=year, agency=agency, published=published, is_report=True)  # fmt: skip
    body = f"<html><body><div class='TRS_Editor'>{text}</div></body></html>".encode()
    archive.ingest(Capture(url=url, fetched_at=fetched, status=200, outcome="ok", body=body,
                           content_type="text/html; charset=utf-8"), report)  # fmt: skip


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("findings") / "archive.db"
    base = "http://127.0.0.1:8000/"
    with Archive(db) as archive:
        _ingest(archive, "青禾县司法局", 2021, SIFA[2021], "2022-03-10", "2022-03-12T08:00:00Z", base + "s21.html")
        # published 10 May: after the 1 April deadline
        _ingest(archive, "青禾县司法局", 2022, SIFA[2022], "2023-05-10", "2023-05-12T08:00:00Z", base + "s22.html")
        _ingest(archive, "柳溪镇人民政府", 2020, TOWN, "2021-03-01", "2021-03-02T08:00:00Z", base + "t20.html")
        _ingest(archive, "柳溪镇人民政府", 2022, TOWN, "2023-03-01", "2023-03-02T08:00:00Z", base + "t22.html")
        # the town's 2022 report answers with a WAF challenge at the last crawl
        archive.ingest(Capture(url=base + "t22.html", fetched_at="2024-03-02T08:00:00Z", status=412,
                               outcome="blocked", error="412 $_ts challenge", body=b"$_ts=1"), None)  # fmt: skip
        # a report page blocked from its first fetch on: no document, only the URL (and that it was a report page)
        archive.ingest(Capture(url=base + "never.html", fetched_at="2024-03-02T08:01:00Z", status=521,
                               outcome="blocked", error="521 __jsluid challenge", body=b"__jsluid", kind="report"),
                       None)  # fmt: skip
        archive.ingest(Capture(url=base + "list.html", fetched_at="2024-03-02T08:02:00Z", status=503,
                               outcome="error", error="503", body=b"", kind="listing"), None)  # fmt: skip
    return db


@pytest.fixture(scope="module")
def site(archive_db: Path) -> Path:
    return build_report_site(archive_db, archive_db.parent / "site").parent


def export(db: Path, out: Path, *options: str) -> None:
    assert main(["export", "--db", str(db), "--out", str(out), *options]) == 0


def test_commitments_csv_loads_in_pandas_with_its_columns_and_safe_cells(archive_db: Path, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas (dev extra): the analyst's tool the CSV is for")
    out = tmp_path / "commitments.csv"
    export(archive_db, out, "--table", "commitments", "--format", "csv")
    frame = pandas.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == list(TABLES["commitments"])
    required = {"agency", "region", "previous_year", "report_year", "status", "previous_text", "text"}
    assert required <= set(frame.columns)
    sifa = frame[frame["agency"] == "青禾县司法局"]
    assert set(sifa["previous_year"]) == {2021} and set(sifa["report_year"]) == {2022}
    dropped = sifa[sifa["status"] == "dropped"]
    assert "开展法治宣传进社区活动。" in set(dropped["previous_text"]) and dropped["text"].isna().all()
    formula_rows = frame[frame["previous_text"].fillna("").str.contains("HYPERLINK")]
    assert len(formula_rows) == 1
    assert formula_rows["previous_text"].iloc[0] == "'" + FORMULA  # opens as text, not as a formula
    raw = out.read_text(encoding="utf-8-sig")
    assert not any(cell.startswith("=") for line in raw.splitlines() for cell in line.split(","))


def test_figures_and_problems_and_other_formats(archive_db: Path, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas (dev extra)")
    export(archive_db, tmp_path / "figures.parquet", "--table", "figures", "--format", "parquet")
    figures = pandas.read_parquet(tmp_path / "figures.parquet")
    assert {"label", "previous_value", "value", "unit"} <= set(figures.columns)
    row = figures[figures["label"].str.contains("行政复议案件")].iloc[0]
    assert (row["previous_value"], row["value"], row["unit"], bool(row["changed"])) == ("9", "12", "件", True)
    export(archive_db, tmp_path / "problems.jsonl", "--table", "problems", "--format", "jsonl")
    problems = [json.loads(line) for line in (tmp_path / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["status"] for p in problems if p["agency"] == "青禾县司法局"} == {"recurring"}


def test_compliance_finds_the_late_report_the_missing_year_and_the_blocked_url(archive_db: Path, tmp_path: Path) -> None:
    export(archive_db, tmp_path / "compliance.jsonl", "--table", "compliance", "--format", "jsonl")
    rows = [json.loads(line) for line in (tmp_path / "compliance.jsonl").read_text(encoding="utf-8").splitlines()]
    found = {(r["agency"], r["report_year"], r["kind"]) for r in rows}
    assert ("青禾县司法局", 2022, "late") in found
    assert ("柳溪镇人民政府", 2021, "missing_year") in found
    assert ("柳溪镇人民政府", 2022, "unavailable") in found
    unavailable = {r["url"].rsplit("/", 1)[-1]: r for r in rows if r["kind"] == "unavailable"}
    assert set(unavailable) == {"t22.html", "never.html"}  # a failing list page is not a report
    assert "412" in unavailable["t22.html"]["detail"] and unavailable["t22.html"]["agency"] == "柳溪镇人民政府"
    assert "__jsluid" in unavailable["never.html"]["detail"] and unavailable["never.html"]["agency"] is None
    assert ("青禾县司法局", 2021, "late") not in found


def test_the_index_lists_the_compliance_findings(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="desk-compliance"') : html.index('id="removed"')]
    assert 'class="compliance-late"' in section and "2023-05-10" in section
    assert 'class="compliance-missing_year"' in section and "2021年度报告缺失" in section
    assert 'class="compliance-unavailable"' in section and "被拦截" in section
    assert section.count('class="compliance-unavailable"') == 2 and "never.html" in section and "list.html" not in section


def test_findings_db_serves_in_datasette_with_its_canned_queries(site: Path) -> None:
    pytest.importorskip("datasette", reason="datasette (dev extra)")
    from datasette.app import Datasette

    findings = site / "findings.db"
    with sqlite3.connect(findings) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(TABLES) <= tables
    meta = json.loads((ROOT / "datasette" / "findings.json").read_text(encoding="utf-8"))
    for table, info in meta["databases"]["findings"]["tables"].items():
        assert set(info.get("columns", {})) <= set(TABLES[table]), table

    async def run_queries() -> dict[str, list[dict]]:
        app = Datasette([str(findings)], metadata=meta, immutables=[])
        out = {}
        for name in meta["databases"]["findings"]["queries"]:
            response = await app.client.get(f"/findings/{name}.json?_shape=array")
            assert response.status_code == 200, (name, response.text[:500])
            out[name] = response.json()
        return out

    results = asyncio.run(run_queries())
    assert [(r["agency"], r["report_year"]) for r in results["late_reports"]] == [("青禾县司法局", 2022)]
    [dropped] = [r for r in results["dropped_commitments_by_agency"] if r["agency"] == "青禾县司法局"]
    assert dropped["dropped"] >= 1 and "开展法治宣传进社区活动" in dropped["plans"]
    assert any(r["label"].startswith("全年办理行政复议案件") for r in results["figures_that_moved"])


def test_wacz_export_validates(archive_db: Path, tmp_path: Path) -> None:
    pytest.importorskip("wacz", reason="wacz (the wacz extra, in dev)")
    wacz_cli = shutil.which("wacz", path=str(Path(__import__("sys").executable).parent))
    assert wacz_cli, "the wacz package installs its command beside the interpreter"
    out = tmp_path / "archive.wacz"
    export(archive_db, out, "--format", "wacz")
    done = subprocess.run([wacz_cli, "validate", "-f", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "is valid" in done.stdout, done.stdout + done.stderr
    import zipfile

    with zipfile.ZipFile(out) as wacz:
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert {p["url"].rsplit("/", 1)[-1] for p in pages} == {"s21.html", "s22.html", "t20.html", "t22.html"}


def test_the_summary_tells_what_was_found(site: Path) -> None:
    from report.story import read_summary

    lines = read_summary(site)
    assert lines[0] == "4 reports of 2 agencies, 4 versions."
    assert lines[1] == "0 report(s) revised after publication"
    assert "commitments dropped in 2021→2022 (by 1 agencies)" in lines[2]
    assert lines[-1].startswith("1 report(s) after the 1 April deadline;") and "1 year(s) missing" in lines[-1]
    assert "2 report URL(s) unreadable at the last crawl" in lines[-1]
