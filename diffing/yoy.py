"""One agency's report of year N against its report of year N+1: what was promised, done, still wrong.

A reader of two consecutive reports wants to know which promises were kept, reworded, split,
merged, quietly dropped or newly made; whether year N+1 reports doing what year N promised (and
in which sentence); which shortcomings keep coming back; how the figures moved; how much of the
new report is copied text; and whether the reports meet the rule (published by 1 April, every
required part there, no year missing). Items are matched on meaning (``diffing.meaning``), with
thresholds tuned on the tuning half of the labelled pairs (benchmarks/diffing.py --quality).

``YearOverYear.to_dict()`` is what ``fazhi diff --format json`` prints for two years:

- ``commitments``: ``kept`` / ``changed`` / ``dropped`` / ``added`` — lists of
  ``{"previous": item|null, "current": item|null, "score", "diff"?}``, an item being
  ``{"id", "path", "marker", "text"}``; ``split`` — ``{"previous": item, "current": [item, …]}``;
  ``merged`` — ``{"previous": [item, …], "current": item}``.
- ``follow_through``: one per year-N plan, ``{"commitment": item, "sentence": str|null, "score",
  "status": "reported"|"not reported", "evidence": [str, …]}``.
- ``problems``: ``recurring`` / ``resolved`` / ``new`` — ``{"previous", "current", "score"}``.
- ``figures``: ``{"label", "before", "after", "changed"}`` for every figure found in both years.
- ``boilerplate``: sentence counts and shares copied from year N and from other agencies.
- ``compliance``: ``{"kind": "late"|"missing_part"|"missing_year", "year", "detail"}``.
- ``counts``: the number of each finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from diffing.commitments import MATCH_STATUSES, CommitmentMatch, match_commitments
from diffing.figure_pairs import Candidate, with_margins
from diffing.figure_pairs import assign as assign_figures
from diffing.figure_pairs import base_features as figure_base_features
from diffing.figures import Figure, extract_figures, figure_amount, unit_family
from diffing.followthrough import (
    FollowThrough,
    copied_keys,
    evidence_sentences,
    follow_through,
    says_not_done,
    undone_by_problems,
)
from diffing.meaning import GENERIC, Background, background, gist
from diffing.outline import Commitment, commitment_id, commitments, normalise
from diffing.pairing import load_model
from diffing.sections import ReportParts, achievement_sentences, as_report, problem_items, report_parts
from diffing.sentences import split_sentences
from diffing.textdiff import _words, diff_texts
from extraction.report import Report
from extraction.section_terms import REQUIRED_PARTS

# Problems are paired by their own pairing model (diffing.pairing); a pair needs log-odds above this.
# Below 0: the one-to-one assignment already keeps each problem to its likeliest partner, and a problem
# carried over is reworded further than a plan (合法性审查专业力量较为欠缺 → 合法性审核力量依然薄弱).
# Leave-one-pair-out on the 35 tuning pairs: 0 → recurring 0.922, new 0.892; -1 → 0.932, 0.900; -2 → 0.935, 0.892.
PROBLEM_MATCH_AT = -1.0
# Two figures less alike than this (0–100) are not even weighed as a pair (the figure model decides the rest).
FIGURE_CANDIDATE_AT = 30.0
# What a figure's score is made of, by weight: its label (the clause before it), the noun after a
# measure word (37个网格单元), the words within FIGURE_WINDOW characters before it, and how alike the
# two sentences are (one template refilled with this year's numbers).
FIGURE_LABEL_SHARE = 0.4
FIGURE_NOUN_SHARE = 0.4
FIGURE_NEAR_SHARE = 0.2
FIGURE_SENTENCE_SHARE = 0.5
FIGURE_WINDOW = 20
# A noun after one value found in the other's label counts for this much of a match of nouns.
CROSS_NOUN_FACTOR = 0.8
# Sentences shorter than this (normalised characters) are too generic to call copied.
BOILERPLATE_MIN_CHARS = 12
# The rule: a report on year N is public by 1 April of year N+1.
DEADLINE = (4, 1)
REQUIRED_PART_LABELS = {
    "achievements": "上一年度推进法治政府建设的主要举措和成效",
    "leadership": "党政主要负责人履行推进法治建设第一责任人职责情况",
    "shortcomings": "存在的不足和原因",
    "plans": "下一年度推进法治政府建设的主要安排",
}
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")


@dataclass
class ProblemMatch:
    status: str  # recurring / resolved / new
    previous: str | None
    current: str | None
    score: float


@dataclass
class PairedFigure:
    """One measure reported in both years: its values as written (174余条 → 203条) and where they stand."""

    label: str
    before: str
    after: str
    before_sentence: str
    after_sentence: str
    before_at: int = 0  # offset of the value in its sentence
    after_at: int = 0
    before_amount: float | None = None  # in the unit family's base unit (1.2万人次 → 12000), when known
    after_amount: float | None = None

    @property
    def changed(self) -> bool:
        if self.before_amount is not None and self.after_amount is not None:
            return self.before_amount != self.after_amount
        return _figure_value(self.before) != _figure_value(self.after)


def _figure_value(text: str) -> str:
    """The number of a figure as written, 余/多/约 and unit words aside: 160余人 = 160人次 as a value."""
    m = _DIGITS.search(text)
    return m.group(0) if m else text


@dataclass
class Boilerplate:
    """How much of year N+1's text is copied: from year N's report, and from other agencies' reports."""

    sentences: int
    from_previous: int
    from_others: int

    @property
    def previous_share(self) -> float:
        return self.from_previous / self.sentences if self.sentences else 0.0

    @property
    def others_share(self) -> float:
        return self.from_others / self.sentences if self.sentences else 0.0


