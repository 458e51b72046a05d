"""A report's parts by role, read from its structure: what was done, what fell short, what comes next.

Year-over-year analysis reads each part differently: last year's plans are checked against this
year's results, and shortcomings are tracked from year to year. The parts come from
``Report.sections`` — the one reading of the outline, made by ``extraction.sections`` and stored
with every version — so the site, the CLI and extraction agree on where the plans are. A bare
text (a file, a test) is read with the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from diffing.sentences import split_sentences
from extraction.report import Report, Section
from extraction.section_terms import LABEL_LINE, LEADERSHIP_IN_TEXT
from extraction.sections import classify_part, heading_parts, match_marker, parse_sections, text_year
from extraction.titles import classify_title, report_year

# "虽然取得了一定成绩，但…" / "主要表现在：" — the lead-in of a problems section, not a problem.
_PROBLEMS_LEAD = re.compile(
    r"(?:成绩|成效|进展).{0,20}但|[:：]$|主要(?:表现|体现)在|存在以下|还存在(?:一些|一定|不少)?(?:问题|不足|短板)[。:：]?$"
)
# "究其原因，…" / "原因在于…": why the problems exist, said after them; not a problem itself.
_CAUSES = re.compile(r"^(?:究其原因|原因在于|主要原因|其原因|原因是|分析原因|产生(?:这些|上述)?问题的(?:主要)?原因)")
# "…2021年法治政府建设年度报告" / "…工作总结及2022年工作思路": a title, not a sentence of the report.
_TITLE_LINE = re.compile(r"(?:报告|总结|情况|思路)$")
# An item title ("(二)推行柔性执法。", "(三)深化公共法律服务") names a topic; it reports nothing.
_TITLE_CHARS = 20


@dataclass
class ReportParts:
    title: str = ""  # the report's own title line, when the text starts with one
    achievements: list[str] = field(default_factory=list)  # results: intro, measures, leaders' duties, other
    problems: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # lines before the first heading (title excluded)
    present: set[str] = field(default_factory=set)  # required parts the report has (compliance)


def as_report(report: Report | str) -> Report:
    """A Report for a bare text: title, year and agency from its first line, sections by the one outline reader."""
    if isinstance(report, Report):
        return report
    from extraction.agency import agency_from

    text = report
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = first if _is_title(first) else ""
    year = report_year(title) if title else text_year(text)
    return Report(
        title=title, text=text, text_normalized=text, report_year=year, agency=agency_from(title) if title else None,
        is_report=bool(title), sections=parse_sections(text, year),
    )


def _is_title(line: str) -> bool:
    return bool(line) and len(line) <= 60 and not re.search(r"[。；;！!？?]", line) and (
        bool(_TITLE_LINE.search(line)) or classify_title(line)[0]
    ) and not match_marker(line)


def _section_starts(sections: list[Section], lines: list[str]) -> list[int] | None:
    """The line each section starts at, in order; None when the stored sections do not fit the text."""
    starts, position = [], 0
    for section in sections:
        first = section.text.strip().splitlines()[0].strip() if section.text.strip() else ""
        try:
            position = lines.index(first, position)
        except ValueError:
            return None
        starts.append(position)
    return starts


def _sections_of(report: Report, lines: list[str]) -> tuple[list[Section], list[int]]:
    sections = report.sections
    starts = _section_starts(sections, lines) if sections else None
    if starts is None:
        sections = parse_sections(report.text, report.report_year)
        starts = _section_starts(sections, lines) or []
    return sections, starts


def _part_heading(section: Section, root: Section | None, line: str) -> bool:
    """"(一)存在问题" / "(二)下一步打算" under a combined heading: it names a half, it says nothing."""
    if root is None or section is root or not {"shortcomings", "plans"} <= heading_parts(root.title):
        return False
    found = match_marker(line)
    rest = line[len(found[0]):].strip() if found else line
    return len(rest) <= _TITLE_CHARS and not re.search(r"[，,。；;]", rest.rstrip("。")) and classify_part(rest) in (
        "shortcomings", "plans")


def report_parts(report: Report | str) -> ReportParts:
    """The report's lines sorted into results, problems and plans by the part of the section they are in."""
    report = as_report(report)
    lines = [line.strip() for line in report.text.splitlines() if line.strip()]
    sections, starts = _sections_of(report, lines)
    parts = ReportParts()
    first_start = starts[0] if starts else len(lines)
    intro = [line for line in lines[:first_start] if not LABEL_LINE.match(line)]
    if intro and _is_title(intro[0]):
        parts.title = intro.pop(0)
    parts.intro = intro
    parts.achievements += intro
    if not sections:
        parts.achievements = [line for line in lines if line != parts.title]
        parts.present = {"achievements"} if parts.achievements else set()
        return parts
    top = min(s.level for s in sections if s.marker) if any(s.marker for s in sections) else 1
    root: Section | None = None
    owner = [-1] * len(lines)
    for k, start in enumerate(starts):
        owner[start] = k
    current = -1
    for i in range(first_start, len(lines)):
        if owner[i] >= 0:
            current = owner[i]
        section = sections[current]
        if section.marker and section.level <= top:
            root = section
        line = lines[i]
        if LABEL_LINE.match(line):
            continue
        parts.present.add(section.part)
        if owner[i] >= 0 and section is root and section.marker:
            continue  # a top-level heading names its part
        if owner[i] >= 0 and _part_heading(section, root, line):
            continue
        if section.part == "shortcomings":
            parts.problems.append(line)
        elif section.part == "plans":
            parts.plans.append(line)
        else:
            parts.achievements.append(line)
    if "leadership" not in parts.present and LEADERSHIP_IN_TEXT.search(report.text):
        parts.present.add("leadership")
    if parts.achievements:
        parts.present.add("achievements")
    return parts


def problem_items(lines: list[str]) -> list[str]:
    """The separate shortcomings: numbered items, 一是…二是… pieces, or else sentences; lead-ins dropped."""
    from diffing.outline import numbering, split_enumeration

    items: list[str] = []
    lines = [line for line in lines if not _CAUSES.match(line)]
    numbered = any(numbering(line) for line in lines)
    for line in lines:
        found = numbering(line)
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
    """Sentences of the results, item titles left out: where follow-through and figures are looked for."""
    sentences: list[str] = []
    for line in parts.achievements:
        pieces = split_sentences(line)
        found = match_marker(line)
        if found and pieces:
            title = pieces[0][len(found[0]) :]
            is_title_line = len(pieces) == 1 and len(title) <= _TITLE_CHARS and not re.search(r"\d", title)
            if is_title_line or (len(pieces) > 1 and len(title) <= _TITLE_CHARS and title.endswith("。")):
                pieces = pieces[1:]
        sentences += pieces
    return sentences
