"""One agency's report of year N against its report of year N+1: what was promised, done, still wrong.

A reader of two consecutive reports wants to know which promises were kept, reworded, quietly
dropped or newly made; whether year N+1 reports doing what year N promised; which shortcomings keep
coming back; how the figures moved; and how much of the new report is copied text. All matching
is by similarity of jieba words, with thresholds tuned on the labelled pairs in tests/fixtures/yoy
(see benchmarks/diffing.py --quality): each threshold sits inside the range that scores 1.0 on the
six tuning pairs (follow-through 0.1–0.4, problems 55–75, commitment pairing 40–60 and kept 90–95
in diffing.commitments, figure labels 40–80). Held-out pairs 07–08 were scored only after tuning
(1.0); 09–10 were written after that and first scored follow-through precision 0.8, which led to
two fixes (a report's title line is not an achievement; the agency's own field words do not count).
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from diffing.commitments import CommitmentMatch, match_commitments
from diffing.figures import Figure, extract_figures
from diffing.outline import Commitment, commitment_id, commitments, normalise
from diffing.sections import ReportParts, achievement_sentences, problem_items, report_parts
from diffing.sentences import split_sentences
from diffing.textdiff import _words, diff_texts

# Follow-through: share-of-words score (0–1) at or above which a sentence reports on a commitment.
FOLLOW_THROUGH_AT = 0.3
FOLLOW_THROUGH_MIN_WORDS = 2
# Problems are shorter and more formulaic than commitments: pair them from this rapidfuzz score.
PROBLEM_MATCH_AT = 65.0
# Figure labels reworded across the years (审核合同 / 审核各类合同) still pair from this ratio.
FIGURE_LABEL_AT = 60.0
# Sentences shorter than this (normalised characters) are too generic to call copied.
BOILERPLATE_MIN_CHARS = 12

# Words every report uses: they say nothing about which commitment a sentence reports on.
_GENERIC_WORDS = frozenset(
    "加强 推进 进一步 深入 深化 全面 持续 继续 不断 切实 扎实 积极 大力 着力 努力 强化 完善 健全 建立 落实 "
    "提升 提高 开展 做好 工作 建设 法治 政府 依法 行政 我镇 我县 我区 我市 我局 全县 全镇 全区 全市 机制 制度 "
    "体系 水平 能力 有关 相关 各项 各类 一批 一步 年度 今年 明年 全年 共计 累计 以上 组织 实施 实现 推动 确保 "
    "规范 严格 重点 主要 情况 方面 部门 单位 同时 以及 通过 围绕 坚持".split()
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")


@dataclass
class FollowThrough:
    """A commitment of year N and the sentence of year N+1's achievements that reports on it (or None)."""

    commitment: Commitment
    sentence: str | None
    score: float


@dataclass
class ProblemMatch:
    status: str  # recurring / resolved / new
    previous: str | None
    current: str | None
    score: float


