"""The report's structure: its outline (第一篇/一、/(一)/1./(1)/一是) and which required part each section is.

This is the one reading of a report's outline: extraction stores its sections in ``Report.sections``
and diffing reads them from there (falling back to this function for a bare text). The vocabulary
is data in ``extraction.section_terms``. Besides the numbered headings it finds two parts that have
no heading of their own: the plans half of a 存在问题及下一步打算 section without sub-headings, and
plans announced in a closing paragraph (下一步，我局将…) of a report with no plans heading. Each is a
section with an empty marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.report import Report, Section
from extraction.section_terms import (
    CN_DIGITS,
    FORWARD,
    LEADERSHIP_IN_TEXT,
    MARKERS,
    MEASURES,
    PART_ORDER,
    PART_TERMS,
    STOCK_PLEDGE,
    WEAK_LEADERSHIP,
    WILL,
    YEAR_OPENING,
)
from extraction.titles import classify_title, report_year

# An unnumbered line this short that names a part is that part's heading.
UNMARKED_HEADING_CHARS = 20
# Kept for callers of the first version of this module.
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((part, PART_TERMS[part]) for part in PART_ORDER)
COMPILATION_MARK = re.compile(rf"^第[{CN_DIGITS}]+篇[:：\s]")
# Words that name plans whatever year the heading names; 重点工作 / 工作重点 name plans only with a later year.
_PLAN_WORDS = re.compile(r"计划|打算|思路|下一步|下步|下一年|展望|安排|努力方向|今后|明年|工作要点")


# 1) / 1） opening a line: a list numbered like (1), at its level (t58's plans 1)–12)).
BARE_NUMBER = (re.compile(r"^(\d{1,2}[)）])\s*(?=\S)"), 4)


def match_marker(line: str) -> tuple[str, int, str] | None:
    """(marker, level, rest of the line) of a line that opens an outline item, or None."""
    for pattern, level in (*MARKERS, BARE_NUMBER):
        m = pattern.match(line)
        if m:
            return m.group(1), level, line[m.end():]
    return None


_match_marker = match_marker  # the name extraction used first


def starts_outline(line: str) -> bool:
    """True when a line opens with an outline marker (一、 / （一） / 1．), ignoring 一是 runs."""
    hit = match_marker(line.strip())
    return bool(hit) and not hit[0].endswith("是")


def heading_title(rest: str) -> str:
    """The title of a heading line: up to its first full stop (or first clause of a long paragraph)."""
    m = re.search(r"[。；;！!]|[:：](?=.)", rest)
    head = (rest[:m.start()] if m else rest).strip()
    if len(head) > 40:  # a numbered paragraph, not a heading: its first clause names it
        head = re.split(r"[,，]", head, maxsplit=1)[0]
    return head[:80]


_heading_title = heading_title


def _names_plans(title: str, year: int | None) -> bool:
    if not PART_TERMS["plans"].search(title):
        return False
    if year is None or _PLAN_WORDS.search(title):
        return True
    # "2021年重点工作" names next year's plans only in the report on 2020
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", title)]
    return not years or max(years) > year


def heading_parts(title: str, year: int | None = None) -> set[str]:
    """Every part a heading names: {"shortcomings", "plans"} for 存在问题及下一步努力方向."""
    named = {part for part in ("shortcomings", "leadership") if PART_TERMS[part].search(title)}
    if _names_plans(title, year):
        named.add("plans")
    return named


def classify_part(title: str, year: int | None = None) -> str:
    """Which required part a heading names; ``other`` when none. ``year`` is the year reported on."""
    if PART_TERMS["other"].search(title):
        return "other"
    named = heading_parts(title, year)
    for part in ("shortcomings", "plans", "leadership"):
        if part in named:
            return part
    return "achievements" if PART_TERMS["achievements"].search(title) else "other"


def text_year(text: str) -> int | None:
    """The year a report covers, from its first lines (title or opening sentence)."""
    head = "\n".join(text.strip().splitlines()[:2])[:300]
    return report_year(head)


def is_stock_pledge(paragraph: str) -> bool:
    """"2023年，我乡将继续…为建设平安石坪作出新的更大贡献": a closing pledge, not plans (no enumeration in it)."""
    from extraction.section_terms import ENUMERATIONS

    return bool(STOCK_PLEDGE.search(paragraph)) and not any(
        len(pattern.findall(paragraph)) >= 2 for _kind, pattern, _numbered in ENUMERATIONS
    )


def looks_forward(line: str, year: int | None) -> bool:
    """A paragraph that announces what comes next: 下一步… / 今后… / 2023年，我局将… (a later year)."""
    line = line.strip()
    if FORWARD.search(line):
        return True
    m = YEAR_OPENING.match(line)
    if not m:
        return False
    if year is None:  # the year reported on unknown: "2023年，我局将…" still says what comes
        return "将" in line[m.end():m.end() + 8]
    return int(m.group(1)) > year and bool(WILL.search(line[m.end():m.end() + 40]))


@dataclass
class _Head:
    line: int
    marker: str
    level: int
    title: str
    part: str = "other"
    parent: int | None = None  # index into the heads list
    fixed: bool = False  # part set by a split of its combined parent (or a synthetic section): not inherited


def unmarked_heading(line: str, year: int | None = None) -> str | None:
    """The part a short unnumbered line names as a heading of its own ("2021年工作思路", "存在的问题"), or None."""
    line = line.strip().rstrip("：:")
    if not line or len(line) > UNMARKED_HEADING_CHARS or re.search(r"[。；;！!？?，,、]", line):
        return None
    named = heading_parts(line, year) & {"shortcomings", "plans"}
    if not named or classify_title(line)[0]:  # a report's own title names its plans too (…及2021年工作思路)
        return None
    return "shortcomings" if "shortcomings" in named else "plans"


def _heads(lines: list[str], year: int | None = None) -> list[_Head]:
    heads: list[_Head] = []
    for i, line in enumerate(lines):
        hit = match_marker(line.strip())
        if not hit:
            part = unmarked_heading(line, year)
            if part:
                # above every numbered level: the items under it, 一、 included, are its own
                heads.append(_Head(i, "", 0, line.strip().rstrip("：:"), part))
            continue
        marker, level, rest = hit
        if marker.endswith("是"):
            # 一是…二是 opening a line is one level below the heading it sits under
            outer = [h.level for h in heads if not h.marker.endswith("是")]
            if not outer:
                continue
            level = min(outer[-1] + 1, 6)
        heads.append(_Head(i, marker, level, heading_title(rest)))
    return heads


def _link_parents(heads: list[_Head]) -> None:
    stack: list[int] = []
    for n, head in enumerate(heads):
        while stack and heads[stack[-1]].level >= head.level:
            stack.pop()
        head.parent = stack[-1] if stack else None
        stack.append(n)


def _range_end(heads: list[_Head], n: int, total: int) -> int:
    for later in heads[n + 1:]:
        if later.level <= heads[n].level:
            return later.line
    return total


def _forward_line(lines: list[str], heads: list[_Head], start: int, end: int, year: int | None) -> int | None:
    """The first unnumbered forward-looking paragraph in lines[start:end]."""
    marked = {h.line for h in heads}
    for i in range(start, end):
        if i not in marked and looks_forward(lines[i], year) and not is_stock_pledge(lines[i]):
            return i
    return None


def parse_sections(text: str, report_year: int | None = None) -> list[Section]:
    """Sections in order; each holds its heading line and the lines up to the next heading of its
    level or above. Children inherit their parent's part, except under a heading that names both
    shortcomings and plans, whose halves are told apart."""
    lines = [x for x in text.splitlines() if x.strip()]
    year = report_year if report_year is not None else text_year(text)
    heads = _heads(lines, year)
    _link_parents(heads)
    roots = [n for n, h in enumerate(heads) if h.parent is None]
    named = {n: heading_parts(heads[n].title, year) for n in roots}
    for n in roots:
        heads[n].part = classify_part(heads[n].title, year)
        if heads[n].level == 0:  # an unnumbered heading names both halves when it says so
            named[n] = heading_parts(heads[n].title, year)
    for n in roots:
        # 强化组织领导 over a text about the leading group, not the principal leaders' duties
        if heads[n].part == "leadership" and WEAK_LEADERSHIP.match(heads[n].title):
            body = "\n".join(lines[heads[n].line + 1:_range_end(heads, n, len(lines))])
            if not LEADERSHIP_IN_TEXT.search(body):
                heads[n].part = "achievements"
    # Only the last top-level heading that announces plans holds them: an earlier 重点工作 reports work done.
    planned = [n for n in roots if heads[n].part == "plans" or "plans" in named[n]]
    for n in planned[:-1]:
        named[n].discard("plans")
        if heads[n].part == "plans":
            heads[n].part = classify_part(_PLAN_WORDS.sub("", heads[n].title), year)
            heads[n].part = "achievements" if heads[n].part in ("plans", "other") else heads[n].part
    split_roots = {n for n in roots if {"shortcomings", "plans"} <= named[n]}
    synthetic: list[_Head] = []
    for n in sorted(split_roots):
        synthetic += _split_combined(lines, heads, n, year)
    for n in roots:
        if heads[n].part == "shortcomings":
            synthetic += _measures(lines, heads, n)
    if not any(h.part == "plans" for h in heads) and not synthetic:
        synthetic += _closing_plans(lines, heads, roots, year)
    if synthetic:
        heads = sorted(heads + synthetic, key=lambda h: (h.line, h.marker != ""))
        _relink_after_synthetic(heads)
    _inherit_parts(heads)
    return [
        Section(marker=h.marker, title=h.title, level=h.level, part=h.part,
                text="\n".join(lines[h.line:_range_end(heads, n, len(lines))]))
        for n, h in enumerate(heads)
    ]


def _plans_head(lines: list[str], line: int, level: int) -> _Head:
    """An unnumbered paragraph that opens plans with no heading of their own (下一步，… / 整改措施：…), as one."""
    return _Head(line, "", level, heading_title(lines[line].strip()), "plans", fixed=True)


def _split_combined(lines: list[str], heads: list[_Head], n: int, year: int | None) -> list[_Head]:
    """A 存在问题及下一步打算 heading: its children and lines told apart into shortcomings and plans."""
    root = heads[n]
    root.part = "shortcomings"
    end = _range_end(heads, n, len(lines))
    children = [h for h in heads[n + 1:] if h.parent is not None and heads[h.parent] is root]
    role_named = any(classify_part(c.title, year) in ("shortcomings", "plans") and len(c.title) <= 20 for c in children)
    child_level = min((c.level for c in children), default=root.level + 1)
    found = [] if role_named else [_forward_line(lines, heads, root.line + 1, end, year)]
    remedies = _remedies(lines, heads, children, end, year) if found and found[0] is not None else []
    if remedies:
        for c in children:
            c.part, c.fixed = "shortcomings", True
        return remedies
    new = [_plans_head(lines, i, child_level) for i in found if i is not None]
    role = "shortcomings"
    for c in children:
        if new and c.line > new[0].line:
            role = "plans"
        own = classify_part(c.title, year)
        if role_named and own in ("shortcomings", "plans") and len(c.title) <= 20:
            role = own
        c.part, c.fixed = role, True
    return new


def _remedies(lines: list[str], heads: list[_Head], children: list[_Head], end: int, year: int | None) -> list[_Head]:
    """"（一）…问题。\n下一步，一是…" under each problem of a combined section: each problem's forward
    paragraph a plans section of its own, the problems after the first one still problems.

    Only when two or more problems have one: a single forward paragraph after the first problem
    opens the plans half (``_split_combined``).
    """
    found = []
    for k, child in enumerate(children):
        stop = children[k + 1].line if k + 1 < len(children) else end
        at = _forward_line(lines, heads, child.line + 1, stop, year)
        if at is not None:
            found.append(_plans_head(lines, at, child.level + 1))
    return found if len(found) >= 2 else []


def _measures(lines: list[str], heads: list[_Head], n: int) -> list[_Head]:
    """"整改措施：…" paragraphs under the problems they answer: each one a plans section of its own."""
    end = _range_end(heads, n, len(lines))
    marked = {h.line for h in heads}
    found = []
    for i in range(heads[n].line + 1, end):
        if i in marked or not MEASURES.match(lines[i].strip()):
            continue
        inside = max((h for h in heads if h.line < i), key=lambda h: h.line)
        found.append(_plans_head(lines, i, inside.level + 1))
    return found


def _closing_plans(lines: list[str], heads: list[_Head], roots: list[int], year: int | None) -> list[_Head]:
    """A report with no plans heading: plans announced in a forward paragraph near its end."""
    if roots:
        last = roots[-1]
        end = len(lines)
        after_children = max((h.line for h in heads if h.line >= heads[last].line), default=heads[last].line)
        start = heads[last].line + 1 if heads[last].part in ("shortcomings", "other") else after_children + 1
        level = heads[last].level + 1 if heads[last].part in ("shortcomings", "other") else heads[last].level
    else:
        start, end, level = len(lines) // 2, len(lines), 1
    i = _forward_line(lines, heads, start, end, year)
    if i is None:
        return []
    # marked items after it (一是 / (一)) are its items
    for h in heads:
        if h.line > i:
            h.part, h.fixed = "plans", True
    return [_plans_head(lines, i, level)]


def _relink_after_synthetic(heads: list[_Head]) -> None:
    """Parents again, and 一是 lines under a synthetic section are its children."""
    for n, h in enumerate(heads):
        if h.marker.endswith("是"):
            outer = [x.level for x in heads[:n] if not x.marker.endswith("是")]
            if outer:
                h.level = min(outer[-1] + 1, 6)
    _link_parents(heads)


def _inherit_parts(heads: list[_Head]) -> None:
    """Children take their parent's part; a child of an ``other`` heading names its own."""
    for h in heads:
        if h.parent is None or h.fixed:
            continue
        parent = heads[h.parent]
        if parent.part != "other":
            h.part = parent.part
        else:
            h.part = classify_part(h.title)


def compilation_titles(text: str) -> list[str]:
    """Headings of a content farm's 第一篇 … 第N篇 compilation (empty when it is not one)."""
    return [x.strip() for x in text.splitlines() if COMPILATION_MARK.match(x.strip())]


def split_compilation(text: str) -> list[Report]:
    """One Report per 第N篇 article, each classified on its own title."""
    lines = text.splitlines()
    starts = [i for i, x in enumerate(lines) if COMPILATION_MARK.match(x.strip())]
    out: list[Report] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        heading = lines[start].strip()
        title = re.sub(rf"^第[{CN_DIGITS}]+篇[:：\s]*", "", heading)
        body = "\n".join(x.strip() for x in lines[start + 1:end] if x.strip())
        ok, reason = classify_title(title)
        out.append(Report(title=title, text=body, report_year=report_year(title), is_report=ok,
                          reason=reason + "（摘自汇编，非官方发布）", sections=parse_sections(body),
                          warnings=["part of a compilation; not an official copy"]))
    return out
