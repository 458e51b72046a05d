"""The TRS WCM family (crawler/families/trs.py) on saved pages of the sample portal's 青禾县 column."""

from __future__ import annotations

import math

import pytest
from saved_pages import AS_OF, BASE, SAVED, captures, requests_to, saved_response, spider

from crawler.families import trs
from crawler.families.trs import trs_page_urls
from sample_portal.network import REPORT_KIND, column_documents
from sample_portal.pages import TRS_PER_PAGE

COLUMN = column_documents("qinghe", "main", AS_OF)  # newest first, as the list shows them


@pytest.fixture(scope="module")
def first_page():
    return list(spider("trs").parse(saved_response("trs_list.html")))


def test_the_list_page_is_captured_as_a_listing(first_page):
    [capture] = captures(first_page)
    assert (capture["url"], capture["kind"], capture["outcome"]) == (
        SAVED["trs_list.html"].url,
        "listing",
        "ok",
    )


def test_every_later_page_createpagehtml_announces_is_requested_as_a_list(first_page):
    pages = math.ceil(len(COLUMN) / TRS_PER_PAGE)
    announced = [f"{BASE}/qinghe/zwgk/fzzfjs/index_{n}.html" for n in range(1, pages)]
    assert [r.url for r in requests_to(first_page, "parse") if "/index_" in r.url] == announced


def test_each_report_on_the_page_is_requested_as_a_report_with_its_title(first_page):
    on_page = [d for d in COLUMN[:TRS_PER_PAGE] if d.kind == REPORT_KIND]
    wanted = [(BASE + d.url_path, d.title) for d in on_page]
    assert [(r.url, r.meta["link_text"]) for r in requests_to(first_page, "parse_report")] == wanted


def test_report_requests_are_conditional_and_see_every_status(first_page):
    request = requests_to(first_page, "parse_report")[0]
    assert (request.meta["conditional"], request.meta["kind"], 412 in request.meta["handle_httpstatus_list"]) == (
        True, "report", True,
    )  # fmt: skip


def test_a_later_page_announces_nothing():
    assert list(trs.FAMILY.read_list(saved_response("trs_list_1.html"))) == []


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("trs_list.html", True),
        ("hanweb_column.html", False),
        ("oldsite_list.html", False),
        ("gkmlpt_index.html", False),
    ],
)
def test_its_marks_tell_its_lists_from_other_families(name, reads):
    assert trs.FAMILY.reads(saved_response(name)) is reads


# Variants seen on real TRS portals, as fragments.


def test_pagination_variant_with_element_id_and_record_count():
    page = "<script>createPageHTML('page_div',3, 0,'index','shtml',42);</script>"
    assert trs_page_urls(page, "http://gov.example/col/") == [
        "http://gov.example/col/index_1.shtml",
        "http://gov.example/col/index_2.shtml",
    ]


def test_a_single_page_list_has_no_pagination():
    assert trs_page_urls("<script>createPageHTML(1, 0, 'index', 'html');</script>", "http://x/") == []


def test_pagination_skips_the_function_definition():
    page = (
        "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){"
        "if(_nPageCount == null || _nPageCount<=1){ return; }}</script>"
        '<script>createPageHTML(3, 0, "index", "html");</script>'
    )
    assert trs_page_urls(page, "http://gov.example/fz/index.html") == [
        "http://gov.example/fz/index_1.html",
        "http://gov.example/fz/index_2.html",
    ]


def test_count_page_alone_is_enough():
    page = "<script>var currentPage = 0;\nvar countPage = 3//共多少页</script>"
    assert trs_page_urls(page, "http://gov.example/fz/index.html") == [
        "http://gov.example/fz/index_1.html",
        "http://gov.example/fz/index_2.html",
    ]
