"""Tell a real page from a WAF challenge, a soft 404 or an error, before anything is extracted.

Chinese portals sit behind 瑞数 (412 + ``$_ts``), 加速乐 (521 + ``__jsluid``) and WAFs that answer
200 with a 安全验证 page; archiving those as documents would record false "deletions" and edits.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extraction.decoding import decode_html
from extraction.patterns import SOFT_404_MARKERS, WAF_BODY_MARKERS

_HOME_PATHS = re.compile(r"^/?(index\.(s?html?|jsp|php|aspx?))?$|^/?(default\.(html?|aspx?))$", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.I | re.S)


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", _TAGS.sub(" ", html)).strip()


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
    head = body[:300_000]
    html = decode_html(head, lower.get("content-type"))
    cookies = lower.get("set-cookie", "")
    if status == 412 or "$_ts" in html or re.search(r"\$_ts\s*=", html):
        return "blocked", "瑞数 challenge (412 $_ts)" if status == 412 or "$_ts" in html else "412"
    if status == 521 or "__jsluid" in cookies or "__jsl_clearance" in html:
        return "blocked", "加速乐 challenge (521 __jsluid)"
    if status in (403, 429) and any(m in html for m in WAF_BODY_MARKERS):
        return "blocked", f"WAF page (HTTP {status})"
    if status == 404 or status == 410:
        return "error", f"HTTP {status}"
    if status >= 400:
        return "error", f"HTTP {status}"
    if 300 <= status < 400:
        if final_url and final_url != url and redirects_home(url, final_url):
            return "soft_404", "redirected to the site home page"
        return "error", f"unfollowed redirect (HTTP {status})"
    if not body.strip():
        return "error", "empty body"
    title_m = _TITLE.search(html)
    title = _visible_text(title_m.group(1)) if title_m else ""
    text = _visible_text(html)
    short = len(text) < 1500
    for marker in WAF_BODY_MARKERS:
        if marker in ("waf",):
            continue
        if marker in title or (short and marker in text):
            return "blocked", f"challenge page ({marker})"
    for marker in SOFT_404_MARKERS:
        if marker in title or (short and marker in text):
            return "soft_404", f"page says {marker}"
    if final_url and final_url != url and redirects_home(url, final_url):
        return "soft_404", "redirected to the site home page"
    return "ok", None
