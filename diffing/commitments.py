"""Matching one year's plan commitments to the next year's: kept, changed, split, merged, dropped or added.

Plans are reworded from year to year, reordered and renumbered, cut in two and folded together, so
items are matched on what they commit to (``diffing.meaning``: their telling words and subjects,
not the domain words every item shares), not by position or exact text. The pairing is
many-to-many: an old item whose content two new items share between them is ``split``, two old
items taken up by one new item are ``merged``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from diffing.meaning import Gist, Weights, coverage, gist, similarity
from diffing.outline import Commitment, commitments, normalise
from diffing.textdiff import TokenOp, _words, diff_words
from diffing.topics import topics_of

# Wording (token_sort_ratio, 0–100, years masked) at or above which a paired commitment is kept as it was.
KEPT_AT = 90.0
# Meaning similarity (0–100) at or above which two commitments are one promise.
CHANGED_AT = 40.0
# A dropped and an added item naming the same subject, alone on both sides, pair from this similarity.
SUBJECT_PAIR_AT = 15.0
# A piece of a split (or a part of a merge) is said mostly inside the whole: coverage (0–100) from here.
PIECE_COVERAGE_AT = 55.0
# … and is close enough to it in meaning.
PIECE_AT = 25.0
# An item cut down to part of itself keeps most of its words: enough to pair (as changed), not to keep.
SUBSET_WEIGHT = 0.8
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
MATCH_STATUSES = ("kept", "changed", "split", "merged", "dropped", "added")


@dataclass
class CommitmentMatch:
    """One finding. ``previous``/``current`` are the first item of each side; a split has several
    ``current_items``, a merge several ``previous_items``."""

    status: str  # one of MATCH_STATUSES
    previous: Commitment | None
    current: Commitment | None
    score: float
    tokens: list[TokenOp] = field(default_factory=list)  # word diff when the wording differs at all
    previous_items: list[Commitment] = field(default_factory=list)
    current_items: list[Commitment] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.previous_items and self.previous is not None:
            self.previous_items = [self.previous]
        if not self.current_items and self.current is not None:
            self.current_items = [self.current]


def body(item: Commitment) -> str:
    """The text without its marker: renumbering (一)→(二) is not a change of the promise."""
    return item.text[len(item.marker) :] if item.marker and item.text.startswith(item.marker) else item.text


_body = body


def comparable(item: Commitment) -> str:
    """Space-joined jieba words of the text without its marker, years masked (2021年 ≈ 2022年)."""
    text = _YEAR.sub("YYYY", normalise(body(item)))
    return " ".join(_words(text))


def _targets(text: str) -> list[str]:
    """The numbers of a text but years: a changed target (覆盖率90%→100%) is a changed promise."""
    return [n for n in _NUMBER.findall(text) if not (len(n) == 4 and n[:2] in ("19", "20"))]


def same_wording(previous: Commitment, current: Commitment, kept_at: float = KEPT_AT) -> bool:
    """Kept word for word, but for years, numbering, punctuation and a few words; targets unchanged."""
    if _YEAR.sub("", normalise(body(previous))) == _YEAR.sub("", normalise(body(current))):
        return True
    return (
        fuzz.token_sort_ratio(comparable(previous), comparable(current)) >= kept_at
        and _targets(body(previous)) == _targets(body(current))
    )


@dataclass
class _Scores:
    gists_prev: list[Gist]
    gists_curr: list[Gist]
    weights: Weights
    pair: list[list[float]]  # 0–100
    subjects_prev: list[frozenset[str]]  # what each item's first clause names (diffing.topics)
    subjects_curr: list[frozenset[str]]

    def cover(self, part: Gist, whole: Gist) -> float:
        return 100.0 * coverage(part, whole, self.weights)


def _scores(previous: list[Commitment], current: list[Commitment], ignore: frozenset[str]) -> _Scores:
    gp = [gist(body(p), ignore) for p in previous]
    gc = [gist(body(c), ignore) for c in current]
    weights = Weights(gp + gc)
    surface = [[fuzz.token_sort_ratio(comparable(p), comparable(c)) for c in current] for p in previous]
    pair = [
        [max(100.0 * similarity(gp[i], gc[j], weights), surface[i][j] if surface[i][j] >= KEPT_AT else 0.0)
         for j in range(len(current))]
        for i in range(len(previous))
    ]  # fmt: skip
    return _Scores(gp, gc, weights, pair, [topics_of(p.title) for p in previous], [topics_of(c.title) for c in current])


def match_commitments(
    previous: list[Commitment],
    current: list[Commitment],
    kept_at: float = KEPT_AT,
    changed_at: float = CHANGED_AT,
    ignore: frozenset[str] = frozenset(),
    many: bool = True,
) -> list[CommitmentMatch]:
    """Every old item paired with what continues it (one, several or none) and every new item placed.

    ``ignore`` holds words that say nothing here (the agency's own field); ``many`` allows splits
    and merges. Findings come in the old items' order, then the added ones.
    """
    s = _scores(previous, current, ignore)
    candidates = sorted(
        ((s.pair[i][j], i, j) for i in range(len(previous)) for j in range(len(current))),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    paired: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in candidates:
        if score < changed_at:
            break
        if i in paired or j in used:
            continue
        paired[i] = j
        used.add(j)
    _pair_by_subject(s, paired, used, len(previous), len(current))
    splits: dict[int, list[int]] = {}
    merges: dict[int, list[int]] = {}
    if many:
        splits, merges = _many(s, paired, used, len(previous), len(current))
    return _findings(previous, current, s, paired, splits, merges, kept_at)


def _pair_by_subject(s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int) -> None:
    """Second pass: a dropped and an added item on the same subject are one promise reworded.

    Only items the first pass left alone, and only when the subject is theirs alone on both sides:
    two new items on 政务公开 against one old one say nothing about which continues it.
    """
    left_prev = [i for i in range(n_prev) if i not in paired]
    left_curr = [j for j in range(n_curr) if j not in used]
    candidates = []
    for i in left_prev:
        for j in left_curr:
            # the subject is what the item's first clause names; a term met in passing further on is not it
            shared = s.subjects_prev[i] & s.subjects_curr[j]
            if not shared or s.pair[i][j] < SUBJECT_PAIR_AT:
                continue
            rivals_prev = sum(1 for k in left_prev if s.subjects_prev[k] & shared)
            rivals_curr = sum(1 for k in left_curr if s.subjects_curr[k] & shared)
            if rivals_prev == 1 and rivals_curr == 1:
                candidates.append((len(shared), s.pair[i][j], i, j))
    for _count, _score, i, j in sorted(candidates, key=lambda t: (-t[0], -t[1], t[2], t[3])):
        if i not in paired and j not in used:
            paired[i] = j
            used.add(j)


def _many(
    s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Splits (old i → new items) and merges (new j ← old items) among what one-to-one pairing left."""
    by_curr = {j: i for i, j in paired.items()}
    splits: dict[int, list[int]] = {}
    for j in range(n_curr):
        if j in used:
            continue
        # an added item said inside an old one, which no other old item says better
        best = max(range(n_prev), key=lambda i: s.pair[i][j], default=None)
        if best is None or s.pair[best][j] < PIECE_AT or s.cover(s.gists_curr[j], s.gists_prev[best]) < PIECE_COVERAGE_AT:
            continue
        splits.setdefault(best, []).append(j)
    merges: dict[int, list[int]] = {}
    for i in range(n_prev):
        if i in paired:
            continue
        best = max(range(n_curr), key=lambda j: s.pair[i][j], default=None)
        if best is None or s.pair[i][best] < PIECE_AT or s.cover(s.gists_prev[i], s.gists_curr[best]) < PIECE_COVERAGE_AT:
            continue
        merges.setdefault(best, []).append(i)
    # the pair one-to-one matching made stays part of the split or merge it grows into
    found_splits = {i: sorted(([paired[i]] if i in paired else []) + extra) for i, extra in splits.items()}
    found_splits = {i: pieces for i, pieces in found_splits.items() if len(pieces) >= 2}
    in_splits = {j for pieces in found_splits.values() for j in pieces}
    found_merges = {j: sorted(([by_curr[j]] if j in by_curr else []) + extra) for j, extra in merges.items()}
    found_merges = {j: parts for j, parts in found_merges.items() if len(parts) >= 2 and j not in in_splits}
    return found_splits, found_merges


def _findings(
    previous: list[Commitment],
    current: list[Commitment],
    s: _Scores,
    paired: dict[int, int],
    splits: dict[int, list[int]],
    merges: dict[int, list[int]],
    kept_at: float,
) -> list[CommitmentMatch]:
    placed_prev: set[int] = set()
    placed_curr: set[int] = set()
    merged_at: dict[int, int] = {}  # first old item of a merge → its new item
    for j, parts in merges.items():
        merged_at[parts[0]] = j
    matches: list[CommitmentMatch] = []
    for i, item in enumerate(previous):
        if i in placed_prev:
            continue
        if i in splits:
            pieces = [current[j] for j in splits[i]]
            score = max(s.pair[i][j] for j in splits[i])
            matches.append(CommitmentMatch("split", item, pieces[0], score, current_items=pieces))
            placed_prev.add(i)
            placed_curr.update(splits[i])
            continue
        if i in merged_at:
            j = merged_at[i]
            parts = [previous[k] for k in merges[j]]
            score = max(s.pair[k][j] for k in merges[j])
            matches.append(CommitmentMatch("merged", item, current[j], score, previous_items=parts))
            placed_prev.update(merges[j])
            placed_curr.add(j)
            continue
        j = paired.get(i)
        if j is None or j in placed_curr:
            matches.append(CommitmentMatch("dropped", item, None, 0.0))
            placed_prev.add(i)
            continue
        kept = same_wording(item, current[j], kept_at)
        old_body, new_body = body(item), body(current[j])
        tokens = diff_words(old_body, new_body) if normalise(old_body) != normalise(new_body) else []
        matches.append(CommitmentMatch("kept" if kept else "changed", item, current[j], s.pair[i][j], tokens))
        placed_prev.add(i)
        placed_curr.add(j)
    matches += [CommitmentMatch("added", None, c, 0.0) for j, c in enumerate(current) if j not in placed_curr]
    return matches


def compare_plans(previous_report: str, current_report: str) -> list[CommitmentMatch]:
    """Year N's plans against year N+1's plans, from the two report texts."""
    return match_commitments(commitments(previous_report), commitments(current_report))
