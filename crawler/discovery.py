"""Which links on a government portal lead to annual rule-of-law reports, and how lists paginate.

Pure functions over strings, so each rule can be tested on saved pages without Scrapy running.
The title patterns themselves live in ``extraction.titles`` (one place for "is this a report?").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
from lxml import etree
from scrapy.http import TextResponse

from extraction.htmlpage import report_pictures
from extraction.report import Report
from extraction.titles import classify_title

# Anchor texts that lead towards report lists: the columns where portals file these reports, and
# pagination. Deliberately narrow: on a real portal, following every menu link means the whole site.
LISTING_KEYWORDS = (
    "法治政府",
    "依法行政",
    "法治建设",
    "政府信息公开",
    "信息公开目录",
    "法定主动公开",
    "其他法定信息",
    "主动公开",
    "年度报告",
    "工作报告",
    "下一页",
    "下页",
    "尾页",
    "末页",
    "更多",
)

# What to ask a portal's site search for (-a search=TEMPLATE): the words every title variant shares.
SEARCH_QUERIES = ("法治政府建设", "依法行政", "法治建设")

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")

# A report page whose own body is shorter than this and that links attachments is a cover page:
# the report is the attachment ("详见附件").
COVER_PAGE_MAX_CHARS = 300

# Markup is scanned with str.find and bounded slices or with lxml, never with an open-ended regex over
# a whole page: ``[^)]*\d[^)]*`` over 20 KB of ``createPageHTML(1`` took 34 s.
_CALL_ARGUMENTS_MAX = 300  # characters between a call's parentheses: createPageHTML(12, 0, "index", "html")
_URL_MAX = 2000  # characters of a URL written in a script
_URL_CHARS = frozenset("\"'<>") | frozenset(" \t\r\n\f\v")  # what ends a URL written in markup
_COUNT_PAGE = re.compile(r"(?:var\s+)?countPage\s*=\s*(\d+)")
_TOTAL_RECORD = re.compile(r"(?:<totalrecord>|totalRecord\s*[:=]\s*)(\d+)", re.IGNORECASE)


def link_text(text: str, title: str | None) -> str:
    """The fuller of an anchor's text and its title attribute.

    Lists truncate long titles ("…年度..."), keeping the whole one in ``title``.
    """
    text = " ".join(text.split())
    shown = text.rstrip(".。…·").strip()
    title = " ".join((title or "").split())
    return title if title and len(title) >= len(shown) else text


def is_report_link(text: str) -> bool:
    """True when a link's text (or title attribute) names an annual rule-of-law report."""
    ok, _reason = classify_title(" ".join(text.split()))
    return ok


def is_listing_link(text: str) -> bool:
    """True for links worth following to find report lists (columns, pagination)."""
    text = " ".join(text.split())
    if not text or len(text) > 40:
        return False
    if text.isdigit():  # page numbers in a pager
        return True
    return any(word in text for word in LISTING_KEYWORDS)


REPORT_PICTURE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def is_attachment_url(url: str, text: str = "") -> bool:
    """True for document files that may hold the report itself, and for a picture linked under a
    report's title ("…年度报告.jpg"): the report published as an image, read by OCR."""
    path = urlsplit(url).path.lower()
    name = text.strip()
    if path.endswith(ATTACHMENT_EXTENSIONS) or name.lower().endswith(ATTACHMENT_EXTENSIONS):
        return True
    picture = path.endswith(REPORT_PICTURE_EXTENSIONS) or name.lower().endswith(REPORT_PICTURE_EXTENSIONS)
    return picture and is_report_link(name.rsplit(".", 1)[0] if "." in name else name)


def trs_page_urls(html: str, url: str) -> list[str]:
    """All list pages of a TRS WCM column, from ``createPageHTML(count, current, "index", "html")``.

    Only the first page (current == 0) announces the others, so later pages add nothing new.
    Variants seen in the wild put an element id first and a record count last; the numbers that
    matter are the first two integers, the names the last two strings. A call, not the function's
    own definition (which TRS pages also carry): its arguments hold digits.
    """
    args_text = next((a for a in call_arguments(html, "createPageHTML") if any(c.isdigit() for c in a)), None)
    count: int | None = None
    current = 0
    prefix, suffix = "index", "html"
    if args_text is not None:
        args = [a.strip().strip("'\"") for a in args_text.split(",")]
        numbers = [int(a) for a in args if a.isdigit()]
        words = [a for a in args if a and not a.isdigit()]
        if numbers:
            count = numbers[0]
            current = numbers[1] if len(numbers) > 1 else 0
        if len(words) >= 2:
            prefix, suffix = words[-2], words[-1]
    else:
        counted = _COUNT_PAGE.search(html)
        if counted:
            count = int(counted.group(1))
    if not count or count <= 1 or current != 0:
        return []
    return [urljoin(url, f"{prefix}_{n}.{suffix}") for n in range(1, count)]


@dataclass
class HanwebListRequest:
    """The POST that returns a whole Hanweb (大汉 jpage) column as XML records."""

    url: str
    formdata: dict[str, str]