@dataclass
class ComplianceFinding:
    """Where a report falls short of the rule: ``late``, ``missing_part`` or ``missing_year``."""

    kind: str
    year: int | None
    detail: str
    part: str | None = None  # for missing_part: the required part (extraction's part names)


@dataclass
class YearOverYear:
    commitments: list[CommitmentMatch]
    follow_through: list[FollowThrough]
    problems: list[ProblemMatch]
    figures: list[PairedFigure]
    boilerplate: Boilerplate
    counts: dict[str, int] = field(default_factory=dict)
    compliance: list[ComplianceFinding] = field(default_factory=list)

    def commitments_with(self, status: str) -> list[CommitmentMatch]:
        return [m for m in self.commitments if m.status == status]

    def problems_with(self, status: str) -> list[ProblemMatch]:
        return [p for p in self.problems if p.status == status]

    @property
    def changed_figures(self) -> list[PairedFigure]:
        return [f for f in self.figures if f.changed]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the keys of `fazhi diff --format json` (shape in the module docstring)."""
        return {
            "commitments": {status: [_match_dict(m) for m in self.commitments_with(status)] for status in MATCH_STATUSES},
            "follow_through": [
                {
                    "commitment": _commitment_dict(f.commitment), "sentence": f.sentence, "score": round(f.score, 3),
                    "status": f.status, "evidence": f.evidence,
                }
                for f in self.follow_through
            ],
            "problems": {
                status: [
                    {"previous": p.previous, "current": p.current, "score": round(p.score, 1)}
                    for p in self.problems_with(status)
                ]
                for status in ("recurring", "resolved", "new")
            },
            "figures": [
                {"label": f.label, "before": f.before, "after": f.after, "changed": f.changed} for f in self.figures
            ],
            "boilerplate": {
                "sentences": self.boilerplate.sentences,
                "from_previous": self.boilerplate.from_previous,
                "from_others": self.boilerplate.from_others,
                "previous_share": round(self.boilerplate.previous_share, 3),
                "others_share": round(self.boilerplate.others_share, 3),
            },
            "compliance": [asdict(c) for c in self.compliance],
            "counts": dict(self.counts),
        }


def _commitment_dict(c: Commitment | None) -> dict[str, str] | None:
    return None if c is None else {"id": c.id, "path": c.path, "marker": c.marker, "text": c.text}


def _match_dict(m: CommitmentMatch) -> dict[str, Any]:
    previous: Any = _commitment_dict(m.previous)
    current: Any = _commitment_dict(m.current)
    if m.status == "split":
        current = [_commitment_dict(c) for c in m.current_items]
    if m.status == "merged":
        previous = [_commitment_dict(c) for c in m.previous_items]
    out: dict[str, Any] = {"previous": previous, "current": current, "score": round(m.score, 1)}
    if m.tokens:
        out["diff"] = [asdict(t) for t in m.tokens]
    return out


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """Telling words of a text (two characters or more, not generic, years and numbers masked)."""
    masked = _DIGITS.sub("", _YEAR.sub("", normalise(text)))
    return frozenset(w for w in _words(masked) if len(w) >= 2 and w not in GENERIC)


def _as_items(texts: list[str]) -> list[Commitment]:
    return [Commitment(commitment_id(t), str(k), "", t, t) for k, t in enumerate(texts, 1)]


def compare_problems(
    previous: list[str],
    current: list[str],
    threshold: float = PROBLEM_MATCH_AT,
    field_words: frozenset[str] = frozenset(),
    context: Background | None = None,
) -> list[ProblemMatch]:
    """Shortcomings of year N against year N+1: recurring (paired by meaning), resolved (gone), new."""
    status = {"kept": "recurring", "changed": "recurring", "dropped": "resolved", "added": "new"}
    return [
        ProblemMatch(
            status[m.status],
            m.previous.text if m.previous else None,
            m.current.text if m.current else None,
            m.score,
        )
        for m in match_commitments(_as_items(previous), _as_items(current), changed_at=threshold,
                                   ignore=field_words, many=False, context=context, kind="problems")
    ]  # fmt: skip


def _figures_of(sentences: list[str]) -> list[tuple[Figure, str]]:
    return [(f, s) for s in sentences for f in extract_figures(s) if f.label or f.after]


def _near(figure: Figure, sentence: str) -> str:
    """The words just before a figure in its sentence, clause breaks ignored: context for a short label."""
    return _words_before(sentence, figure.start)


@lru_cache(maxsize=8192)
def _words_before(sentence: str, start: int) -> str:
    return " ".join(w for w in _words(sentence[max(0, start - FIGURE_WINDOW) : start]) if len(w) > 1)


def _figure_score(fa: Figure, fb: Figure, sa: str, sb: str, floor: float = 0.0) -> float:
    """How alike two figures are (0–100): label, the noun after them, the words near them, their sentences.

    Below ``floor`` the exact score does not matter: once the parts known so far cannot reach it, -1.
    """
    parts = _figure_parts(fa, fb, sa, sb, floor)
    return parts[0] if parts else -1.0


def _figure_parts(fa: Figure, fb: Figure, sa: str, sb: str, floor: float = 0.0
                  ) -> tuple[float, float, float, float, float] | None:  # fmt: skip
    """(score, label, noun, near, sentence likeness), each 0–100; None when the score cannot reach ``floor``."""
    likeness = _sentence_likeness(sa, sb)
    label = float(fuzz.ratio(fa.label, fb.label)) if fa.label and fb.label else 0.0
    if floor and fa.label and fb.label and not (fa.after or fb.after):
        best = FIGURE_LABEL_SHARE * label + FIGURE_NEAR_SHARE * 100 + FIGURE_SENTENCE_SHARE * likeness
        if best / (FIGURE_LABEL_SHARE + FIGURE_NEAR_SHARE + FIGURE_SENTENCE_SHARE) < floor:
            return None
    parts: list[tuple[float, float]] = []
    if fa.label and fb.label:
        parts.append((FIGURE_LABEL_SHARE, label))
    noun = 0.0
    if fa.after and fb.after:
        noun = float(fuzz.ratio(fa.after, fb.after))
        parts.append((FIGURE_NOUN_SHARE, noun))
    elif fa.after or fb.after:
        # 将186家企业纳入… / 纳入企业增至203家: what one names after the value the other names before it
        one, other = (fa, fb) if fa.after else (fb, fa)
        noun = CROSS_NOUN_FACTOR * fuzz.partial_ratio(one.after, other.label) if other.label else 0.0
        parts.append((FIGURE_NOUN_SHARE, noun))
    near = float(fuzz.token_set_ratio(_near(fa, sa), _near(fb, sb)))
    parts.append((FIGURE_NEAR_SHARE, near))
    parts.append((FIGURE_SENTENCE_SHARE, likeness))
    score = sum(w * x for w, x in parts) / sum(w for w, _ in parts)
    if floor and score < floor:
        return None
    return score, label, noun, near, likeness


@lru_cache(maxsize=16384)
def _sentence_likeness(a: str, b: str) -> float:
    """0–100: two sentences written from one template (受理198件，审结186件 / 受理247件，审结231件)."""
    return float(fuzz.token_sort_ratio(" ".join(_words(_DIGITS.sub("", a))), " ".join(_words(_DIGITS.sub("", b)))))


def figure_candidates(a: list[tuple[Figure, str]], b: list[tuple[Figure, str]]) -> list[Candidate]:
    """Pairs of figures of one unit family whose likeness reaches FIGURE_CANDIDATE_AT, measured."""
    by_family: dict[str, list[int]] = {}
    for j, (fb, _) in enumerate(b):
        by_family.setdefault(unit_family(fb.unit), []).append(j)
    out = []
    for i, (fa, sa) in enumerate(a):
        for j in by_family.get(unit_family(fa.unit), ()):
            fb, sb = b[j]
            parts = _figure_parts(fa, fb, sa, sb, FIGURE_CANDIDATE_AT)
            if parts:
                out.append(Candidate(i, j, figure_base_features(fa, fb, *parts)))
    return out


def pair_figures(previous: list[str], current: list[str]) -> list[PairedFigure]:
    """Figures of year N's and year N+1's sentences that count the same thing (``diffing.figure_pairs``)."""
    a, b = _figures_of(previous), _figures_of(current)
    candidates = figure_candidates(a, b)
    model = load_model("figures")
    pairs = assign_figures(candidates, [model.log_odds(x) for x in with_margins(candidates, FIGURE_CANDIDATE_AT / 100)])
    return [
        PairedFigure(b[j][0].label or a[i][0].label, a[i][0].text, b[j][0].text, a[i][1], b[j][1],
                     a[i][0].start, b[j][0].start, figure_amount(a[i][0].value, a[i][0].unit),
                     figure_amount(b[j][0].value, b[j][0].unit))  # fmt: skip
        for i, j in pairs
    ]


@lru_cache(maxsize=65536)
def sentence_key(sentence: str) -> str:
    """A sentence's identity for copy detection: normalised, numbers masked (a template keeps its wording)."""
    return _DIGITS.sub("#", normalise(sentence))


