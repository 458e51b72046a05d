"""The sample portal's reports that are not HTML text, read back: character F1 against the text they
were made from, and seconds a page. Part of ``python -m benchmarks.extraction --ocr``.

The scanned PDF and the picture report go through OCR (RapidOCR); the OFD through its reader. F1 is
on the text as extracted (whitespace ignored) and, beside it, on NFKC-normalised text (full- and
half-width punctuation equal), which is what the archive compares versions on.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata

from benchmarks.extraction import char_scores
from extraction import extract_report
from extraction.pages import join_pages
from sample_portal.network import visible_reports
from sample_portal.pages import render

AS_OF = dt.date(2025, 7, 1)
BASE = "http://127.0.0.1"


def _served(path: str) -> tuple[bytes, str]:
    page = render(path, "", AS_OF, scans=True)
    if page is None:
        raise LookupError(path)
    return page.body, page.content_type


def read_form(form: str) -> tuple[str, str, int, float]:
    """(extracted text, gold text, pages, seconds) for the sample report published in ``form``."""
    gold = next(r for r in visible_reports(AS_OF, scans=True) if r.form == form)
    body, content_type = _served(gold.url_path)
    page = extract_report(body, url=BASE + gold.url_path, content_type=content_type)
    started = time.perf_counter()
    if form == "images":
        parts = []
        for url in page.page_images:
            body, content_type = _served(url.removeprefix(BASE))
            parts.append(extract_report(body, url=url, content_type=content_type, page=page))
        report = join_pages(page, parts)
        pages = len(parts)
    else:
        body, content_type = _served(gold.attachment_path)
        report = extract_report(body, url=BASE + gold.attachment_path, content_type=content_type, page=page)
        pages = _page_count(body, form)
    return report.text, gold.text, pages, time.perf_counter() - started


def _page_count(body: bytes, form: str) -> int:
    if form == "scan":
        from extraction.documents import pdf_page_count

        return pdf_page_count(body)
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return sum(1 for n in zf.namelist() if n.endswith("/Content.xml"))


def print_forms() -> None:
    print(f"{'form':10} {'pages':>5} {'F1':>7} {'F1 NFKC':>8} {'s/page':>7}")
    for form in ("scan", "images", "ofd"):
        text, gold, pages, seconds = read_form(form)
        raw = char_scores(text, gold)[2]
        nfkc = char_scores(unicodedata.normalize("NFKC", text), unicodedata.normalize("NFKC", gold))[2]
        print(f"{form:10} {pages:5d} {raw:7.4f} {nfkc:8.4f} {seconds / max(pages, 1):7.2f}")
    from extraction.ocr import engine_name

    print(f"OCR engine: {engine_name()}; seconds on this machine, under whatever else runs on it")


if __name__ == "__main__":
    print_forms()
