"""Reports split over several pages (TRS ``t…_ID_1.html``, ``content_1.html``, 下一页 pagers).

Each page is extracted on its own; the report is their bodies in order, with the first page's
metadata. Kept apart from the crawl so a saved set of pages can be joined the same way offline.
"""

from __future__ import annotations

from dataclasses import replace

from extraction.normalization import normalize_text
from extraction.report import Report
from extraction.sections import parse_sections


def join_pages(first: Report, rest: list[Report]) -> Report:
    """One report from its pages: bodies in order, metadata and verdict from the first page."""
    if not rest:
        return first
    lines = first.text.splitlines()
    for page in rest:
        lines.extend(line for line in page.text.splitlines() if line.strip())
    text = "\n".join(lines)
    seen = {a.url for a in first.attachments}
    attachments = list(first.attachments)
    for page in rest:
        attachments.extend(a for a in page.attachments if a.url not in seen and not seen.add(a.url))
    return replace(
        first,
        text=text,
        text_normalized=normalize_text(text),
        sections=parse_sections(text),
        attachments=attachments,
        warnings=[*first.warnings, f"joined from {len(rest) + 1} pages"],
    )
