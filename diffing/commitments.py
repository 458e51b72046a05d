"""Matching one year's plan commitments to the next year's: kept, changed, split, merged, dropped or added.

Plans are reworded from year to year, reordered and renumbered, cut in two and folded together, so
items are matched on what they commit to (``diffing.meaning``: their telling words and subjects,
not the domain words every item shares), not by exact text. The pairing is many-to-many: an old
item whose content two new items share between them is ``split``, two old items taken up by one
new item are ``merged``. It runs in passes, surest first: pairs close in meaning; splits and
merges; two left-over items each other's closest by a margin; a subject only they name on both
sides; and, as drafters rewrite a list item by item, a lone old and a lone new item between two
pairs in list order whose first sentences share a word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from diffing.meaning import (
    DIFFERENT_SUBJECT_FACTOR,
    GENERIC,
    Background,
    Gist,
    Weights,
    coverage,
    gist,
    similarity,
)
from diffing.outline import Commitment, commitments, normalise
from diffing.textdiff import TokenOp, _words, diff_words
from diffing.topics import topics_of

# Wording (token_sort_ratio, 0–100, years masked) at or above which a paired commitment is kept as it was.
KEPT_AT = 90.0
# A kept commitment differs by at most this many telling words (added or removed).
KEPT_CHANGED_WORDS = 2
# Meaning similarity (0–100) at or above which two commitments are one promise.
CHANGED_AT = 40.0
# Two items that are each other's closest of all pair from here.
MUTUAL_AT = 25.0
MUTUAL_MARGIN = 1.25  # … and closer than to anything else by this factor
# Between two pairs in list order, the one old and the one new item left in the gap pair from here.
GAP_AT = 15.0
# A dropped and an added item naming the same subject, alone on both sides, pair from this similarity.
SUBJECT_PAIR_AT = 15.0
# A piece of a split (or a part of a merge) is closest to an item already paired, and as close as a
# pair needs to be — or said mostly inside it (coverage 0–100) and close to it in meaning.
PIECE_AT = CHANGED_AT
PIECE_COVERAGE_AT = 55.0
PIECE_CLOSE_AT = 25.0
# … or closest to it, this close, and saying this much more of it (coverage points) than the other pieces.
PIECE_LOW_AT = 15.0
PIECE_GAIN = 15.0
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


def comparable(item: Commitment) -> str:
    """Space-joined jieba words of the text without its marker, years masked (2021年 ≈ 2022年)."""
    text = _YEAR.sub("YYYY", normalise(body(item)))
    return " ".join(_words(text))


def _targets(text: str) -> list[str]:
    """The numbers of a text but years: a changed target (覆盖率90%→100%) is a changed promise."""
    return [n for n in _NUMBER.findall(text) if not (len(n) == 4 and n[:2] in ("19", "20"))]


def same_wording(previous: Commitment, current: Commitment, kept_at: float = KEPT_AT) -> bool:
    """Kept: the same words but for years, numbering, punctuation and a word or two; targets unchanged."""
    a, b = comparable(previous).split(), comparable(current).split()
    if a == b:
        return True
    if _targets(body(previous)) != _targets(body(current)):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed = [w for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal" for w in a[i1:i2] + b[j1:j2]]
    telling = sum(1 for w in changed if len(w) > 1 and w not in GENERIC)
    # a word or two, and a small part of what the item says (a short item reworded is not kept)
    size = sum(1 for w in a if len(w) > 1 and w not in GENERIC)
    return telling <= KEPT_CHANGED_WORDS and telling <= max(1, size // 3) and (
        telling <= 1 or fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= kept_at
    )


@dataclass
class _Scores:
    gists_prev: list[Gist]
    gists_curr: list[Gist]
    weights: Weights
    pair: list[list[float]]  # 0–100
    subjects_prev: list[frozenset[str]]  # what each item's first clause names (diffing.topics)
    subjects_curr: list[frozenset[str]]

    titles_prev: list[Gist] = field(default_factory=list)
    titles_curr: list[Gist] = field(default_factory=list)

    def cover(self, part: Gist, whole: Gist) -> float:
        return 100.0 * coverage(part, whole, self.weights)

    def titles_share(self, i: int, j: int) -> bool:
        return bool(self.titles_prev[i].words & self.titles_curr[j].words)


def _scores(
    previous: list[Commitment], current: list[Commitment], ignore: frozenset[str], context: Background | None = None
) -> _Scores:
    gp = [gist(body(p), ignore) for p in previous]
    gc = [gist(body(c), ignore) for c in current]
    weights = Weights(gp + gc, context)
    surface = [[fuzz.token_sort_ratio(comparable(p), comparable(c)) for c in current] for p in previous]
    subjects_prev, subjects_curr = [topics_of(p.title) for p in previous], [topics_of(c.title) for c in current]
    pair = [
        [max(100.0 * similarity(gp[i], gc[j], weights) * _subject_factor(subjects_prev[i], subjects_curr[j]),
             surface[i][j] if surface[i][j] >= KEPT_AT else 0.0)
         for j in range(len(current))]
        for i in range(len(previous))
    ]  # fmt: skip
    return _Scores(gp, gc, weights, pair, subjects_prev, subjects_curr,
                   [gist(_heading(p), ignore) for p in previous], [gist(_heading(c), ignore) for c in current])  # fmt: skip


def _heading(item: Commitment) -> str:
    """The item's first sentence (its heading when it has one): 深入总结法治经验，努力建立长效机制。"""
    return re.split(r"[。；;]", body(item), maxsplit=1)[0]