def sentence_keys(text: str) -> set[str]:
    return {k for k in map(sentence_key, split_sentences(text)) if len(k) >= BOILERPLATE_MIN_CHARS}


def boilerplate(previous_text: str, current_text: str, others: Container[str] = frozenset()) -> Boilerplate:
    """Count year N+1's sentences found word for word in year N's report, and in other agencies' reports.

    ``others`` holds the other reports' sentence keys (a set, or the site builder's index over all agencies).
    """
    keys = [sentence_key(s) for s in split_sentences(current_text)]
    keys = [k for k in keys if len(k) >= BOILERPLATE_MIN_CHARS]
    previous = sentence_keys(previous_text)
    return Boilerplate(len(keys), sum(k in previous for k in keys), sum(k in others for k in keys))


def _structure_key(report: Report) -> tuple[Any, ...]:
    return (report.text, report.report_year, tuple((s.marker, s.level, s.part, s.title) for s in report.sections))


_PARTS_CACHE: dict[tuple[Any, ...], ReportParts] = {}
_COMMITMENTS_CACHE: dict[tuple[Any, ...], list[Commitment]] = {}
_CACHE_SIZE = 256


def _cached(cache: dict[tuple[Any, ...], Any], report: Report, make: Any) -> Any:
    """In a timeline each report is year N+1 of one pair and year N of the next (read-only use)."""
    key = _structure_key(report)
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = make(report)
    return cache[key]


