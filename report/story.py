"""What the archive found, in a few sentences: printed by ``make demo``, kept as ``DIR/summary.json``.

The index answers the reviewer's questions in tables; this is the same answer as a headline, for a
terminal, a cron mail or a script (the counts are in the JSON beside the sentences).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from report.desk import Desk
from report.pages import Totals

SUMMARY_NAME = "summary.json"


def _revision(row: Any) -> str:
    dates = " → ".join(v.last_modified or "?" for v in row.versions)
    return f"{row.agency} {row.year} (server dates {dates})"


def story(desk: Desk, totals: Totals) -> dict[str, Any]:
    """The headline counts of the desk, and the sentences that say them."""
    pairs = desk.dropped_by_pair()
    kinds = {kind: sum(r.kind == kind for r in desk.compliance) for kind in ("late", "missing_part", "missing_year", "unavailable")}
    lines = [f"{totals.documents} reports of {totals.agencies} agencies, {totals.versions} versions."]
    lines.append(
        f"{len(desk.revisions)} report(s) revised after publication"
        + (": " + "; ".join(_revision(r) for r in desk.revisions) if desk.revisions else "")
    )
    if pairs:
        lines.append("; ".join(f"{dropped} commitments dropped in {name} (by {agencies} agencies)"
                               for name, dropped, agencies in pairs[:3]))  # fmt: skip
    lines.append(
        f"{kinds['late']} report(s) after the 1 April deadline; {kinds['missing_part']} required part(s) missing; "
        f"{kinds['missing_year']} year(s) missing; {kinds['unavailable']} report URL(s) unreadable at the last "
        f"crawl; {len(desk.removed)} report(s) removed"
    )
    by_pair = {name: {"dropped": dropped, "agencies": agencies} for name, dropped, agencies in pairs}
    return {"revised": len(desk.revisions), "dropped_by_pair": by_pair, **kinds,
            "removed": len(desk.removed), "lines": lines}  # fmt: skip


def write_summary(out: Path, desk: Desk, totals: Totals) -> dict[str, Any]:
    summary = story(desk, totals)
    (out / SUMMARY_NAME).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def read_summary(site: Path) -> list[str]:
    """The sentences of a site's summary (none when the site has no summary)."""
    try:
        return list(json.loads((site / SUMMARY_NAME).read_text(encoding="utf-8"))["lines"])
    except (OSError, ValueError, KeyError):
        return []