def _subject_factor(a: frozenset[str], b: frozenset[str]) -> float:
    """Items whose first clauses name different subjects (示范创建 / 公共法律服务) are different promises,
    whatever they mention further on."""
    return DIFFERENT_SUBJECT_FACTOR if a and b and not a & b else 1.0


def match_commitments(
    previous: list[Commitment],
    current: list[Commitment],
    kept_at: float = KEPT_AT,
    changed_at: float = CHANGED_AT,
    ignore: frozenset[str] = frozenset(),
    many: bool = True,
    by_subject: bool = True,
    context: Background | None = None,
) -> list[CommitmentMatch]:
    """Every old item paired with what continues it (one, several or none) and every new item placed.

    ``ignore`` holds words that say nothing here (the agency's own field); ``many`` allows splits
    and merges; ``by_subject`` lets items pair on a subject they alone name and on their place in
    the list (plans are rewritten item by item; problems are not); ``context`` holds how often
    the two reports use each word. Findings come in the old items' order, then the added ones.
    """
    s = _scores(previous, current, ignore, context)
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
    splits: dict[int, list[int]] = {}
    merges: dict[int, list[int]] = {}
    if many:
        splits, merges = _many(s, paired, used, len(previous), len(current))
    taken_prev = {i for i in splits} | {i for parts in merges.values() for i in parts}
    taken_curr = {j for pieces in splits.values() for j in pieces} | set(merges)
    _pair_mutual_best(s, paired, used | taken_curr, len(previous), len(current), taken_prev)
    if by_subject:
        _pair_by_subject(s, paired, used | taken_curr, len(previous), len(current), taken_prev)
        _pair_in_gaps(s, paired, used | taken_curr, len(previous), len(current), taken_prev)
    return _findings(previous, current, s, paired, splits, merges, kept_at)


def _pair_mutual_best(
    s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int, taken_prev: set[int]
) -> None:
    """Two items left over that are each other's closest of all (paired ones included) are one promise."""
    for i in range(n_prev):
        if i in paired or i in taken_prev or not n_curr:
            continue
        ranked = sorted(range(n_curr), key=lambda j: -s.pair[i][j])
        j = ranked[0]
        runner_up = s.pair[i][ranked[1]] if len(ranked) > 1 else 0.0
        if j in used or s.pair[i][j] < MUTUAL_AT or s.pair[i][j] < MUTUAL_MARGIN * runner_up:
            continue  # a near tie says nothing about which one continues it
        column = sorted((s.pair[k][j] for k in range(n_prev)), reverse=True)
        if max(range(n_prev), key=lambda k: s.pair[k][j]) == i and (len(column) < 2 or column[0] >= MUTUAL_MARGIN * column[1]):
            paired[i] = j
            used.add(j)


