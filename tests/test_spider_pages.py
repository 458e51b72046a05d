"""What the shared spider base yields for saved pages: report pages, cover pages, split reports,
sitemaps, refused pages, failures — and which families read a page (composition, the registry's cms)."""

from __future__ import annotations

import pytest
from saved_pages import AS_OF, BASE, SAVED, captures, requests_to, saved_response, spider
from scrapy import Request
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from crawler.families import FAMILIES
from crawler.items import CaptureItem
from sample_portal.network import document_by_path, documents

REPORT = SAVED["trs_report.html"]
COVER = SAVED["trs_cover.html"]
SPLIT, SPLIT_1 = SAVED["trs_split.html"], SAVED["trs_split_1.html"]


def report_response(name: str, **meta):
    return saved_response(name, kind="report", link_text="报告", **meta)


def failure_of(request: Request) -> Failure:
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = request  # as Scrapy hands it to an errback
    return failure


# -- report pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_page():
    return list(spider().parse_report(report_response("trs_report.html")))


def test_a_report_page_is_one_capture_and_nothing_else(report_page):
    assert [type(x) for x in report_page] == [CaptureItem]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("url", REPORT.url), ("final_url", REPORT.url), ("status", 200), ("outcome", "ok"), ("kind", "report"),
        ("link_text", "报告"), ("portal", BASE + "/"), ("content_type", REPORT.content_type), ("parent_url", None),
    ],
)  # fmt: skip
def test_a_report_capture_field(report_page, field, expected):
    assert report_page[0][field] == expected


def test_a_report_capture_keeps_the_raw_body(report_page):
    assert report_page[0]["body"] == (saved_response("trs_report.html").body)


@pytest.fixture(scope="module")
def cover_page():
    return list(spider().parse_report(report_response("trs_cover.html")))


def test_a_cover_page_is_captured(cover_page):
    assert [c["url"] for c in captures(cover_page)] == [COVER.url]


def test_a_cover_page_requests_its_attachment(cover_page):
    doc = document_by_path(COVER.path, AS_OF)
    assert doc is not None and doc.attachment == "pdf"
    [attachment] = requests_to(cover_page, "parse_attachment")
    assert attachment.url == BASE + doc.attachment_path


def test_the_attachment_request_names_the_page_that_linked_it(cover_page):
    [attachment] = requests_to(cover_page, "parse_attachment")
    assert (attachment.meta["kind"], attachment.meta["parent_url"]) == ("attachment", COVER.url)


# -- a report split over pages -------------------------------------------------------------------


@pytest.fixture(scope="module")
def split_first():
    return list(spider().parse_report(report_response("trs_split.html")))


def test_the_first_page_of_a_split_report_yields_no_item_yet(split_first):
    assert captures(split_first) == []


def test_the_first_page_of_a_split_report_asks_for_the_next(split_first):
    assert [r.url for r in requests_to(split_first, "parse_continuation")] == [SPLIT_1.url]


def test_the_continuation_request_carries_the_first_page(split_first):
    [next_page] = requests_to(split_first, "parse_continuation")
    assert (next_page.meta["first"]["url"], next_page.meta["parts"]) == (SPLIT.url, [])


@pytest.fixture(scope="module")
def split_joined(split_first):
    [next_page] = requests_to(split_first, "parse_continuation")
    return list(spider().parse_continuation(saved_response("trs_split_1.html", **next_page.meta)))


def test_the_last_page_yields_the_report_once(split_joined):
    assert [c["url"] for c in captures(split_joined)] == [SPLIT.url]


def test_the_report_carries_its_later_page(split_joined):
    assert [(p["url"], p["parent_url"]) for p in split_joined[0]["continuations"]] == [
        (SPLIT_1.url, SPLIT.url)
    ]


def test_a_later_page_that_fails_is_recorded_with_the_report(split_first):
    [next_page] = requests_to(split_first, "parse_continuation")
    [item] = list(spider().failed_continuation(failure_of(next_page)))
    assert [(p["url"], p["outcome"]) for p in item["continuations"]] == [(SPLIT_1.url, "error")]