def _parts(report: Report) -> ReportParts:
    return _cached(_PARTS_CACHE, report, report_parts)


def _commitments(report: Report) -> list[Commitment]:
    return _cached(_COMMITMENTS_CACHE, report, commitments)


_parts.cache_clear = _PARTS_CACHE.clear  # type: ignore[attr-defined]
_commitments.cache_clear = _COMMITMENTS_CACHE.clear  # type: ignore[attr-defined]


def published_late(report: Report) -> ComplianceFinding | None:
    """A report on year N made public after 1 April of year N+1 (from the page's date)."""
    if not report.report_year or not report.published:
        return None
    try:
        published = dt.date.fromisoformat(report.published[:10])
    except ValueError:
        return None
    deadline = dt.date(report.report_year + 1, *DEADLINE)
    if published <= deadline:
        return None
    return ComplianceFinding("late", report.report_year, f"{report.report_year}年度报告{published.isoformat()}公开，晚于{deadline.isoformat()}")


def missing_parts(report: Report, parts: ReportParts | None = None) -> list[ComplianceFinding]:
    """Required parts (results, the leaders' duties, shortcomings, plans) the report does not have."""
    parts = parts or report_parts(report)
    present = set(parts.present)
    if parts.problems:
        present.add("shortcomings")
    if parts.plans:
        present.add("plans")
    return [
        ComplianceFinding("missing_part", report.report_year,
                          f"{report.report_year or ''}{'年度' if report.report_year else ''}报告缺少“{REQUIRED_PART_LABELS[part]}”",
                          part)  # fmt: skip
        for part in REQUIRED_PARTS
        if part not in present
    ]


