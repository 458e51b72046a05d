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
from dataclasses import dataclass, replace

from extraction.report import Report
from extraction.section_terms import (
    CONNECTIVE_LEAD,
    ENUMERATION_TAIL,
    ENUMERATIONS,
    FIELD_HEADING,
    LABEL_LINE,
)
from extraction.sections import is_stock_pledge, match_marker

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
    found = plans_blocks(report)
    return (found[0], [line for block in found[1] for line in block]) if found else None


def plans_blocks(report: Report | str) -> tuple[OutlineItem, list[list[str]]] | None:
    """The first plans heading and the plans lines, one list per run of them (整改措施 after each problem)."""
    from diffing.sections import as_report, report_parts

    report = as_report(report)
    # no plans part of its own: the measures told with the problems (存在问题及改进措施) are the plans
    plans = [s for s in report.sections if s.part == "plans"] or [s for s in report.sections if s.part == "shortcomings"]
    if not plans:
        return None
    first = plans[0]
    line = first.text.splitlines()[0].strip() if first.text else ""
    number = next((n for n, x in enumerate(report.text.splitlines()) if x.strip() == line), 0)
    heading = OutlineItem(first.marker, first.level, first.title, line, number)
    blocks = report_parts(report).plan_blocks
    return (heading, blocks) if blocks else None


def _numeral(marker: str) -> int:
    """The number a marker counts (一是 1, 十二是 12, 二十是 20); 0 when it counts none."""
    digits = "一二三四五六七八九"
    head = re.match(r"[一二三四五六七八九十]+", marker.lstrip("第（("))
    if not head:
        return 0
    tens, _ten, units = head.group().partition("十")
    if not _ten:
        return digits.index(tens) + 1 if len(tens) == 1 else 0
    if len(tens) > 1 or len(units) > 1:
        return 0
    return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(units) + 1 if units else 0)


def _heading_lead(text: str) -> bool:
    """Nothing, or a field's heading run on into its items ("（三）在法治乡村建设方面。同时要…此外要…"), so
    the sequence goes on from the items above it. Any other sentence before 同时要 is an item of its own."""
    text = text.strip()
    return not text or bool(FIELD_HEADING.fullmatch(text))


def _enumeration_starts(paragraph: str) -> list[re.Match[str]]:
    """The earliest-starting enumeration of two or more pieces (一是/二要 counting up from 一, or from the
    number a paragraph opens with)."""
    best: list[re.Match[str]] = []
    for kind, pattern, numbered in ENUMERATIONS:
        hits = list(pattern.finditer(paragraph))
        if kind == "序":  # starts with 首先, or goes on from the paragraph (or the field heading) before it
            first = next((k for k, hit in enumerate(hits) if hit.group(1).startswith("首先")), None)
            if first is None and hits and _heading_lead(paragraph[: hits[0].start(1)]):
                first = 0
            hits = hits[first:] if first is not None else []
        if numbered:
            # counting up from 一, or from where the paragraph opens: 七是… (or 同时，七是…) goes on from the
            # paragraph before
            lead = paragraph[: hits[0].start(1)].strip() if hits else ""
            opens = bool(hits) and (not lead or bool(CONNECTIVE_LEAD.fullmatch(lead)))
            counted, expected = [], _numeral(hits[0].group(1)) if opens else 1
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
    """The commitments of the report's plans, at their lowest numbered level.

    Numbered items (一、/(一)/1./(1)) are commitments unless they only head numbered sub-items,
    which are then the commitments; an item or a paragraph holding an enumeration (一是…二是…,
    首先…其次…) is as many commitments; unnumbered lines continue the item above them. A stock
    closing pledge with no action of its own (今后，我们将继续…) is not a commitment.
    """
    found = plans_blocks(report)
    if not found:
        return []
    items: list[Commitment] = []
    for n, block in enumerate(found[1]):
        prefix = f"{n}-" if n else ""  # paths stay unique across runs (整改措施 blocks, then the plans part)
        items += [replace(c, path=prefix + c.path) for c in _run_items(block)]
    return items


