"""What ``fazhi diff`` compares: two versions of one report, or one agency's reports of two years.

Two versions of one report (the same agency and year, or two archived versions of one document)
get a **revision** diff: what was edited after publication — sentences, the plans reworded,
added or removed, and the figures whose value changed. Two years get the **year-over-year**
analysis (``diffing.yoy``). In both, a sentence that only changed its outline number ((二)→(一))
or the year it names (2022年 → 2023年) is not a 修改.

``Comparison.to_dict()`` is what ``fazhi diff --format json`` prints: the keys of
``YearOverYear.to_dict()`` (documented in ``diffing.yoy``) plus ``text_diff`` and ``mode``
(``"revision"`` or ``"year_over_year"``). A revision fills ``commitments`` with the plan edits
(``changed`` for any rewording, ``dropped``, ``added``, ``split``, ``merged``; ``kept`` stays
empty), ``figures`` with the changed figures only (``changed`` always true), and leaves
``follow_through``, ``problems`` and ``compliance`` empty: they compare two years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from diffing.commitments import MATCH_STATUSES, CommitmentMatch, match_commitments
from diffing.outline import commitments
from diffing.sections import as_report
from diffing.textdiff import TextDiff, diff_texts
from diffing.yoy import YearOverYear, _match_dict, compare_years
from extraction.report import Report

MODES = ("revision", "year_over_year")


@dataclass
class Revision:
    """What changed between two versions of one report: plan edits and changed figures (besides the text diff)."""

    commitments: list[CommitmentMatch] = field(default_factory=list)

    def commitments_with(self, status: str) -> list[CommitmentMatch]:
        return [m for m in self.commitments if m.status == status]


@dataclass
class Comparison:
    mode: str  # one of MODES
    text_diff: TextDiff
    analysis: YearOverYear | None = None  # year over year
    revision: Revision | None = None  # revision

    def to_dict(self) -> dict[str, Any]:
        """JSON-able; the shape is in this module's docstring."""
        if self.analysis is not None:
            return {"mode": self.mode, **self.analysis.to_dict(), "text_diff": self.text_diff.to_dict()}
        revision = self.revision or Revision()
        figures = [
            {"label": f.label, "before": f.old + f.unit, "after": f.new + f.unit, "changed": True}
            for f in self.text_diff.figures
        ]
        counts = {s: len(revision.commitments_with(s)) for s in MATCH_STATUSES} | {"figures_changed": len(figures)}
        return {
            "mode": self.mode,
            "commitments": {s: [_match_dict(m) for m in revision.commitments_with(s)] for s in MATCH_STATUSES},
            "follow_through": [],
            "problems": {"recurring": [], "resolved": [], "new": []},
            "figures": figures,
            "boilerplate": {"sentences": 0, "from_previous": 0, "from_others": 0, "previous_share": 0.0,
                            "others_share": 0.0},  # fmt: skip
            "compliance": [],
            "counts": counts,
            "text_diff": self.text_diff.to_dict(),
        }


def comparison_mode(old: Report, new: Report, same_document: bool | None = None) -> str:
    """``revision`` for two versions of one report (told by the caller, or the same agency and year), else
    ``year_over_year``. Two texts with no year known are taken as two versions when they share a title."""
    if same_document is not None:
        return "revision" if same_document else "year_over_year"
    if old.report_year and new.report_year:
        if old.report_year != new.report_year:
            return "year_over_year"
        return "revision" if not (old.agency and new.agency) or old.agency == new.agency else "year_over_year"
    return "revision" if old.title and old.title == new.title else "year_over_year"


def revision_edits(old: Report, new: Report) -> Revision:
    """The plans of one report edited after publication: any rewording counts (there is no next year's drift)."""
    edits = []
    for m in match_commitments(commitments(old), commitments(new)):
        if m.status == "kept" and not m.tokens:
            continue
        edits.append(CommitmentMatch("changed", m.previous, m.current, m.score, m.tokens) if m.status == "kept" else m)
    return Revision(edits)


def compare_reports(old: Report | str, new: Report | str, same_document: bool | None = None) -> Comparison:
    """Two reports as ``fazhi diff`` shows them: a revision diff or the year-over-year analysis."""
    old, new = as_report(old), as_report(new)
    mode = comparison_mode(old, new, same_document)
    text = diff_texts(old.text, new.text, ignore_numbering=True, ignore_years=True)
    if mode == "revision":
        return Comparison(mode, text, revision=revision_edits(old, new))
    return Comparison(mode, text, analysis=compare_years(old, new))


__all__ = ["Comparison", "Revision", "compare_reports", "comparison_mode"]
