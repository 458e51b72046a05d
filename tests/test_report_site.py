"""build_report_site on an archive of a few agencies × years, with a silent edit and hostile text."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from real_corpus import shared_text

from archive import Archive
from archive.capture import Capture
from extraction.report import Report
from report.site import build_report_site

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
        self.scripts: list[str | None] = []  # src of each <script>
        self.inline_script = ""  # text inside any <script>
        self.external: list[tuple[str, str | None]] = []  # (href, rel) of links that leave the site
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))
            self._in_script = True
        for name, value in attrs:
            if name in ("href", "src") and value:
                if re.match(r"^[a-z]+:", value):
                    self.external.append((value, dict(attrs).get("rel")))
                else:
                    self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_script += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_site_files_exist(site: Path) -> None:
    assert (site / "index.html").is_file() and (site / "style.css").is_file() and (site / "desk.js").is_file()
    assert len(list((site / "versions").glob("*.html"))) == 6  # every version keeps its address (a pointer page)
    assert len(list((site / "documents").glob("*.html"))) == 6 - 1  # the silent edit is a version, not a report
    yoy = sorted(p.name for p in (site / "agencies").glob("*-*-*.html"))
    assert len(yoy) == 2 and any(n.endswith("-2020-2021.html") for n in yoy) and any(n.endswith("-2021-2022.html") for n in yoy)
    assert len(list((site / "agencies").glob("*.html"))) == 3 + 2


def test_every_link_resolves_and_only_evidence_leaves_the_site(site: Path) -> None:
    """Links within the site resolve; scripts are the site's own files; the only links out are to archived originals."""
    captured = {url for _, url, _ in _reports()}
    pages = list(site.rglob("*.html"))
    for page in pages:
        parsed = _parse(page)
        assert not parsed.inline_script.strip(), page
        for src in parsed.scripts:
            assert src and (page.parent / src).is_file(), (page, src)
        for link in parsed.links:
            path, _, fragment = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            assert target.is_file(), (page, link)
            if fragment:  # a version's section of its report's page: the anchor is there
                assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), (page, link)
        for href, rel in parsed.external:
            assert page.parent.name == "documents" and href in captured, (page, href)
            assert rel and "noreferrer" in rel and "nofollow" in rel
        text = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text and '<meta charset="utf-8">' in text


