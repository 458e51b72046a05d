"""Text placed on pages → paragraphs: what PDF, OFD and OCR output have in common.

Each of them gives pieces of text at positions (PDF lines, OFD TextCode runs, OCR boxes). Here the
pieces on one line are joined left to right, lines are put in reading order, page furniture (page
numbers, a header or footer repeated on most pages) is dropped, and lines are rejoined into
paragraphs: a layout's line breaks are not paragraph breaks, a first-line indent is.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace

from extraction.sections import starts_outline

# Page numbers in their common forms: "— 3 —", "-3-", "第3页", "3/12", "第 3 页 共 12 页".
PAGE_NUMBER = re.compile(
    r"^[\s\-—–一_~·.。]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s\-—–一_~·.。]*$"
)
EDGE_SHARE = 1 / 8  # the top and bottom eighth of a page are where page furniture sits


@dataclass
class PlacedText:
    """Text at a box on a page; x grows rightwards, y downwards, in any one unit per document."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int = 0
    cells: int = 1  # pieces apart by a column gap (or three or more runs apart by spaces): a table row

    def as_dict(self) -> dict:
        return {"text": self.text, "x0": self.x0, "x1": self.x1, "top": self.top, "bottom": self.bottom,
                "cells": self.cells, "page": self.page}


def page_lines(pieces: list[PlacedText], space_gap: float = 1.0) -> list[PlacedText]:
    """One page's pieces joined into lines, top to bottom, each line's pieces left to right.

    Pieces share a line when they overlap vertically by more than half the smaller height; a gap
    wider than ``space_gap`` line heights between two pieces becomes a space (table columns).
    """
    ordered = sorted(pieces, key=lambda p: ((p.top + p.bottom) / 2, p.x0))
    groups: list[list[PlacedText]] = []
    for piece in ordered:
        if groups:
            last = groups[-1]
            top, bottom = min(p.top for p in last), max(p.bottom for p in last)
            overlap = min(bottom, piece.bottom) - max(top, piece.top)
            if overlap > 0.5 * min(bottom - top, piece.bottom - piece.top):
                last.append(piece)
                continue
        groups.append([piece])
    lines = []
    for group in groups:
        group.sort(key=lambda p: p.x0)
        text = group[0].text
        cells = 1
        for left, right in zip(group, group[1:], strict=False):
            gap = right.x0 - left.x1
            column = gap > space_gap * (right.bottom - right.top)
            text += (" " if column else "") + right.text
            cells += column
        # the recogniser may read a whole ruled row as one box, its cells apart by spaces
        runs = len(text.split())
        cells = max(cells, runs if runs >= 3 else 1)
        lines.append(PlacedText(text, group[0].x0, max(p.x1 for p in group), min(p.top for p in group),
                                max(p.bottom for p in group), group[0].page, cells))  # fmt: skip
    return lines


def without_page_numbers(lines: list[PlacedText], page_height: float) -> list[PlacedText]:
    """Drop page numbers standing in the top or bottom eighth of the page, and a header or footer set
    in type much smaller than the page's text (a running head: one page may be all that carries it, so
    it cannot always be told by recurring)."""
    edge = page_height * EDGE_SHARE
    sizes = [x.bottom - x.top for x in lines]
    small = 0.75 * statistics.median(sizes) if len(sizes) >= 5 else 0.0

    def furniture(x: PlacedText) -> bool:
        at_edge = x.bottom < edge or x.top > page_height - edge
        return at_edge and (bool(PAGE_NUMBER.match(x.text)) or x.bottom - x.top < small)

    return [x for x in lines if not furniture(x)]


def _at_edge(line: PlacedText, height: float) -> bool:
    return line.bottom < height * EDGE_SHARE or line.top > height * (1 - EDGE_SHARE)


RUNNING_HEAD_MATCH = 85  # rapidfuzz ratio: the same head read with a character or two different
MIN_FUZZY_HEAD = 8  # characters: shorter edge lines must recur exactly (a heading "二、…" is not a head)
_NOT_TEXT = re.compile(r"[\s\W_]+")


def _head_shape(line: PlacedText) -> str:
    """A line's text as a running head is compared: numbers alike, spaces and punctuation out
    (OCR may read "局 云岭…2022…" as "局云岭…2022")."""
    shape = re.sub(r"\d+", "#", line.text)
    return _NOT_TEXT.sub("", shape) or shape.strip()


