"""The opt-in multi-page article: one long TRS report split over ``t…_ID.html`` and ``t…_ID_1.html``.

TRS WCM splits long documents at editor page breaks and links the parts with a 下一页 pager; a
crawler that keeps only the first page archives half a report. The split report is the longest
plain-HTML 青禾 report, cut at its 三、存在的不足 heading, so each page is a readable half.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sample_portal.network import REPORT_KIND, Document, document_by_path, documents

SPLIT_HEADING = "三、"


@lru_cache(maxsize=1)
def split_document() -> Document:
    """The report served over two pages when ``multipage=True`` (never depends on as_of)."""
    candidates = [
        d for d in documents()
        if d.portal == "qinghe" and d.kind == REPORT_KIND and not d.attachment and d.edit is None
    ]  # fmt: skip
    return max(candidates, key=lambda d: (len(d.original_text), d.doc_id))


def second_page_path(doc: Document) -> str:
    """``…/t20240301_4821007.html`` → ``…/t20240301_4821007_1.html``, as TRS names page two."""
    return doc.url_path.removesuffix(".html") + "_1.html"


def split_paragraphs(text: str) -> tuple[list[str], list[str]]:
    """The body's paragraphs before and from the shortcomings heading."""
    paragraphs = text.split("\n")
    cut = next(i for i, p in enumerate(paragraphs) if p.startswith(SPLIT_HEADING))
    return paragraphs[:cut], paragraphs[cut:]


def page_of(path: str, as_of: dt.date) -> tuple[Document, int] | None:
    """(the split document, page index 0 or 1) if ``path`` is one of its pages on ``as_of``."""
    doc = split_document()
    if path == second_page_path(doc):
        return (doc, 1) if document_by_path(doc.url_path, as_of) else None
    if path == doc.url_path and document_by_path(path, as_of):
        return doc, 0
    return None
