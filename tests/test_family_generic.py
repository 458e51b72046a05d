"""The generic family (crawler/families/generic.py): plain HTML lists, on saved pages of the sample
portal's old GBK table-layout site (石桥县) and of a portal home page."""

from __future__ import annotations

import pytest
from saved_pages import AS_OF, BASE, SAVED, captures, requests_to, saved_response, spider

from crawler.families import generic
from sample_portal.network import REPORT_KIND, column_documents
from sample_portal.pages import OLDSITE_PER_PAGE

COLUMN = column_documents("shimen", "main", AS_OF)
LIST = f"{BASE}/shimen/list.asp?classid=12"


@pytest.fixture(scope="module")
def first_page():
    return list(spider("generic").parse(saved_response("oldsite_list.html")))


@pytest.fixture(scope="module")
def last_page():
    return list(spider("generic").parse(saved_response("oldsite_list_4.html")))


def test_the_list_page_is_captured_as_a_listing(first_page):
    [capture] = captures(first_page)
    assert (capture["url"], capture["kind"], capture["outcome"]) == (
        SAVED["oldsite_list.html"].url,
        "listing",
        "ok",
    )


def test_the_next_page_link_is_followed(first_page):
    assert f"{LIST}&page=2" in [r.url for r in requests_to(first_page, "parse")]


def test_the_last_page_link_is_followed(first_page):
    assert f"{LIST}&page=4" in [r.url for r in requests_to(first_page, "parse")]


def test_the_column_link_in_the_menu_is_followed(first_page):
    assert LIST in [r.url for r in requests_to(first_page, "parse")]


def test_each_report_on_the_gbk_page_is_requested_with_its_title(first_page):
    on_page = [
        (f"{BASE}/shimen/show.asp?id={d.doc_id}", d.title)
        for d in COLUMN[:OLDSITE_PER_PAGE]
        if d.kind == REPORT_KIND
    ]
    assert [(r.url, r.meta["link_text"]) for r in requests_to(first_page, "parse_report")] == on_page


def test_other_documents_on_the_page_are_not_requested_as_reports(first_page):
    others = {
        f"{BASE}/shimen/show.asp?id={d.doc_id}" for d in COLUMN[:OLDSITE_PER_PAGE] if d.kind != REPORT_KIND
    }
    assert others.isdisjoint(r.url for r in requests_to(first_page, "parse_report"))


def test_the_last_page_leads_to_no_page_after_it(last_page):
    assert f"{LIST}&page=5" not in [r.url for r in requests_to(last_page, "parse")]


def test_the_last_page_requests_its_reports(last_page):
    on_page = [
        f"{BASE}/shimen/show.asp?id={d.doc_id}"
        for d in COLUMN[3 * OLDSITE_PER_PAGE :]
        if d.kind == REPORT_KIND
    ]
    assert [r.url for r in requests_to(last_page, "parse_report")] == on_page


def test_a_home_page_leads_to_its_report_column():
    yielded = list(spider("generic").parse(saved_response("trs_home.html")))
    assert f"{BASE}/qinghe/zwgk/fzzfjs/index.html" in [r.url for r in requests_to(yielded, "parse")]


def test_it_reads_every_page():
    assert all(generic.FAMILY.reads(saved_response(name)) for name in SAVED if name.endswith(".html"))


def test_links_that_go_nowhere_are_not_leads():
    page = saved_response("trs_home.html")
    urls = [lead.url for lead in generic.FAMILY.read_list(page)]
    assert [u for u in urls if u.startswith(("javascript:", "mailto:")) or u.endswith("#")] == []