def test_index_groups_by_region_and_ranks_revised_agency_first(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    with sqlite3.connect(site.parent / "archive.db") as conn:
        region_of = dict(conn.execute("SELECT name, coalesce(region, '未知地区') FROM agencies"))
    regions = re.findall(r'<section class="region" data-region="(.*?)">', html)
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
        assert all(parsed.scripts) and not parsed.inline_script.strip() and "img" not in parsed.tags, page
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


def test_index_desk_lists_the_revision_with_its_dates_and_figures(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    desk = html[html.index('id="desk-revisions"') : html.index('id="plans"')]
    [row] = re.findall(r"<tr data-region.*?</tr>", desk, re.S)
    assert "址山镇人民政府" in row and "2020" in row
    assert "首次发现 2021-03-20T08:00:00Z" in row and "首次发现 2021-06-01T08:00:00Z" in row
    assert len(re.findall(r'href="documents/\d+\.html#v\d+"', row)) == 2  # each version's section of the report page
    assert "<del>31件</del> → <ins>45件</ins>" in row


def test_index_desk_counts_plans_per_agency_and_year_pair(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    plans = html[html.index('id="desk-plans"') : html.index('id="compliance"')]
    rows = re.findall(r'<tr data-region="(.*?)" data-year="(\d+)">(.*?)</tr>', plans, re.S)
    sifa = [cells for region, year, cells in rows if "青禾县司法局" in cells]
    assert len(sifa) == 1 and "2021→2022" in sifa[0]
    numbers = re.findall(r'<td class="num"[^>]*>(\d+(?:/\d+)?)</td>', sifa[0])
    assert numbers[:3] == ["1", "2", "0"]  # dropped, reworded, added — as on the pair page
    assert "开展法治宣传进社区活动" in sifa[0]  # the dropped plan, in words
    assert "desk.js" in html and 'id="filter-region"' in html and 'data-sort="number"' in html


def _version_section(site: Path, version_id: int) -> str:
    """A version's section of its report's page, found from its old address (``versions/{id}.html`` points there)."""
    pointer = (site / "versions" / f"{version_id}.html").read_text(encoding="utf-8")
    [target] = set(re.findall(r'href="\.\./(documents/\d+\.html)#v(\d+)"', pointer))
    assert target[1] == str(version_id) and f'content="0; url=../{target[0]}#v{version_id}"' in pointer
    html = (site / target[0]).read_text(encoding="utf-8")
    start = html.index(f'<section class="version" id="v{version_id}">')
    return html[start : html.index("</section>", start)]


def test_every_version_shows_its_text_and_the_capture_it_came_from(site: Path) -> None:
    with sqlite3.connect(site.parent / "archive.db") as conn:
        rows = conn.execute(
            "SELECT v.id, c.url, c.sha256, c.fetched_at, v.text FROM versions v JOIN capture_records c ON c.id = v.capture_id"
        ).fetchall()
    assert len(rows) == 6
    for version_id, url, sha256, fetched_at, text in rows:
        html = _version_section(site, version_id)
        assert f'<a href="{url}" rel="nofollow noopener noreferrer">' in html
        assert sha256 in html and fetched_at in html and '<td class="num">200' in html
        assert all(f"<p>{escape(line)}</p>" in html for line in text.splitlines() if line.strip())  # its text, escaped
        page = (site / "versions" / f"{version_id}.html").read_text(encoding="utf-8")
        assert "FAZHI_REPLAY_URL" in (site / re.findall(r'href="\.\./(documents/\d+\.html)', page)[0]).read_text(
            encoding="utf-8"
        )  # no template configured: the page says how to get replay links


def test_replay_links_follow_the_configured_template(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay"
    build_report_site(site.parent / "archive.db", out, replay_url="http://127.0.0.1:8080/fazhi/{timestamp}/{url}")
    html = _version_section(out, 1)
    assert 'href="http://127.0.0.1:8080/fazhi/20210320080000/http://127.0.0.1:8000/zhishan/a1.html"' in html
    assert "FAZHI_REPLAY_URL" not in (out / re.findall(r'href="\.\./(documents/\d+\.html)', (
        out / "versions" / "1.html").read_text(encoding="utf-8"))[0]).read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="unknown field"):
        build_report_site(site.parent / "archive.db", tmp_path / "bad", replay_url="http://x/{when}/{url}")


def test_feed_parses_and_every_link_exists(site: Path) -> None:
    feedparser = pytest.importorskip("feedparser", reason="feedparser (dev extra) reads the feed as a reader would")
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    kinds = Counter(entry.tags[0].term for entry in feed.entries)
    assert kinds == {"new_report": 5, "revision": 1, "dropped_plan": 1}
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    for entry in feed.entries:
        page, _, anchor = entry.link.partition("#")
        assert (site / page).is_file(), entry.link
        assert not anchor or f'id="{anchor}"' in (site / page).read_text(encoding="utf-8"), entry.link
    [revision] = [e for e in feed.entries if e.tags[0].term == "revision"]
    # a revision links to its version's section of the report's page, not to the old pointer page
    assert "址山镇人民政府" in revision.title and re.fullmatch(r"documents/\d+\.html#v\d+", revision.link)


def test_feed_ids_are_stable_across_builds(site: Path, tmp_path: Path) -> None:
    build_report_site(site.parent / "archive.db", tmp_path / "again")
    ids = re.compile(r"<id>(.*?)</id>")
    first = ids.findall((site / "feed.atom").read_text(encoding="utf-8"))
    assert first == ids.findall((tmp_path / "again" / "feed.atom").read_text(encoding="utf-8"))


def test_a_text_that_comes_back_is_the_current_version(tmp_path: Path) -> None:
    """A report edited and then put back (A → B → A at one URL) is two versions, and the page shows A as current."""
    url = "http://127.0.0.1:8000/qinghe/back.html"
    first = "一、主要工作\n全年办理行政复议案件9件。\n二、存在不足\n队伍力量不足。\n三、下一步打算\n一是加强培训。\n"
    edited = first.replace("9件", "19件")
    with Archive(tmp_path / "archive.db") as archive:
        for day, text in (("2022-03-20", first), ("2022-05-01", edited), ("2022-06-01", first)):
            report = Report(title="青禾县司法局2021年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                            report_year=2021, agency="青禾县司法局", published="2022-03-15", is_report=True)  # fmt: skip
            archive.ingest(Capture(url=url, fetched_at=f"{day}T08:00:00Z", status=200, outcome="ok",
                                   body=f"<html><body>{text}</body></html>".encode(),
                                   content_type="text/html; charset=utf-8"), report)  # fmt: skip
    site = build_report_site(tmp_path / "archive.db", tmp_path / "out").parent
    [page] = list((site / "documents").glob("*.html"))
    html = page.read_text(encoding="utf-8")
    assert html.count('href="#v') >= 2 and "第 1 版：网址上又出现了这一版的正文" in html
    current = html[html.index("现行版本正文") : html.index("</section>", html.index("现行版本正文"))]
    assert "全年办理行政复议案件9件" in current and "19件" not in current
    [first_version, second_version] = sorted(int(p.stem) for p in site.glob("versions/*.html"))
    assert "现行版本正文" in _version_section(site, first_version)
    assert "2022-06-01T08:00:00Z" in _version_section(site, first_version)  # the fetch that saw it again
    assert "19件" in _version_section(site, second_version)


def test_a_captured_url_is_a_link_only_when_it_is_http() -> None:
    """Scraped URLs are untrusted too: a javascript: URL in the archive is shown as text, never as a link."""
    from archive.readmodel import CaptureRecord, VersionRecord
    from report.pages import DocumentPage
    from report.render import template_environment

    def capture(url: str) -> CaptureRecord:
        return CaptureRecord(1, url, None, "2024-04-15T08:00:00Z", 200, "ok", None, "text/html", "ab" * 32, 10,
                             None, None, None, None)  # fmt: skip

    version = VersionRecord(1, 1, 1, "标题", "正文", "正文", "2024-04-15T08:00:00Z", "2024-04-15T08:00:00Z", 1, None)
    doc = DocumentPage(1, 2023, "标题", None, None, None, None, [version])
    html = template_environment().get_template("document.html").render(
        root="../", agency={"id": 1, "name": "单位"}, doc=doc, versions=doc.versions, revisions=[], replay_hint=True,
        captures={1: [(capture("javascript:alert(1)"), None), (capture("http://127.0.0.1/a"), None)]},
    )
    assert 'href="javascript' not in html and "javascript:alert(1)" in html
    assert '<a href="http://127.0.0.1/a" rel="nofollow noopener noreferrer">' in html


def test_a_site_built_one_agency_at_a_time_is_the_site_built_whole(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fazhi report streams agencies in batches (bounded memory): batches of one give the same files."""
    import report.site
    from archive.readmodel import ArchiveReader
    from report.analysis import load_agencies, shared_sentence_keys, streamed_sentence_keys

    db = site.parent / "archive.db"
    with ArchiveReader(db) as reader:
        assert len(reader.reporting_agency_ids()) >= 3
        assert streamed_sentence_keys(reader.current_texts()) == shared_sentence_keys(load_agencies(reader))
        agencies = load_agencies(reader)
    counts = shared_sentence_keys(agencies)
    counts.add(agencies[0].keys)  # as if a fourth agency copied the first one's report
    every: Counter[str] = Counter(k for a in [*agencies, agencies[0]] for k in a.keys)  # the counts, in words
    assert any(n > 1 for n in every.values()) and any(n == 1 for n in every.values())
    for key, n in every.items():
        assert counts.get(key) == min(n, 2), key
    assert counts.get("不在任何报告里的一句话。") == 0
    assert counts.shared([*every, "不在任何报告里的一句话。"]) == {k for k, n in every.items() if n > 1}
    monkeypatch.setattr(report.site, "BATCH_AGENCIES", 1)
    streamed = tmp_path / "streamed"
    build_report_site(db, streamed)
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(streamed) for p in streamed.rglob("*") if p.is_file())
    for name in files:
        if name.name == "findings.db":
            continue
        assert (streamed / name).read_bytes() == (site / name).read_bytes(), name

    whole = _findings_rows(site / "findings.db")
    assert whole.get("commitments") and whole == _findings_rows(streamed / "findings.db")


def test_sentence_counts_made_in_parts_equal_the_counts_made_in_one_pass(site: Path) -> None:
    """The pass before the workers start counts runs of agencies in processes of their own: the parts, added
    up, are the counts of one pass, however the agencies are split (ranges cover every id, none twice)."""
    from archive.readmodel import ArchiveReader
    from report.analysis import agency_id_ranges, part_sentence_keys, streamed_sentence_keys
    from report.pages import SentenceCounts
    from report.site import _sentence_counts

    db = site.parent / "archive.db"
    with ArchiveReader(db) as reader:
        whole = streamed_sentence_keys(reader.current_texts())
        ids = reader.reporting_agency_ids()
        assert len(whole.once)
        for parts in range(1, len(ids) + 2):
            ranges = agency_id_ranges(ids, parts)
            assert len(ranges) == min(parts, len(ids))
            assert [sum(lo <= i <= hi for lo, hi in ranges) for i in [*ids, 0, 10**9]] == [1] * (len(ids) + 2)
            counts = part_sentence_keys(str(db), ranges[0])
            for run in ranges[1:]:
                counts.combine(part_sentence_keys(str(db), run))
            assert counts == whole, parts
        assert _sentence_counts(reader, ids, workers=1) == whole
        assert _sentence_counts(reader, sorted(ids * 20), workers=2) == whole  # enough for a process of its own
    first, second, both = SentenceCounts(), SentenceCounts(), SentenceCounts()
    for counts, keys in ((first, {"甲", "乙"}), (second, {"乙", "丙"}), (second, {"丙"}), (first, {"丁"})):
        counts.add(keys)
        both.add(keys)
    first.combine(second)
    assert first == both and first.shared(["甲", "乙", "丙", "丁"]) == {"乙", "丙"}


def _findings_rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT * FROM [{t}]").fetchall() for t in tables}
    finally:
        conn.close()


def _site_files(site: Path) -> dict[str, bytes]:
    """Every file of a site but the rebuild cache and findings.db (a database: compared by its rows)."""
    return {
        str(p.relative_to(site)): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and ".report-cache" not in p.parts and p.name != "findings.db"
    }


def _edit_one_agency(db: Path) -> None:
    """A later crawl finds the 石桥县 report edited (seen 2024-05-01): one agency's inputs change."""
    arc = Archive(db)
    try:
        url = "http://127.0.0.1:8000/qinghe/c1.html"
        text = "石桥县2019年法治政府建设工作总结。全年审核规范性文件7件。\n"
        edited = Report(title="石桥县人民政府2019年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                        report_year=2019, agency="石桥县人民政府", region="石桥县", publisher="石桥县人民政府",
                        published="2020-03-15", is_report=True)  # fmt: skip
        body = f"<html><body><div class='TRS_Editor'>{text}</div></body></html>".encode()
        arc.ingest(Capture(url=url, fetched_at="2024-05-01T08:00:00Z", status=200, outcome="ok", body=body,
                           content_type="text/html; charset=utf-8"), edited)  # fmt: skip
    finally:
        arc.close()


def test_a_rebuild_copies_unchanged_agencies_and_equals_a_full_build(tmp_path: Path) -> None:
    """fazhi report into its last site analyses only the agencies whose inputs changed, with the same result."""
    import shutil

    import report.site

    db = tmp_path / "archive.db"
    _build_archive(db)
    first = tmp_path / "first"
    build_report_site(db, first)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 3, "pairs_kept": 0}

    again = tmp_path / "again"
    build_report_site(db, again, previous=first)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 3, "pairs_analysed": 0, "pairs_kept": 0}
    assert _site_files(again) == _site_files(first)

    # A later crawl finds the 石桥县 report edited: one agency's inputs change, and the archive's date.
    shutil.copytree(first, tmp_path / "first-kept")
    _edit_one_agency(db)
    rebuilt, full = tmp_path / "rebuilt", tmp_path / "full"
    build_report_site(db, rebuilt, previous=tmp_path / "first-kept")
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 2, "pairs_analysed": 1, "pairs_kept": 0}
    build_report_site(db, full)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 3 + 1, "pairs_kept": 0}
    files = _site_files(rebuilt)
    assert files == _site_files(full)
    # The unchanged agencies' summaries are linked from the last build, the same bytes a full build writes.
    summaries = {p.name: p.read_bytes() for p in (full / ".report-cache").glob("[0-9]*.json")}
    assert summaries and {p.name: p.read_bytes() for p in (rebuilt / ".report-cache").glob("[0-9]*.json")} == summaries
    # The edited agency's pages say when its reports were last seen; the others' are the same files, linked.
    timelines = {n: b for n, b in files.items() if n.startswith("agencies/") and "-" not in n}
    edited_page = next(n for n, b in timelines.items() if "<h1>石桥县人民政府".encode() in b)
    assert b"2024-05-01T08:00:00Z" in files[edited_page]
    assert (tmp_path / "first-kept" / edited_page).read_bytes() != files[edited_page]
    for name in set(timelines) - {edited_page}:
        assert b"2024-05-01T08:00:00Z" not in files[name]
        assert (rebuilt / name).stat().st_ino == (tmp_path / "first-kept" / name).stat().st_ino, name


def test_a_garbled_or_tampered_rebuild_cache_is_refused_and_the_agencies_built_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The cache sits in an output directory: its files are read as JSON data, never run; whatever this
    program did not write is refused with a warning naming the file, and the site comes out whole."""
    import json
    import logging
    import pickle

    import report.site
    from report.reuse import CACHE, MANIFEST

    db = tmp_path / "archive.db"
    _build_archive(db)
    first = tmp_path / "first"
    build_report_site(db, first)
    full = _site_files(first)
    cache = first / CACHE
    summaries = sorted(cache.glob("*.json"), key=lambda p: p.name)
    summaries = [p for p in summaries if p.name != MANIFEST]
    assert len(summaries) == 3 and not list(cache.glob("*.pickle"))

    # A pickle that would leave a file behind if anything unpickled it, put where a summary belongs.
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    summaries[0].write_bytes(pickle.dumps(Payload()))
    # A summary naming a class of its own choosing, and one naming a page outside the site.
    summaries[1].write_text(json.dumps({"Popen": [["touch", str(marker)]]}), encoding="utf-8")
    escaped = json.loads(summaries[2].read_text(encoding="utf-8"))
    escaped["pages"] = ["../../outside.html"]
    summaries[2].write_text(json.dumps(escaped), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="report.reuse"):
        build_report_site(db, tmp_path / "tampered", previous=first)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 0, "pairs_kept": 3}
    assert not marker.exists()
    refused = [r.getMessage() for r in caplog.records]
    assert len(refused) == 3 and all("built again" in m for m in refused)
    assert any(summaries[1].name in m and "Popen" in m for m in refused)
    assert _site_files(tmp_path / "tampered") == full

    # A manifest cut short: one warning, and every agency is built.
    again = tmp_path / "again"
    build_report_site(db, again)
    manifest = again / CACHE / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8")[:40], encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="report.reuse"):
        build_report_site(db, tmp_path / "garbled", previous=again)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 0, "pairs_kept": 3}
    assert [r.getMessage() for r in caplog.records] == [
        f"{manifest} is not a manifest this program wrote "
        f"({caplog.records[0].args[1]}): every agency is built again"  # type: ignore[index]
    ]
    assert _site_files(tmp_path / "garbled") == full


def test_pages_drawn_from_kept_analyses_equal_an_uncached_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fazhi report --rebuild`` draws every page again but takes each pair's analysis from the last
    build when its inputs are the same; the files equal a build that analysed everything. A damaged,
    foreign or misshapen entry is refused with a warning and its pair analysed again; new analysis code
    finds none of the old entries."""
    import logging
    import zlib

    import report.site
    from report.analysis_cache import FILE, _checksum
    from report.reuse import CACHE

    db = tmp_path / "archive.db"
    _build_archive(db)
    cold = tmp_path / "cold"
    build_report_site(db, cold)
    assert report.site.LAST_BUILD["pairs_analysed"] == 3 and report.site.LAST_BUILD["pairs_kept"] == 0

    warm = tmp_path / "warm"
    build_report_site(db, warm, previous=cold, reuse_pages=False)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 0, "pairs_kept": 3}
    assert _site_files(warm) == _site_files(cold)
    assert _findings_rows(warm / "findings.db") == _findings_rows(cold / "findings.db")

    conn = sqlite3.connect(warm / CACHE / FILE)
    rows = conn.execute("SELECT key, body FROM pairs ORDER BY key").fetchall()
    pairs = [(key, body) for key, body in rows if zlib.decompress(body).startswith(b'{"$tuple"')]
    assert len(pairs) == 3 and len(rows) == 3 + 5  # and each of the five reports' compliance findings
    (k1, b1), (k2, b2), (k3, b3) = pairs
    damaged = bytes([b1[0] ^ 1]) + b1[1:]  # a changed byte, the checksum left as it was
    foreign = zlib.compress(b'{"Popen": [["touch", "x"]]}')  # checksummed, but no class of ours
    misshapen = zlib.compress(b'{"$tuple": [1, 2]}')  # well-formed, not an analysis
    conn.execute("UPDATE pairs SET body = ? WHERE key = ?", [damaged, k1])
    conn.executemany("UPDATE pairs SET body = ?, checksum = ? WHERE key = ?",
                     [(foreign, _checksum(k2, foreign), k2), (misshapen, _checksum(k3, misshapen), k3)])  # fmt: skip
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING, logger="report.analysis_cache"):
        build_report_site(db, tmp_path / "tampered", previous=warm, reuse_pages=False)
    assert report.site.LAST_BUILD["pairs_analysed"] == 3 and report.site.LAST_BUILD["pairs_kept"] == 0
    refused = [r.getMessage() for r in caplog.records]
    assert len(refused) == 3 and all("analysed again" in m for m in refused)
    assert any("checksum" in m for m in refused) and any("Popen" in m for m in refused)
    assert _site_files(tmp_path / "tampered") == _site_files(cold)

    # The refused entries were replaced by fresh ones: the next build finds all three again.
    build_report_site(db, tmp_path / "again", previous=tmp_path / "tampered", reuse_pages=False)
    assert report.site.LAST_BUILD["pairs_kept"] == 3
    monkeypatch.setattr(report.site, "analysis_digest", lambda: "other analysis code")
    build_report_site(db, tmp_path / "new-code", previous=tmp_path / "again", reuse_pages=False)
    assert report.site.LAST_BUILD["pairs_analysed"] == 3 and report.site.LAST_BUILD["pairs_kept"] == 0
    assert _site_files(tmp_path / "new-code") == _site_files(cold)


