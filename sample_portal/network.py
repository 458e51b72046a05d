"""The sample portal network as data: every document, where it lives, when it appears and changes.

The server and the tests read the same catalogue, so what a test expects is exactly what the
portal serves: ``visible_reports(as_of)`` gives the gold text of each annual rule-of-law report
as served on that date (silent edits applied once their date has passed).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

from sample_portal import lingnan
from sample_portal.agencies import (
    AGENCIES,
    AGENCY_BY_KEY,
    PORTALS,
    REPORT_YEARS,
    Agency,
    Portal,
    report_title,
)
from sample_portal.document import (
    MACHINE_READ_FORMS,
    REPORT_KIND,
    DataTable,
    Document,
    publication_date,
)
from sample_portal.edits import EDIT_BY_REPORT
from sample_portal.evolution import EVOLUTIONS
from sample_portal.other_documents import other_documents
from sample_portal.report_text import compose_report

__all__ = [
    "PORTALS", "AGENCIES", "REPORT_KIND", "Document", "PublishedDocument", "PublishedReport", "documents",
    "visible_documents", "visible_reports", "start_paths", "document_by_path", "column_documents",
]  # fmt: skip

# Reports not published as the text of an HTML page (issue #15): only as an attachment on a short
# 详见附件 page (a PDF, a Word file, an OFD, a scanned PDF with no text layer), or as a run of JPG
# pictures of the pages on the report page itself. Scans and picture runs are served only with
# ``scans=True`` (reading them takes OCR, seconds a page); without it those two are HTML pages.
PUBLISHED_AS: dict[tuple[str, int], str] = {
    ("qh-scjg", 2021): "pdf",
    ("sq-zrzy", 2020): "pdf",
    ("yl-jtys", 2022): "docx",
    ("qh-chengguan", 2024): "ofd",
    ("qh-liuxi", 2024): "scan",
    ("yl-baisha", 2024): "images",
}
# Reports published after the 1 April deadline (《法治政府建设与责任落实督察工作规定》 art. 24), as some are:
# the day they came out. Their place among the portal's ids stays that of their scheduled day, so no
# other document's URL moves.
LATE_REPORTS: dict[tuple[str, int], dt.date] = {("sq-longquan", 2024): dt.date(2025, 4, 18)}
# Forms that reproduce the signed document: the agency and the date under its seal end the text.
SIGNED_FORMS = ("ofd", "scan", "images")
FILE_TYPES = {"pdf": "pdf", "docx": "docx", "ofd": "ofd", "scan": "pdf"}


_TABLE_METRICS = (("行政许可事项(件)", "permits"), ("审核规范性文件(件)", "normative_docs"),
                  ("行政处罚案件(件)", "cases"), ("行政复议案件(件)", "reviews"),
                  ("行政诉讼案件(件)", "lawsuits"), ("调处矛盾纠纷(件)", "mediations"))  # fmt: skip
# A report on the old table-layout site with a data table in its body, before its second part.
DATA_TABLE_REPORTS = (("sq-zrzy", 2023),)


def _data_table(agency_key: str, year: int) -> DataTable:
    before, now = EVOLUTIONS[agency_key].figures[year - 1], EVOLUTIONS[agency_key].figures[year]
    rows = (("指标", f"{year - 1}年", f"{year}年"),
            *((label, before[key], now[key]) for label, key in _TABLE_METRICS))  # fmt: skip
    return DataTable(f"{year - 1}年、{year}年主要法治指标对比如下:", rows)


def _with_table(text: str, table: DataTable) -> str:
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    return "\n".join([*lines[:at], table.lead, *table.lines(), *lines[at:]])


def _signature(agency: Agency, published: dt.date) -> str:
    """The agency and the date it signed, as the last lines of a signed document."""
    signed = published - dt.timedelta(days=2 + random.Random(f"signed:{agency.key}").randrange(6))
    return f"{agency.name}\n{signed.year}年{signed.month}月{signed.day}日"


@dataclass(frozen=True)
class Column:
    """A list of documents on a portal (a TRS column, a Hanweb col, an old-site classid)."""

    portal: str
    key: str  # "main" | "news"
    name: str
    list_path: str  # first page


COLUMNS: dict[tuple[str, str], Column] = {
    ("qinghe", "main"): Column("qinghe", "main", "法治政府建设", "/qinghe/zwgk/fzzfjs/index.html"),
    ("qinghe", "news"): Column("qinghe", "news", "政务动态", "/qinghe/xwdt/index.html"),
    ("yunling", "main"): Column("yunling", "main", "法治政府建设", "/yunling/col/col1234/index.html"),
    ("yunling", "news"): Column("yunling", "news", "政务动态", "/yunling/col/col1235/index.html"),
    ("shimen", "main"): Column("shimen", "main", "法治政府建设", "/shimen/list.asp?classid=12"),
    ("shimen", "news"): Column("shimen", "news", "工作动态", "/shimen/list.asp?classid=8"),
}
HANWEB_COLUMN_IDS = {"main": 1234, "news": 1235}
OLDSITE_CLASS_IDS = {"main": 12, "news": 8}


@dataclass(frozen=True)
class PublishedDocument:
    """What a document looks like on a given date: the gold record tests compare against."""

    kind: str
    agency: str
    agency_level: str
    region: str
    year: int
    url_path: str
    title: str
    published: dt.date
    text: str
    attachment: str | None
    attachment_path: str | None
    edited_on: dt.date | None
    form: str = "page"  # how the text is published (see PUBLISHED_AS)

    @property
    def machine_read(self) -> bool:
        """True when a reader gets this text only by OCR: compare it by character F1, not equality."""
        return self.form in MACHINE_READ_FORMS


PublishedReport = PublishedDocument


def _url_path(portal: Portal, column: str, published: dt.date, doc_id: int) -> str:
    if portal.style == "trs":
        base = "/qinghe/zwgk/fzzfjs" if column == "main" else "/qinghe/xwdt"
        return f"{base}/{published:%Y%m}/t{published:%Y%m%d}_{doc_id}.html"
    if portal.style == "hanweb":
        col = HANWEB_COLUMN_IDS[column]
        return f"/yunling/art/{published.year}/{published.month}/{published.day}/art_{col}_{doc_id}.html"
    return f"/shimen/show.asp?id={doc_id}"


def _image_stem(portal: Portal, published: dt.date, doc_id: int) -> str:
    if portal.style == "hanweb":
        return f"/yunling/picture/0/{published:%y%m%d}{doc_id}"
    if portal.style == "trs":
        return f"/qinghe/zwgk/fzzfjs/{published:%Y%m}/W0{published:%Y%m%d}{doc_id}"
    return f"/shimen/UploadFiles/{published.year}/{published.month}/{published:%Y%m%d}{doc_id}"


def _attachment_path(portal: Portal, published: dt.date, doc_id: int, ext: str) -> str:
    if portal.style == "trs":
        return f"/qinghe/zwgk/fzzfjs/{published:%Y%m}/P0{published:%Y%m%d}{doc_id}.{ext}"
    if portal.style == "hanweb":
        return f"/yunling/picture/0/{published:%y%m%d}{doc_id}.{ext}"
    return f"/shimen/UploadFiles/{published.year}/{published.month}/{published:%Y%m%d}{doc_id}.{ext}"


_ID_BASE = {"qinghe": 4821000, "yunling": 5520000, "shimen": 1200}


@lru_cache(maxsize=1)
def documents() -> tuple[Document, ...]:
    """Every document of the network, whatever its date (ids and URLs never depend on as_of)."""
    drafts: list[tuple[dt.date, str, dict]] = []
    for agency in AGENCIES:
        for year in REPORT_YEARS:
            published = publication_date(agency.key, year, dt.date(year + 1, 1, 2), 88)
            form = PUBLISHED_AS.get((agency.key, year), "page")
            text = compose_report(agency.key, year)
            table = _data_table(agency.key, year) if (agency.key, year) in DATA_TABLE_REPORTS else None
            if table is not None:
                text = _with_table(text, table)
            if form in SIGNED_FORMS:
                text += "\n" + _signature(agency, published)
            drafts.append((published, f"{agency.key}:{year}", {
                "published": LATE_REPORTS.get((agency.key, year), published),
                "kind": REPORT_KIND, "agency": agency, "year": year, "column": "main",
                "title": report_title(agency, year), "text": text,
                "edit": EDIT_BY_REPORT.get((agency.key, year)), "form": form, "table": table,
            }))  # fmt: skip
    for other in other_documents():
        drafts.append((other.published, other.key, {
            "kind": other.kind, "agency": AGENCY_BY_KEY[other.agency_key], "year": other.year,
            "column": other.column, "title": other.title, "text": other.text, "edit": None, "form": "page",
            "table": None,
        }))  # fmt: skip
    drafts.sort(key=lambda d: (d[0], d[1]))
    counters = dict(_ID_BASE)
    out: list[Document] = []
    for scheduled, _key, d in drafts:
        published = d.get("published", scheduled)
        portal = PORTALS[d["agency"].portal]
        counters[portal.key] += 1 if portal.style == "oldsite" else 7
        doc_id = counters[portal.key]
        attachment = FILE_TYPES.get(d["form"])
        out.append(
            Document(
                doc_id=doc_id, portal=portal.key, column=d["column"], kind=d["kind"], agency=d["agency"],
                year=d["year"], title=d["title"], published=published,
                url_path=_url_path(portal, d["column"], published, doc_id), original_text=d["text"],
                edit=d["edit"], attachment=attachment,
                attachment_path=_attachment_path(portal, published, doc_id, attachment) if attachment else None,
                form=d["form"], table=d["table"],
                image_stem=_image_stem(portal, published, doc_id) if d["form"] == "images" else None,
            )
        )  # fmt: skip
    for doc in out:  # fail at import, not at serve time, if an edit no longer matches its text
        if doc.edit is not None:
            doc.edit.apply(doc.original_text)
    return tuple(out)


@lru_cache(maxsize=1)
def _by_path() -> dict[str, Document]:
    table: dict[str, Document] = {}
    for doc in documents():
        table[doc.url_path] = doc
    return table


@lru_cache(maxsize=1)
def _by_attachment_path() -> dict[str, Document]:
    return {doc.attachment_path: doc for doc in documents() if doc.attachment_path}


def document_by_path(path: str, as_of: dt.date) -> Document | None:
    """The document at ``path`` (path plus query for the old site), if published by ``as_of``."""
    doc = _by_path().get(path)
    return doc if doc is not None and doc.published <= as_of else None


def document_by_attachment_path(path: str, as_of: dt.date) -> Document | None:
    doc = _by_attachment_path().get(path)
    return doc if doc is not None and doc.published <= as_of else None


def column_documents(portal: str, column: str, as_of: dt.date) -> list[Document]:
    """A column's documents visible on ``as_of``, newest first, as CMS lists show them."""
    docs = [d for d in documents() if d.portal == portal and d.column == column and d.published <= as_of]
    return sorted(docs, key=lambda d: (d.published, d.doc_id), reverse=True)


