"""Matching one year's plan commitments to the next year's: kept, changed, dropped or added.

Plans are reworded from year to year, reordered and renumbered, so items are matched by fuzzy
similarity of their jieba words (order-insensitive, years masked), not by position or exact text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from diffing.outline import Commitment, commitments, normalise
from diffing.textdiff import TokenOp, _words, diff_words
from diffing.topics import topics_of

# token_sort_ratio (0–100) at or above which a commitment counts as kept word for word / reworded.
KEPT_AT = 90.0
CHANGED_AT = 50.0
# An item cut down to part of itself keeps most of its words: enough to pair (as changed), not to keep.
SUBSET_WEIGHT = 0.8
# Two items that name different subjects (diffing.topics) pair on words only at this score or above:
# "推进互联网+政务服务,提升审批信息化" and "优化营商环境,压缩审批时限" share words, not a promise.
CROSS_SUBJECT_AT = 70.0
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
MATCH_STATUSES = ("kept", "changed", "dropped", "added")


@dataclass
class CommitmentMatch:
    status: str  # one of MATCH_STATUSES
    previous: Commitment | None
    current: Commitment | None
    score: float
    tokens: list[TokenOp] = field(default_factory=list)  # word diff when the wording differs at all


def _body(item: Commitment) -> str:
    """The text without its marker: renumbering (一)→(二) is not a change of the promise."""
    return item.text[len(item.marker) :] if item.marker and item.text.startswith(item.marker) else item.text


def _comparable(item: Commitment) -> str:
    """Space-joined jieba words of the text without its marker, years masked (2021年 ≈ 2022年)."""
    body = _YEAR.sub("YYYY", normalise(_body(item)))
    return " ".join(_words(body))


def _score(previous: str, current: str) -> float:
    """Word-order-insensitive similarity; a commitment cut down to part of itself still pairs (as changed)."""
    return max(fuzz.token_sort_ratio(previous, current), SUBSET_WEIGHT * _containment(previous, current))


def _targets(text: str) -> list[str]:
    """The numbers of a text but years: a changed target (覆盖率90%→100%) is a changed promise."""
    return [n for n in _NUMBER.findall(text) if not (len(n) == 4 and n[:2] in ("19", "20"))]


def _containment(previous: str, current: str) -> float:
    """Share (0–100) of the shorter item's words that the longer one also has."""
    a, b = Counter(previous.split()), Counter(current.split())
    shorter = min(sum(a.values()), sum(b.values()))
    return 100.0 * sum((a & b).values()) / shorter if shorter else 0.0


def match_commitments(
    previous: list[Commitment], current: list[Commitment], kept_at: float = KEPT_AT, changed_at: float = CHANGED_AT
) -> list[CommitmentMatch]:
    """Best one-to-one pairing (greedy on score); previous items in order, then the added ones."""
    prev_words, curr_words = [_comparable(p) for p in previous], [_comparable(c) for c in current]
    scores = [[_score(p, c) for c in curr_words] for p in prev_words]  # plans are short lists
    candidates = sorted(
        ((float(scores[i][j]), i, j) for i in range(len(previous)) for j in range(len(current))),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    prev_topics, curr_topics = [topics_of(p.title) for p in previous], [topics_of(c.title) for c in current]
    paired_prev: dict[int, tuple[int, float]] = {}
    used_curr: set[int] = set()
    for score, i, j in candidates:
        if score < changed_at:
            break
        if i in paired_prev or j in used_curr:
            continue
        if prev_topics[i] and curr_topics[j] and not prev_topics[i] & curr_topics[j] and score < CROSS_SUBJECT_AT:
            continue
        paired_prev[i] = (j, score)
        used_curr.add(j)
    _pair_by_topic(previous, current, prev_words, curr_words, paired_prev, used_curr)
    matches = []
    for i, item in enumerate(previous):
        if i not in paired_prev:
            matches.append(CommitmentMatch("dropped", item, None, 0.0))
            continue
        j, score = paired_prev[i]
        kept = (
            score >= kept_at
            and fuzz.token_sort_ratio(prev_words[i], curr_words[j]) >= kept_at
            and _targets(_body(item)) == _targets(_body(current[j]))
        )
        old_body, new_body = _body(item), _body(current[j])
        tokens = diff_words(old_body, new_body) if normalise(old_body) != normalise(new_body) else []
        matches.append(CommitmentMatch("kept" if kept else "changed", item, current[j], score, tokens))
    matches += [CommitmentMatch("added", None, c, 0.0) for j, c in enumerate(current) if j not in used_curr]
    return matches


def _pair_by_topic(
    previous: list[Commitment],
    current: list[Commitment],
    prev_words: list[str],
    curr_words: list[str],
    paired_prev: dict[int, tuple[int, float]],
    used_curr: set[int],
) -> None:
    """Second pass: a dropped and an added item on the same subject are one promise reworded.

    Only items the word match left alone, and only when the subject is theirs alone on both sides:
    two new items on 政务公开 against one old one say nothing about which continues it.
    """
    left_prev = [i for i in range(len(previous)) if i not in paired_prev]
    left_curr = [j for j in range(len(current)) if j not in used_curr]
    # The subject is what the item's first clause names; a term met in passing further on is not it.
    prev_topics = {i: topics_of(previous[i].title) for i in left_prev}
    curr_topics = {j: topics_of(current[j].title) for j in left_curr}
    candidates = []
    for i in left_prev:
        for j in left_curr:
            shared = prev_topics[i] & curr_topics[j]
            if not shared:
                continue
            rivals_prev = sum(1 for k in left_prev if prev_topics[k] & shared)
            rivals_curr = sum(1 for k in left_curr if curr_topics[k] & shared)
            if rivals_prev == 1 and rivals_curr == 1:
                candidates.append((len(shared), float(_score(prev_words[i], curr_words[j])), i, j))
    for _count, score, i, j in sorted(candidates, key=lambda t: (-t[0], -t[1], t[2], t[3])):
        if i in paired_prev or j in used_curr:
            continue
        paired_prev[i] = (j, score)
        used_curr.add(j)


def compare_plans(previous_report: str, current_report: str) -> list[CommitmentMatch]:
    """Year N's plans against year N+1's plans, from the two report texts."""
    return match_commitments(commitments(previous_report), commitments(current_report))
