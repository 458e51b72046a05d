"""The numbered outline of a report and the commitments in its plans section.

The plans section (2021年法治政府建设工作计划 / 下一步工作打算 …) is what a government promises for
next year; its items are what year N+1's report should be measured against. Each commitment gets
an id derived from its normalised text, so the same promise keeps its id across re-crawls and
small punctuation or whitespace edits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from extraction.report import Report
from extraction.section_terms import ENUMERATION_TAIL, ENUMERATIONS, LABEL_LINE
from extraction.sections import match_marker

# "附件:" / "相关稿件:" — page labels left under the last section, not commitments.
_LABEL_LINE = LABEL_LINE
_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class OutlineItem:
    marker: str
    level: int
    title: str  # the line's first clause, without the marker
    text: str  # the whole line, marker included
    line: int


@dataclass
class Commitment:
    """One promise in a plans section; ``id`` is stable across punctuation and whitespace edits."""

    id: str
    path: str  # position in the plans section, e.g. "3" or "3.2"
    marker: str
    title: str
    text: str


def normalise(text: str) -> str:
    """NFKC, no whitespace or punctuation: the text's identity for ids and matching."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))


def commitment_id(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()[:12]


def _first_clause(text: str) -> str:
    return re.split(r"[。；;：:，,]", text, maxsplit=1)[0].strip()


def marker_of(line: str) -> tuple[int, str] | None:
    """(level, marker) of a line that opens an outline item, or None (the markers of extraction.sections)."""
    found = match_marker(line.strip())
    return (found[1], found[0]) if found else None


def numbering(line: str) -> tuple[int, str] | None:
    """The outline marker of a line, but not 一是: an enumeration is split, not nested."""
    found = marker_of(line)
    return None if found is None or found[1].endswith("是") else found


def parse_outline(text: str) -> list[OutlineItem]:
    """Every numbered line of the report, in order."""
    items = []
    for n, line in enumerate(text.splitlines()):
        found = marker_of(line)
        if found:
            level, marker = found
            body = line.strip()[len(marker) :].strip()
            items.append(OutlineItem(marker, level, _first_clause(body), line.strip(), n))
    return items


def plans_section(report: Report | str) -> tuple[OutlineItem, list[str]] | None:
    """The heading of the report's plans and the lines under it, as the report's structure has them."""
    from diffing.sections import as_report, report_parts

    report = as_report(report)
    plans = [s for s in report.sections if s.part == "plans"]
    if not plans:
        return None
    first = plans[0]
    line = first.text.splitlines()[0].strip() if first.text else ""
    number = next((n for n, x in enumerate(report.text.splitlines()) if x.strip() == line), 0)
    heading = OutlineItem(first.marker, first.level, first.title, line, number)
    return heading, report_parts(report).plans


def _numeral(marker: str) -> int:
    digits = "一二三四五六七八九十"
    head = marker.lstrip("第")
    return digits.index(head[0]) + 1 if head and head[0] in digits else 0


def _enumeration_starts(paragraph: str) -> list[re.Match[str]]:
    """The earliest-starting enumeration of two or more pieces (一是/二要 counting up from 一)."""
    best: list[re.Match[str]] = []
    for _kind, pattern, numbered in ENUMERATIONS:
        hits = list(pattern.finditer(paragraph))
        if numbered:
            counted, expected = [], 1
            for hit in hits:
                if _numeral(hit.group(1)) == expected:
                    counted.append(hit)
                    expected += 1
            hits = counted
        if len(hits) >= 2 and (not best or hits[0].start(1) < best[0].start(1)):
            best = hits
    if best:
        tail = ENUMERATION_TAIL.search(paragraph, best[-1].end(1))
        if tail:
            best = [*best, tail]
    return best


def split_enumeration(paragraph: str) -> list[tuple[str, str]]:
    """一是…；二要…；首先…其次… inside one paragraph → [(marker, text)]; the whole paragraph if it has none.

    Whatever precedes the first piece is a lead-in and is left out.
    """
    hits = _enumeration_starts(paragraph)
    if not hits:
        return [("", paragraph)]
    pieces = []
    for k, hit in enumerate(hits):
        end = hits[k + 1].start(1) if k + 1 < len(hits) else len(paragraph)
        marker = hit.group(1)
        pieces.append((marker, paragraph[hit.start(1):end].strip()))
    return pieces


def commitments(report: Report | str) -> list[Commitment]:
    """The commitments of the report's plans: its items, or its paragraphs when unnumbered."""
    found = plans_section(report)
    if not found:
        return []
    _heading, body = found
    body = [line for line in body if not _LABEL_LINE.match(line)]
    numbered = any(numbering(line) for line in body)
    if len(body) > 1 and body[0].rstrip().endswith((":", "：")):
        body = body[1:]  # a lead-in ("重点做好以下工作:") announces the items; it is not one of them
    # The items' own level: 1. under 六、 is as much an item as (一) is; deeper markers are sub-items.
    item_level = min((found[0] for found in map(numbering, body) if found), default=0)
    items: list[Commitment] = []
    counter = 0
    for paragraph in body:
        marked = numbering(paragraph)
        if numbered and not marked and not items:
            continue  # the section's introduction
        if items and ((marked and marked[0] > item_level) or (numbered and not marked)):
            # a sub-item or an unnumbered paragraph belongs to the commitment above it
            last = items[-1]
            last.text = f"{last.text}\n{paragraph}"
            last.id = commitment_id(last.text)
            continue
        counter += 1
        pieces = split_enumeration(paragraph[len(marked[1]) :] if marked else paragraph)
        for k, (enum_marker, piece) in enumerate(pieces, 1):
            path = str(counter) if len(pieces) == 1 else f"{counter}.{k}"
            marker = enum_marker or (marked[1] if marked else "")
            body_text = piece[len(enum_marker) :] if enum_marker else piece
            full = piece if enum_marker or not marked else paragraph
            items.append(Commitment(commitment_id(full), path, marker, _first_clause(body_text), full))
    return items
