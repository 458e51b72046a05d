"""build_report_site on an archive of a few agencies × years, with a silent edit and hostile text."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from real_corpus import shared_text

from archive import Archive
from archive.capture import Capture
from diffing.site import build_report_site
from extraction.report import Report

HOSTILE_TITLE = '青禾县司法局2022年法治政府建设年度报告<script>alert(1)</script>'
HOSTILE_LINE = '全年办理行政复议案件12件<script>alert(1)</script>,其中<img src=x" onerror=alert(2)>纠错3件。'


def _reports() -> list[tuple[str, str, Report]]:
    """(fetched_at, url, report) in crawl order: what three crawls of three portals would bring."""
    zhishan_2020 = shared_text("corpus/zhishan-2020-report.txt")
    zhishan_2020_edited = zhishan_2020.replace(
        "镇人民调解委员会受理调解纠纷案件31件", "镇人民调解委员会受理调解纠纷案件45件"
    ).replace("(五)加强学习培训和队伍建设,切实做到公正文明执法。", "(五)加强学习培训和队伍建设。")
    zhishan_2021 = (
        zhishan_2020_edited.replace("2020年", "2021年")
        .replace("址山镇开展送法下乡专题活动8场", "址山镇开展送法下乡专题活动11场")
        .replace("六、2021年法治政府建设工作计划", "六、2022年法治政府建设工作计划\n全面推进镇村两级合法性审查全覆盖。")
    )
    sifa_2021 = (
        "一、主要工作\n全年办理行政复议案件9件,其中纠错2件。\n二、存在不足\n队伍力量不足。\n"
        "三、下一步打算\n一是加强行政执法人员法律知识培训;二是推进行政复议规范化建设;三是开展法治宣传进社区活动。\n"
    )
    sifa_2022 = (
        f"一、主要工作\n{HOSTILE_LINE}\n二、存在不足\n队伍力量仍然不足<script>alert(3)</script>。\n"
        "三、下一步打算\n一是加强行政执法人员法律知识和业务技能培训;二是推行复议案件繁简分流<b>机制</b>。\n"
    )
    shiqiao = "石桥县2019年法治政府建设工作总结。全年审核规范性文件6件。\n"

    def report(agency: str, region: str, year: int, text: str, url: str, title: str | None = None) -> Report:
        return Report(
            title=title or f"{agency}{year}年法治政府建设年度报告",
            text=text,
            text_normalized=text,
            url=url,
            report_year=year,
            agency=agency,
            region=region,
            publisher=agency,
            published=f"{year + 1}-03-15",
            is_report=True,
        )

    z = "http://127.0.0.1:8000/zhishan/"
    q = "http://127.0.0.1:8000/qinghe/"
    return [
        ("2021-03-20T08:00:00Z", z + "a1.html", report("址山镇人民政府", "鹤山市", 2020, zhishan_2020, z + "a1.html")),
        ("2021-06-01T08:00:00Z", z + "a1.html", report("址山镇人民政府", "鹤山市", 2020, zhishan_2020_edited, z + "a1.html")),
        ("2022-03-20T08:00:00Z", z + "a2.html", report("址山镇人民政府", "鹤山市", 2021, zhishan_2021, z + "a2.html")),
        ("2022-03-20T08:00:00Z", q + "b1.html", report("青禾县司法局", "青禾县", 2021, sifa_2021, q + "b1.html")),
        (
            "2023-03-20T08:00:00Z",
            q + "b2.html",
            report("青禾县司法局", "青禾县", 2022, sifa_2022, q + "b2.html", title=HOSTILE_TITLE),
        ),
        ("2020-03-20T08:00:00Z", q + "c1.html", report("石桥县人民政府", "石桥县", 2019, shiqiao, q + "c1.html")),
    ]


def _build_archive(db: Path) -> None:
    """Ingest the crawls through the real archive, as the crawler's pipeline does."""
    arc = Archive(db)
    try:
        for fetched_at, url, report in _reports():
            body = f"<html><body><div class='TRS_Editor'>{report.text}</div></body></html>".encode()
            capture = Capture(url=url, fetched_at=fetched_at, status=200, outcome="ok", body=body,
                              content_type="text/html; charset=utf-8")
            arc.ingest(capture, report)
    finally:
        arc.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    db = root / "archive.db"
    _build_archive(db)
    index = build_report_site(db, root / "out")
    assert index == root / "out" / "index.html"
    return root / "out"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_site_files_exist(site: Path) -> None:
    assert (site / "index.html").is_file() and (site / "style.css").is_file()
    assert len(list((site / "documents").glob("*.html"))) == 6 - 1  # the silent edit is a version, not a report
    yoy = sorted(p.name for p in (site / "agencies").glob("*-*-*.html"))
    assert len(yoy) == 2 and any(n.endswith("-2020-2021.html") for n in yoy) and any(n.endswith("-2021-2022.html") for n in yoy)
    assert len(list((site / "agencies").glob("*.html"))) == 3 + 2


