"""A report's parts by role, read from its structure: what was done, what fell short, what comes next.

Year-over-year analysis reads each part differently: last year's plans are checked against this
year's results, and shortcomings are tracked from year to year. The parts come from
``Report.sections`` — the one reading of the outline, made by ``extraction.sections`` and stored
with every version — so the site, the CLI and extraction agree on where the plans are. A bare
text (a file, a test) is read with the same function.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from diffing.sentences import split_sentences
from extraction.report import Report, Section
from extraction.section_terms import LABEL_LINE, LEADERSHIP_IN_TEXT, MEASURES
from extraction.sections import (
    classify_part,
    heading_parts,
    is_stock_pledge,
    looks_forward,
    match_marker,
    parse_sections,
    text_year,
)
from extraction.titles import classify_title, report_year

# "虽然取得了一定成绩，但…" / "主要表现在：" — the lead-in of a problems section, not a problem.
_PROBLEMS_LEAD = re.compile(
    r"(?:成绩|成效|进展).{0,20}但|[:：]$|主要(?:表现|体现)在|存在以下|还存在(?:一些|一定|不少)?(?:问题|不足|短板)[。:：]?$"
)
# "究其原因，…" / "原因在于…": why the problems exist, said after them; not a problem itself.
_CAUSES = re.compile(r"^(?:究其原因|原因在于|主要原因|其原因|原因是|分析原因|产生(?:这些|上述)?问题的(?:主要)?原因)")
# "…2021年法治政府建设年度报告" / "…工作总结及2022年工作思路": a title, not a sentence of the report.
_TITLE_LINE = re.compile(r"(?:报告|总结|情况|思路)$")
# The nouns a sub-heading names a half of a combined section with (存在问题 / 下一步打算), not a problem itself.
_PART_NAME = re.compile(r"问题|不足|短板|差距|打算|计划|思路|安排|方向|举措|重点|展望")
# An item title ("(二)推行柔性执法。", "(三)深化公共法律服务") names a topic; it reports nothing.
_TITLE_CHARS = 20


@dataclass
class ReportParts:
    title: str = ""  # the report's own title line, when the text starts with one
    achievements: list[str] = field(default_factory=list)  # results: intro, measures, leaders' duties, other
    problems: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # lines before the first heading (title excluded)
    plan_blocks: list[list[str]] = field(default_factory=list)  # the plans lines, one list per run of them
    present: set[str] = field(default_factory=set)  # required parts the report has (compliance)


def as_report(report: Report | str) -> Report:
    """A Report for a bare text: title, year and agency from its first line, sections by the one outline reader.

    A Report without sections (stored by another tool, or before extraction kept them) gets them.
    """
    if isinstance(report, Report):
        if report.sections or not report.text.strip():
            return report
        return replace(report, sections=parse_sections(report.text, report.report_year))
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
    return (
        section.level == root.level + 1
        and len(rest) <= _TITLE_CHARS
        and not re.search(r"[，,。；;]", rest.rstrip("。"))
        and bool(_PART_NAME.search(rest))
        and classify_part(rest) in ("shortcomings", "plans")
    )


# A heading that names the measures with the problems: 存在问题及改进措施, 存在的问题和整改举措, 问题与对策.
_MEASURES_HEADING = re.compile(r"措施|举措|对策")


def _measure_of_problem(section: Section, root: Section | None, problem_level: int, line: str) -> bool:
    """A numbered child of a problem under "存在问题及改进措施": the problem's measure, a plan — unless it
    names a weakness itself (then it is a part of the problem: (一)执法力量薄弱 / 1.人员不足)."""
    if root is None or not problem_level or section.level <= problem_level or not section.marker:
        return False
    if "shortcomings" not in heading_parts(root.title) or not (
        "plans" in heading_parts(root.title) or _MEASURES_HEADING.search(root.title)
    ):
        return False
    return not line or _opens_with_action(section.title) or not WEAKNESS.search(section.title)


def _problem_step(section: Section, root: Section | None, part: str, problem_level: int, line: str,
                  opens: bool) -> tuple[str, int]:  # fmt: skip
    """A line's part and the problem level after it, decided once: a measure of a problem (``_measure_of_problem``)
    is a plan; a section opening a problem sets the level its measures sit below; one at or above it ends it.
    ``opens``: the line opens its section; a line continuing one continues the measure it is under."""
    measure = _measure_of_problem(section, root, problem_level, line if opens else "")
    if opens and root is not None and section is not root:
        if part == "shortcomings" and not measure and not _part_heading(section, root, line) and (
            not problem_level or section.level <= problem_level
        ):
            problem_level = section.level
        elif section.level <= problem_level:
            problem_level = 0
    return ("plans" if part == "shortcomings" and measure else part), problem_level


def _opens_with_action(title: str) -> bool:
    """开展…专项整治, 规范涉企检查, 配齐配强…: a heading that opens with what will be done."""
    return title.startswith(_action_words())


@functools.cache
def _action_words() -> tuple[str, ...]:
    """The frame verbs and action verbs of two characters or more, gathered once (not a line)."""
    from diffing.actions import ACTION_FAMILIES
    from diffing.pairing import FRAME_VERBS

    return tuple(sorted(v for v in FRAME_VERBS.union(*ACTION_FAMILIES.values()) if len(v) >= 2))


# A count in a heading, years aside: "5.排查纠正滥用行政权力排除、限制竞争问题2个" reports a result.
_COUNT = re.compile(r"(?<!\d)(?!(?:19|20)\d\d年)\d+(?:\.\d+)?")


def _counted_result(section: Section, root: Section | None) -> str:
    """The part a section's lines belong to: its own, but an item of the results with a count in its heading
    ("5.排查纠正…问题2个", "3.完成普法计划12项") stays a result although it names a problem or a plan —
    drafters give shortcomings and plans parts of their own, and count only what was done."""
    if (
        section.part in ("shortcomings", "plans") and root is not None and section is not root
        and root.part not in ("shortcomings", "plans") and not {"shortcomings", "plans"} & heading_parts(root.title)
        and _COUNT.search(section.title)
    ):  # fmt: skip
        return root.part
    return section.part


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
    under_unnumbered = False  # inside a part headed by a short unnumbered line: 一、 items are its own
    previous_part = ""
    problem_level = 0  # the level of the problem item whose numbered children may be its measures
    for i in range(first_start, len(lines)):
        if owner[i] >= 0:
            current = owner[i]
        section = sections[current]
        if section.level == 0:
            root, under_unnumbered = section, True
        elif section.marker and section.level <= top and not under_unnumbered:
            root = section
        line = lines[i]
        if LABEL_LINE.match(line):
            continue
        part = _counted_result(section, root)
        part, problem_level = _problem_step(section, root, part, problem_level, line, owner[i] >= 0)
        parts.present.add(part)
        if owner[i] >= 0 and section is root:
            previous_part = "heading"
            continue  # a top-level heading (numbered, or a short line of its own) names its part
        if owner[i] >= 0 and _part_heading(section, root, line):
            continue
        if part == "shortcomings":
            parts.problems.append(line)
        elif part == "plans":
            if previous_part != "plans" or (owner[i] >= 0 and not section.marker):
                parts.plan_blocks.append([])  # 整改措施 after each problem: a run of plans of its own
            parts.plans.append(line)
            parts.plan_blocks[-1].append(line)
        else:
            parts.achievements.append(line)
        previous_part = part
    _forward_out_of_problems(parts, report.report_year)
    _embedded_problems(parts)
    if "leadership" not in parts.present and LEADERSHIP_IN_TEXT.search(report.text):
        parts.present.add("leadership")
    if parts.achievements:
        parts.present.add("achievements")
    return parts


# How a shortcoming is said: the predicate that makes a clause a weakness (不强, 薄弱, 有待提高 …).
WEAKNESS = re.compile(
    r"不强|不高|不够|不足|薄弱|欠缺|缺乏|短缺|滞后|不到位|不完善|不健全|不规范|不充分|不平衡|不深入|不明显|不适应|不匹配|"
    r"不相适应|不相匹配|有待|亟待|仍需|尚需|较少|偏少|偏弱|较弱|单一|不多|参差不齐|淡薄|难以|差距|短板|突出|增多|加大|"
    r"不熟|不精|不严|不细|不实|不一致|不统一|不畅|不及时|较低|偏低|偏高|较大|压力|依然存在|仍然存在|时有发生|屡禁不止|"
    r"尚未|未能|没有|缺少|落后|分散|交叉|反复|淡化|弱化"
)
# Who a weakness is about, when a clause opens with it: two clauses about two of these are two problems.
ACTORS = re.compile(
    r"^(?:部分|个别|少数|一些|有的)?(群众|村民|居民|渔民|市民|农民|企业|领导干部|干部|执法人员|工作人员|公职人员|党员|"
    r"部门|单位|乡镇|街道|村|社区|基层)"
)
# A sentence that explains the one before it rather than naming a new shortcoming.
EXPLANATION = re.compile(r"^(?:如|比如|例如|特别是|尤其是|其中|主要是|具体表现|表现在|导致|致使|造成|因此|由于|加之|这|此外|同时|究其原因|原因)")

# A sentence that gives the facts behind the problem before it — its scope and count (全区11个司法所中有4个…,
# 司法所仅有工作人员2名…): drafters back each shortcoming with figures; that is not a second problem.
EVIDENCE = re.compile(r"^(?:全[镇县区市乡局省州旗街][^，,。；;]{0,8}\d|仅|只有|\d|[^，,。；;]{0,10}(?:中有|仅有|只有|共有|现有)\d?)")


# "…虽然取得了一定成绩，但也存在一些问题，主要表现在：" inside another part's paragraph: problems follow;
# "…与上级要求相比还有差距，主要是执法人员素质不高。" says them after a comma.
_EMBEDDED_LEAD = re.compile(
    r"(?:存在|还有|仍有)着?(?:一些|以下|许多|不少|若干|一定的?|较大的?)?(?:问题|不足|短板|差距|薄弱环节)[^。:：]{0,12}[:：]|"
    r"(?:存在|还有|仍有)着?(?:一些|许多|不少|若干|一定的?|较大的?)?(?:问题|不足|短板|差距|薄弱环节)[，,]"
    r"(?:主要(?:是|表现在|体现在)|具体(?:表现为|是)|如|比如)[：:，,]?"
)
_SAYING = re.compile(r"[，,](?:主要(?:是|表现在|体现在)|具体(?:表现为|是)|如|比如)[：:，,]?$")
# A line of a plans list: numbered, or an enumerated piece (一是…), after the line that announced the plans.
_LISTED = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、．.]|[一二三四五六七八九十]+[是要])")


def _forward_out_of_problems(parts: ReportParts, year: int | None) -> None:
    """What will be done, told inside the problems section: next year's plans, not a problem.

    Drafters give each problem its remedy in the problem's own paragraph ("…执法过错时有发生。整改措施：
    开展执法人员分级分类培训…"), each remedy a run of plans of its own; and they often close the section
    with "下一步，我局将…" and give the plans no heading of their own: that sentence, and the items it
    announces, are the plans.
    """
    k = placed = 0
    while k < len(parts.problems):
        sentences = split_sentences(parts.problems[k])
        measure = next((n for n, s in enumerate(sentences) if n and MEASURES.match(s)), None)
        if measure is not None:  # the problem first, then its 整改措施: one run of plans each
            kept, remedy = "".join(sentences[:measure]).strip(), "".join(sentences[measure:]).strip()
            parts.problems[k] = kept
            _plans_before(parts, placed, [remedy])
            placed += 1
            k += 1
            continue
        at = next((n for n, s in enumerate(sentences) if looks_forward(s, year)), None)
        if at is None:
            k += 1
            continue
        kept, forward = "".join(sentences[:at]).strip(), "".join(sentences[at:]).strip()
        rest = parts.problems[k + 1 :]
        listed = 0
        while listed < len(rest) and _LISTED.match(rest[listed]):
            listed += 1
        moved = [forward, *rest[:listed]]
        parts.problems[k:] = ([kept] if kept else []) + rest[listed:]
        moved = [m for m in moved if not (len(moved) == 1 and is_stock_pledge(m))]
        if moved:
            _plans_before(parts, placed, moved)
        return


def _plans_before(parts: ReportParts, block: int, lines: list[str]) -> None:
    """A run of plans told in the problems section: before the plans told after it (the text's order)."""
    at = sum(len(b) for b in parts.plan_blocks[:block])
    parts.plans[at:at] = lines
    parts.plan_blocks.insert(block, lines)
    parts.present.add("plans")


def _embedded_problems(parts: ReportParts) -> None:
    """Shortcomings told in the opening paragraph of the plans (or of a closing paragraph) move to the problems."""
    for name in ("plans", "achievements"):
        lines = getattr(parts, name)
        for k, line in enumerate(lines):
            lead = _EMBEDDED_LEAD.search(line)
            if not lead:
                continue
            end = line.find("。", lead.end())
            end = len(line) if end < 0 else end + 1
            said = line[lead.end():end].strip()
            if not said or not WEAKNESS.search(said):
                continue
            parts.problems.append(said)
            parts.present.add("shortcomings")
            lead_in = _SAYING.sub("。", line[: lead.end()])  # "…还有差距，主要是" → "…还有差距。"
            lines[k] = (lead_in + line[end:]).strip()


def problem_items(lines: list[str]) -> list[str]:
    """The separate shortcomings, each whole with its explanation: numbered items, 一是… entries, or
    the problem sentences of a paragraph (two clauses naming unrelated weaknesses are two); lead-ins dropped."""
    from diffing.outline import numbering, split_enumeration

    items: list[str] = []
    numbered = any(numbering(line) for line in lines)
    open_item = False  # the last item may take the next unnumbered line as its explanation
    for line in lines:
        if _CAUSES.match(line) or (numbered and not numbering(line)) or (open_item and EXPLANATION.match(line)):
            if items and open_item:
                items[-1] += line
            continue
        pieces = split_enumeration(line)
        starts_enumerated = bool(pieces[0][0]) and line.startswith(pieces[0][0]) or bool(re.match(r"^[一二三四五六七八九十]+是", line))
        if numbering(line) and len(pieces) > 1 and _names_a_part(line, pieces[0][1]):
            items += [piece for _marker, piece in pieces]  # "(一)存在问题。一是…二是…": the heading names the part
            open_item = False
        elif numbering(line) or (starts_enumerated and len(pieces) == 1):
            items.append(line)  # a numbered item or a 一是… line: one problem, however many sentences
            open_item = True
        elif len(pieces) > 1:
            items += [piece for _marker, piece in pieces]  # whatever precedes 一是 is a lead-in
            open_item = False
        else:
            items += _prose_problems(_without_lead(line))
            open_item = False
    return [item for item in (_without_lead(i) for i in items) if item and not _PROBLEMS_LEAD.search(item)]


def _names_a_part(line: str, first_piece: str) -> bool:
    """Whether what a numbered line says before its first 一是… only names the part ((一)存在问题。 / 存在的
    问题和不足：), so that each entry after it is a problem of its own, not the explanation of one."""
    found = match_marker(line)
    lead = line[len(found[0]) if found else 0 : line.find(first_piece)].strip().rstrip("。:：，, ")
    return bool(lead) and len(lead) <= _TITLE_CHARS and not re.search(r"[，,。；;]", lead) and bool(
        _PART_NAME.search(lead)) and classify_part(lead) == "shortcomings"  # fmt: skip


def _prose_problems(paragraph: str) -> list[str]:
    """Problems said in prose: a sentence naming a weakness starts one, the sentences explaining it follow."""
    items: list[str] = []
    for sentence in split_sentences(paragraph):
        if items and (EXPLANATION.match(sentence) or EVIDENCE.match(sentence) or not WEAKNESS.search(sentence)):
            items[-1] += sentence
            continue
        items += _unrelated_clauses(sentence)
    return items


def _unrelated_clauses(sentence: str) -> list[str]:
    """"群众的法律意识还较薄弱,干部执法水平有待进一步提高": two weaknesses of two subjects are two problems."""
    from diffing.topics import chapters_of

    clauses = [c for c in re.split(r"(?<=[，,；;])", sentence) if c.strip()]
    if len(clauses) < 2 or not all(WEAKNESS.search(c) for c in clauses):
        return [sentence]
    actors = [ACTORS.match(c.strip()) for c in clauses]
    chapters = [chapters_of(c) for c in clauses]
    apart = all(
        (actors[k] and actors[k + 1] and actors[k].group(1) != actors[k + 1].group(1))
        or (chapters[k] and chapters[k + 1] and not chapters[k] & chapters[k + 1])
        for k in range(len(clauses) - 1)
    )
    return [c.rstrip("，,；;") for c in clauses] if apart else [sentence]


def _without_lead(item: str) -> str:
    """"…还存在许多问题,主要表现在:创新力度不够" → "创新力度不够" (a lead-in, not a problem's own sentences)."""
    colon = re.search(r"[:：]", item)
    if colon and "。" not in item[: colon.start()] and _PROBLEMS_LEAD.search(item[: colon.end()]):
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