@dataclass
class PairedFigure:
    label: str
    before: str
    after: str
    before_sentence: str
    after_sentence: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


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
class YearOverYear:
    commitments: list[CommitmentMatch]
    follow_through: list[FollowThrough]
    problems: list[ProblemMatch]
    figures: list[PairedFigure]
    boilerplate: Boilerplate
    counts: dict[str, int] = field(default_factory=dict)

    def commitments_with(self, status: str) -> list[CommitmentMatch]:
        return [m for m in self.commitments if m.status == status]

    def problems_with(self, status: str) -> list[ProblemMatch]:
        return [p for p in self.problems if p.status == status]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the keys of `fazhi diff --format json` (docs/CONTRACTS.md §4)."""
        return {
            "commitments": {
                status: [_match_dict(m) for m in self.commitments_with(status)]
                for status in ("kept", "changed", "dropped", "added")
            },
            "follow_through": [
                {"commitment": _commitment_dict(f.commitment), "sentence": f.sentence, "score": round(f.score, 3)}
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
        }


def _commitment_dict(c: Commitment | None) -> dict[str, str] | None:
    return None if c is None else {"id": c.id, "path": c.path, "marker": c.marker, "text": c.text}


def _match_dict(m: CommitmentMatch) -> dict[str, Any]:
    out: dict[str, Any] = {
        "previous": _commitment_dict(m.previous),
        "current": _commitment_dict(m.current),
        "score": round(m.score, 1),
    }
    if m.tokens:
        out["diff"] = [asdict(t) for t in m.tokens]
    return out


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """Telling words of a text (two characters or more, not generic, years and numbers masked)."""
    masked = _DIGITS.sub("", _YEAR.sub("", normalise(text)))
    return frozenset(w for w in _words(masked) if len(w) >= 2 and w not in _GENERIC_WORDS)


def _overlap_score(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over the geometric mean of the two sizes (a set cosine): long sentences get no bonus."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


_CLAUSE = re.compile(r"[，,；;。]")


@lru_cache(maxsize=16384)
def _clause_windows(sentence: str) -> tuple[frozenset[str], ...]:
    """Words of the sentence and of each run of one or two clauses: a report packs several results into one sentence."""
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    windows = [content_words(sentence)]
    if len(clauses) > 1:
        windows += [content_words("".join(clauses[k : k + 2])) for k in range(len(clauses))]
        windows += [content_words(c) for c in clauses]
    return tuple(windows)


def follow_through(
    promised: list[Commitment],
    sentences: list[str],
    threshold: float = FOLLOW_THROUGH_AT,
    field_words: frozenset[str] = frozenset(),
) -> list[FollowThrough]:
    """Each commitment paired with at most one achievement sentence, best pairs first (one-to-one).

    ``field_words`` are the agency's own words (卫生, 健康 for a 卫生健康局): in its report they are
    everywhere, so sharing them says nothing about which promise a sentence reports on.
    """
    promised_words = [content_words(c.text) - field_words for c in promised]
    sentence_parts = [tuple(w - field_words for w in _clause_windows(s)) for s in sentences]
    candidates = []
    for i, cw in enumerate(promised_words):
        for j, windows in enumerate(sentence_parts):
            score = max(
                (_overlap_score(cw, sw) for sw in windows if len(cw & sw) >= FOLLOW_THROUGH_MIN_WORDS), default=0.0
            )
            if score >= threshold:
                candidates.append((score, i, j))
    chosen: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for score, i, j in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
        if i not in chosen and j not in used:
            chosen[i] = (j, score)
            used.add(j)
    return [
        FollowThrough(c, sentences[chosen[i][0]], chosen[i][1]) if i in chosen else FollowThrough(c, None, 0.0)
        for i, c in enumerate(promised)
    ]


def _as_items(texts: list[str]) -> list[Commitment]:
    return [Commitment(commitment_id(t), str(k), "", t, t) for k, t in enumerate(texts, 1)]


def compare_problems(previous: list[str], current: list[str], threshold: float = PROBLEM_MATCH_AT) -> list[ProblemMatch]:
    """Shortcomings of year N against year N+1: recurring (paired), resolved (gone), new."""
    status = {"kept": "recurring", "changed": "recurring", "dropped": "resolved", "added": "new"}
    return [
        ProblemMatch(
            status[m.status],
            m.previous.text if m.previous else None,
            m.current.text if m.current else None,
            m.score,
        )
        for m in match_commitments(_as_items(previous), _as_items(current), changed_at=threshold)
    ]


def _figures_of(sentences: list[str]) -> list[tuple[Figure, str]]:
    return [(f, s) for s in sentences for f in extract_figures(s) if f.label]


def pair_figures(
    previous: list[str], current: list[str], label_at: float = FIGURE_LABEL_AT
) -> list[PairedFigure]:
    """Figures of year N's and year N+1's sentences with the same unit and the same (or a close) label."""
    a, b = _figures_of(previous), _figures_of(current)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, (fa, _) in enumerate(a):  # identical labels first
        j = next((j for j, (fb, _) in enumerate(b) if j not in used_b and fb.label == fa.label and fb.unit == fa.unit), None)
        if j is not None:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    candidates = sorted(
        (
            (fuzz.ratio(fa.label, fb.label), i, j)
            for i, (fa, _) in enumerate(a)
            if i not in used_a
            for j, (fb, _) in enumerate(b)
            if j not in used_b and fb.unit == fa.unit
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, i, j in candidates:
        if score < label_at:
            break
        if i not in used_a and j not in used_b:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    pairs.sort()
    return [
        PairedFigure(b[j][0].label, a[i][0].value + a[i][0].unit, b[j][0].value + b[j][0].unit, a[i][1], b[j][1])
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


@lru_cache(maxsize=256)
def _parts(text: str) -> ReportParts:
    """Cached: in a timeline each report is year N+1 of one pair and year N of the next (read-only use)."""
    return report_parts(text)


@lru_cache(maxsize=256)
def _commitments(text: str) -> list[Commitment]:
    return commitments(text)


def compare_years(
    old_text: str,
    new_text: str,
    other_texts: Iterable[str] = (),
    other_keys: Container[str] | None = None,
    agency: str = "",
) -> YearOverYear:
    """Year N's report against year N+1's: commitments, follow-through, problems, figures, boilerplate.

    ``other_texts`` are other agencies' reports (for template reuse); ``other_keys`` replaces them
    with a pre-built index of their sentence keys. ``agency`` (or the reports' title lines) names
    the agency, whose own field words do not count towards follow-through.
    """
    old_parts, new_parts = _parts(old_text), _parts(new_text)
    promised = _commitments(old_text)
    matches = match_commitments(promised, _commitments(new_text))
    new_sentences = achievement_sentences(new_parts)
    others = other_keys if other_keys is not None else set().union(*map(sentence_keys, other_texts))
    result = YearOverYear(
        commitments=matches,
        follow_through=follow_through(
            promised, new_sentences, field_words=content_words(f"{agency} {old_parts.title} {new_parts.title}")
        ),
        problems=compare_problems(problem_items(old_parts.problems), problem_items(new_parts.problems)),
        figures=pair_figures(achievement_sentences(old_parts), new_sentences),
        boilerplate=boilerplate(old_text, new_text, others),
    )
    result.counts = {
        **{s: len(result.commitments_with(s)) for s in ("kept", "changed", "dropped", "added")},
        "followed_through": sum(f.sentence is not None for f in result.follow_through),
        **{f"problems_{s}": len(result.problems_with(s)) for s in ("recurring", "resolved", "new")},
        "figures_changed": sum(f.changed for f in result.figures),
    }
    return result


def diff_reports(old_text: str, new_text: str) -> dict[str, Any]:
    """Everything `fazhi diff OLD NEW --format json` shows: the year-over-year analysis plus the text diff."""
    return {**compare_years(old_text, new_text).to_dict(), "text_diff": diff_texts(old_text, new_text).to_dict()}


__all__ = [
    "Boilerplate",
    "FollowThrough",
    "PairedFigure",
    "ProblemMatch",
    "ReportParts",
    "YearOverYear",
    "compare_years",
    "diff_reports",
]
