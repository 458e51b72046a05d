"""Silent edits: reports changed after publication at the same URL, as explicit data.

Each edit is a list of (old, new) replacements on the originally published text — a figure
changed, a sentence added, a plan reworded — so a labelled set of revisions can be read off it.
The replacements are computed from the agency's evolution data, so they always hit the text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sample_portal.evolution import EVOLUTIONS


@dataclass(frozen=True)
class SilentEdit:
    """An edit made to an agency's report for ``year`` on ``on``."""

    agency_key: str
    year: int
    on: dt.date
    replacements: tuple[tuple[str, str], ...]

    def apply(self, text: str) -> str:
        for old, new in self.replacements:
            if old not in text:
                raise ValueError(f"edit of {self.agency_key} {self.year}: {old!r} not in the text")
            text = text.replace(old, new, 1)
        return text


def _edit(
    agency_key: str,
    year: int,
    on: dt.date,
    figure: tuple[str, str, int],
    added: tuple[str, str],
    plan_index: int,
    plan_addition: str,
) -> SilentEdit:
    evo = EVOLUTIONS[agency_key]
    template, metric, delta = figure
    value = int(evo.figures[year][metric])
    plan = evo.plans(year)[plan_index].wording[year]
    anchor, sentence = added
    return SilentEdit(
        agency_key, year, on,
        (
            (template.format(value), template.format(value + delta)),
            (anchor, anchor + sentence),
            (plan, plan.rstrip("。") + plan_addition),
        ),
    )  # fmt: skip


SILENT_EDITS: tuple[SilentEdit, ...] = (
    _edit(
        "qh-sfj", 2023, dt.date(2024, 5, 20),
        ("现有持证执法人员{}人", "officers", 6),
        ("法律顾问覆盖率100%。", "全年聘请专业律师担任常年法律顾问,列席局党组会议12次。"),
        0, ",并将落实情况纳入年度法治建设考核。",
    ),
    _edit(
        "yl-sthj", 2022, dt.date(2025, 6, 10),
        ("行政处罚案件{}件", "cases", -9),
        ("行政机关负责人出庭应诉率100%。", "全年未发生行政复议决定被撤销或变更的案件。"),
        1, ",确保按期完成。",
    ),
    _edit(
        "sq-gov", 2024, dt.date(2025, 9, 3),
        ("调处各类矛盾纠纷{}起", "mediations", 14),
        ("法律顾问覆盖率100%。", "县政府常务会议审议事项会前均经司法局合法性审查。"),
        0, ",切实提升工作实效。",
    ),
)  # fmt: skip

EDIT_BY_REPORT: dict[tuple[str, int], SilentEdit] = {(e.agency_key, e.year): e for e in SILENT_EDITS}
