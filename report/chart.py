"""An inline SVG bar chart of an agency's commitments per year: kept, changed, dropped, added.

Plain SVG inside the page (no JavaScript, no external resources), so the timeline reads offline,
from file://, and in a screenshot. Every text in it is escaped; the counts are integers.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from report.vocabulary import CHART_SERIES as SERIES

BAR_WIDTH = 14
GROUP_GAP = 26
PLOT_HEIGHT = 150
MARGIN_LEFT, MARGIN_TOP, MARGIN_BOTTOM = 34, 40, 40


@dataclass
class ChartPoint:
    """One year-over-year comparison: its label (2021→2022) and the commitment counts."""

    label: str
    counts: dict[str, int]


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, top + 1, step))


def commitments_chart(points: list[ChartPoint], title: str = "各年度工作计划落实对照") -> Markup:
    """Grouped bars, one group per year pair; an empty chart says so rather than drawing nothing."""
    group = BAR_WIDTH * len(SERIES) + GROUP_GAP
    width = max(MARGIN_LEFT + max(1, len(points)) * group + 10, MARGIN_LEFT + 80 * len(SERIES) + 10)
    height = MARGIN_TOP + PLOT_HEIGHT + MARGIN_BOTTOM
    top = max([1] + [p.counts.get(key, 0) for p in points for key, _, _ in SERIES])
    ticks = _ticks(top)
    top = max(top, ticks[-1])
    scale = PLOT_HEIGHT / top
    base = MARGIN_TOP + PLOT_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    for n, point in enumerate(points):
        x0 = MARGIN_LEFT + n * group + GROUP_GAP // 2
        for k, (key, name, colour) in enumerate(SERIES):
            value = int(point.counts.get(key, 0))
            h = value * scale
            x = x0 + k * BAR_WIDTH
            parts.append(
                f'<rect class="bar-{key}" x="{x}" y="{base - h:.1f}" width="{BAR_WIDTH - 2}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(point.label)} {name} {value}</title></rect>'
            )
            if value:
                parts.append(
                    f'<text x="{x + (BAR_WIDTH - 2) / 2:.1f}" y="{base - h - 3:.1f}" font-size="10" '
                    f'text-anchor="middle">{value}</text>'
                )
        parts.append(
            f'<text x="{x0 + BAR_WIDTH * len(SERIES) / 2:.1f}" y="{base + 16}" font-size="11" '
            f'text-anchor="middle">{escape(point.label)}</text>'
        )
    if not points:
        parts.append(f'<text x="{MARGIN_LEFT + 6}" y="{base - PLOT_HEIGHT / 2:.0f}" font-size="12">仅有一个年度，无可对照</text>')
    for k, (_, name, colour) in enumerate(SERIES):
        x = MARGIN_LEFT + k * 80
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="17" font-size="11">{name}</text>')
    parts.append(f'<line x1="{MARGIN_LEFT}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#333"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
