"""The opt-in 岭南市 gkmlpt portal, served over loopback: JS-only directory, JSON API, articles.

A gkmlpt-aware crawler reads the site id from the directory page, pages through
``/gkmlpt/api/all/{CAT}?page=N&sid=SID`` and fetches each ``url``; these tests walk that path and
compare what comes back with the catalogue (``visible_reports(..., include_gkmlpt=True)``).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from sample_portal import lingnan
from sample_portal.agencies import REPORT_YEARS
from sample_portal.gkmlpt_pages import PAGE_SIZE
from sample_portal.network import start_paths, visible_documents, visible_reports
from sample_portal.server import start_in_thread

AS_OF = dt.date(2025, 7, 1)
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def portal():
    with start_in_thread(AS_OF, gkmlpt=True) as running:
        yield running


def get(portal, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def site_id(portal) -> str:
    status, _headers, body = get(portal, "/lingnan/gkmlpt/index")
    assert status == 200
    return re.search(r"var sid = '(\d+)';", body.decode()).group(1)


def api(portal, cat: int, page: int, sid: str):
    status, headers, body = get(portal, f"/lingnan/gkmlpt/api/all/{cat}?page={page}&sid={sid}")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def all_articles(portal, cat: int) -> list[dict]:
    sid = site_id(portal)
    first = api(portal, cat, 1, sid)
    articles = list(first["articles"])
    for page in range(2, first["pageCount"] + 1):
        articles += api(portal, cat, page, sid)["articles"]
    return articles


def test_directory_page_names_the_site_id_and_links_nothing(portal):
    _status, _headers, body = get(portal, "/lingnan/gkmlpt/index")
    text = body.decode()
    assert site_id(portal) == lingnan.SITE_ID
    config = re.search(r"window\._CONFIG = (\{.*\});", text).group(1)
    assert re.search(r"SID:\s*'(\d+)'", config).group(1) == lingnan.SITE_ID  # as real gkmlpt crawlers read it
    tree = json.loads(re.search(r"TREE:\s*(\[.*?\])\s*,\s*SERVICE_AREA_ID", config).group(1))
    assert [(node["id"], node["name"]) for node in tree] == [(2171, "法治政府建设"), (2172, "工作动态")]
    assert sum(node["post_count"] for node in tree) == api(portal, 0, 1, lingnan.SITE_ID)["total"]
    assert re.search(r"post_\d+\.html", text) is None  # every article link comes from the API


def test_api_pages_through_every_document_of_the_category(portal):
    sid = site_id(portal)
    first = api(portal, 0, 1, sid)
    expected = len(
        [d for d in visible_documents(AS_OF, include_gkmlpt=True) if d.url_path.startswith("/lingnan/")]
    )
    assert first["total"] == expected and first["page"] == 1 and first["pageSize"] == PAGE_SIZE
    assert first["pageCount"] == -(-expected // PAGE_SIZE) and len(first["articles"]) == PAGE_SIZE
    articles = all_articles(portal, 0)
    assert len(articles) == expected == len({a["id"] for a in articles})
    last = api(portal, 0, first["pageCount"], sid)
    assert len(last["articles"]) == expected - PAGE_SIZE * (first["pageCount"] - 1)
    assert api(portal, 0, first["pageCount"] + 1, sid)["articles"] == []
    times = [a["display_publish_time"] for a in articles]
    assert times == sorted(times, reverse=True)  # newest first, as gkmlpt lists


def test_api_article_shape_and_epoch_seconds(portal):
    article = api(portal, 2171, 1, site_id(portal))["articles"][0]
    assert {
        "id",
        "title",
        "url",
        "display_publish_time",
        "publisher",
        "identifier",
        "document_number",
    } <= set(article)
    assert isinstance(article["id"], int) and isinstance(article["display_publish_time"], int)
    path = (
        f"/lingnan/gkmlpt/content/{article['id'] // 10**6}/{article['id'] // 1000}/post_{article['id']}.html"
    )
    assert article["url"] == portal.base_url + path == article["post_url"]
    assert article["classify_main"] == 2171
    published = dt.datetime.fromtimestamp(article["display_publish_time"], CHINA).date()
    doc = next(d for d in lingnan.documents() if d.doc_id == article["id"])
    assert published == doc.published and article["publisher"] == doc.agency.name


def test_main_category_mixes_reports_with_other_documents(portal):
    articles = all_articles(portal, 2171)
    reports = {
        r.url_path: r
        for r in visible_reports(AS_OF, include_gkmlpt=True)
        if r.url_path.startswith("/lingnan/")
    }
    assert {urlsplit(a["url"]).path for a in articles} >= set(reports)
    assert len(articles) > len(reports)  # 政府信息公开工作年度报告, budgets and news sit in between
    assert Counter(r.agency for r in reports.values()) == {
        a.name: len(REPORT_YEARS) for a in lingnan.AGENCIES
    }
    news = all_articles(portal, 2172)
    assert not {urlsplit(a["url"]).path for a in news} & set(reports)


def test_article_page_has_gkmlpt_chrome_and_the_gold_text(portal):
    report = next(
        r
        for r in visible_reports(AS_OF, include_gkmlpt=True)
        if r.agency == "岭南市司法局" and r.year == 2023
    )
    status, headers, body = get(portal, report.url_path)
    text = body.decode()
    assert status == 200 and headers["ETag"]
    for label in (
        "索引号",
        "分类",
        "发布机构",
        "成文日期",
        "名称",
        "文号",
        "发布日期",
        "扫一扫在手机打开当前页",
    ):
        assert label in text
    content = re.search(r'<div class="article-content">(.*?)</div>', text, re.S).group(1)
    paragraphs = [re.sub(r"<[^>]+>", "", p).strip("　 \n") for p in content.split("</p>") if p.strip()]
    assert paragraphs == report.text.split("\n")
    assert report.title.startswith("岭南市司法局关于2023年度法治政府建设")


def test_wrong_site_id_unknown_category_and_future_articles_are_404(portal):
    assert get(portal, "/lingnan/gkmlpt/api/all/2171?page=1&sid=999")[0] == 404
    assert get(portal, "/lingnan/gkmlpt/api/all/2171?page=1")[0] == 404
    assert get(portal, f"/lingnan/gkmlpt/api/all/4242?page=1&sid={lingnan.SITE_ID}")[0] == 404


def test_documents_appear_on_their_publication_date(portal):
    earlier = dt.date(2023, 6, 1)
    future = next(d for d in lingnan.documents() if d.published > earlier)
    with start_in_thread(earlier, gkmlpt=True) as before:
        assert get(before, future.url_path)[0] == 404
        total = api(before, 0, 1, lingnan.SITE_ID)["total"]
    assert get(portal, future.url_path)[0] == 200
    assert (
        total
        == len([d for d in lingnan.documents() if d.published <= earlier])
        < api(portal, 0, 1, lingnan.SITE_ID)["total"]
    )


def test_the_portal_is_opt_in():
    assert "/lingnan/gkmlpt/index" not in start_paths()
    assert start_paths(include_gkmlpt=True)[-1] == "/lingnan/gkmlpt/index"
    assert len(visible_reports(AS_OF)) < len(visible_reports(AS_OF, include_gkmlpt=True))
    with start_in_thread(AS_OF) as plain:
        assert get(plain, "/lingnan/gkmlpt/index")[0] == 404
        assert not any("lingnan" in url for url in plain.start_urls)
    with start_in_thread(AS_OF, gkmlpt=True) as extended:
        assert extended.start_urls[-1].endswith("/lingnan/gkmlpt/index")
