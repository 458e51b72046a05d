"""The 岭南市 gkmlpt portal's pages: a JS-only directory page, a JSON list API, articles.

As on real Guangdong sites, the directory page carries no links at all: a script reads the site
id and calls ``/gkmlpt/api/all/{category}?page=N&sid=SID``, whose JSON names each article's URL
and epoch-second publication time. Articles carry the 索引号/分类/发布机构 table and 扫一扫.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

from sample_portal import lingnan
from sample_portal.network import Document
from sample_portal.page import NETWORK_EPOCH, Page, hit_count, html_page, publication_time

API_PREFIX = "/lingnan/gkmlpt/api/all/"
PAGE_SIZE = 10
CHINA = dt.timezone(dt.timedelta(hours=8))
_API_PATH = re.compile(re.escape(API_PREFIX) + r"(\d+)")


def _epoch(doc: Document) -> int:
    """The publication moment as epoch seconds, Beijing time, as the API gives it."""
    moment = dt.datetime.fromisoformat(publication_time(doc)).replace(tzinfo=CHINA)
    return int(moment.timestamp())


def _latest(docs: list[Document]) -> dt.date:
    return max((d.published for d in docs), default=NETWORK_EPOCH)


def _written(doc: Document) -> dt.date:
    return doc.published - dt.timedelta(days=doc.doc_id % 5)


def _midnight_epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=CHINA).timestamp())


def _article_json(doc: Document, base_url: str) -> dict[str, object]:
    """One ``articles`` entry with the fields real gkmlpt answers carry (``url`` absolute, as there)."""
    category = _category_of(doc)
    return {
        "id": doc.doc_id, "title": doc.title, "url": base_url + doc.url_path, "post_url": base_url + doc.url_path,
        "publisher": doc.agency.name, "identifier": doc.index_no, "document_number": doc.doc_no,
        "date": _midnight_epoch(_written(doc)), "created_at": publication_time(doc) + ":00",
        "display_publish_time": _epoch(doc), "first_publish_time": _epoch(doc),
        "classify_main": category.cat_id, "classify_main_name": category.name,
        "classify_genre_name": "报告" if doc.kind != "news" else "其他",
        "classify_theme_name": doc.topic, "keywords": "", "abstract": "", "attachment": [],
        "is_expired": 0, "is_abolished": 0, "relation": "",
    }  # fmt: skip


def _category_of(doc: Document) -> lingnan.Category:
    return next(c for c in lingnan.CATEGORIES if c.cat_id and doc.column in c.columns)


def api_page(cat_id: int, params: dict[str, str], as_of: dt.date, base_url: str = "") -> Page | None:
    """One page of a category's documents as gkmlpt JSON; wrong site id or category: None (404)."""
    category = lingnan.CATEGORY_BY_ID.get(cat_id)
    if category is None or params.get("sid") != lingnan.SITE_ID:
        return None
    docs = lingnan.category_documents(cat_id, as_of)
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    chunk = docs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    answer = {
        "articles": [_article_json(d, base_url) for d in chunk],
        "classify": {"id": category.cat_id, "name": category.name, "parent": 0, "post_count": len(docs)},
        "total": len(docs), "page": page, "pageSize": PAGE_SIZE,
        "pageCount": max(1, math.ceil(len(docs) / PAGE_SIZE)), "sid": lingnan.SITE_ID,
    }  # fmt: skip
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    return Page(body, "application/json;charset=UTF-8", _latest(docs))


def _index(as_of: dt.date) -> Page:
    """The directory page: ``window._CONFIG = {SID: '755', …, TREE: [...], SERVICE_AREA_ID: …}`` as real ones."""
    tree = [
        {"id": c.cat_id, "name": c.name, "parent": 0, "jump_url": "", "children": [],
         "post_count": len(lingnan.category_documents(c.cat_id, as_of))}
        for c in lingnan.CATEGORIES if c.cat_id
    ]  # fmt: skip
    body = html_page(
        "gkmlpt_index.html", portal=lingnan.PORTAL, sid=lingnan.SITE_ID, api_prefix=API_PREFIX,
        tree_json=json.dumps(tree, ensure_ascii=False), page_size=PAGE_SIZE,
    )  # fmt: skip
    return Page(body, "text/html; charset=utf-8", _latest(lingnan.category_documents(0, as_of)))


def _article(doc: Document, as_of: dt.date) -> Page:
    paragraphs = doc.text_at(as_of).split("\n")
    body = html_page(
        "gkmlpt_article.html", portal=lingnan.PORTAL, doc=doc, paragraphs=paragraphs,
        pubtime=publication_time(doc), hits=hit_count(doc),
        written=_written(doc).isoformat(), classify=_category_of(doc).name,
    )  # fmt: skip
    return Page(body, "text/html; charset=utf-8", doc.last_modified(as_of))


def render_gkmlpt(path: str, params: dict[str, str], as_of: dt.date, base_url: str = "") -> Page | None:
    """Any ``/lingnan/`` page on ``as_of``; None for a 404. ``base_url`` makes API URLs absolute."""
    if path in ("/lingnan/gkmlpt/index", "/lingnan/gkmlpt/", "/lingnan/gkmlpt", "/lingnan/"):
        return _index(as_of)
    match = _API_PATH.fullmatch(path)
    if match:
        return api_page(int(match.group(1)), params, as_of, base_url)
    doc = lingnan.document_by_path(path, as_of)
    return _article(doc, as_of) if doc is not None else None
