"""The site shows what compare_years finds — split and merged plans, evidence, compliance — from the
Report extraction stored with each version (its sections), and escapes all of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import Archive
from archive.capture import Capture
from archive.versions import version_report
from extraction import extract_report
from report.site import build_report_site

AGENCY = "青溪县司法局"
HOSTILE = "&lt;script&gt;alert(9)&lt;/script&gt;"  # as a page writes it: text, which extraction decodes
PAGE = """<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="PubDate" content="{published}"></head>
<body><div class="TRS_Editor">{body}</div></body></html>"""

REPORT_2020 = [
    "2020年，县司法局在县委、县政府的正确领导下，扎实推进法治政府建设。",
    "一、主要工作和成效",
    "（一）落实第一责任人职责。局长履行推进法治建设第一责任人职责，全年主持研究法治工作4次。",
    "（二）加强合法性审查。全年审查规范性文件18件、合同204份。",
    "二、存在的不足",
    "一是合法性审查专业力量较为欠缺。二是普法形式较为单一。",
    "三、2021年工作计划",
    "（一）落实第一责任人职责，扎实开展领导班子集体学法；严格依法决策，落实法律顾问制度和重大决策合法性审查制度。",
    "（二）深入开展普法宣传，落实谁执法谁普法责任制。",
]
REPORT_2022 = [
    "2022年，县司法局在县委、县政府的正确领导下，扎实推进法治政府建设。",
    "一、主要工作和成效",
    "（一）落实第一责任人职责。局长全年主持研究法治工作6次，领导班子集体学法12次。",
    "（二）加强合法性审查。建立合法性审查专家库，全年审查规范性文件21件、合同236份" + HOSTILE + "。",
    "（三）深化普法宣传。落实谁执法谁普法责任制，开展普法活动210场。",
    "二、存在的不足",
    "一是合法性审核力量依然薄弱。二是行政复议办案压力加大。",
    "三、2023年工作计划",
    "（一）落实第一责任人职责，扎实开展领导班子集体学法，落实年终述法。",
    "（二）严格落实重大决策合法性审查制度，健全法律顾问工作规则" + HOSTILE + "。",
    "（三）深入开展普法宣传，落实谁执法谁普法责任制。",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("findings")
    db = root / "archive.db"
    arc = Archive(db)
    try:
        # 2020 on time; no report for 2021; 2022 published after 1 April 2023
        for year, lines, published in ((2020, REPORT_2020, "2021-03-20"), (2022, REPORT_2022, "2023-04-12")):
            url = f"http://127.0.0.1:8000/qingxi/{year}.html"
            title = f"{AGENCY}{year}年法治政府建设年度报告"
            body = PAGE.format(title=title, published=published, body="".join(f"<p>{line}</p>" for line in lines))
            report = extract_report(body.encode(), url=url, content_type="text/html; charset=utf-8")
            capture = Capture(url=url, fetched_at=f"{published}T08:00:00Z", status=200, outcome="ok",
                              body=body.encode(), content_type="text/html; charset=utf-8")  # fmt: skip
            arc.ingest(capture, report)
    finally:
        arc.close()
    build_report_site(db, root / "out")
    return db, root / "out"


def test_the_archive_keeps_the_structure_extraction_found(site: tuple[Path, Path]) -> None:
    db, _ = site
    report = version_report(db, 1)
    assert [s.part for s in report.sections if s.level == 1] == ["achievements", "shortcomings", "plans"]
    assert report.published == "2021-03-20" and report.report_year == 2020


def test_pair_page_shows_a_split_plan_evidence_and_compliance(site: tuple[Path, Path]) -> None:
    _, out = site
    [page] = list((out / "agencies").glob("*-2020-2022.html"))
    html = page.read_text(encoding="utf-8")
    plans = html[html.index('id="plans"') : html.index('id="follow"')]
    assert re.findall(r'<tr class="(\w+)">', plans) == ["split", "kept"]
    assert "拆分" in plans and "健全法律顾问工作规则&lt;script&gt;" in plans and "<script>" not in html
    follow = html[html.index('id="follow"') : html.index('id="problems"')]
    assert "集体学法12次" in follow or "合法性审查专家库" in follow
    assert "正确领导下" not in follow  # the opening frame is never evidence
    compliance = html[html.index('id="compliance"') : html.index('id="changes"')]
    assert "逾期公开" in compliance and "2023-04-12" in compliance
    assert "年度报告缺失" in compliance and "2021年度报告缺失" in compliance
    assert "缺少法定内容" not in compliance  # both reports tell the leader's duties, shortcomings and plans


def test_agency_timeline_flags_late_and_missing_years(site: tuple[Path, Path]) -> None:
    _, out = site
    [timeline] = [p for p in (out / "agencies").glob("*.html") if "-" not in p.stem]
    html = timeline.read_text(encoding="utf-8")
    assert "逾期公开" in html and "缺 2021 年度报告" in html