def hanweb_list_request(html: str, url: str) -> HanwebListRequest | None:
    """Build one POST to ``dataproxy.jsp`` that asks for every record of the column at once.

    The page names the proxy and its parameters (columnid, unitid, webid …) in a script or in the
    ``<nextgroup>`` of its inline datastore; a large ``endrecord`` returns the column in one answer
    instead of paging 15 records at a time.
    """
    found = url_around(html, "dataproxy.jsp")
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
    post_url = f"{parts.scheme}://{parts.netloc}{parts.path}?startrecord=1&endrecord={max(end, 1)}&perpage={perpage}"
    return HanwebListRequest(url=post_url, formdata=params)


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


def call_arguments(text: str, name: str) -> Iterator[str]:
    """The text between the parentheses of each ``name(…)`` in a script, for calls of a bounded length."""
    start = 0
    while (found := text.find(name, start)) >= 0:
        start = found + len(name)
        paren = start
        while paren < len(text) and text[paren].isspace() and paren - start < 20:
            paren += 1
        if paren >= len(text) or text[paren] != "(":
            continue
        close = text.find(")", paren + 1, paren + 1 + _CALL_ARGUMENTS_MAX)
        if close >= 0:
            yield text[paren + 1 : close]


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


def next_article_page(html_links: list[tuple[str, str]], url: str) -> str | None:
    """The next page of a report split over pages: a 下一页 link to ``{same name}_{n}.{ext}``.

    Matching the name keeps list pagination and links to other articles out.
    """
    path = urlsplit(url).path
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        return None
    # On page 1 the next is {stem}_1; on page n (…_n) it is {stem minus _n}_{n+1}.
    bases = {stem, re.sub(r"_\d+$", "", stem)}
    patterns = [re.compile(re.escape(b) + r"_\d+\." + re.escape(ext) + "$") for b in bases]
    for link, text in html_links:
        if "下一页" in text or text.strip() == "下页":
            target = urlsplit(link)
            same_site = target.netloc == urlsplit(url).netloc and target.path != path
            if same_site and any(p.search(target.path) for p in patterns):
                return link
    return None


def is_sitemap(body: bytes) -> bool:
    """A sitemaps.org ``urlset`` or ``sitemapindex`` document."""
    head = body[:2048].lstrip()
    return head.startswith(b"<?xml") and (b"<urlset" in head or b"<sitemapindex" in head)


def page_title(response: TextResponse) -> str:
    """The article's own title: ArticleTitle meta, else the first heading, else ``<title>``."""
    for query in ('meta[name="ArticleTitle"]::attr(content)', "h1::text", "title::text"):
        found = " ".join((response.css(query).get() or "").split())
        if found:
            return found
    return ""


def pick_report_attachments(attachments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which of a cover page's attachments hold the report.

    Those whose name is a report title; else the first document file. Following every attachment
    would file annexed tables as rival versions of the same report.
    """
    named = [(u, t) for u, t in attachments if is_report_link(t)]
    if named:
        return named[:1]
    return attachments[:1]


def report_picture_urls(html: str, url: str) -> list[str]:
    """The pictures of a report page that has no text but pictures of the report's pages (a scan
    pasted into the CMS), in page order: fetched as the report's further pages and read by OCR."""
    return report_pictures(html, url)


def report_lives_in_attachments(report: Report) -> bool:
    """A cover page ("详见附件") whose body is too short to be the report and that links files."""
    return bool(report.attachments) and len("".join(report.text.split())) < COVER_PAGE_MAX_CHARS


# -- Guangdong gkmlpt (政府信息公开目录管理平台) -----------------------------------------------------

_GKMLPT_SID = re.compile(r"""(?:\bvar\s+sid\s*=\s*|\bSID\s*:\s*)["'](\d+)["']""")
_GKMLPT_API = re.compile(r"""\bAPI\s*:\s*["']([^"']{0,300}api/all/?)["']""")
_GKMLPT_CLASSIFY = re.compile(r"""\{\s*"id"\s*:\s*(\d+)\s*,\s*"name"\s*:\s*"([^"]+)\"""")


def gkmlpt_api_urls(html: str, url: str) -> list[str]:
    """First API page of each directory category that may hold reports, from a gkmlpt index page.

    The page loads its list with JavaScript from ``api/all/{CAT}?page=N&sid=SID``; categories named
    like report columns are asked for, or category 0 (everything) when none is.
    """
    sid = _GKMLPT_SID.search(html)
    if not sid:
        return []
    api = _GKMLPT_API.search(html)
    base = urljoin(url, api.group(1) if api else "/gkmlpt/api/all/")
    if not base.endswith("/"):
        base += "/"
    cats = [cid for cid, name in _GKMLPT_CLASSIFY.findall(html) if is_listing_link(name)] or ["0"]
    return [f"{base}{cat}?page=1&sid={sid.group(1)}" for cat in dict.fromkeys(cats)]


def gkmlpt_articles(payload: dict, url: str) -> tuple[list[tuple[str, str]], str | None]:
    """(article URL, title) of one API answer, and the URL of the next page if there is one."""
    links = [
        (urljoin(url, a["url"]), str(a.get("title") or ""))
        for a in payload.get("articles") or []
        if isinstance(a, dict) and a.get("url")
    ]
    page, count = int(payload.get("page") or 1), int(payload.get("pageCount") or 0)
    if not count and payload.get("total") and payload.get("pageSize"):
        count = -(-int(payload["total"]) // int(payload["pageSize"]))
    if not links or page >= count:
        return links, None
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["page"] = str(page + 1)
    next_url = f"{parts.scheme}://{parts.netloc}{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    return links, next_url
