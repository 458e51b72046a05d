"""Render every page of the network for a request path and a date, in each portal's CMS style.

Returns a ``Page`` (status, bytes, content type, last-modified date) or None for a 404. Knows
nothing about HTTP beyond that, so it can be tested without a server.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import parse_qs

from markupsafe import Markup, escape

from sample_portal.agencies import PORTALS, Portal
from sample_portal.attachments import DOCX_MIME, docx_bytes, pdf_bytes
from sample_portal.gkmlpt_pages import render_gkmlpt
from sample_portal.multipage import page_of, second_page_path, split_paragraphs
from sample_portal.network import (
    COLUMNS,
    HANWEB_COLUMN_IDS,
    OLDSITE_CLASS_IDS,
    Column,
    DataTable,
    Document,
    column_documents,
    document_by_attachment_path,
    document_by_path,
    documents,
)
from sample_portal.ofd import ofd_bytes
from sample_portal.page import NETWORK_EPOCH, Page, hit_count, html_page, publication_time

TRS_PER_PAGE = 12
HANWEB_PER_PAGE = 15
OLDSITE_PER_PAGE = 10
HANWEB_PROXY = "/yunling/module/web/jpage/dataproxy.jsp"
ROBOTS_TXT = "User-agent: *\nDisallow: /search\n"
SITEMAP_PATH = "/qinghe/sitemap.xml"

def _columns(portal: str) -> list[Column]:
    return [c for (p, _k), c in COLUMNS.items() if p == portal]


def _latest(docs: list[Document], as_of: dt.date) -> dt.date:
    return max((d.last_modified(as_of) for d in docs), default=NETWORK_EPOCH)


def _headings(paragraphs: list[str]) -> set[str]:
    return {p for p in paragraphs if isinstance(p, str) and len(p) < 40 and p[:2] in {"一、", "二、", "三、", "四、", "五、"}}


def _blocks(text: str, table: DataTable | None) -> list[str | DataTable]:
    """The body's paragraphs, a data table's row lines replaced by the table itself."""
    paragraphs: list[str | DataTable] = list(text.split("\n"))
    if table is None:
        return paragraphs
    lines = table.lines()
    for at in range(len(paragraphs) - len(lines) + 1):
        if paragraphs[at:at + len(lines)] == lines:
            return [*paragraphs[:at], table, *paragraphs[at + len(lines):]]
    return paragraphs


def image_paths(doc: Document, as_of: dt.date) -> list[str]:
    """The pictures of a report published as a run of JPG page images, in page order."""
    return [f"{doc.image_stem}_{n}.jpg" for n in range(1, len(_page_images(doc, as_of)) + 1)]


def _page_images(doc: Document, as_of: dt.date) -> tuple[bytes, ...]:
    from sample_portal.scans import page_images

    *body, agency, date = doc.text_at(as_of).split("\n")
    return page_images(doc.title, "\n".join(body), agency, date)


def _article(doc: Document, as_of: dt.date, split_page: int | None = None) -> Page:
    """An article page; ``split_page`` (0 or 1) serves one half of the opt-in multi-page report;
    a report published as pictures shows its page images and no text."""
    portal = PORTALS[doc.portal]
    column = COLUMNS[(doc.portal, doc.column)]
    siblings = column_documents(doc.portal, doc.column, as_of)
    index = next(i for i, d in enumerate(siblings) if d.doc_id == doc.doc_id)
    related = [d for d in documents() if d.agency == doc.agency and d is not doc and d.published <= as_of][
        -4:
    ]
    images: list[str] = []
    if doc.attachment:
        paragraphs: list[str | DataTable] = ["详见附件。"]
        attachment_name = f"{doc.title}.{doc.attachment}"
        attachment_href = doc.attachment_path
    elif doc.form == "images":
        paragraphs, images = [], image_paths(doc, as_of)
        attachment_name = attachment_href = None
    else:
        paragraphs = _blocks(doc.text_at(as_of), doc.table)
        attachment_name = attachment_href = None
    extra: dict[str, object] = {}
    if split_page is not None:
        paragraphs = split_paragraphs(doc.text_at(as_of))[split_page]
        first, second = doc.url_path.rsplit("/", 1)[1], second_page_path(doc).rsplit("/", 1)[1]
        extra = {"page_index": split_page, "page_count": 2, "pager": (first, second)}
    context = {
        "portal": portal, "column": column, "doc": doc, "paragraphs": paragraphs,
        "headings": _headings(paragraphs), "pubtime": publication_time(doc), "hits": hit_count(doc),
        "written": (doc.published - dt.timedelta(days=doc.doc_id % 6)).isoformat(),
        "prev_doc": siblings[index - 1] if index > 0 else None,
        "next_doc": siblings[index + 1] if index + 1 < len(siblings) else None,
        "related": related, "attachment_name": attachment_name, "attachment_href": attachment_href,
        "images": images, **extra,
    }  # fmt: skip
    template = {"trs": "trs_article.html", "hanweb": "hanweb_article.html", "oldsite": "oldsite_article.html"}
    charset = "gb2312" if portal.style == "oldsite" else "utf-8"
    body = html_page(template[portal.style], charset, **context)
    return Page(body, f"text/html; charset={charset}", doc.last_modified(as_of))


@dataclass(frozen=True)
class _ListItem:
    doc: Document
    href: str


def _trs_list(column: Column, page: int, as_of: dt.date) -> Page | None:
    docs = column_documents(column.portal, column.key, as_of)
    pages = max(1, math.ceil(len(docs) / TRS_PER_PAGE))
    if page >= pages:
        return None
    base = column.list_path.rsplit("/", 1)[0] + "/"
    chunk = docs[page * TRS_PER_PAGE : (page + 1) * TRS_PER_PAGE]
    items = [_ListItem(d, "./" + d.url_path.removeprefix(base)) for d in chunk]
    body = html_page(
        "trs_list.html", portal=PORTALS[column.portal], column=column, items=items, page=page, pages=pages
    )
    return Page(body, "text/html; charset=utf-8", _latest(docs, as_of))


def _hanweb_li(doc: Document) -> Markup:
    return Markup(
        f'<li><a href="{escape(doc.url_path)}" title="{escape(doc.title)}" target="_blank">'
        f"{escape(doc.title)}</a><span>{doc.published.isoformat()}</span></li>"
    )


def _hanweb_proxy_query(column: Column) -> Markup:
    """The proxy URL as Hanweb writes it in ``<nextgroup>``: raw ``&``, our own constant data."""
    col = HANWEB_COLUMN_IDS[column.key]
    return Markup(
        f"{HANWEB_PROXY}?page=1&appid=1&webid=12&path=/yunling/&columnid={col}&unitid={col + 3327}"
        f"&webname={PORTALS[column.portal].name}&permissiontype=0"
    )


def _hanweb_column(column: Column, as_of: dt.date) -> Page:
    docs = column_documents(column.portal, column.key, as_of)
    col = HANWEB_COLUMN_IDS[column.key]
    body = html_page(
        "hanweb_column.html", portal=PORTALS[column.portal], column=column, column_id=col, unit_id=col + 3327,
        records=[_hanweb_li(d) for d in docs[:HANWEB_PER_PAGE]], total=len(docs), per_page=HANWEB_PER_PAGE,
        proxy_query=_hanweb_proxy_query(column),
    )  # fmt: skip
    return Page(body, "text/html; charset=utf-8", _latest(docs, as_of))


def hanweb_dataproxy(params: dict[str, str], as_of: dt.date) -> Page:
    """The jpage XML for records ``startrecord``..``endrecord`` (1-based, inclusive) of a column."""
    col = params.get("columnid", str(HANWEB_COLUMN_IDS["main"]))
    key = next((k for k, v in HANWEB_COLUMN_IDS.items() if str(v) == col), "main")
    column = COLUMNS[("yunling", key)]
    docs = column_documents("yunling", key, as_of)
    per_page = _int(params.get("perpage"), HANWEB_PER_PAGE) or HANWEB_PER_PAGE
    start = max(1, _int(params.get("startrecord"), 1))
    end = max(start, _int(params.get("endrecord"), start + per_page - 1))
    body = html_page(
        "hanweb_datastore.xml", records=[_hanweb_li(d) for d in docs[start - 1 : end]], total=len(docs),
        total_pages=max(1, math.ceil(len(docs) / per_page)), proxy_query=_hanweb_proxy_query(column),
    )  # fmt: skip
    return Page(body, "text/xml; charset=utf-8", _latest(docs, as_of))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _oldsite_list(class_id: int, page: int, as_of: dt.date) -> Page | None:
    key = next((k for k, v in OLDSITE_CLASS_IDS.items() if v == class_id), None)
    if key is None:
        return None
    column = COLUMNS[("shimen", key)]
    docs = column_documents("shimen", key, as_of)
    pages = max(1, math.ceil(len(docs) / OLDSITE_PER_PAGE))
    if not 1 <= page <= pages:
        return None
    chunk = docs[(page - 1) * OLDSITE_PER_PAGE : page * OLDSITE_PER_PAGE]
    body = html_page(
        "oldsite_list.html", "gb2312", portal=PORTALS["shimen"], column=column, class_id=class_id,
        items=[_ListItem(d, f"show.asp?id={d.doc_id}") for d in chunk], total=len(docs), page=page,
        pages=pages, per_page=OLDSITE_PER_PAGE,
    )  # fmt: skip
    return Page(body, "text/html; charset=gb2312", _latest(docs, as_of))


def _home(portal: Portal, as_of: dt.date) -> Page:
    columns = _columns(portal.key)
    latest = {c.key: column_documents(portal.key, c.key, as_of)[:8] for c in columns}
    charset = "gb2312" if portal.style == "oldsite" else "utf-8"
    body = html_page("portal_home.html", charset, portal=portal, columns=columns, latest=latest, charset=charset)
    every = [d for c in columns for d in column_documents(portal.key, c.key, as_of)]
    return Page(body, f"text/html; charset={charset}", _latest(every, as_of))


OFD_MIME = "application/ofd"


def _attachment(doc: Document, as_of: dt.date) -> Page:
    text = doc.text_at(as_of)
    if doc.form == "scan":
        from sample_portal.scans import scanned_pdf

        *body, agency, date = text.split("\n")
        return Page(scanned_pdf(doc.title, "\n".join(body), agency, date), "application/pdf", doc.last_modified(as_of))
    if doc.attachment == "pdf":
        return Page(pdf_bytes(doc.title, text), "application/pdf", doc.last_modified(as_of))
    if doc.attachment == "ofd":
        return Page(ofd_bytes(doc.title, text), OFD_MIME, doc.last_modified(as_of))
    return Page(docx_bytes(doc.title, text), DOCX_MIME, doc.last_modified(as_of))


def _page_image(path: str, as_of: dt.date, scans: bool) -> Page | None:
    """One picture of a report published as page images: ``{stem}_{n}.jpg``."""
    stem, _, number = path.removesuffix(".jpg").rpartition("_")
    doc = next((d for d in documents() if d.image_stem == stem and d.published <= as_of), None)
    if doc is None or not scans or not number.isdigit():
        return None
    pictures = _page_images(doc, as_of)
    if not 1 <= int(number) <= len(pictures):
        return None
    return Page(pictures[int(number) - 1], "image/jpeg", doc.last_modified(as_of))


def _sitemap(as_of: dt.date, base_url: str) -> Page:
    """The TRS portal's sitemap: every article visible on ``as_of`` with its last change."""
    docs = sorted(
        (d for d in documents() if d.portal == "qinghe" and d.published <= as_of), key=lambda d: d.url_path
    )
    latest = _latest(docs, as_of)
    body = html_page(
        "sitemap.xml",
        base_url=base_url,
        home=PORTALS["qinghe"].home_path,
        docs=docs,
        as_of=as_of,
        latest=latest,
    )
    return Page(body, "text/xml; charset=utf-8", latest)


