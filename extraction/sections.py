"""The report's outline (一、/(一)/1./一是/第一篇) and which required part each section is."""

from __future__ import annotations

import re

from extraction.report import Report, Section
from extraction.titles import classify_title, report_year

_CN = "一二三四五六七八九十百零〇"
# (regex, level); broken markers like "三)" and a lone ")" are the (二) of copies that lost a bracket.
MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^(第[{_CN}]+[篇章部分])[:：、\s]*"), 1),
    (re.compile(rf"^([{_CN}]+[、．.])\s*"), 1),
    (re.compile(rf"^([（(][{_CN}]+[）)])\s*"), 2),
    (re.compile(rf"^([{_CN}]{{1,3}}[）)])\s*"), 2),
    (re.compile(r"^([）)])\s*(?=\S)"), 2),
    (re.compile(r"^(\d{1,2}[.、．](?!\d))\s*"), 3),
    (re.compile(r"^([（(]\d{1,2}[）)])\s*"), 4),
    (re.compile(rf"^([{_CN}]{{1,3}}是)[，,：:]?\s*"), 4),
)
PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("shortcomings", re.compile(r"不足|问题|短板|差距|困难|薄弱|存在的")),
    ("plans", re.compile(r"计划|打算|思路|下一步|展望|工作安排|努力方向|工作重点|今后|(?:19|20)\d{2}年.{0,6}(?:工作|重点)"
                         r"(?!.*(?:情况|成效))|明年")),
    ("leadership", re.compile(r"第一责任人|主要负责人|党政主要|履行.{0,8}职责|组织领导|领导责任|述法")),
    ("achievements", re.compile(r"主要(?:举措|成效|做法|工作)|开展情况|成效|成绩|推进|加强|完善|深化|提升|落实|健全|"
                                r"规范|强化|坚持|依法|全面|提高|推动|优化")),
)
COMPILATION_MARK = re.compile(rf"^第[{_CN}]+篇[:：\s]")


def _match_marker(line: str) -> tuple[str, int, str] | None:
    for pattern, level in MARKERS:
        m = pattern.match(line)
        if m:
            return m.group(1), level, line[m.end():]
    return None


def starts_outline(line: str) -> bool:
    """True when a line opens with an outline marker (一、 / （一） / 1．), ignoring 一是 runs."""
    hit = _match_marker(line.strip())
    return bool(hit) and not hit[0].endswith("是")


def _heading_title(rest: str) -> str:
    m = re.search(r"[。；;！!]|[:：](?=.)", rest)
    head = (rest[:m.start()] if m else rest).strip()
    if len(head) > 40:  # a numbered paragraph, not a heading: its first clause names it
        head = re.split(r"[,，]", head, maxsplit=1)[0]
    return head[:80]


def classify_part(title: str) -> str:
    """Which required part a heading names; ``other`` when none."""
    for part, pattern in PARTS:
        if pattern.search(title):
            return part
    return "other"


def parse_sections(text: str) -> list[Section]:
    """Sections in order; each holds its heading line and the lines up to the next heading of its
    level or above. Children inherit their parent's part."""
    lines = [x for x in text.splitlines() if x.strip()]
    heads: list[tuple[int, str, int, str]] = []  # line index, marker, level, title
    for i, line in enumerate(lines):
        hit = _match_marker(line.strip())
        if not hit:
            continue
        marker, level, rest = hit
        if marker.endswith("是"):
            # 一是…二是 opening a line is one level below the heading it sits under
            outer = [lvl for _i, mk, lvl, _t in heads if not mk.endswith("是")]
            if not outer:
                continue
            level = min(outer[-1] + 1, 5)
        heads.append((i, marker, level, _heading_title(rest)))
    sections: list[Section] = []
    stack: list[Section] = []
    for n, (i, marker, level, title) in enumerate(heads):
        end = len(lines)
        for j, _m, lvl, _t in heads[n + 1:]:
            if lvl <= level:
                end = j
                break
        body = "\n".join(lines[i:end])
        while stack and stack[-1].level >= level:
            stack.pop()
        own = classify_part(title)
        parent = stack[-1].part if stack else None
        part = parent if parent and parent != "other" else own
        section = Section(marker=marker, title=title, level=level, part=part, text=body)
        sections.append(section)
        stack.append(section)
    return sections


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
        title = re.sub(rf"^第[{_CN}]+篇[:：\s]*", "", heading)
        body = "\n".join(x.strip() for x in lines[start + 1:end] if x.strip())
        ok, reason = classify_title(title)
        out.append(Report(title=title, text=body, report_year=report_year(title), is_report=ok,
                          reason=reason + "（摘自汇编，非官方发布）", sections=parse_sections(body),
                          warnings=["part of a compilation; not an official copy"]))
    return out
