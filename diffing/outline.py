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

_CN_NUM = "一二三四五六七八九十"
# (level, pattern) — 一、 / (一) / 1. / (1); a marker followed by a digit is a number, not a marker.
_MARKERS = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    # (二), and 二) with its opening bracket lost, as copies of real reports have it (双山镇: `三)`)
    (2, re.compile(rf"^[（(]?[{_CN_NUM}]+[)）]")),
    (3, re.compile(r"^\d{1,2}(?:[.．](?!\d)|、)")),
    (4, re.compile(r"^[（(]\d{1,2}[)）]")),
)
_ENUMERATION = re.compile(rf"(?:^|(?<=[。；;，,：:]))\s*([{_CN_NUM}]+是)")
PLANS_TITLE = re.compile(
    r"计划|思路|打算|安排|下一步|下步|明年|努力方向|工作重点|工作要点|重点工作|今后|(?:19|20)\d\d年.{0,12}(?:任务|目标)"
)
# 存在的问题 / 不足 / 短板 …, but not 解决突出问题 (an achievement's heading).
PROBLEMS_TITLE = re.compile(r"(?<![决出])问题|不足|短板|差距|薄弱|困难|瓶颈")
# A paragraph that looks forward: where the plans half of a 存在问题及下一步打算 section starts.
FORWARD = re.compile(
    r"^(?:下一步|下步|接下来|今后|明年|(?:19|20)\d\d年[,，]?(?:我|本|全)|在接下来|在新的一年|我[镇县区市局街乡委]将)"
)
# "附件:" / "相关稿件:" — page labels left under the last section, not commitments.
_LABEL_LINE = re.compile(r"^.{0,8}[:：]$")
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
    """(level, marker) of a line that opens an outline item, or None."""
    stripped = line.strip()
    for level, pattern in _MARKERS:
        m = pattern.match(stripped)
        if m:
            return level, m.group(0)
    return None


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


def plans_section(text: str) -> tuple[OutlineItem, list[str]] | None:
    """The last heading that announces next year's plans and the lines under it (to the next peer heading)."""
    lines = text.splitlines()
    headings = [i for i in parse_outline(text) if PLANS_TITLE.search(i.title)]
    if not headings:
        return None
    top = min(h.level for h in headings)
    heading = [h for h in headings if h.level == top][-1]
    body = _section_body(lines, heading)
    if PROBLEMS_TITLE.search(heading.title):
        # 三、存在问题及下一步打算 with (一)存在问题 (二)下一步打算: the promises are under the second
        inside = [h for h in headings if h.level > heading.level and h.text in body]
        if inside:
            heading = inside[-1]
            body = _section_body(lines, heading)
    return heading, body


def _section_body(lines: list[str], heading: OutlineItem) -> list[str]:
    """Non-empty lines under ``heading`` up to the next heading of its level or above."""
    body = []
    for line in lines[heading.line + 1 :]:
        found = marker_of(line)
        if found and found[0] <= heading.level:
            break
        if line.strip():
            body.append(line.strip())
    return body


def split_enumeration(paragraph: str) -> list[tuple[str, str]]:
    """一是…；二是… inside one paragraph → [(marker, text)]; the whole paragraph if it has none."""
    starts = [m.start(1) for m in _ENUMERATION.finditer(paragraph)]
    if len(starts) < 2:
        return [("", paragraph)]
    pieces = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(paragraph)
        piece = paragraph[start:end].strip()
        marker = _ENUMERATION.match(piece)
        pieces.append((marker.group(1) if marker else "", piece))
    return pieces


def commitments(text: str) -> list[Commitment]:
    """The commitments of the report's plans section: its items, or its paragraphs when unnumbered."""
    found = plans_section(text)
    if not found:
        return []
    heading, body = found
    body = [line for line in body if not _LABEL_LINE.match(line)]
    numbered = any(marker_of(line) for line in body)
    if not numbered and PROBLEMS_TITLE.search(heading.title):
        # 存在问题及下一步努力方向: the problems come first, the promises from the first forward-looking paragraph
        forward = next((k for k, line in enumerate(body) if FORWARD.search(line)), None)
        body = body[forward:] if forward is not None else body
    if len(body) > 1 and body[0].rstrip().endswith((":", "：")):
        body = body[1:]  # a lead-in ("重点做好以下工作:") announces the items; it is not one of them
    # The items' own level: 1. under 六、 is as much an item as (一) is; deeper markers are sub-items.
    item_level = min((found[0] for found in map(marker_of, body) if found), default=heading.level + 1)
    items: list[Commitment] = []
    counter = 0
    for paragraph in body:
        marked = marker_of(paragraph)
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
