"""How each agency's report evolves from year to year, as explicit data.

Everything a later labelled diffing set needs is here, not hidden in the text generator: which
plans (commitments) appear in which year's report and with which wording, which are later reported
as done, which shortcomings are repeated or resolved, and the figures of each year. It is derived
deterministically from the agency key (a seeded ``random.Random``), so every run serves the same
network, and computed once at import.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sample_portal.agencies import AGENCIES, REPORT_YEARS, Agency
from sample_portal.phrases import COMMITMENTS, METRICS, SHORTCOMINGS, THEMES

FIRST_YEAR, LAST_YEAR = REPORT_YEARS[0], REPORT_YEARS[-1]
MIN_PLANS_PER_REPORT = 3


@dataclass(frozen=True)
class CommitmentPlan:
    """One commitment in an agency's 下一年工作安排 sections.

    ``wording[year]`` is the sentence in the report for ``year`` (a plan for ``year + 1``); years
    absent from it are years the plan does not appear. ``done_in`` is the report year whose
    achievements say it was carried out (None: dropped without a word).
    """

    key: str
    theme: str
    wording: dict[int, str]
    done_in: int | None
    done_text: str

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.wording))


@dataclass(frozen=True)
class AgencyEvolution:
    """The year-by-year facts of one agency's reports."""

    agency: Agency
    commitments: tuple[CommitmentPlan, ...]
    shortcomings: dict[int, tuple[str, ...]]  # report year → shortcoming keys
    heading_switch_year: int  # from this report year on, the achievement headings are reworded
    figures: dict[int, dict[str, str]] = field(default_factory=dict)  # report year → metric → text

    def plans(self, year: int) -> list[CommitmentPlan]:
        return [c for c in self.commitments if year in c.wording]

    def done(self, year: int) -> list[CommitmentPlan]:
        return [c for c in self.commitments if c.done_in == year]


def _figures(agency: Agency, year: int) -> dict[str, str]:
    values: dict[str, str] = {}
    for metric, (base, growth) in METRICS.items():
        rng = random.Random(f"{agency.key}:{year}:{metric}")
        value = base * agency.scale * growth ** (year - FIRST_YEAR) * rng.uniform(0.85, 1.15)
        if metric == "online_rate":
            values[metric] = f"{min(99.8, base * growth ** (year - FIRST_YEAR) + rng.uniform(-1, 1)):.1f}"
        elif metric in ("study_sessions", "trainings", "major_decisions"):
            values[metric] = str(max(2, round(value)))
        else:
            values[metric] = str(max(1, round(value)))
    return values


def _commitments(agency: Agency, rng: random.Random) -> tuple[CommitmentPlan, ...]:
    chosen = rng.sample(COMMITMENTS, 8)
    starts = [2019, 2019, 2019, 2020, 2021, 2022, 2022, 2023]
    spans: list[list[int]] = []
    for start in starts:
        length = rng.choice((1, 2, 2, 3, 4))
        spans.append([start, min(LAST_YEAR, start + length - 1)])
    # Every report needs a few plans: stretch the longest-running ones over thin years.
    for year in REPORT_YEARS:
        active = [s for s in spans if s[0] <= year <= s[1]]
        for span in spans:
            if len(active) >= MIN_PLANS_PER_REPORT:
                break
            if span not in active and span[0] <= year:
                span[1] = year
                active.append(span)
    plans: list[CommitmentPlan] = []
    for text, (start, end) in zip(chosen, spans, strict=True):
        years = range(start, end + 1)
        reword_from = (
            rng.choice([y for y in years if y > start] or [end + 1]) if rng.random() < 0.6 else end + 1
        )
        wording = {y: (text.reworded if y >= reword_from else text.wording) for y in years}
        done_in = end + 1 if end < LAST_YEAR and rng.random() < 0.65 else None
        plans.append(CommitmentPlan(text.key, text.theme, wording, done_in, text.done))
    return tuple(plans)


def _shortcomings(agency: Agency, rng: random.Random) -> dict[int, tuple[str, ...]]:
    others = [k for k in SHORTCOMINGS if k != "publicity-single"]
    picked = rng.sample(others, 3)
    # Most agencies repeat 法治宣传形式单一 every year; a few resolve it.
    resolved_publicity = 2022 if rng.random() < 0.3 else None
    spans = {picked[0]: (2019, 2021), picked[1]: (2020, 2024), picked[2]: (2022, 2024)}
    out: dict[int, tuple[str, ...]] = {}
    for year in REPORT_YEARS:
        keys = []
        if resolved_publicity is None or year < resolved_publicity:
            keys.append("publicity-single")
        keys += [k for k, (a, b) in spans.items() if a <= year <= b]
        out[year] = tuple(keys)
    return out


def evolve(agency: Agency) -> AgencyEvolution:
    """An agency's evolution, seeded by its key alone (so new agencies never disturb old ones)."""
    rng = random.Random(f"evolution:{agency.key}")
    return AgencyEvolution(
        agency=agency,
        commitments=_commitments(agency, rng),
        shortcomings=_shortcomings(agency, rng),
        heading_switch_year=rng.choice((2021, 2022, 2023)),
        figures={year: _figures(agency, year) for year in REPORT_YEARS},
    )


EVOLUTIONS: dict[str, AgencyEvolution] = {a.key: evolve(a) for a in AGENCIES}
THEME_KEYS: tuple[str, ...] = tuple(t.key for t in THEMES)


def plan_changes(agency_key: str, year: int) -> dict[str, str]:
    """Labelled changes of the plans section from the ``year - 1`` report to the ``year`` report.

    commitment key → ``kept`` (same wording), ``changed`` (reworded), ``dropped`` or ``added``:
    the gold labels for matching commitments across years (diffing.commitments).
    """
    evo = EVOLUTIONS[agency_key]
    labels: dict[str, str] = {}
    for plan in evo.commitments:
        before, after = plan.wording.get(year - 1), plan.wording.get(year)
        if before is None and after is None:
            continue
        if before is None:
            labels[plan.key] = "added"
        elif after is None:
            labels[plan.key] = "dropped"
        else:
            labels[plan.key] = "kept" if before == after else "changed"
    return labels
