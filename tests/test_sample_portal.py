"""The sample portal network, served for real on a loopback port and fetched with urllib.

Two servers, as the demo runs them: the network as of spring 2024 and as of summer 2025. Checks
each CMS style's lists and pagination, the article chrome, conditional GETs, silent edits,
publication dates, attachments, robots.txt and 404s, plus the evolution data behind the texts.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pdfplumber
import pytest
from docx import Document as DocxDocument

from sample_portal.agencies import AGENCIES, REPORT_YEARS
from sample_portal.edits import SILENT_EDITS
from sample_portal.evolution import EVOLUTIONS, plan_changes
from sample_portal.network import column_documents, documents, visible_documents, visible_reports
from sample_portal.server import start_in_thread

FIRST = dt.date(2024, 4, 15)
SECOND = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def spring():
    with start_in_thread(FIRST, port=0) as portal:
        yield portal


@pytest.fixture(scope="module")
def summer():
    with start_in_thread(SECOND, port=0) as portal:
        yield portal


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def squash(text: str) -> str:
    return "".join(text.split())


def page_text(body: bytes, encoding: str = "utf-8") -> str:
    """The visible text of a page, tags dropped and entities decoded, whitespace removed."""
    return squash(html.unescape(re.sub(r"<[^>]+>", "", body.decode(encoding))))


def report_of(as_of: dt.date, agency: str, year: int):
    return next(r for r in visible_reports(as_of) if r.agency == agency and r.year == year)


# ---- the data behind the network -------------------------------------------------------------


def test_network_has_many_agencies_of_every_level_across_three_portals():
    assert len(AGENCIES) >= 10
    assert {a.portal for a in AGENCIES} == {"qinghe", "yunling", "shimen"}
    assert {"city", "county", "township", "subdistrict", "department"} <= {a.level for a in AGENCIES}
    reports = visible_reports(dt.date(2026, 1, 1))
    assert Counter(r.agency for r in reports) == {a.name: len(REPORT_YEARS) for a in AGENCIES}


def test_reports_are_published_in_the_first_quarter_and_titled_as_in_real_life():
    reports = visible_reports(dt.date(2026, 1, 1))
    late = [r for r in reports if r.published > dt.date(r.year + 1, 4, 1)]  # after the deadline, as some are
    assert [(r.agency, r.year, r.published) for r in late] == [("石桥县龙泉镇人民政府", 2024, dt.date(2025, 4, 18))]
    for r in reports:
        assert dt.date(r.year + 1, 1, 1) <= r.published <= dt.date(r.year + 1, 4, 30), r.title
        assert 1500 <= len(r.text) <= 4000, (r.title, len(r.text))
    titles = {r.title for r in reports}
    assert "青禾县人民政府关于2021年法治政府建设工作情况的报告" in titles
    assert "二〇二〇年度法治政府建设情况报告" in titles
    assert any(t.endswith("依法行政工作总结") for t in titles)
    assert any(t.endswith("年度法治政府建设工作总结") for t in titles)


def test_report_texts_follow_the_required_outline_in_varied_marker_styles():
    texts = {(r.agency, r.year): r.text for r in visible_reports(dt.date(2026, 1, 1))}
    text = texts[("青禾县人民政府", 2021)]
    assert "现将2021年法治政府建设工作情况报告如下:" in text
    assert "以习近平法治思想为指导" in text
    for heading in ("一、2021年推进法治政府建设的主要举措和成效", "二、党政主要负责人履行推进法治建设第一责任人职责情况",
                    "三、存在的不足和原因", "四、2022年", "五、其他需要报告的事项"):  # fmt: skip
        assert heading in text
    assert "(一)" in text and "审核合同" in text and "法律顾问覆盖率100%" in text
    assert "\n一是" in texts[("青禾县柳溪镇人民政府", 2021)]
    assert "\n1." in texts[("青禾县市场监督管理局", 2021)]
    assert "\n三)" in texts[("青禾县城关街道办事处", 2021)]
    assert "以习近平新时代中国特色社会主义思想为指导" in texts[("青禾县人民政府", 2019)]


def test_texts_evolve_year_to_year_as_the_evolution_data_says():
    texts = {(d.agency.name, d.year): d.original_text for d in documents() if d.kind == "fazhi_report"}
    carried = reworded = dropped = done = 0
    for evo in EVOLUTIONS.values():
        name = evo.agency.name
        for plan in evo.commitments:
            for year, wording in plan.wording.items():
                assert wording in texts[(name, year)]
            years = plan.years
            carried += sum(
                1 for a, b in zip(years, years[1:], strict=False) if plan.wording[a] == plan.wording[b]
            )
            reworded += sum(
                1 for a, b in zip(years, years[1:], strict=False) if plan.wording[a] != plan.wording[b]
            )
            if years[-1] < REPORT_YEARS[-1]:
                dropped += 1
                assert plan.wording[years[-1]] not in texts[(name, years[-1] + 1)]
            if plan.done_in is not None:
                done += 1
                assert plan.done_text in texts[(name, plan.done_in)]
    assert carried and reworded and dropped and done
    # 法治宣传形式单一 comes back year after year in most agencies' shortcomings
    repeated = [
        e for e in EVOLUTIONS.values() if all("publicity-single" in e.shortcomings[y] for y in REPORT_YEARS)
    ]
    assert len(repeated) >= len(EVOLUTIONS) // 2
    # figures move
    a = texts[("青禾县司法局", 2021)]
    b = texts[("青禾县司法局", 2022)]
    assert a != b and re.findall(r"审核合同(\d+)件", a) != re.findall(r"审核合同(\d+)件", b)


def test_lists_also_hold_documents_that_are_not_reports():
    kinds = Counter(d.kind for d in visible_documents(FIRST))
    assert kinds["fazhi_report"] == len(visible_reports(FIRST))
    assert kinds["gov_info_report"] and kinds["budget"] and kinds["news"]
    main = column_documents("qinghe", "main", FIRST)
    assert {"fazhi_report", "gov_info_report", "budget"} <= {d.kind for d in main}


# ---- TRS WCM ---------------------------------------------------------------------------------


def test_trs_column_paginates_with_create_page_html(spring):
    status, headers, body = fetch(spring.base_url + "/qinghe/zwgk/fzzfjs/index.html")
    assert status == 200 and "utf-8" in headers["Content-Type"]
    page = body.decode()
    pages, current = map(
        int, re.search(r'createPageHTML\((\d+),\s*(\d+),\s*"index",\s*"html"\)', page).groups()
    )
    assert pages >= 2 and current == 0
    hrefs = re.findall(r'<li><a href="\./(\d{6}/t\d{8}_\d+\.html)"', page)
    assert 10 <= len(hrefs) <= 15
    seen = set(hrefs)
    for n in range(1, pages):
        status, _, more = fetch(spring.base_url + f"/qinghe/zwgk/fzzfjs/index_{n}.html")
        assert status == 200
        assert f"createPageHTML({pages}, {n}," in more.decode()
        seen |= set(re.findall(r'<li><a href="\./(\d{6}/t\d{8}_\d+\.html)"', more.decode()))
    assert fetch(spring.base_url + f"/qinghe/zwgk/fzzfjs/index_{pages}.html")[0] == 404
    expected = {
        d.url_path.removeprefix("/qinghe/zwgk/fzzfjs/") for d in column_documents("qinghe", "main", FIRST)
    }
    assert seen == expected


def test_trs_article_has_the_report_in_trs_editor_and_real_chrome(spring):
    report = report_of(FIRST, "青禾县人民政府", 2022)
    status, _, body = fetch(spring.base_url + report.url_path)
    assert status == 200
    page = body.decode()
    assert f'<meta name="ArticleTitle" content="{report.title}">' in page
    assert '<meta name="PubDate" content="' + report.published.isoformat() in page
    assert '<meta name="ContentSource" content="青禾县人民政府">' in page
    start = page.index('<div class="TRS_Editor">')
    editor = page[start : page.index("</div></div>", start)]
    assert page_text(editor.encode()) == squash(report.text)
    for chrome in ("您当前的位置", "索引号", "主题分类", "发布机构", "成文日期", "发布日期", "文号", "扫一扫在手机打开当前页",
                   "【字体:", "打印本页", "关闭窗口", "分享到", "浏览次数", "上一篇", "下一篇", "相关链接", "ICP备",
                   "网站标识码", "主办单位"):  # fmt: skip
        assert chrome in page, chrome
    neighbours = re.findall(r"<p>[上下]一篇:<a href=\"([^\"]+)\"", page)
    assert neighbours and all(fetch(spring.base_url + href)[0] == 200 for href in neighbours)


def test_some_article_links_a_gov_info_report_as_neighbour(spring):
    found = False
    for report in [r for r in visible_reports(FIRST) if r.url_path.startswith("/qinghe/")][:12]:
        page = fetch(spring.base_url + report.url_path)[2].decode()
        if re.search(r"[上下]一篇:<a [^>]*>[^<]*政府信息公开工作年度报告", page):
            found = True
            break
    assert found


# ---- Hanweb ----------------------------------------------------------------------------------


def test_hanweb_column_inlines_first_records_and_the_proxy_returns_the_rest(spring):
    column = column_documents("yunling", "main", FIRST)
    status, _, body = fetch(spring.base_url + "/yunling/col/col1234/index.html")
    page = body.decode()
    assert status == 200
    assert '<script type="text/xml"><datastore>' in page and ".jpage({" in page
    assert f"totalRecord:{len(column)}" in page
    inline = re.findall(r"<record><!\[CDATA\[<li><a href=\"([^\"]+)\"", page)
    assert inline == [d.url_path for d in column[:15]]
    proxy = "/yunling/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15"
    status, headers, xml = fetch(spring.base_url + proxy, data=b"col=1&webid=12&columnid=1234&unitid=4561")
    assert status == 200 and "xml" in headers["Content-Type"]
    text = xml.decode()
    assert f"<totalrecord>{len(column)}</totalrecord>" in text
    assert f"<totalpage>{-(-len(column) // 15)}</totalpage>" in text
    records = re.findall(r"<record><!\[CDATA\[<li><a href=\"([^\"]+)\"", text)
    assert records == [d.url_path for d in column[15:30]]
    everything = fetch(spring.base_url + proxy.replace("startrecord=16&endrecord=30", f"startrecord=1&endrecord={len(column)}"),
                       data=b"columnid=1234")[2].decode()  # fmt: skip
    assert len(re.findall(r"<record>", everything)) == len(column)


def test_hanweb_article_body_sits_between_content_markers(spring):
    report = next(
        r for r in visible_reports(FIRST) if r.url_path.startswith("/yunling/") and not r.attachment
    )
    assert re.fullmatch(r"/yunling/art/\d{4}/\d{1,2}/\d{1,2}/art_1234_\d+\.html", report.url_path)
    page = fetch(spring.base_url + report.url_path)[2].decode()
    start, end = page.index('<meta name="ContentStart">'), page.index('<meta name="ContentEnd">')
    assert '<div id="zoom">' in page[:start]
    assert page_text(page[start:end].encode()) == squash(report.text)
    assert "当前位置" in page and "索 引 号" in page


# ---- old GBK table-layout site ---------------------------------------------------------------


def test_gbk_list_declares_gb2312_and_pages_with_next_links(spring):
    status, headers, body = fetch(spring.base_url + "/shimen/list.asp?classid=12&page=1")
    assert status == 200 and headers["Content-Type"].endswith("charset=gb2312")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    page = body.decode("gb18030")
    assert 'content="text/html; charset=gb2312"' in page
    assert '<a href="list.asp?classid=12&page=2">下一页</a>' in page and "尾页" in page
    last = int(re.search(r'page=(\d+)">尾页', page).group(1))
    ids = set()
    for n in range(1, last + 1):
        listing = fetch(spring.base_url + f"/shimen/list.asp?classid=12&page={n}")[2].decode("gb18030")
        ids |= set(re.findall(r'href="show\.asp\?id=(\d+)"', listing))
    assert fetch(spring.base_url + f"/shimen/list.asp?classid=12&page={last + 1}")[0] == 404
    assert ids == {str(d.doc_id) for d in column_documents("shimen", "main", FIRST)}


def test_gbk_article_body_is_br_separated_in_a_content_cell(spring):
    report = report_of(FIRST, "石桥县龙泉镇人民政府", 2020)
    assert report.title == "二〇二〇年度法治政府建设情况报告"
    status, headers, body = fetch(spring.base_url + report.url_path)
    assert status == 200 and "gb2312" in headers["Content-Type"]
    page = body.decode("gb18030")
    cell = re.search(r'<td class="content">(.*?)</td>', page, re.DOTALL).group(1)
    assert cell.count("<br>") == len(report.text.split("\n"))
    assert page_text(cell.encode()) == squash(report.text)
    assert "发布机构" in page and "石桥县龙泉镇人民政府" in page and "网站标识码" in page


# ---- HTTP behaviour ---------------------------------------------------------------------------


def test_conditional_requests_get_304_without_a_body(spring):
    url = spring.base_url + report_of(FIRST, "云岭市人民政府", 2021).url_path
    status, headers, body = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    status, again, empty = fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and empty == b"" and again["ETag"] == headers["ETag"]
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert fetch(url, headers={"If-None-Match": '"something-else"'})[0] == 200


def test_head_answers_headers_only(spring):
    url = spring.base_url + "/qinghe/index.html"
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_robots_index_homes_and_404(spring):
    status, headers, body = fetch(spring.base_url + "/robots.txt")
    assert status == 200 and body.decode() == "User-agent: *\nDisallow: /search\n"
    search = fetch(spring.base_url + "/search?q=" + urllib.parse.quote("司法局"))[2].decode()
    assert search.count("<li>") == len([d for d in visible_documents(FIRST) if "司法局" in d.title])
    index = fetch(spring.base_url + "/")[2].decode()
    for path in ("/qinghe/index.html", "/yunling/index.html", "/shimen/index.asp"):
        assert path in index
        assert fetch(spring.base_url + path)[0] == 200
    assert spring.start_urls == [
        spring.base_url + p for p in ("/qinghe/index.html", "/yunling/index.html", "/shimen/index.asp")
    ]
    home = fetch(spring.base_url + "/yunling/index.html")[2].decode()
    assert "/yunling/col/col1234/index.html" in home
    for missing in (
        "/nope.html",
        "/qinghe/zwgk/fzzfjs/209901/t20990101_1.html",
        "/shimen/show.asp?id=999999",
    ):
        status, _, body = fetch(spring.base_url + missing)
        assert status == 404 and "页面不存在" in body.decode()


# ---- dates: publication and silent edits -----------------------------------------------------


def test_report_is_invisible_before_its_publication_date(spring, summer):
    report = report_of(SECOND, "青禾县司法局", 2024)
    assert report.published > FIRST
    assert report.title not in {r.title for r in visible_reports(FIRST)}
    assert fetch(spring.base_url + report.url_path)[0] == 404
    assert (
        report.url_path.removeprefix("/qinghe/zwgk/fzzfjs/")
        not in fetch(spring.base_url + "/qinghe/zwgk/fzzfjs/index.html")[2].decode()
    )
    assert fetch(summer.base_url + report.url_path)[0] == 200


def test_silent_edit_is_served_only_after_its_date_at_the_same_url(spring, summer):
    edit = next(e for e in SILENT_EDITS if FIRST < e.on <= SECOND and e.agency_key == "qh-sfj")
    before, after = report_of(FIRST, "青禾县司法局", edit.year), report_of(SECOND, "青禾县司法局", edit.year)
    assert before.url_path == after.url_path and before.edited_on is None and after.edited_on == edit.on
    assert before.text != after.text
    old_status, old_headers, old_body = fetch(spring.base_url + before.url_path)
    new_status, new_headers, new_body = fetch(summer.base_url + after.url_path)
    assert old_status == new_status == 200
    old_page, new_page = page_text(old_body), page_text(new_body)
    for old, new in edit.replacements:
        assert squash(old) in old_page and squash(new) not in old_page
        assert squash(new) in new_page
    assert old_headers["ETag"] != new_headers["ETag"]
    assert new_headers["Last-Modified"].startswith(edit.on.strftime("%a, %d %b %Y"))
    # a client holding the old copy gets the new one
    assert fetch(summer.base_url + after.url_path, headers={"If-None-Match": old_headers["ETag"]})[0] == 200
    assert len([e for e in SILENT_EDITS if FIRST < e.on <= SECOND]) >= 2


# ---- attachments -----------------------------------------------------------------------------


def attachment_of(portal, report) -> bytes:
    page = fetch(portal.base_url + report.url_path)[2]
    page_str = page.decode("gb18030" if report.url_path.startswith("/shimen/") else "utf-8")
    assert "详见附件" in page_str and "附件:" in page_str
    href = re.search(r'附件:<a href="([^"]+)"', page_str).group(1)
    assert href == report.attachment_path
    status, headers, body = fetch(portal.base_url + href)
    assert status == 200 and headers["ETag"]
    return body


def test_pdf_only_reports_read_back_as_the_gold_text(summer):
    reports = [r for r in visible_reports(SECOND) if r.attachment == "pdf"]
    assert {r.url_path.split("/")[1] for r in reports} >= {"qinghe", "shimen"}
    for report in reports:
        body = attachment_of(summer, report)
        assert body.startswith(b"%PDF")
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert squash(text) == squash(report.text)


def test_docx_only_report_reads_back_as_the_gold_text(summer):
    report = next(r for r in visible_reports(SECOND) if r.attachment == "docx")
    body = attachment_of(summer, report)
    paragraphs = [p.text for p in DocxDocument(io.BytesIO(body)).paragraphs]
    assert "\n".join(paragraphs) == report.text
    assert fetch(summer.base_url + report.attachment_path)[2] == body  # same bytes every time


def test_plan_change_labels_agree_with_the_texts():
    texts = {(d.agency.key, d.year): d.original_text for d in documents() if d.kind == "fazhi_report"}
    seen = Counter()
    for key, evo in EVOLUTIONS.items():
        by_key = {c.key: c for c in evo.commitments}
        for year in REPORT_YEARS[1:]:
            for commitment, label in plan_changes(key, year).items():
                seen[label] += 1
                plan = by_key[commitment]
                old, new = texts[(key, year - 1)], texts[(key, year)]
                if label == "kept":
                    assert plan.wording[year] in old and plan.wording[year] in new
                elif label == "changed":
                    assert plan.wording[year - 1] in old and plan.wording[year] in new
                    assert plan.wording[year] not in old
                elif label == "dropped":
                    assert plan.wording[year - 1] not in new
                else:
                    assert label == "added" and plan.wording[year] not in old
    assert set(seen) == {"kept", "changed", "dropped", "added"}


def test_the_late_report_is_found_late_from_its_own_page():
    """The date the page shows is what the compliance check reads (diffing.yoy.published_late): the demo's index lists it."""
    from diffing.yoy import published_late
    from extraction import extract_report
    from sample_portal.network import LATE_REPORTS, documents
    from sample_portal.pages import render

    (agency_key, year), day = next(iter(LATE_REPORTS.items()))
    doc = next(d for d in documents() if d.agency.key == agency_key and d.year == year and d.kind == "fazhi_report")
    path, _, query = doc.url_path.partition("?")
    page = render(path, query, dt.date(2025, 7, 1))
    report = extract_report(page.body, url="http://127.0.0.1" + doc.url_path, content_type=page.content_type)
    finding = published_late(report)
    assert finding is not None and finding.kind == "late" and day.isoformat() in finding.detail