def without_running_heads(pages: list[list[PlacedText]], heights: list[float]) -> list[list[PlacedText]]:
    """Drop a header or footer line that recurs at a page edge on most pages: numbers may differ,
    and OCR may read it a little differently on each page (a fuzzy match of long lines)."""
    if len(pages) < 3:
        return pages
    from rapidfuzz import fuzz

    groups: list[tuple[str, set[int]]] = []  # a head as first seen, and the pages it is seen on
    shapes: dict[str, int] = {}  # each edge line's shape → its group
    for number, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for shape in {_head_shape(x) for x in lines if _at_edge(x, height)}:
            at = next((i for i, (first, _) in enumerate(groups) if first == shape or (
                min(len(first), len(shape)) >= MIN_FUZZY_HEAD and fuzz.ratio(first, shape) >= RUNNING_HEAD_MATCH)), None)
            if at is None:
                groups.append((shape, set()))
                at = len(groups) - 1
            groups[at][1].add(number)
            shapes[shape] = at
    running = {i for i, (_, seen) in enumerate(groups) if len(seen) >= max(3, len(pages) // 2 + 1)}
    return [[x for x in lines if not (_at_edge(x, h) and shapes.get(_head_shape(x)) in running)]
            for lines, h in zip(pages, heights, strict=True)]  # fmt: skip


def aligned(pages: list[list[PlacedText]]) -> list[list[PlacedText]]:
    """Pages shifted so their right margins coincide: scans sit differently on each page, and the
    rejoiner compares first-line indents across pages. The right margin is where a page's longest
    lines end (justified body lines reach it, first lines and continuation lines alike); the left
    edge would not do, a page may hold no continuation line."""
    def margin(page: list[PlacedText]) -> float:  # robust to one line whose box overshoots
        longest = max(x.x1 for x in page)
        return statistics.median(x.x1 for x in page if x.x1 >= 0.9 * longest)

    rights = [margin(page) for page in pages if page]
    if not rights:
        return pages
    target = max(rights)
    out = []
    for page in pages:
        shift = target - margin(page) if page else 0.0
        out.append([replace(x, x0=x.x0 + shift, x1=x.x1 + shift) for x in page])
    return out


def _size(line: dict) -> float:
    return max(line.get("bottom", 0) - line.get("top", 0), 6.0)


def _starts(lines: list[dict]) -> list[bool]:
    """For each line: does it start a paragraph?

    Where first lines are indented (the Chinese convention) an indent starts a paragraph; otherwise a
    line that stops well short of the right margin ends one. Half-width digits make full lines
    uneven, so line length alone is a weak signal. Whatever the convention, a line standing apart
    from the text's flow is a paragraph of its own: a table row (cells apart by column gaps), a
    centred heading; a change of type size (title to body) starts one, and so does a page's first
    line when the last page ended on a short line (lines placed with their ``page``). Consecutive centred lines
    in one type larger than the body are one title set on two lines.
    """
    left = min(line["x0"] for line in lines)
    right = max(line["x1"] for line in lines)
    sizes = sorted(_size(line) for line in lines)
    body = sizes[len(sizes) // 4]  # body type is the smallest in common use (table rows, headings draw taller)

    indented = [line["x0"] > left + 0.8 * _size(line) for line in lines]
    if 0.03 < sum(indented) / len(lines) < 0.9:
        starts = indented  # not also "the line before stopped short": half-width digits make lines short
    else:
        starts = [i == 0 or lines[i - 1]["x1"] < right - 4 * _size(line) or starts_outline(line["text"].strip())
                  for i, line in enumerate(lines)]  # fmt: skip

    def centred(line: dict) -> bool:
        before, after = line["x0"] - left, right - line["x1"]
        size = _size(line)
        # a line in title type may span nearly the width; a body-size one must stand well in (a first
        # line indented two characters that stops short with half-width digits is not centred)
        inset = 0.8 * size if size > 1.15 * body else 2.5 * size
        return min(before, after) > inset and abs(before - after) < 1.5 * size

    def wide(line: dict) -> bool:  # an OCR box's height depends on its width: compare only wide ones
        return line["x1"] - line["x0"] > 5 * _size(line)

    def apart(line: dict) -> bool:
        return line.get("cells", 1) >= 2 or centred(line)

    for i, line in enumerate(lines):
        if i == 0:
            continue
        previous = lines[i - 1]
        ratio = _size(line) / _size(previous)
        title_goes_on = (centred(line) and centred(previous) and 0.85 < ratio < 1.18
                         and min(_size(line), _size(previous)) > 1.15 * body)  # fmt: skip
        # a page's first line continues the last page's paragraph only if that one ran to the margin
        turned_short = line.get("page", 0) != previous.get("page", 0) and previous["x1"] < right - 2 * body
        if title_goes_on:
            starts[i] = False
        elif apart(line) or apart(previous) or turned_short or (wide(line) and wide(previous)
                                                                 and not 0.8 < ratio < 1.25):  # fmt: skip
            starts[i] = True
    return starts


def paragraphs(lines: list[dict]) -> list[str]:
    """Rejoin wrapped lines (dicts with text, x0, x1, top, bottom, in points) into paragraphs."""
    return read_paragraphs(lines)[0]


def read_paragraphs(lines: list[dict]) -> tuple[list[str], bool]:
    """Paragraphs, and whether the first line continues a paragraph begun before these lines (a page
    of a scan whose first line is not indented: a page break inside a paragraph)."""
    lines = [line for line in lines if line["text"].strip()]
    if not lines:
        return [], False
    starts = _starts(lines)
    out: list[str] = []
    for line, start in zip(lines, starts, strict=True):
        text = line["text"].strip()
        if out and not start:
            out[-1] += text
        else:
            out.append(text)
    return out, not starts[0]