def test_worker_processes_take_kept_analyses_and_build_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers read the last build's analyses and hand what they made to the parent, which keeps it:
    cold and warm builds in two workers equal the build in one process."""
    import report.site

    db = tmp_path / "archive.db"
    _build_archive(db)
    build_report_site(db, tmp_path / "alone", workers=1)
    monkeypatch.setattr(report.site, "PARALLEL_FROM", 1)
    build_report_site(db, tmp_path / "cold", workers=2)
    assert report.site.LAST_BUILD["pairs_analysed"] == 3
    build_report_site(db, tmp_path / "warm", workers=2, previous=tmp_path / "cold", reuse_pages=False)
    assert report.site.LAST_BUILD["pairs_analysed"] == 0 and report.site.LAST_BUILD["pairs_kept"] == 3
    alone = _site_files(tmp_path / "alone")
    assert _site_files(tmp_path / "cold") == alone and _site_files(tmp_path / "warm") == alone


def test_work_done_in_the_background_is_waited_for_and_its_failure_raised(tmp_path: Path) -> None:
    """The search index is written in a forked process while the parent writes the rest: the build waits for it,
    and a failure there fails the build (inline, without fork, the error is the work's own)."""
    from report.site import _Background

    done = tmp_path / "done"
    _Background(lambda: done.write_text("yes")).wait()
    assert done.read_text() == "yes"

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(RuntimeError, match="exit code 1"):
        _Background(fail).wait()
    with pytest.raises(OSError, match="disk full"):
        _Background(fail, fork=False)


def test_paragraphs_are_the_texts_lines_escaped_one_by_one() -> None:
    """render.paragraphs escapes a text whole: the same paragraphs as escaping each non-blank line on its own."""
    from report.render import paragraphs, template_environment

    text = f"一、主要工作\r\n{HOSTILE_LINE}\n  \n\u2028第二段 & 'x'\x0b<b>末行</b>\n\n"
    by_line = template_environment().from_string(
        "{% for para in text.splitlines() if para.strip() %}<p>{{ para }}</p>\n{% endfor %}"
    )
    assert str(paragraphs(text)) == by_line.render(text=text)
    assert "<script>" not in paragraphs(text) and "&lt;img src=x&#34; onerror=alert(2)&gt;" in paragraphs(text)
    assert paragraphs("") == "" and paragraphs(" \n") == ""


def test_escape_text_is_markupsafes_escape() -> None:
    """The rows built in Python escape as Jinja's autoescape does, entity for entity."""
    from report.render import escape_text

    for text in (HOSTILE_LINE, HOSTILE_TITLE, "a&b<c>d'e\"f&amp;", "", "&#34;<<>>", "正文\n第二行"):
        assert escape_text(text) == str(escape(text))


def test_the_feed_is_the_same_when_the_build_keeps_only_the_newest_entries(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build keeps at most twice the feed's entries as it goes (bounded memory): the feed is the one written
    from every entry."""
    import report.feed
    import report.site

    monkeypatch.setattr(report.feed, "MAX_ENTRIES", 2)
    monkeypatch.setattr(report.site, "MAX_ENTRIES", 10**6)  # every entry kept to the end
    build_report_site(site.parent / "archive.db", tmp_path / "whole")
    monkeypatch.setattr(report.site, "MAX_ENTRIES", 1)  # pruned after each agency: more than 2 kept, the newest 1
    build_report_site(site.parent / "archive.db", tmp_path / "pruned")
    whole = (tmp_path / "whole" / "feed.atom").read_text(encoding="utf-8")
    assert whole.count("<entry>") == 2
    assert (tmp_path / "pruned" / "feed.atom").read_text(encoding="utf-8") == whole


def test_a_rebuild_that_copies_agencies_passes_their_pair_analyses_on(tmp_path: Path) -> None:
    """An agency copied from the last build keeps its pair analyses in the new build's cache: a later --rebuild
    (new templates) draws every page again from them, not from a fresh analysis of every pair."""
    import report.site
    from report.analysis_cache import FILE
    from report.reuse import CACHE

    db = tmp_path / "archive.db"
    _build_archive(db)
    build_report_site(db, tmp_path / "first")
    build_report_site(db, tmp_path / "copied", previous=tmp_path / "first")
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 3, "pairs_analysed": 0, "pairs_kept": 0}
    with sqlite3.connect(tmp_path / "copied" / CACHE / FILE) as conn:
        assert conn.execute("SELECT count(*) FROM pairs").fetchone() == (3 + 5,)  # pairs, and each report's findings
    build_report_site(db, tmp_path / "copied-again", previous=tmp_path / "copied")  # copied from a copy
    build_report_site(db, tmp_path / "redrawn", previous=tmp_path / "copied-again", reuse_pages=False)
    assert report.site.LAST_BUILD == {"agencies": 3, "reused": 0, "pairs_analysed": 0, "pairs_kept": 3}
    assert _site_files(tmp_path / "redrawn") == _site_files(tmp_path / "first")


def test_findings_rows_come_from_findings_db_and_an_agency_it_lacks_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agency's findings rows are kept in findings.db only (its summary holds none): a rebuild copies an agency
    whose rows that file holds, and builds again one it does not (the file gone), making its rows anew; a warm
    --rebuild makes no rows at all, copying them, and every findings table equals a build from nothing."""
    import json

    import report.site
    from report.reuse import CACHE, MANIFEST

    db = tmp_path / "archive.db"
    _build_archive(db)
    first = tmp_path / "first"
    build_report_site(db, first)
    whole = _findings_rows(first / "findings.db")
    assert whole.get("commitments")
    for summary in (first / CACHE).glob("*.json"):
        if summary.name != MANIFEST:
            assert "commitments" not in summary.read_text(encoding="utf-8")  # no findings rows in a summary

    made: list[int] = []
    real = report.site.agency_findings

    def counted(agency):  # noqa: ANN001, ANN202 - the real function, counted
        made.append(agency.id)
        return real(agency)

    monkeypatch.setattr(report.site, "agency_findings", counted)
    build_report_site(db, tmp_path / "warm", previous=first, reuse_pages=False)
    assert made == [] and report.site.LAST_BUILD["reused"] == 0
    assert _findings_rows(tmp_path / "warm" / "findings.db") == whole

    (first / "findings.db").unlink()
    build_report_site(db, tmp_path / "without", previous=first)
    assert report.site.LAST_BUILD["reused"] == 0 and len(made) == 3
    assert _findings_rows(tmp_path / "without" / "findings.db") == whole
    assert _site_files(tmp_path / "without") == _site_files(first)

    made.clear()
    build_report_site(db, tmp_path / "copied", previous=tmp_path / "without")
    assert report.site.LAST_BUILD["reused"] == 3 and made == []
    assert _findings_rows(tmp_path / "copied" / "findings.db") == whole
    assert json.loads((tmp_path / "copied" / CACHE / MANIFEST).read_text(encoding="utf-8"))["agencies"]


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.parent.name in ("agencies", "documents", "versions"))


def test_a_full_rebuild_links_the_pages_it_draws_the_same_and_writes_the_others(tmp_path: Path) -> None:
    """--rebuild draws every page again; one with the same bytes as the last site's is that file, linked (the old
    site's removal then frees nothing), a page that differs, or a symbolic link there, is written anew."""

    db = tmp_path / "archive.db"
    _build_archive(db)
    first = tmp_path / "first"
    build_report_site(db, first)
    pages = _pages(first)
    assert len(pages) > 10 and any(p.parent.name == "versions" for p in pages)
    tampered, linked_elsewhere = pages[0], pages[-1]
    tampered.write_bytes(tampered.read_bytes() + b"<!-- not what the builder drew -->")
    outside = tmp_path / "outside.html"
    outside.write_bytes(linked_elsewhere.read_bytes())
    linked_elsewhere.unlink()
    linked_elsewhere.symlink_to(outside)

    rebuilt = tmp_path / "rebuilt"
    build_report_site(db, rebuilt, previous=first, reuse_pages=False)
    assert _site_files(rebuilt) == _site_files(build_report_site(db, tmp_path / "full").parent)
    for page in pages:
        new = rebuilt / page.relative_to(first)
        assert not new.is_symlink()
        same_file = new.stat().st_ino == page.lstat().st_ino
        assert same_file == (page not in (tampered, linked_elsewhere)), page


def test_a_large_site_builds_a_few_changed_agencies_in_a_worker_not_in_the_parent(tmp_path: Path) -> None:
    """After a few edits a large site's rebuild draws those agencies in one worker process: the parent never
    loads jieba (~240 MB) for their pairs, and the site equals a full build."""
    import subprocess
    import sys

    db = tmp_path / "archive.db"
    _build_archive(db)
    first = tmp_path / "first"
    build_report_site(db, first)
    _edit_one_agency(db)
    rebuilt = tmp_path / "rebuilt"
    program = (
        "import sys, report.site as site\n"
        "site.PARALLEL_FROM = 2  # three agencies are a large site; the one edited is a small batch\n"
        f"site.build_report_site({str(db)!r}, {str(rebuilt)!r}, workers=2, previous={str(first)!r})\n"
        "print(site.LAST_BUILD['reused'], site.LAST_BUILD['pairs_analysed'], 'jieba' in sys.modules)\n"
    )
    said = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    assert said.split() == ["2", "1", "False"]
    assert _site_files(rebuilt) == _site_files(build_report_site(db, tmp_path / "full").parent)


def test_an_unchanged_file_is_linked_and_copied_when_the_link_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Another file system (EXDEV) or a full link count refuses ``os.link``: the page is copied, never lost."""
    import errno
    import os

    from report.reuse import link_or_copy

    source = tmp_path / "old.html"
    source.write_text("<p>区司法局 2024</p>", encoding="utf-8")
    link_or_copy(source, tmp_path / "linked.html")
    assert (tmp_path / "linked.html").stat().st_ino == source.stat().st_ino

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    link_or_copy(source, tmp_path / "copied.html")
    copied = tmp_path / "copied.html"
    assert copied.read_bytes() == source.read_bytes()
    assert copied.stat().st_ino != source.stat().st_ino


def test_a_rebuild_takes_each_reports_compliance_findings_from_the_kept_analyses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's own findings (late, a part missing, years missing before it) are kept beside the pairs: a
    --rebuild draws the same pages without finding any report's parts again."""
    import report.analysis

    db = tmp_path / "archive.db"
    _build_archive(db)
    build_report_site(db, tmp_path / "cold")

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(report.analysis, "missing_parts", not_again)
    monkeypatch.setattr(report.analysis, "published_late", not_again)
    build_report_site(db, tmp_path / "warm", previous=tmp_path / "cold", reuse_pages=False)
    assert _site_files(tmp_path / "warm") == _site_files(tmp_path / "cold")
