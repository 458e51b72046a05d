"""Hanweb/大汉 (jpage): column records inline in a ``<datastore>``, the rest from ``dataproxy.jsp``.

A column page (``/col/colN/index.html``) carries its first records as CDATA ``<li>`` items in a
``<script type="text/xml">`` datastore and names the proxy its JavaScript pages through; one POST to
the proxy with a large ``endrecord`` returns the whole column. Article bodies sit between
``ContentStart``/``ContentEnd`` marks in ``#zoom``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
from lxml import etree
from scrapy.http import Response, TextResponse

from crawler.discovery import link_text
from crawler.families.family import DataRequest, Family, Lead, Link

# Markup is scanned with str.find and bounded runs, never with an open-ended regex over a whole page
# (``[^"'<>\s]*dataproxy\.jsp`` was quadratic on a page of repeated fragments).
_URL_MAX = 2000  # characters of a URL written in a script
_URL_CHARS = frozenset("\"'<>") | frozenset(" \t\r\n\f\v")  # what ends a URL written in markup
_TOTAL_RECORD = re.compile(r"(?:<totalrecord>|totalRecord\s*[:=]\s*)(\d+)", re.IGNORECASE)
PROXY = "dataproxy.jsp"


def url_around(text: str, needle: str) -> str | None:
    """The URL-like run of characters (no quotes, brackets or spaces) holding the first ``needle``."""
    found = text.find(needle)
    if found < 0:
        return None
    left = found
    while left > 0 and found - left < _URL_MAX and text[left - 1] not in _URL_CHARS:
        left -= 1
    right = found + len(needle)
    while right < len(text) and right - found < _URL_MAX and text[right] not in _URL_CHARS:
        right += 1
    return text[left:right]


def hanweb_list_request(html: str, url: str) -> DataRequest | None:
    """One POST to ``dataproxy.jsp`` that asks for every record of the column at once.

    The page names the proxy and its parameters (columnid, unitid, webid …) in a script or in the
    ``<nextgroup>`` of its inline datastore; a large ``endrecord`` returns the column in one answer
    instead of paging 15 records at a time.
    """
    found = url_around(html, PROXY)
    if found is None:
        return None
    proxy = found.replace("&amp;", "&")
    parts = urlsplit(urljoin(url, proxy))
    params = dict(parse_qsl(parts.query))
    for key in ("startrecord", "endrecord", "perpage", "page"):
        params.pop(key, None)
    total = _TOTAL_RECORD.search(html)
    end = int(total.group(1)) if total else 9999
    perpage = "15"
    post_url = (
        f"{parts.scheme}://{parts.netloc}{parts.path}?startrecord=1&endrecord={max(end, 1)}&perpage={perpage}"
    )
    return DataRequest(url=post_url, formdata=params)


def cdata_records(text: str) -> Iterator[str]:
    """The CDATA content of each ``<record>`` of a Hanweb datastore, scanned once from left to right."""
    start = 0
    while (opening := text.find("<record>", start)) >= 0:
        cdata = opening + len("<record>")
        while cdata < len(text) and text[cdata].isspace():
            cdata += 1
        if not text.startswith("<![CDATA[", cdata):
            start = cdata
            continue
        end = text.find("]]>", cdata)
        if end < 0:
            return  # no later record can close either
        yield text[cdata + len("<![CDATA[") : end]
        start = end + 3


def hanweb_records(xml_or_html: str, url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of each ``<record><![CDATA[<li>…</li>]]></record>``."""
    records = list(cdata_records(xml_or_html))
    if not records:
        return []
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True)
    links: list[tuple[str, str]] = []
    for record in records:
        try:
            root = lxml.html.fragment_fromstring(record, create_parent="div", parser=parser)
        except (etree.ParserError, ValueError):
            continue
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if href:
                links.append((urljoin(url, href), link_text(anchor.text_content(), anchor.get("title"))))
    return links


def read_list(response: TextResponse) -> Iterator[Lead]:
    html = response.text
    proxy = hanweb_list_request(html, response.url)
    if proxy is not None:  # one POST with a large endrecord returns the whole column
        yield proxy
    for url, text in hanweb_records(html, response.url):
        yield Link(url, text)


def read_data(response: Response) -> Iterator[Lead]:
    """The proxy's XML answer: every record of the column."""
    if not isinstance(response, TextResponse):
        return
    for url, text in hanweb_records(response.text, response.url):
        yield Link(url, text)


FAMILY = Family(
    name="hanweb",
    summary="Hanweb/大汉: /col/colN/index.html with an inline datastore, the rest from a dataproxy.jsp POST",
    marks=(PROXY, "<record>"),
    read_list=read_list,
    read_data=read_data,
)