def missing_years(old: Report, new: Report) -> list[ComplianceFinding]:
    """Years between two published reports of one agency with no report."""
    if not old.report_year or not new.report_year:
        return []
    low, high = sorted((old.report_year, new.report_year))
    return [ComplianceFinding("missing_year", year, f"{year}年度报告缺失（{low}年度与{high}年度均已公开）")
            for year in range(low + 1, high)]  # fmt: skip


def compliance(old: Report, new: Report, old_parts: ReportParts | None = None,
               new_parts: ReportParts | None = None) -> list[ComplianceFinding]:  # fmt: skip
    """Where the two reports fall short of the rule: late publication, a required part missing, a year missing."""
    found: list[ComplianceFinding] = []
    for report, parts in ((old, old_parts), (new, new_parts)):
        late = published_late(report)
        found += [late] if late else []
        found += missing_parts(report, parts)
    return found + missing_years(old, new)


def _measured(parts: ReportParts) -> list[str]:
    """Where a report states quantities: its results and its shortcomings (not its plans' targets)."""
    return achievement_sentences(parts) + split_sentences("\n".join(parts.problems))


def _field_words(agency: str, *titles: str) -> frozenset[str]:
    """The agency's own words (卫生, 健康 for a 卫生健康局): everywhere in its report, telling nothing."""
    words = set(content_words(" ".join([agency, *titles])))
    return frozenset(words | set(gist(" ".join([agency, *titles])).words))