def render(
    path: str,
    query: str,
    as_of: dt.date,
    *,
    multipage: bool = False,
    gkmlpt: bool = False,
    base_url: str = "",
    scans: bool = False,
) -> Page | None:
    """The page at ``path?query`` as the network serves it on ``as_of``; None when there is none.

    ``multipage`` splits one long TRS report over two pages; ``gkmlpt`` serves the 岭南市 portal;
    ``base_url`` (scheme and host) makes sitemap and gkmlpt API URLs absolute, as real ones are;
    ``scans`` serves the reports published as a scanned PDF and as pictures of their pages in those
    forms (without it they are ordinary pages).
    """
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    if gkmlpt and path.startswith("/lingnan/"):
        return render_gkmlpt(path, params, as_of, base_url)
    if path == "/":
        body = html_page("network_index.html", portals=list(PORTALS.values()), as_of=as_of.isoformat())
        return Page(body, "text/html; charset=utf-8", _latest(list(documents()), as_of))
    if path == "/search":  # disallowed by robots.txt: a polite crawler never sees these result pages
        query = params.get("q", "").strip()
        hits = [d for d in documents() if d.published <= as_of and query and query in d.title][:50]
        body = html_page("search.html", query=query, hits=hits)
        return Page(body, "text/html; charset=utf-8", _latest(list(documents()), as_of))
    if path == "/robots.txt":
        return Page(ROBOTS_TXT.encode(), "text/plain; charset=utf-8", NETWORK_EPOCH)
    for portal in PORTALS.values():
        if path in (portal.home_path, f"/{portal.key}/", f"/{portal.key}"):
            return _home(portal, as_of)
    if path == HANWEB_PROXY:
        return hanweb_dataproxy(params, as_of)
    if path == "/shimen/list.asp":
        return _oldsite_list(_int(params.get("classid"), -1), _int(params.get("page"), 1), as_of)
    if path == "/shimen/show.asp":
        doc = document_by_path(f"/shimen/show.asp?id={_int(params.get('id'), -1)}", as_of)
        return _article(doc.served(scans), as_of) if doc else None
    for column in COLUMNS.values():
        if column.portal == "qinghe":
            base = column.list_path.rsplit("/", 1)[0] + "/"
            if path == base:
                return _trs_list(column, 0, as_of)
            if path.startswith(base + "index") and path.endswith(".html"):
                number = path.removeprefix(base + "index").removesuffix(".html")
                if number == "":
                    return _trs_list(column, 0, as_of)
                if number.startswith("_") and number[1:].isdigit() and int(number[1:]) > 0:
                    return _trs_list(column, int(number[1:]), as_of)
                return None
        elif column.portal == "yunling" and path == column.list_path:
            return _hanweb_column(column, as_of)
    if multipage:
        split = page_of(path, as_of)
        if split is not None:
            return _article(split[0], as_of, split_page=split[1])
    if path == SITEMAP_PATH:
        return _sitemap(as_of, base_url)
    doc = document_by_path(path, as_of)
    if doc is not None:
        return _article(doc.served(scans), as_of)
    attached = document_by_attachment_path(path, as_of)
    if attached is not None and attached.served(scans).attachment_path == path:
        return _attachment(attached, as_of)
    if path.endswith(".jpg"):
        return _page_image(path, as_of, scans)
    return None
