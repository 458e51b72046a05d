"""Guangdong gkmlpt (政府信息公开目录管理平台): the directory comes from a JSON API.

The index page carries no article links, only the site id and the API path for its JavaScript; the
family asks the API page by page (``api/all/{CAT}?page=N&sid=SID``) for the categories named like
report columns and follows the articles whose titles are reports.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapy.http import Response, TextResponse

from crawler.discovery import is_listing_link
from crawler.families.family import DataRequest, Family, Lead, Link

logger = logging.getLogger(__name__)

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
    next_url = f"{parts.scheme}://{parts.netloc}{parts.path}?" + "&".join(
        f"{k}={v}" for k, v in query.items()
    )
    return links, next_url


def read_list(response: TextResponse) -> Iterator[Lead]:
    for url in gkmlpt_api_urls(response.text, response.url):
        yield DataRequest(url)


def read_data(response: Response) -> Iterator[Lead]:
    """One API page: its articles, and the next page while there is one."""
    try:
        payload = json.loads(response.body)
    except ValueError:
        logger.warning("gkmlpt API answered something that is not JSON: %s", response.url)
        return
    if not isinstance(payload, dict):
        return
    links, next_url = gkmlpt_articles(payload, response.url)
    for url, text in links:
        yield Link(url, text)
    if next_url:
        yield DataRequest(next_url)


FAMILY = Family(
    name="gkmlpt",
    summary="Guangdong gkmlpt: an index page naming its site id, the directory from api/all/{CAT}?page=N&sid=SID",
    marks=("gkmlpt", "SID", "var sid"),
    read_list=read_list,
    read_data=read_data,
)
