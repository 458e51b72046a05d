"""Reports split over several pages (TRS ``t…_ID_1.html``, ``content_1.html``, 下一页 pagers), or
published as a run of pictures of their pages on the report page.

Each page (or picture) is extracted on its own; the report is their bodies in order, with the first
page's metadata. Kept apart from the crawl so a saved set of pages can be joined the same way offline.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extraction.normalization import normalize_text
from extraction.report import Report
from extraction.sections import parse_sections

_OCR_PAGES = re.compile(r" from (\d+) page images?;")


def _merged_warnings(first: Report, rest: list[Report]) -> list[str]:
    """The pages' warnings once each; the ``ocr:`` warnings of single pictures as one for all of them."""
    out = list(first.warnings)
    ocr_pages = 0
    ocr_warning = ""
    for page in rest:
        for warning in page.warnings:
            if warning.startswith("ocr:") and (m := _OCR_PAGES.search(warning)):
                ocr_pages += int(m.group(1))
                ocr_warning = warning
            elif warning not in out:
                out.append(warning)
    if ocr_warning:
        out.insert(0, _OCR_PAGES.sub(f" from {ocr_pages} page image{'s' if ocr_pages != 1 else ''};", ocr_warning))
    return out


def join_pages(first: Report, rest: list[Report]) -> Report:
    """One report from its pages: bodies in order, metadata from the first page, the verdict taken
    again on the whole text (a page of pictures has no text of its own)."""
    if not rest:
        return first
    from extraction.extract import judge  # extract builds on this module's neighbours: import late

    lines = first.text.splitlines()
    for page in rest:
        page_lines = [line for line in page.text.splitlines() if line.strip()]
        if page.continues_page and lines and page_lines:  # a page break inside a paragraph
            lines[-1] += page_lines.pop(0)
        lines.extend(page_lines)
    text = "\n".join(lines)
    seen = {a.url for a in first.attachments}
    attachments = list(first.attachments)
    for page in rest:
        attachments.extend(a for a in page.attachments if a.url not in seen and not seen.add(a.url))
    joined = replace(
        first,
        text=text,
        text_normalized=normalize_text(text),
        sections=parse_sections(text),
        attachments=attachments,
        warnings=[*_merged_warnings(first, rest), f"joined from {len(rest) + 1} pages"],
        reason="",
        continues_page=first.continues_page,
    )
    judge(joined)
    return joined
