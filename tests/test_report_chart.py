"""The inline SVG commitments chart (report.chart): bars in proportion, labels escaped, valid XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from report.chart import ChartPoint, commitments_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_proportional_and_the_svg_parses() -> None:
    svg = str(commitments_chart([
        ChartPoint("2020→2021", {"kept": 4, "changed": 1, "dropped": 2, "added": 0}),
        ChartPoint("2021→2022", {"kept": 2, "changed": 0, "dropped": 0, "added": 3}),
    ]))
    root = ET.fromstring(svg)
    bars = [(r.get("class"), float(r.get("height"))) for r in root.iter(f"{SVG}rect") if r.get("class")]
    assert [name for name, _ in bars] == ["bar-kept", "bar-changed", "bar-dropped", "bar-added"] * 2
    heights = dict(zip(["k1", "c1", "d1", "a1", "k2", "c2", "d2", "a2"], (h for _, h in bars), strict=True))
    assert heights["k1"] == 4 * heights["c1"] == 2 * heights["d1"] > 0 and heights["a1"] == 0
    assert heights["a2"] == 3 * heights["c1"]
    assert "2020→2021" in svg and "<script" not in svg


def test_labels_are_escaped_and_an_empty_chart_says_so() -> None:
    svg = str(commitments_chart([ChartPoint('<script>alert(1)</script>" onerror="x', {"kept": 1})]))
    ET.fromstring(svg)  # still well-formed
    assert "<script>" not in svg and "&lt;script&gt;" in svg and '" onerror="' not in svg
    empty = str(commitments_chart([]))
    ET.fromstring(empty)
    assert "无可对照" in empty and not re.search(r'class="bar-', empty)
