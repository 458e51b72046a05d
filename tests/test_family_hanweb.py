"""The Hanweb/大汉 family (crawler/families/hanweb.py) on saved pages of the sample portal's 云岭市 column."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from saved_pages import AS_OF, BASE, HANWEB_PROXY_FORM, SAVED, captures, requests_to, saved_response, spider

from crawler.discovery import is_report_link
from crawler.families import hanweb
from crawler.families.hanweb import hanweb_list_request, hanweb_records
from sample_portal.network import REPORT_KIND, column_documents
from sample_portal.pages import HANWEB_PER_PAGE

COLUMN = column_documents("yunling", "main", AS_OF)  # newest first, as the column shows them


@pytest.fixture(scope="module")
def column_page():
    return list(spider("hanweb").parse(saved_response("hanweb_column.html")))


@pytest.fixture(scope="module")
def proxy_answer():
    response = saved_response("hanweb_dataproxy.xml", kind="listing", api=True, family="hanweb")
    return list(spider("hanweb").parse_data(response))


def test_the_column_page_is_captured_as_a_listing(column_page):
    [capture] = captures(column_page)
    assert (capture["url"], capture["kind"]) == (SAVED["hanweb_column.html"].url, "listing")


def test_one_post_asks_the_proxy_for_the_whole_column(column_page):
    [post] = requests_to(column_page, "parse_data")
    assert (post.method, post.url) == (
        "POST",
        f"{BASE}/yunling/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord={len(COLUMN)}&perpage=15",
    )


def test_the_post_carries_the_column_and_unit_the_page_names(column_page):
    [post] = requests_to(column_page, "parse_data")
    assert dict(parse_qsl(post.body.decode())) == HANWEB_PROXY_FORM


def test_the_proxy_answer_is_read_by_this_family_as_a_listing(column_page):
    [post] = requests_to(column_page, "parse_data")
    assert (post.meta["family"], post.meta["kind"], post.meta["api"]) == ("hanweb", "listing", True)


def test_the_inline_records_reports_are_requested_with_their_full_titles(column_page):
    inline = [(BASE + d.url_path, d.title) for d in COLUMN[:HANWEB_PER_PAGE] if d.kind == REPORT_KIND]
    assert [(r.url, r.meta["link_text"]) for r in requests_to(column_page, "parse_report")] == inline


def test_the_proxy_answer_is_captured(proxy_answer):
    [capture] = captures(proxy_answer)
    assert (capture["url"], capture["kind"]) == (SAVED["hanweb_dataproxy.xml"].url, "listing")


def test_every_report_of_the_column_is_requested_from_the_proxy_answer(proxy_answer):
    everything = [(BASE + d.url_path, d.title) for d in COLUMN if d.kind == REPORT_KIND]
    assert [(r.url, r.meta["link_text"]) for r in requests_to(proxy_answer, "parse_report")] == everything


def test_the_proxy_answer_asks_the_proxy_nothing_more(proxy_answer):
    assert requests_to(proxy_answer, "parse_data") == []


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("hanweb_column.html", True),
        ("trs_list.html", False),
        ("oldsite_list.html", False),
        ("gkmlpt_index.html", False),
    ],
)
def test_its_marks_tell_its_lists_from_other_families(name, reads):
    assert hanweb.FAMILY.reads(saved_response(name)) is reads


# Variants seen on real Hanweb portals, as fragments.

HANWEB_COLUMN = """
<div id="4437012"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1234&unitid=4437012&webname=%E4%BA%91%E5%B2%AD&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/3/28/art_1234_5678.html" title="云岭市司法局2023年法治政府建设年度报告" target="_blank">云岭市司法局2023年法治政府建设年度...</a><span>2024-03-28</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/20/art_1234_5601.html" title="云岭市2023年政府信息公开工作年度报告">云岭市2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>]]></record>
</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>var totalRecord = 52;</script></div>
"""


def test_the_record_count_comes_from_a_script_variable():
    request = hanweb_list_request(HANWEB_COLUMN, "http://gov.example/col/col1234/index.html")
    assert request is not None
    assert (
        request.url
        == "http://gov.example/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=52&perpage=15"
    )
    assert (request.formdata["columnid"], request.formdata["unitid"], "page" in request.formdata) == (
        "1234",
        "4437012",
        False,
    )


def test_inline_records_keep_the_full_title_of_a_truncated_link():
    links = hanweb_records(HANWEB_COLUMN, "http://gov.example/col/col1234/index.html")
    assert links[0] == (
        "http://gov.example/art/2024/3/28/art_1234_5678.html",
        "云岭市司法局2023年法治政府建设年度报告",
    )
    assert is_report_link(links[0][1])
    assert not is_report_link(links[1][1])  # 政府信息公开工作年度报告 is another report