def _published(doc: Document, as_of: dt.date) -> PublishedDocument:
    return PublishedDocument(
        kind=doc.kind, agency=doc.agency.name, agency_level=doc.agency.level, region=doc.agency.region,
        year=doc.year, url_path=doc.url_path, title=doc.title, published=doc.published,
        text=doc.text_at(as_of), attachment=doc.attachment, attachment_path=doc.attachment_path,
        edited_on=doc.edited_on(as_of), form=doc.form,
    )  # fmt: skip


def visible_documents(as_of: dt.date, include_gkmlpt: bool = False, scans: bool = False) -> list[PublishedDocument]:
    """Everything the network serves on ``as_of``: reports and the documents that are not reports.

    ``include_gkmlpt`` adds the opt-in 岭南市 portal (served only with ``gkmlpt=True``); ``scans``
    gives the forms of a portal served with ``scans=True`` (scanned PDF, pictures of the pages).
    """
    docs = list(documents())
    if include_gkmlpt:
        docs += lingnan.documents()
    return [_published(d.served(scans), as_of) for d in docs if d.published <= as_of]


def visible_reports(as_of: dt.date, include_gkmlpt: bool = False, scans: bool = False) -> list[PublishedReport]:
    """The annual rule-of-law reports published by ``as_of``, with their text as served that day."""
    return [p for p in visible_documents(as_of, include_gkmlpt, scans) if p.kind == REPORT_KIND]


GKMLPT_START_PATH = "/lingnan/gkmlpt/index"


def start_paths(include_gkmlpt: bool = False) -> list[str]:
    """The portal home pages, where a crawl of the network starts.

    The 岭南市 gkmlpt portal is left out by default: its lists are JSON that only a gkmlpt-aware
    crawler can follow, and it is served only when the server is started with ``gkmlpt=True``.
    """
    paths = [p.home_path for p in PORTALS.values()]
    return [*paths, GKMLPT_START_PATH] if include_gkmlpt else paths
