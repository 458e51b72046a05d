"""Markup built to defeat regexes: classification and list discovery read it in one pass and still get it right.

Each input here took seconds to minutes with the regexes these functions used before (``<[^>]+>``,
``[^)]*\\d[^)]*``, ``[^"'<>\\s]*dataproxy\\.jsp``); the tests check the answers, the benchmark
(``benchmarks/hostile.py``) the time.
"""

from __future__ import annotations

import pytest

from crawler.families.gkmlpt import gkmlpt_api_urls
from crawler.families.hanweb import cdata_records, hanweb_list_request, hanweb_records
from crawler.families.trs import trs_page_urls
from extraction.blocking import classify_response

BIG = 300 * 1024


@pytest.mark.parametrize("unit", ["<", "<a", "<title", "<script>", "<!--", "a", "&", "<record><![CDATA["])
def test_a_page_of_one_repeated_token_is_a_page_not_a_crash(unit):
    body = (unit * (BIG // len(unit))).encode()
    outcome, _reason = classify_response(200, {"Content-Type": "text/html"}, body, "http://x.gov.cn/a.html", None)
    assert outcome == "ok"


@pytest.mark.parametrize("unit", ["createPageHTML(1", "countPage=", "dataproxy", "a", "<record><![CDATA[<a href='x'>", 'API: "'])
def test_list_discovery_finds_nothing_in_a_page_of_repeated_fragments(unit):
    html = unit * (BIG // len(unit))
    assert trs_page_urls(html, "http://x.gov.cn/col/index.html") == []
    assert hanweb_records(html, "http://x.gov.cn/") == []
    assert gkmlpt_api_urls(html, "http://x.gov.cn/gkmlpt/index") == []
    assert hanweb_list_request(html, "http://x.gov.cn/") is None or unit == "dataproxy"


def test_the_real_marks_are_still_found_behind_a_hostile_prefix():
    noise = "createPageHTML(" * 5000 + "a" * 50000
    html = noise + 'createPageHTML(5, 0, "index", "html");' + "<script>var u='/module/web/jpage/dataproxy.jsp?columnid=12';</script>"
    assert trs_page_urls(html, "http://x.gov.cn/col/index.html") == [
        f"http://x.gov.cn/col/index_{n}.html" for n in range(1, 5)
    ]
    proxy = hanweb_list_request(html, "http://x.gov.cn/col/col12/index.html")
    assert proxy is not None and proxy.url.startswith("http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1")
    assert proxy.formdata == {"columnid": "12"}


def test_hanweb_records_are_read_with_their_titles_and_entities():
    xml = (
        "<datastore><recordset>"
        '<record><![CDATA[<li><a href="/art/2024/3/1/art_1_2.html" title="2023年度法治政府建设工作报告">2023年度法治…</a></li>]]></record>'
        '<record> <![CDATA[<li><a href="/art/2024/3/2/art_1_3.html?a=1&amp;b=2">其他</a></li>]]></record>'
        "<record><![CDATA[<li><a>no link</a></li>]]></record>"
        "</recordset></datastore>"
    )
    assert len(list(cdata_records(xml))) == 3
    assert hanweb_records(xml, "http://x.gov.cn/col/col1/index.html") == [
        ("http://x.gov.cn/art/2024/3/1/art_1_2.html", "2023年度法治政府建设工作报告"),
        ("http://x.gov.cn/art/2024/3/2/art_1_3.html?a=1&b=2", "其他"),
    ]


def test_documents_are_not_read_as_pages():
    pdf = b"%PDF-1.7\n" + "安全验证 页面不存在".encode() * 10
    assert classify_response(200, {"Content-Type": "application/pdf"}, pdf, "http://x.gov.cn/a.pdf", None) == ("ok", None)
    assert classify_response(200, {}, b" \n\t ", "http://x.gov.cn/a.html", None) == ("error", "empty body")
