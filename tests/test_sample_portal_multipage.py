"""Opt-in multi-page TRS article and the TRS sitemap, fetched over loopback.

With ``multipage=True`` the longest plain 青禾 report is split over ``t…_ID.html`` and
``t…_ID_1.html`` with a 下一页 pager; the two halves together are the gold text. Without the flag
the report is one page, as the crawler expects. ``/qinghe/sitemap.xml`` lists every article.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from sample_portal.multipage import second_page_path, split_document
from sample_portal.network import documents, visible_reports
from sample_portal.server import start_in_thread

AS_OF = dt.date(2024, 4, 15)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def split_portal():
    with start_in_thread(AS_OF, multipage=True) as portal:
        yield portal


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def body_paragraphs(page: bytes) -> list[str]:
    editor = re.search(r'<div class="TRS_Editor">(.*?)</div>', page.decode(), re.S).group(1)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", p)).strip("　 \n") for p in editor.split("</p>") if p.strip()
    ]


def test_long_report_spans_two_pages_linked_by_a_pager(split_portal, plain):
    doc = split_document()
    gold = next(r for r in visible_reports(AS_OF) if r.url_path == doc.url_path)
    second = second_page_path(doc)
    assert second.endswith(f"_{doc.doc_id}_1.html")
    status, first_page = fetch(split_portal.base_url + doc.url_path)
    assert status == 200
    name = second.rsplit("/", 1)[1]
    assert f'<a href="{name}">下一页</a>' in first_page.decode()
    status, second_page = fetch(split_portal.base_url + second)
    assert status == 200 and "上一页" in second_page.decode() and "下一页" not in second_page.decode()
    first_half, second_half = body_paragraphs(first_page), body_paragraphs(second_page)
    assert first_half and second_half and second_half[0].startswith("三、")
    assert first_half + second_half == gold.text.split("\n")
    assert "var countPage = 2;" in first_page.decode()


def test_without_the_flag_the_report_is_one_page(plain):
    doc = split_document()
    status, page = fetch(plain.base_url + doc.url_path)
    assert status == 200 and "下一页" not in page.decode() and "var countPage = 1;" in page.decode()
    assert body_paragraphs(page) == doc.text_at(AS_OF).split("\n")
    assert fetch(plain.base_url + second_page_path(doc))[0] == 404


def test_sitemap_lists_trs_articles_with_lastmod(plain):
    status, body = fetch(plain.base_url + "/qinghe/sitemap.xml")
    assert status == 200
    entries = {
        url.find(f"{SITEMAP_NS}loc").text: url.find(f"{SITEMAP_NS}lastmod").text
        for url in ET.fromstring(body).findall(f"{SITEMAP_NS}url")
    }
    visible = [d for d in documents() if d.portal == "qinghe" and d.published <= AS_OF]
    for doc in visible:
        assert entries[plain.base_url + doc.url_path] == doc.last_modified(AS_OF).isoformat()
    assert len(entries) == len(visible) + 1  # plus the home page
    assert all(loc.startswith(plain.base_url + "/qinghe/") for loc in entries)