def test_every_link_resolves_and_nothing_is_external(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    for page in pages:
        parsed = _parse(page)
        assert "script" not in parsed.tags, page
        for link in parsed.links:
            assert not re.match(r"^[a-z]+:", link), (page, link)
            target = (page.parent / link.split("#")[0]).resolve() if link.split("#")[0] else page
            assert target.is_file(), (page, link)
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text and '<meta charset="utf-8">' in text


def test_index_groups_by_region_and_ranks_revised_agency_first(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    with sqlite3.connect(site.parent / "archive.db") as conn:
        region_of = dict(conn.execute("SELECT name, coalesce(region, '未知地区') FROM agencies"))
    regions = re.findall(r"<h2>(.*?)</h2>", html)
    assert regions[0] == region_of["址山镇人民政府"] and sorted(regions) == sorted(set(region_of.values()))
    assert html.count("发布后修改</span>") == 1
    assert "乡镇" in html and "部门" in html
    assert html.index("址山镇人民政府") < html.index("青禾县司法局")


def test_revision_page_shows_changed_figure_and_dates(site: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (site / "documents").glob("*.html")]
    [revised] = [p for p in pages if "发布后修改：" in p]
    assert "2021-03-20" in revised and "2021-06-01" in revised  # first_seen of both versions
    figures = revised[revised.index("数字变化") : revised.index("<h3>改动</h3>")]
    assert "受理调解纠纷案件" in figures and "31件" in figures and "45件" in figures
    assert "<del>31</del><ins>45</ins>" in revised
    plans = revised[revised.index("<h3>工作计划变化</h3>") : revised.index("<h3>改动</h3>")]
    assert re.findall(r'<tr class="(\w+)">', plans) == ["changed"]
    assert "切实做到公正文明执法" in plans
    assert revised.index("<h3>工作计划变化</h3>") < revised.index("<h3>改动</h3>")
    unchanged = [p for p in pages if "自首次发现以来正文没有变化" in p]
    assert len(unchanged) == 4


def test_year_over_year_page_highlights_words(site: Path) -> None:
    [page] = list((site / "agencies").glob("*-2020-2021.html"))
    html = page.read_text(encoding="utf-8")
    assert 'id="changes"' in html and 'id="side"' in html
    assert "<del>8</del><ins>11</ins>" in html
    assert "<ins>全面推进镇村两级合法性审查全覆盖。</ins>" in html


def test_scraped_text_is_escaped_everywhere(site: Path) -> None:
    hostile_seen = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        parsed = _parse(page)
        assert "script" not in parsed.tags and "img" not in parsed.tags, page
        assert "onerror" not in parsed.attrs, page
        assert "<script>" not in html and "<img" not in html
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in html:
            hostile_seen += 1
    assert hostile_seen >= 3  # agency timeline, report page, year-over-year page
    [yoy] = list((site / "agencies").glob("*-2021-2022.html"))
    assert "&#34; onerror=alert(2)&gt;" in yoy.read_text(encoding="utf-8")


def test_year_over_year_page_compares_plans(site: Path) -> None:
    [page] = list((site / "agencies").glob("*-2021-2022.html"))
    html = page.read_text(encoding="utf-8")
    plans = html[html.index('id="plans"') : html.index('id="changes"')]
    rows = re.findall(r'<tr class="(kept|changed|dropped|added)">', plans)
    # 复议规范化建设 → 复议案件繁简分流: one line of work reworded (the blind pairs label t04 p5 → q6 so)
    assert rows == ["changed", "changed", "dropped"]
    assert "法律知识<ins>和业务技能</ins>培训" in plans
    assert "繁简分流&lt;b&gt;机制&lt;/b&gt;" in plans
    [zhishan] = list((site / "agencies").glob("*-2020-2021.html"))
    zhishan_html = zhishan.read_text(encoding="utf-8")
    zhishan_section = zhishan_html[zhishan_html.index('id="plans"') : zhishan_html.index('id="changes"')]
    zhishan_plans = re.findall(r'<tr class="(kept|changed|dropped|added)">', zhishan_section)
    assert zhishan_plans == ["kept"] * 5


def test_empty_archive_gives_an_index_and_a_missing_one_an_error(tmp_path: Path) -> None:
    Archive(tmp_path / "empty.db").close()
    index = build_report_site(tmp_path / "empty.db", tmp_path / "out")
    assert "存档中还没有报告" in index.read_text(encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        build_report_site(tmp_path / "missing.db", tmp_path / "out2")
    assert not (tmp_path / "missing.db").exists()


def test_agency_timeline_has_an_inline_svg_chart_of_commitments(site: Path) -> None:
    with sqlite3.connect(site.parent / "archive.db") as conn:
        (sifa,) = conn.execute("SELECT id FROM agencies WHERE name = '青禾县司法局'").fetchone()
    html = (site / "agencies" / f"{sifa}.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<script" not in svg and "href" not in svg  # nothing to run, nothing to fetch
    bars = dict(re.findall(r'<rect class="bar-(\w+)"[^>]*height="([\d.]+)"', svg))
    assert set(bars) == {"kept", "changed", "dropped", "added"}
    # 2021→2022: two plans reworded, one dropped, none added
    assert float(bars["kept"]) == 0 and float(bars["changed"]) == 2 * float(bars["dropped"]) > 0
    assert float(bars["added"]) == 0
    assert "2021→2022" in svg
    assert re.search(r"<td class=\"num\">0 / 2 / 1 / 0</td>", html)


def test_pair_page_tables_follow_through_problems_figures(site: Path) -> None:
    [page] = list((site / "agencies").glob("*-2021-2022.html"))
    html = page.read_text(encoding="utf-8")
    for anchor in ("plans", "follow", "problems", "figures", "changes", "side"):
        assert f'id="{anchor}"' in html
    problems = html[html.index('id="problems"') : html.index('id="figures"')]
    assert re.findall(r'<tr class="problem-(\w+)">', problems) == ["recurring"]
    assert "队伍力量仍然不足&lt;script&gt;alert(3)&lt;/script&gt;" in problems
    figures = html[html.index('id="figures"') : html.index('id="changes"')]
    assert "9件" in figures and "12件" in figures
    follow = html[html.index('id="follow"') : html.index('id="problems"')]
    assert follow.count("<tr class=") == 3
    assert "未见落实表述" in follow
    assert "工作计划：延续 0 项，调整 2 项，未再提及 1 项，新增 0 项" in html