# -- sitemaps and candidates ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sitemap():
    crawl = spider(start=BASE + "/qinghe/sitemap.xml", settings={"FAZHI_SITEMAP_YEARS": 100})
    return list(crawl.parse(saved_response("trs_sitemap.xml")))


def test_a_sitemap_is_captured(sitemap):
    assert [c["url"] for c in captures(sitemap)] == [SAVED["trs_sitemap.xml"].url]


def test_every_article_of_a_sitemap_is_a_candidate(sitemap):
    articles = {BASE + d.url_path for d in documents() if d.portal == "qinghe" and d.published <= AS_OF}
    assert articles <= {r.url for r in requests_to(sitemap, "parse_candidate")}


def test_a_candidate_whose_title_is_no_report_is_counted_and_left():
    crawl = spider()
    assert list(crawl.parse_candidate(saved_response("trs_news.html", kind="report"))) == []
    assert crawl.crawler.stats.get_value("fazhi/candidates_not_reports") == 1


def test_a_candidate_whose_title_is_a_report_is_captured_as_one():
    [capture] = list(spider().parse_candidate(saved_response("trs_report.html", kind="report")))
    assert capture["link_text"] == document_by_path(REPORT.path, AS_OF).title


# -- refused pages and failures ------------------------------------------------------------------


def test_a_list_page_answering_a_challenge_is_captured_and_followed_no_further():
    yielded = list(spider().parse(saved_response("trs_list.html", status=412)))
    assert [type(x) for x in yielded] == [CaptureItem]


def test_a_start_url_refused_is_counted():
    crawl = spider()
    list(crawl.parse(saved_response("trs_list.html", status=503, start_url=True)))
    assert crawl.crawler.stats.get_value("fazhi/start_urls_failed") == 1


def test_a_list_fetch_that_failed_is_recorded_as_an_error():
    crawl = spider()
    [item] = list(
        crawl.failed_listing(failure_of(Request(BASE + "/qinghe/index.html", meta={"start_url": True})))
    )
    assert (item["url"], item["outcome"], item["kind"]) == (BASE + "/qinghe/index.html", "error", "listing")


# -- composition: which families read a page -----------------------------------------------------


def test_scrapy_finds_one_spider_per_family_and_reports():
    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["crawler.spiders"]}))
    assert sorted(loader.list()) == sorted([*FAMILIES, "reports"])


def test_a_family_spider_alone_does_not_read_another_familys_lists():
    yielded = list(spider("trs").parse(saved_response("hanweb_column.html")))
    assert requests_to(yielded, "parse_data") == []


def test_the_reports_spider_reads_every_familys_lists():
    yielded = list(spider().parse(saved_response("hanweb_column.html")))
    assert len(requests_to(yielded, "parse_data")) == 1


# Start URLs of crawler/portals.toml: shanxi is a TRS portal, zj-sft a Hanweb one.
SHANXI, ZJ_SFT = "https://www.shanxi.gov.cn/", "http://sft.zj.gov.cn/"


def test_a_registry_portal_is_read_by_the_family_its_cms_names():
    crawl = spider(start=f"{ZJ_SFT},{SHANXI}")
    hanweb = list(crawl.parse(saved_response("hanweb_column.html", url=ZJ_SFT + "col/col1234/index.html")))
    assert len(requests_to(hanweb, "parse_data")) == 1


def test_a_registry_portal_is_not_read_by_another_family():
    crawl = spider(start=f"{ZJ_SFT},{SHANXI}")
    trs_page = list(crawl.parse(saved_response("trs_list.html", url=ZJ_SFT + "fzzfjs/index.html")))
    assert [r.url for r in requests_to(trs_page, "parse") if "/index_" in r.url] == []


def test_a_start_url_the_registry_does_not_name_is_read_by_every_family():
    crawl = spider(start="https://www.example.gov.cn/")
    trs_page = list(
        crawl.parse(saved_response("trs_list.html", url="https://www.example.gov.cn/fzzfjs/index.html"))
    )
    assert [r.url for r in requests_to(trs_page, "parse") if "/index_" in r.url] != []