def _pair_in_gaps(
    s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int, taken_prev: set[int]
) -> None:
    """Drafters rewrite a list item by item: between two pairs, a lone old and a lone new item are one promise."""
    anchors = sorted(paired.items())
    bounds = [(-1, -1)] + [(i, j) for i, j in anchors if all(j > jj for ii, jj in anchors if ii < i)] + [(n_prev, n_curr)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        olds = [i for i in range(i0 + 1, i1) if i not in paired and i not in taken_prev]
        news = [j for j in range(j0 + 1, j1) if j not in used]
        if len(olds) != 1 or len(news) != 1:
            continue
        i, j = olds[0], news[0]
        # their titles say one thing in common (长效机制), or they are close anyway
        if s.pair[i][j] >= GAP_AT and (s.titles_share(i, j) or s.pair[i][j] >= MUTUAL_AT):
            paired[i] = j
            used.add(j)


def _pair_by_subject(
    s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int, taken_prev: frozenset[int] | set[int] = frozenset()
) -> None:
    """Second pass: a dropped and an added item on the same subject are one promise reworded.

    Only items the first pass left alone, and only when the subject is theirs alone on both sides:
    two new items on 政务公开 against one old one say nothing about which continues it.
    """
    left_prev = [i for i in range(n_prev) if i not in paired and i not in taken_prev]
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


def _is_piece(score: float, cover: float, whole_is_paired: bool) -> bool:
    """Part of a split or merge: as close as a pair to an item already paired, or said mostly inside it."""
    return (whole_is_paired and score >= PIECE_AT) or (score >= PIECE_CLOSE_AT and cover >= PIECE_COVERAGE_AT)


def _union(gists: list[Gist]) -> Gist:
    return Gist(frozenset().union(*(g.words for g in gists)), frozenset().union(*(g.grams for g in gists)),
                frozenset().union(*(g.topics for g in gists)), ())  # fmt: skip


def _grow(
    whole: Gist, start: list[int], candidates: list[int], gists: list[Gist], close: list[float], strong: list[bool], s: _Scores
) -> list[int]:
    """The pieces of ``whole``: ``start`` and each candidate that is a strong piece or says a part of it the others do not."""
    pieces = list(start)
    left_over = not start  # the whole found no partner of its own: its pieces may be weaker
    for k in sorted(candidates, key=lambda k: -close[k]):
        if not pieces:
            pieces.append(k)
            continue
        before = s.cover(whole, _union([gists[x] for x in pieces]))
        after = s.cover(whole, _union([gists[x] for x in [*pieces, k]]))
        if strong[k] or (left_over and close[k] >= PIECE_LOW_AT and after - before >= PIECE_GAIN):
            pieces.append(k)
    return sorted(pieces)


def _many(
    s: _Scores, paired: dict[int, int], used: set[int], n_prev: int, n_curr: int
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Splits (old i → new items) and merges (new j ← old items) among what one-to-one pairing left.

    A left-over item closest to an item already paired, as close as a pair, is a piece of it; so
    is one said mostly inside it; and, for an item that found no partner, so is one that is
    closest to it and says a part of it that the other pieces do not.
    """
    by_curr = {j: i for i, j in paired.items()}
    split_candidates: dict[int, list[int]] = {}
    for j in range(n_curr):
        if j not in used and n_prev:
            best = max(range(n_prev), key=lambda i: s.pair[i][j])
            if s.pair[best][j] >= PIECE_LOW_AT:
                split_candidates.setdefault(best, []).append(j)
    found_splits: dict[int, list[int]] = {}
    for i, candidates in split_candidates.items():
        close = {j: s.pair[i][j] for j in candidates}
        strong = {j: _is_piece(s.pair[i][j], s.cover(s.gists_curr[j], s.gists_prev[i]), i in paired) for j in candidates}
        pieces = _grow(s.gists_prev[i], [paired[i]] if i in paired else [], candidates, s.gists_curr,
                       close, strong, s)  # type: ignore[arg-type]  # fmt: skip
        if len(pieces) >= 2:
            found_splits[i] = pieces
    in_splits = {j for pieces in found_splits.values() for j in pieces}
    merge_candidates: dict[int, list[int]] = {}
    for i in range(n_prev):
        if i not in paired and i not in found_splits and n_curr:
            best = max(range(n_curr), key=lambda j: s.pair[i][j])
            if s.pair[i][best] >= PIECE_LOW_AT and best not in in_splits:
                merge_candidates.setdefault(best, []).append(i)
    found_merges: dict[int, list[int]] = {}
    for j, candidates in merge_candidates.items():
        close = {i: s.pair[i][j] for i in candidates}
        strong = {i: _is_piece(s.pair[i][j], s.cover(s.gists_prev[i], s.gists_curr[j]), j in used) for i in candidates}
        parts = _grow(s.gists_curr[j], [by_curr[j]] if j in by_curr else [], candidates, s.gists_prev,
                      close, strong, s)  # type: ignore[arg-type]  # fmt: skip
        if len(parts) >= 2:
            found_merges[j] = parts
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
