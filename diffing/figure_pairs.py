"""Which figures of two years count the same thing: measurements of a candidate pair, a fitted model, an assignment.

A figure moves between years with its wording (审查合同38份 / 法律顾问审查合同46份), and one report
states many figures of one unit (个, 项, %), so no fixed bar on one likeness score holds across
reports. A candidate pair (same unit family) is measured — its labels, the nouns after the values,
the words near them, how alike the two sentences are, the units and values — and, above all, how
much closer the two are to each other than to their rivals; a logistic model fitted on the tuning
half (``python -m benchmarks.fit_pairing``, kind ``figures``) turns that into log-odds, and the pairs
are the one-to-one assignment with the highest total (Hungarian).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from diffing.figures import Figure, unit_family, unit_scale

FIGURE_FEATURES = (
    "score",  # the likeness of the two figures (diffing.yoy._figure_score, 0–1)
    "label",  # how alike their labels are (0–1; 0 when one has none)
    "noun",  # how alike the nouns after their values are (0–1; 0 when neither has one)
    "near",  # how alike the words just before them are (0–1)
    "sentence",  # how alike their sentences are, numbers aside (0–1)
    "same_unit",  # written with the same unit (人次 / 人次), not only one family (人 / 人次)
    "value_change",  # |log(after / before)|, at most 3: counts move, they seldom jump tenfold
    "same_value",  # the same value both years
    "percent",  # a percentage (100% is everywhere)
    "row_margin",  # score above the old figure's next-best candidate
    "column_margin",  # score above the new figure's next-best candidate
)


@dataclass(frozen=True)
class Candidate:
    """A pair of figures of one unit family, old figure ``i`` and new figure ``j``, with its measurements."""

    i: int
    j: int
    base: tuple[float, ...]  # FIGURE_FEATURES up to the margins


def base_features(fa: Figure, fb: Figure, score: float, label: float, noun: float, near: float,
                  sentence: float) -> tuple[float, ...]:  # fmt: skip
    """The measurements of a pair that do not depend on the other figures (likenesses already 0–100)."""
    try:
        a = float(fa.value) * unit_scale(fa.unit)[1]
        b = float(fb.value) * unit_scale(fb.unit)[1]
        change = min(3.0, abs(math.log(b / a))) if a > 0 and b > 0 else 3.0
    except ValueError:
        change = 3.0
    return (
        score / 100.0, label / 100.0, noun / 100.0, near / 100.0, sentence / 100.0,
        float(fa.unit == fb.unit), change, float(change == 0.0), float(unit_family(fa.unit) == "%"),
    )  # fmt: skip


def with_margins(candidates: list[Candidate], floor: float = 0.3) -> list[list[float]]:
    """Each candidate's FIGURE_FEATURES: its own, and its score's margins over its rivals on each side
    (a figure with no rival is measured against ``floor``, the likeness below which no pair is weighed)."""
    by_i: dict[int, list[float]] = {}
    by_j: dict[int, list[float]] = {}
    for c in candidates:
        by_i.setdefault(c.i, []).append(c.base[0])
        by_j.setdefault(c.j, []).append(c.base[0])
    top = {k: sorted(v, reverse=True)[:2] for k, v in by_i.items()}
    top_j = {k: sorted(v, reverse=True)[:2] for k, v in by_j.items()}

    def margin(score: float, best: list[float]) -> float:
        rival = best[1] if best[0] == score and len(best) > 1 else (best[0] if best[0] != score else floor)
        return score - max(rival, floor)

    return [[*c.base, margin(c.base[0], top[c.i]), margin(c.base[0], top_j[c.j])] for c in candidates]


def assign(candidates: list[Candidate], odds: list[float], at: float = 0.0) -> list[tuple[int, int]]:
    """The one-to-one pairs with the highest total log-odds above ``at`` (Hungarian), in old order."""
    keep = [(c, x) for c, x in zip(candidates, odds, strict=True) if x > at]
    if not keep:
        return []
    from scipy.optimize import linear_sum_assignment

    rows = sorted({c.i for c, _x in keep})
    cols = sorted({c.j for c, _x in keep})
    row_at, col_at = {i: k for k, i in enumerate(rows)}, {j: k for k, j in enumerate(cols)}
    cost = [[0.0] * len(cols) for _ in rows]
    for c, x in keep:
        cost[row_at[c.i]][col_at[c.j]] = -(x - at)
    found = linear_sum_assignment(cost)
    pairs = [(rows[r], cols[k]) for r, k in zip(*found, strict=True) if cost[r][k] < 0]
    return sorted(pairs)
