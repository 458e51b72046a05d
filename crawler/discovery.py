"""Which links on a government portal lead to annual rule-of-law reports, whatever its CMS.

Pure functions over strings, so each rule can be tested on saved pages without Scrapy running. How one
CMS family's lists page through their records lives in ``crawler.families``; the title patterns
themselves in ``extraction.titles`` (one place for "is this a report?").
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from extraction.htmlpage import report_pictures
from extraction.patterns import REPORT_FILE_EXTENSIONS
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

# Attachments that may hold the report itself (extraction.patterns keeps the one list of file types).
REPORT_FILE_SUFFIXES = tuple(f".{extension}" for extension in REPORT_FILE_EXTENSIONS)

# A report page whose own body is shorter than this and that links attachments is a cover page:
# the report is the attachment ("详见附件").
COVER_PAGE_MAX_CHARS = 300

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
    return _names_a_report(" ".join(text.split()))


@lru_cache(maxsize=8192)
def _names_a_report(text: str) -> bool:
    # A portal's menus and columns repeat on every one of its pages: each text is classified once.
    return classify_title(text)[0]


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
    if path.endswith(REPORT_FILE_SUFFIXES) or name.lower().endswith(REPORT_FILE_SUFFIXES):
        return True
    picture = path.endswith(REPORT_PICTURE_EXTENSIONS) or name.lower().endswith(REPORT_PICTURE_EXTENSIONS)
    return picture and is_report_link(name.rsplit(".", 1)[0] if "." in name else name)


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
