"""A report's parts by role: what was done (achievements), what fell short (problems), what comes next (plans).

Year-over-year analysis reads each part differently: last year's plans are checked against this
year's achievements, and shortcomings are tracked from year to year. The parts are found from the
top-level outline headings (一、存在的问题 / 四、下一步工作打算 …); a heading that announces both
(存在问题及下一步努力方向) is split at its sub-headings, or else before its first forward-looking
paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from diffing.outline import FORWARD, PLANS_TITLE, PROBLEMS_TITLE, marker_of, parse_outline, split_enumeration
from diffing.sentences import split_sentences

# "虽然取得了一定成绩，但…" / "主要表现在：" — the lead-in of a problems section, not a problem.
_PROBLEMS_LEAD = re.compile(r"(?:成绩|成效|进展).{0,20}但|[:：]$|主要(?:表现|体现)在|存在以下|还存在(?:一些|一定)")
_LABEL_LINE = re.compile(r"^.{0,8}[:：]$")
# "究其原因，…" / "原因在于…": why the problems exist, said after them; not a problem itself.
_CAUSES = re.compile(r"^(?:究其原因|原因在于|主要原因|其原因|原因是|分析原因|产生(?:这些|上述)?问题的(?:主要)?原因)")
# "…2021年法治政府建设年度报告" / "…工作总结及2022年工作思路": a title, not a sentence of the report.
_TITLE_LINE = re.compile(r"(?:报告|总结|情况|思路)$")
# An item title ("(二)推行柔性执法。", "(三)深化公共法律服务") names a topic; it reports nothing.
_TITLE_CHARS = 20


@dataclass
class ReportParts:
    title: str = ""  # the report's own title line, when the text starts with one
    achievements: list[str] = field(default_factory=list)  # lines, intro included
    problems: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


def _role(title: str) -> str:
    problems, plans = bool(PROBLEMS_TITLE.search(title)), bool(PLANS_TITLE.search(title))
    if problems and plans:
        return "both"
    return "problems" if problems else "plans" if plans else "achievements"


def _subheading_role(line: str) -> str | None:
    """"(一)存在问题" / "(二)下一步打算": a short marked line without a clause break, naming one half."""
    found = marker_of(line)
    if not found:
        return None
    title = line[len(found[1]) :].strip()
    if len(title) > _TITLE_CHARS or re.search(r"[，,。；;]", title):
        return None
    role = _role(title)
    return role if role in ("problems", "plans") else None


def _split_combined(lines: list[str], parts: ReportParts) -> None:
    """Lines of a 存在问题及下一步打算 section: by sub-heading if it has them, else at the first forward paragraph."""
    role = "problems"
    has_subheadings = any(_subheading_role(line) for line in lines)
    for line in lines:
        sub = _subheading_role(line) if has_subheadings else None
        if sub:
            role = sub
            continue
        if not has_subheadings and role == "problems" and FORWARD.search(line):
            role = "plans"
        getattr(parts, role).append(line)


def report_parts(text: str) -> ReportParts:
    """The report's lines sorted into achievements, problems and plans by their top-level headings."""
    lines = [line.strip() for line in text.splitlines()]
    outline = parse_outline(text)
    parts = ReportParts()
    if not outline:
        parts.achievements = [line for line in lines if line]
        return parts
    top = min(i.level for i in outline)
    headings = [i for i in outline if i.level == top]
    intro = [line for line in lines[: headings[0].line] if line]
    if intro and _TITLE_LINE.search(intro[0]) and not re.search(r"[。！？；;!?]", intro[0]):
        parts.title = intro.pop(0)
    parts.achievements += intro
    roles = [_role(h.title) for h in headings]
    # Only the last heading that announces plans holds them: an earlier 重点工作完成情况 reports work done.
    last_plans = max((k for k, role in enumerate(roles) if role in ("plans", "both")), default=-1)
    for k, heading in enumerate(headings):
        end = headings[k + 1].line if k + 1 < len(headings) else len(lines)
        body = [line for line in lines[heading.line + 1 : end] if line and not _LABEL_LINE.match(line)]
        role = roles[k]
        if k < last_plans and role in ("plans", "both"):
            role = "achievements" if role == "plans" else "problems"
        if role == "both":
            _split_combined(body, parts)
        else:
            getattr(parts, role).extend(body)
    return parts


def problem_items(lines: list[str]) -> list[str]:
    """The separate shortcomings: numbered items, 一是…二是… pieces, or else sentences; lead-ins dropped."""
    items: list[str] = []
    lines = [line for line in lines if not _CAUSES.match(line)]
    numbered = any(marker_of(line) for line in lines)
    for line in lines:
        found = marker_of(line)
        if numbered and not found:
            if items:
                items[-1] += line
            continue
        body = line[len(found[1]) :].strip() if found else line
        pieces = [piece[len(marker) :].strip() for marker, piece in split_enumeration(body)]
        if len(pieces) > 1:
            items += pieces  # whatever precedes 一是 is a lead-in
        elif numbered:
            items.append(body)
        else:
            items += split_sentences(body)
    return [item for item in map(_without_lead, items) if item and not _PROBLEMS_LEAD.search(item)]


def _without_lead(item: str) -> str:
    """"…还存在许多问题,主要表现在:创新力度不够" → "创新力度不够"."""
    colon = re.search(r"[:：]", item)
    if colon and _PROBLEMS_LEAD.search(item[: colon.end()]):
        return item[colon.end() :].strip()
    return item.strip()




def achievement_sentences(parts: ReportParts) -> list[str]:
    """Sentences of the achievements part, item titles left out: where follow-through and figures are looked for."""
    sentences: list[str] = []
    for line in parts.achievements:
        pieces = split_sentences(line)
        found = marker_of(line)
        if found and pieces:
            title = pieces[0][len(found[1]) :]
            is_title_line = len(pieces) == 1 and len(title) <= _TITLE_CHARS and not re.search(r"\d", title)
            if is_title_line or (len(pieces) > 1 and len(title) <= _TITLE_CHARS and title.endswith("。")):
                pieces = pieces[1:]
        sentences += pieces
    return sentences
