"""Matching one year's plan commitments to the next year's: kept, changed, split, merged, dropped or added.

Plans are reworded from year to year, reordered and renumbered, cut in two and folded together, so
items are matched on what they commit to, not by exact text: the pairing model (``diffing.pairing``)
gives every pair of an old and a new item a log-odds of being one promise, from what each says of
the other, their headings' subjects and objects, their places in the lists and their rivals. The
pairing is then global — the one-to-one assignment with the highest total (Hungarian) — and
many-to-many: an item left over joins the pair whose other side it continues best, so an old item
carried on by two new items is ``split`` and two old items taken up by one new item are ``merged``.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from diffing.meaning import GENERIC, Background, Weights
from diffing.outline import Commitment, commitments, normalise
from diffing.pairing import ItemView, PairScorer, item_view, load_model, piece_features
from diffing.textdiff import TokenOp, _words, diff_words

# Wording (token_sort_ratio, 0–100, years masked) at or above which a paired commitment is kept as it was.
KEPT_AT = 90.0
# A kept commitment differs by at most this many telling words (added or removed).
KEPT_CHANGED_WORDS = 2
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
    """The text without its marker: renumbering (一)→(二), 1)→(一), is not a change of the promise."""
    if item.marker and item.text.startswith(item.marker):
        return item.text[len(item.marker) :]
    return item.text


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


def shortened(previous: Commitment, current: Commitment) -> bool:
    """The new item is the old one with whole clauses or sentences left out and nothing else touched: the
    drafter cut the promise down to what is still to do, and what is left is kept word for word
    (编制…目录并向社会公布，严格落实…程序。将…纳入考核 → 编制…目录并向社会公布，严格落实…程序). A
    target left out goes with its clause; a clause reworded or added (探索…, 扩大…范围) is a change, and
    so is an item cut off in the middle of a clause."""
    old, new = _clauses(body(previous)), _clauses(body(current))
    if not new or len(new) >= len(old) or not _in_order(new, old):
        return False
    return sum(1 for w in comparable(current).split() if len(w) > 1 and w not in GENERIC) >= SHORTENED_KEEPS


# A shortened item keeps at least this many telling words of the old one (a heading alone is no promise kept).
SHORTENED_KEEPS = 4
_CLAUSE_BREAK = re.compile(r"[，,；;。：:！!？?]")


def _clauses(text: str) -> list[str]:
    """The clauses of a text, each normalised and its years masked; the 要 of an enumeration (最后要…,
    一要…) is no part of the first."""
    clauses = [k for k in (normalise(_YEAR.sub("YYYY", c)) for c in _CLAUSE_BREAK.split(text)) if k]
    return [clauses[0].removeprefix("要"), *clauses[1:]] if clauses else []


def _in_order(part: list[str], whole: list[str]) -> bool:
    """Every clause of ``part`` is a clause of ``whole``, in the same order."""
    rest = iter(whole)
    return all(any(c == w for w in rest) for c in part)


def pairing_inputs(
    previous: list[Commitment], current: list[Commitment], ignore: frozenset[str] = frozenset(),
    context: Background | None = None,
) -> tuple[list[ItemView], list[ItemView], Weights]:  # fmt: skip
    """The items as the pairing model reads them, and how telling each word is among them and the reports."""
    views_prev = [item_view(body(p), ignore) for p in previous]
    views_curr = [item_view(body(c), ignore) for c in current]
    weights = Weights([v.whole for v in views_prev + views_curr], context)
    return views_prev, views_curr, weights


def match_commitments(
    previous: list[Commitment],
    current: list[Commitment],
    kept_at: float = KEPT_AT,
    changed_at: float = 0.0,
    ignore: frozenset[str] = frozenset(),
    many: bool = True,
    by_subject: bool = True,
    context: Background | None = None,
    kind: str = "plans",
) -> list[CommitmentMatch]:
    """Every old item paired with what continues it (one, several or none) and every new item placed.

    The pairing model (``diffing.pairing``, fitted for ``kind``: plans or problems) gives each pair a
    log-odds of being one promise; the one-to-one pairs are the assignment with the highest total
    (Hungarian; a pair needs log-odds above ``changed_at``). Then, when ``many``, items left over
    join a pair, or two of them an item left alone, when the group read as one is a likelier
    continuation than the pair was (by ``PIECE_GAIN``): a split, or a merge. ``ignore`` holds
    words that say nothing here (the agency's own field); ``context`` how often the two reports use
    each word. ``by_subject`` is kept for callers of the first matcher and changes nothing now.
    Findings come in the old items' order, then the added ones.
    """
    views_prev, views_curr, weights = pairing_inputs(previous, current, ignore, context)
    scorer = PairScorer(views_prev, views_curr, weights, load_model(kind), kind)
    odds = _identical_paired(scorer.matrix(), previous, current)
    paired = _assign(odds, changed_at)
    groups = [((i,), (j,)) for i, j in sorted(paired.items())]
    if many:
        whole = kept_groups(previous, current, groups, kept_at)
        groups = _grow(scorer, groups, len(previous), len(current), whole)
    return _findings(previous, current, scorer, groups, kept_at)


# The log-odds an item written again word for word (numbering, punctuation and years aside) is given at
# least: a plan made only of words every plan holds (推进依法行政制度建设) tells the model nothing, yet
# repeated as it was it is the same plan.
IDENTICAL_ODDS = 10.0


def _identical_paired(odds: list[list[float]], previous: list[Commitment], current: list[Commitment]
                      ) -> list[list[float]]:  # fmt: skip
    """``odds`` with every pair of items worded alike raised to ``IDENTICAL_ODDS``."""
    words_prev = [comparable(p) for p in previous]
    words_curr = {}
    for j, c in enumerate(current):
        words_curr.setdefault(comparable(c), []).append(j)
    out = [list(row) for row in odds]
    for i, key in enumerate(words_prev):
        for j in words_curr.get(key, []):
            out[i][j] = max(out[i][j], IDENTICAL_ODDS)
    return out


def _assign(odds: list[list[float]], at: float) -> dict[int, int]:
    """The one-to-one pairing with the highest total log-odds above ``at`` (no pair counts as ``at``)."""
    if not odds or not odds[0]:
        return {}
    from scipy.optimize import linear_sum_assignment

    cost = [[-max(0.0, x - at) for x in line] for line in odds]
    rows, cols = linear_sum_assignment(cost)
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if odds[i][j] > at}


Group = tuple[tuple[int, ...], tuple[int, ...]]


# The piece model's log-odds above which an item left over joins a group. Pieces are rare (29 of 783
# candidates in the fitted data), so a log-odds of 0 finds few; leave-one-pair-out (benchmarks/fit_pairing.py)
# scores -1 and -0.75 alike (micro F1 0.943, split 0.78) and -0.5 lower (split 0.71); of these only -0.75 and
# -0.5 keep the sample portal's changed recall (no split there; tests/test_diffing_portal_quality.py) at 0.95.
PIECE_AT = -0.75
# A group of two pieces takes a third above this log-odds. The piece model was fitted where a third piece
# is rare (3 of 72 groups in t01–t48), so it doubts every third; in t49–t70, never fitted on, 7 of 59 groups
# have one, and their third pieces score -1.0 to -2.3. At -1.25: t49–t70 split 17 → 20 of 25 found (0.917 →
# 0.919), t01–t48 and its leave-one-pair-out unchanged; lower bars take wrong thirds on t01–t48 (-1.75: merged 34 → 33).
THIRD_PIECE_AT = -1.25
# A pair of one old and one new item below this log-odds may give up its item to a group it continues better.
LEAVES_BELOW = 2.0


def kept_groups(previous: list[Commitment], current: list[Commitment], groups: list[Group],
                kept_at: float = KEPT_AT) -> frozenset[Group]:  # fmt: skip
    """The pairs whose new item keeps the old one's wording: the whole promise carried on as it was, so
    neither a piece of a split (each piece takes part of it) nor of a merge."""
    return frozenset(g for g in groups if len(g[0]) == len(g[1]) == 1
                     and same_wording(previous[g[0][0]], current[g[1][0]], kept_at))  # fmt: skip


def piece_candidates(scorer: PairScorer, groups: list[Group], n_prev: int, n_curr: int,
                     whole: frozenset[Group] = frozenset()) -> list[tuple[Group, Group, Group | None]]:  # fmt: skip
    """Every way one item may grow a group by one: (the group, the group grown, the pair the item leaves).

    A pair (or a split) may take a new item, a pair (or a merge) an old one; an item left alone may
    take two, its likeliest free partner first (a group of one old and one new item, grown by one; a new
    item alone grows into a merge only).
    The item is one left over, or one of a weak pair (``LEAVES_BELOW``: the one-to-one assignment
    gave a merge's second part to a neighbour that shares its words), which it then leaves.
    A group keeps one item on one side at least; a pair in ``whole`` (``kept_groups``) does not grow.
    """
    free_prev = [i for i in range(n_prev) if not any(i in g[0] for g in groups)]
    free_curr = [j for j in range(n_curr) if not any(j in g[1] for g in groups)]
    weak = [g for g in groups if len(g[0]) == len(g[1]) == 1 and g not in whole
            and scorer.log_odds(*g) < LEAVES_BELOW]  # fmt: skip
    out: list[tuple[Group, Group, Group | None]] = []
    # (core, grows its new side, grows its old side): a free new item's core grows only into a merge into
    # it — its likeliest old partner may share nothing with it, and is then no split's first piece
    # (leave-one-pair-out on t01–t48: split F1 0.77 → 0.81, traps fooled 12 either way)
    cores = [(g, True, True) for g in groups]
    for i in free_prev:
        if len(free_curr) >= 2:
            cores.append((((i,), (max(free_curr, key=lambda j: scorer.log_odds((i,), (j,))),)), True, True))
    for j in free_curr:
        if len(free_prev) >= 2:
            cores.append((((max(free_prev, key=lambda i: scorer.log_odds((i,), (j,))),), (j,)), False, True))
    for (olds, news), split, merge in cores:
        if (olds, news) in whole:
            continue
        if len(olds) == 1 and split:
            out += [((olds, news), (olds, tuple(sorted((*news, j)))), None) for j in free_curr if j not in news]
            out += [((olds, news), (olds, tuple(sorted((*news, g[1][0])))), g) for g in weak
                    if g[1][0] not in news and g[0] != olds]  # fmt: skip
        if len(news) == 1 and merge:
            out += [((olds, news), (tuple(sorted((*olds, i))), news), None) for i in free_prev if i not in olds]
            out += [((olds, news), (tuple(sorted((*olds, g[0][0]))), news), g) for g in weak
                    if g[0][0] not in olds and g[1] != news]  # fmt: skip
    return out


def _grow(scorer: PairScorer, groups: list[Group], n_prev: int, n_curr: int,
          whole: frozenset[Group] = frozenset()) -> list[Group]:  # fmt: skip
    """Splits and merges: while the piece model (``diffing.pairing.PIECE_FEATURES``) says an item left over
    is a piece of a group, likeliest first, the group takes it."""
    model = load_model("pieces")
    groups = list(groups)
    while True:
        best: tuple[float, Group, Group] | None = None
        for core, grown, left in piece_candidates(scorer, groups, n_prev, n_curr, whole):
            if scorer.swapped(*grown):
                continue
            odds = model.log_odds(piece_features(scorer, core, grown, left))
            if len(core[0]) + len(core[1]) >= 3:
                odds += PIECE_AT - THIRD_PIECE_AT  # measured against its own bar
            if best is None or odds > best[0]:
                best = (odds, core, grown, left)
        if best is None or best[0] <= PIECE_AT:
            return groups
        _odds, core, grown, left = best
        groups = [g for g in groups if g not in (core, left)] + [grown]


def _findings(
    previous: list[Commitment], current: list[Commitment], scorer: PairScorer, groups: list[Group], kept_at: float
) -> list[CommitmentMatch]:
    by_first_old = {olds[0]: (olds, news) for olds, news in groups}
    in_group_prev = {i for olds, _news in groups for i in olds}
    in_group_curr = {j for _olds, news in groups for j in news}
    matches: list[CommitmentMatch] = []
    for i, item in enumerate(previous):
        if i not in in_group_prev:
            matches.append(CommitmentMatch("dropped", item, None, 0.0))
            continue
        if i not in by_first_old:
            continue  # a later part of a merge, reported with the first
        olds, news = by_first_old[i]
        score = 100.0 / (1.0 + math.exp(-scorer.log_odds(olds, news)))
        if len(news) > 1:
            pieces = [current[j] for j in news]
            matches.append(CommitmentMatch("split", item, pieces[0], score, current_items=pieces))
        elif len(olds) > 1:
            parts = [previous[k] for k in olds]
            matches.append(CommitmentMatch("merged", item, current[news[0]], score, previous_items=parts))
        else:
            new = current[news[0]]
            kept = same_wording(item, new, kept_at) or shortened(item, new)
            old_body, new_body = body(item), body(new)
            tokens = diff_words(old_body, new_body) if normalise(old_body) != normalise(new_body) else []
            matches.append(CommitmentMatch("kept" if kept else "changed", item, new, score, tokens))
    matches += [CommitmentMatch("added", None, c, 0.0) for j, c in enumerate(current) if j not in in_group_curr]
    return matches


def compare_plans(previous_report: str, current_report: str) -> list[CommitmentMatch]:
    """Year N's plans against year N+1's plans, from the two report texts."""
    return match_commitments(commitments(previous_report), commitments(current_report))