def matching_context(old: Report, new: Report, agency: str = "") -> tuple[
        list[Commitment], list[Commitment], frozenset[str], Background]:  # fmt: skip
    """What plan matching reads: both years' plans, the agency's own words, how often the reports use each word."""
    old, new = as_report(old), as_report(new)
    old_parts, new_parts = _parts(old), _parts(new)
    field_words = _field_words(agency or new.agency or old.agency or "", old_parts.title, new_parts.title)
    return _commitments(old), _commitments(new), field_words, _background(old, new)


def problem_context(old: Report, new: Report, agency: str = "") -> tuple[
        list[Commitment], list[Commitment], frozenset[str], Background]:  # fmt: skip
    """What problem matching reads: both years' problems as items, the agency's own words, the word counts."""
    _old, _new, field_words, context = matching_context(old, new, agency)
    old_parts, new_parts = _parts(as_report(old)), _parts(as_report(new))
    return (_as_items(problem_items(old_parts.problems)), _as_items(problem_items(new_parts.problems)), field_words,
            context)  # fmt: skip


def _background(old: Report, new: Report) -> Background:
    return background([old.text, new.text])


def compare_years(
    old: Report | str,
    new: Report | str,
    other_texts: Iterable[str] = (),
    other_keys: Container[str] | None = None,
    agency: str = "",
) -> YearOverYear:
    """Year N's report against year N+1's: commitments, follow-through, problems, figures, boilerplate, compliance.

    Reports (with their stored ``sections``) or bare texts. ``other_texts`` are other agencies'
    reports (for template reuse); ``other_keys`` replaces them with a pre-built index of their
    sentence keys. ``agency`` (or the reports' titles) names the agency, whose own field words do
    not count towards matching.
    """
    old, new = as_report(old), as_report(new)
    old_parts, new_parts = _parts(old), _parts(new)
    field_words = _field_words(agency or new.agency or old.agency or "", old_parts.title, new_parts.title)
    promised = _commitments(old)
    context = background([old.text, new.text])
    matches = match_commitments(promised, _commitments(new), ignore=field_words, context=context)
    evidence, undone = [], []  # undone: "…提出的“…平台建设”，…尚未建成。"
    for sentence in evidence_sentences(new_parts, copied_keys(old.text)):
        (undone if says_not_done(sentence) else evidence).append(sentence)
    others = other_keys if other_keys is not None else set().union(*map(sentence_keys, other_texts))
    result = YearOverYear(
        commitments=matches,
        follow_through=undone_by_problems(
            follow_through(promised, evidence, field_words=field_words, context=context),
            problem_items(new_parts.problems) + undone, field_words, context),  # fmt: skip
        problems=compare_problems(problem_items(old_parts.problems), problem_items(new_parts.problems),
                                  field_words=field_words, context=context),  # fmt: skip
        figures=pair_figures(_measured(old_parts), _measured(new_parts)),
        boilerplate=boilerplate(old.text, new.text, others),
        compliance=compliance(old, new, old_parts, new_parts),
    )
    result.counts = {
        **{s: len(result.commitments_with(s)) for s in MATCH_STATUSES},
        "followed_through": sum(f.sentence is not None for f in result.follow_through),
        **{f"problems_{s}": len(result.problems_with(s)) for s in ("recurring", "resolved", "new")},
        "figures_changed": sum(f.changed for f in result.figures),
        "compliance": len(result.compliance),
    }
    return result


def diff_reports(old: Report | str, new: Report | str) -> dict[str, Any]:
    """Everything `fazhi diff OLD NEW --format json` shows for two years: the analysis plus the text diff."""
    old, new = as_report(old), as_report(new)
    return {
        **compare_years(old, new).to_dict(),
        "text_diff": diff_texts(old.text, new.text).to_dict(),
    }


__all__ = [
    "Boilerplate",
    "ComplianceFinding",
    "FollowThrough",
    "PairedFigure",
    "ProblemMatch",
    "ReportParts",
    "YearOverYear",
    "compare_years",
    "diff_reports",
]
