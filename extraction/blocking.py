"""Tell a real page from a WAF challenge, a soft 404 or an error, before anything is extracted.

Chinese portals sit behind 瑞数 (412 + ``$_ts``), 加速乐 (521 + ``__jsluid``) and WAFs that answer
200 with a 安全验证 page; archiving those as documents would record false "deletions" and edits.

The crawl calls this once per response (``crawler.middlewares.VerdictMiddleware``). It reads the
markup with lxml, which is linear in the body, and looks only at the first ``CLASSIFY_BYTES``: a
regex over raw markup (``<[^>]+>``) took minutes on a body of 300 KB of ``<``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from extraction.decoding import decode_html
from extraction.patterns import (
    JIASULE_COOKIE,
    JIASULE_MARK,
    RUISHU_MARK,
    SOFT_404_MARKERS,
    WAF_BODY_MARKERS,
    WAF_STATUS_HINTS,
)

_HOME_PATHS = re.compile(r"^/?(index\.(s?html?|jsp|php|aspx?))?$|^/?(default\.(html?|aspx?))$", re.I)
_SPACES = re.compile(r"\s+")
# Challenge pages and "page not found" pages are small; a marker deep inside a long page is content.
CLASSIFY_BYTES = 300_000
SHORT_PAGE_CHARS = 1500
# Documents, not pages: no challenge or "page not found" text to look for (PDF, ZIP-based office files, OLE .doc).
DOCUMENT_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def page_title_and_text(html: str) -> tuple[str, str]:
    """The ``<title>`` and the visible text (scripts and styles left out), whitespace collapsed."""
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return "", ""
    title = root.find(".//title")
    title_text = _SPACES.sub(" ", "".join(title.itertext())).strip() if title is not None else ""
    etree.strip_elements(root, "script", "style", with_tail=False)
    text = _SPACES.sub(" ", " ".join(root.itertext())).strip()
    return title_text, text


def redirects_home(url: str, final_url: str) -> bool:
    """A page that answers by sending the reader to a home page: the way many portals say 404.

    The site's home (``/``, ``/index.html``) or the index of a directory above the page — on portals
    that host several sites under path prefixes, ``/qinghe/index.html`` is the home of ``/qinghe/…``.
    """
    start, end = urlsplit(url), urlsplit(final_url)
    if end.query or _HOME_PATHS.match(start.path or "/"):
        return False
    directory, _, name = (end.path or "/").rpartition("/")
    if not _HOME_PATHS.match("/" + name):
        return False
    if start.netloc != end.netloc:
        return not directory  # another host: only its own home page counts
    return start.path != end.path and start.path.startswith(directory + "/")


def classify_response(
    status: int, headers: dict[str, str], body: bytes, url: str, final_url: str | None
) -> tuple[str, str | None]:
    """``(outcome, reason)``: outcome is ``ok``, ``blocked``, ``soft_404`` or ``error``."""
    lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    body = body or b""
    document = body.startswith(DOCUMENT_MAGIC)
    html = "" if document else decode_html(body[:CLASSIFY_BYTES], lower.get("content-type"))
    cookies = lower.get("set-cookie", "")
    if status == 412 or RUISHU_MARK in html:
        return "blocked", "瑞数 challenge (412 $_ts)"
    if status == 521 or JIASULE_COOKIE in cookies or JIASULE_MARK in html:
        return "blocked", "加速乐 challenge (521 __jsluid)"
    if status in (403, 429) and any(m in html for m in (*WAF_BODY_MARKERS, *WAF_STATUS_HINTS)):
        return "blocked", f"WAF page (HTTP {status})"
    if status >= 400:
        return "error", f"HTTP {status}"
    if 300 <= status < 400:
        if final_url and final_url != url and redirects_home(url, final_url):
            return "soft_404", "redirected to the site home page"
        return "error", f"unfollowed redirect (HTTP {status})"
    if not body or body.isspace():
        return "error", "empty body"
    if document:
        return "ok", None
    title, text = page_title_and_text(html)
    short = len(text) < SHORT_PAGE_CHARS
    for marker in WAF_BODY_MARKERS:
        if marker in title or (short and marker in text):
            return "blocked", f"challenge page ({marker})"
    for marker in SOFT_404_MARKERS:
        if marker in title or (short and marker in text):
            return "soft_404", f"page says {marker}"
    if final_url and final_url != url and redirects_home(url, final_url):
        return "soft_404", "redirected to the site home page"
    return "ok", None
