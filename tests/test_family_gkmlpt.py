"""The gkmlpt family (crawler/families/gkmlpt.py) on saved pages of the sample portal's 岭南市 directory."""

from __future__ import annotations

import logging

import pytest
from saved_pages import AS_OF, BASE, SAVED, captures, requests_to, saved_response, spider

from crawler.families import gkmlpt
from crawler.families.gkmlpt import gkmlpt_api_urls, gkmlpt_articles
from sample_portal import lingnan
from sample_portal.gkmlpt_pages import PAGE_SIZE
from sample_portal.network import REPORT_KIND

CATEGORY = lingnan.category_documents(2171, AS_OF)  # 法治政府建设, newest first as the API pages it
API = f"{BASE}/lingnan/gkmlpt/api/all/2171"


def api_page(name: str) -> list:
    return list(spider("gkmlpt").parse_data(saved_response(name, kind="listing", api=True, family="gkmlpt")))


@pytest.fixture(scope="module")
def index_page():
    return list(spider("gkmlpt").parse(saved_response("gkmlpt_index.html")))


def test_the_index_page_is_captured_as_a_listing(index_page):
    [capture] = captures(index_page)
    assert (capture["url"], capture["kind"]) == (SAVED["gkmlpt_index.html"].url, "listing")


def test_the_index_asks_the_api_for_the_report_category_only(index_page):
    assert [r.url for r in requests_to(index_page, "parse_data")] == [f"{API}?page=1&sid={lingnan.SITE_ID}"]


def test_the_api_is_asked_with_a_get_read_by_this_family(index_page):
    [ask] = requests_to(index_page, "parse_data")
    assert (ask.method, ask.meta["family"], ask.meta["api"]) == ("GET", "gkmlpt", True)


def test_the_index_links_no_report(index_page):
    assert requests_to(index_page, "parse_report") == []


def test_an_api_page_is_captured():
    [capture] = captures(api_page("gkmlpt_api_1.json"))
    assert (capture["url"], capture["kind"], capture["status"]) == (
        SAVED["gkmlpt_api_1.json"].url,
        "listing",
        200,
    )


def test_an_api_page_requests_its_reports_with_their_titles():
    on_page = [(BASE + d.url_path, d.title) for d in CATEGORY[:PAGE_SIZE] if d.kind == REPORT_KIND]
    assert [
        (r.url, r.meta["link_text"]) for r in requests_to(api_page("gkmlpt_api_1.json"), "parse_report")
    ] == on_page


def test_an_api_page_asks_for_the_next_page():
    assert [r.url for r in requests_to(api_page("gkmlpt_api_1.json"), "parse_data")] == [
        f"{API}?page=2&sid={lingnan.SITE_ID}"
    ]


def test_the_last_api_page_requests_its_reports():
    last = [(BASE + d.url_path, d.title) for d in CATEGORY[4 * PAGE_SIZE :] if d.kind == REPORT_KIND]
    assert [
        (r.url, r.meta["link_text"]) for r in requests_to(api_page("gkmlpt_api_5.json"), "parse_report")
    ] == last


def test_the_last_api_page_asks_for_no_further_page():
    assert requests_to(api_page("gkmlpt_api_5.json"), "parse_data") == []


def test_an_answer_that_is_not_json_is_captured_and_read_no_further(caplog):
    response = saved_response("gkmlpt_index.html", kind="listing", api=True, family="gkmlpt")
    with caplog.at_level(logging.WARNING, logger="crawler.families.gkmlpt"):
        yielded = list(spider("gkmlpt").parse_data(response))
    assert (len(captures(yielded)), len(yielded), "not JSON" in caplog.text) == (1, 1, True)


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("gkmlpt_index.html", True),
        ("trs_list.html", False),
        ("hanweb_column.html", False),
        ("oldsite_list.html", False),
    ],
)
def test_its_marks_tell_its_lists_from_other_families(name, reads):
    assert gkmlpt.FAMILY.reads(saved_response(name)) is reads


# Variants, as fragments.

GKMLPT_INDEX = """<script>
var sid = '755';
window._CONFIG = {SID: '755', API: '/lingnan/gkmlpt/api/all/', PAGE_SIZE: 10};
window.CLASSIFY = [{"id": 2171, "name": "法治政府建设", "parent": 0}, {"id": 2172, "name": "工作动态", "parent": 0}];
</script>"""


def test_an_index_naming_no_report_category_asks_for_everything():
    assert gkmlpt_api_urls(GKMLPT_INDEX, "http://gd.example/lingnan/gkmlpt/index") == [
        "http://gd.example/lingnan/gkmlpt/api/all/2171?page=1&sid=755"
    ]
    plain = "<script>var sid = '2';</script>"
    assert gkmlpt_api_urls(plain, "http://gd.example/gkmlpt/index") == [
        "http://gd.example/gkmlpt/api/all/0?page=1&sid=2"
    ]
    assert gkmlpt_api_urls("<p>no directory here</p>", "http://gd.example/") == []


def test_the_page_count_may_come_from_total_and_page_size():
    url = "http://gd.example/gkmlpt/api/all/2171?page=1&sid=755"
    payload = {
        "articles": [{"id": 1, "title": "岭南市司法局2024年法治政府建设年度报告", "url": "/gkmlpt/content/0/0/post_1.html"}],
        "total": 21, "page": 1, "pageSize": 10,
    }  # fmt: skip
    links, next_url = gkmlpt_articles(payload, url)
    assert links == [
        ("http://gd.example/gkmlpt/content/0/0/post_1.html", "岭南市司法局2024年法治政府建设年度报告")
    ]
    assert next_url == "http://gd.example/gkmlpt/api/all/2171?page=2&sid=755"
    assert gkmlpt_articles({**payload, "page": 3}, url)[1] is None
    assert gkmlpt_articles({"articles": [], "page": 1, "pageCount": 5}, url) == ([], None)