def _run_items(body: list[str]) -> list[Commitment]:
    body = [line for line in body if not _LABEL_LINE.match(line)]
    if len(body) > 1 and _LEAD_IN.search(body[0].rstrip()):
        body = body[1:]  # a lead-in ("重点做好以下工作:") announces the items; it is not one of them
    items: list[Commitment] = []
    if any(numbering(line) for line in body):
        for path, lines in _leaf_blocks(body):
            items += _block_items(path, lines)
    else:
        for k, paragraph in enumerate(body, 1):
            items += _block_items(str(k), [paragraph])
    return items


def _leaf_blocks(lines: list[str], prefix: str = "") -> list[tuple[str, list[str]]]:
    """Numbered blocks (a line and the unnumbered lines after it) at the lowest level that has them."""
    levels = [found[0] for found in map(numbering, lines) if found]
    if not levels:
        return [(prefix or "1", lines)]
    level = min(levels)
    blocks: list[list[str]] = []
    for line in lines:
        found = numbering(line)
        if found and found[0] == level:
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        # lines before the first item are the section's introduction
    out: list[tuple[str, list[str]]] = []
    for k, block in enumerate(blocks, 1):
        path = f"{prefix}.{k}" if prefix else str(k)
        if any(numbering(line) for line in block[1:]):
            out += _leaf_blocks(block[1:], path)  # a heading over numbered sub-items: they are the plans
        else:
            out.append((path, block))
    return out


def _block_items(path: str, lines: list[str]) -> list[Commitment]:
    text = "\n".join(lines)
    marked = numbering(lines[0])
    marker = marked[1] if marked else ""
    pieces = split_enumeration(text[len(marker):] if marker else text)
    if len(pieces) == 1:
        if not marker and _is_pledge(text):
            # "明年，我镇还将力争创建…。今后，我镇将继续…": a plan the closing pledge runs on after
            text = _without_closing_pledge(text)
            if _is_pledge(text) or _PLEDGE.match(text):
                return []
        body_text = text[len(marker):] if marker else text
        enum = pieces[0][0]
        return [Commitment(commitment_id(text), path, marker or enum, _first_clause(body_text[len(enum):] if enum
                                                                                else body_text), text)]  # fmt: skip
    items = []
    for k, (enum, piece) in enumerate(pieces, 1):
        piece = _without_closing_pledge(piece)
        items.append(Commitment(commitment_id(piece), f"{path}.{k}", enum, _first_clause(piece[len(enum):]), piece))
    return items


# A line announcing the items below it: it ends with a colon, or says 以下/如下 (…扎实做好以下工作。).
_LEAD_IN = re.compile(r"[:：]$|(?:以下|如下|下列)[^，,。；;：:]{0,8}[。：:]$")

# "今后，我们将继续…努力提高依法行政水平": a pledge that promises nothing in particular.
_PLEDGE = re.compile(
    r"^(?:(?:19|20)\d\d年[，,]?)?(?:今后|总之|展望|下一步|新的一年|在新的一年|我们将|我[镇县区市局街乡委办所]将|全[镇县区市乡]将)"
)


def _is_pledge(paragraph: str) -> bool:
    from diffing.meaning import gist

    return is_stock_pledge(paragraph) or (
        bool(_PLEDGE.match(paragraph.strip())) and len(gist(paragraph).words) <= PLEDGE_WORDS
    )


def _without_closing_pledge(piece: str) -> str:
    """The last piece of an enumeration without the stock pledge that closes the paragraph."""
    sentences = re.findall(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+$", piece)
    while len(sentences) > 1 and _is_pledge(sentences[-1]):
        sentences.pop()
    return "".join(sentences).strip()


# A pledge names at most this many telling words (diffing.meaning) of its own.
PLEDGE_WORDS = 3
