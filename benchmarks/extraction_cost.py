"""Extraction CPU a report page: ours (``extract_report``) beside trafilatura alone, on the same pages.

    .venv/bin/python -m benchmarks.extraction_cost [--rounds 5]

The pages are the sample portal's report pages as served over HTTP on 127.0.0.1 (every visible
report, the HTML page only: attachments are not trafilatura's job) and the gold pages of
tests/fixtures/pages (real portals' chrome). Both extractors run in this process on the same bodies,
rounds alternating which goes first, after one warm-up pass each; CPU is ``time.process_time`` (this
process only), so other work on a shared machine slows neither's figure much. Ours does more than
trafilatura's default (classification, metadata, chrome removal, attachments, sections): the issue's
target is at most 2× its CPU.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)
Page = tuple[bytes, str, str | None]  # body, URL, Content-Type


def portal_pages() -> list[Page]:
    """Every report page the sample portal serves on ``AS_OF``, fetched as a crawl would."""
    from sample_portal.network import visible_reports
    from sample_portal.server import start_in_thread

    pages = []
    with start_in_thread(AS_OF, port=0) as portal:
        for report in visible_reports(AS_OF):
            url = portal.base_url + report.url_path
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
                pages.append((response.read(), url, response.headers.get("Content-Type")))
    return pages


def gold_pages() -> list[Page]:
    """The extraction gold pages kept as HTML in the repository."""
    folder = ROOT / "tests" / "fixtures" / "pages"
    return [(p.read_bytes(), f"http://127.0.0.1/{p.name}", "text/html") for p in sorted(folder.glob("*.html"))]


def ours(page: Page) -> None:
    from extraction import extract_report

    extract_report(page[0], url=page[1], content_type=page[2])


def trafilatura_alone(page: Page) -> None:
    import trafilatura

    trafilatura.extract(page[0], url=page[1])


def cpu_seconds(function: Callable[[Page], None], pages: list[Page]) -> float:
    started = time.process_time()
    for page in pages:
        function(page)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; medians are printed")
    args = parser.parse_args(argv)
    sets = {"sample portal report pages": portal_pages(), "gold pages": gold_pages()}
    load = os.getloadavg()
    extractors = (("ours", ours), ("trafilatura", trafilatura_alone))
    print(f"CPU a page (time.process_time), {args.rounds} alternating rounds after a warm-up, median (min–max); "
          f"load average {load[0]:.1f}, {os.cpu_count()} cores")  # fmt: skip
    ratios = []
    for label, pages in sets.items():
        for _, function in extractors:
            cpu_seconds(function, pages)  # warm-up: imports, compiled patterns, jieba's dictionary
        per: dict[str, list[float]] = {name: [] for name, _ in extractors}
        for r in range(args.rounds):
            for name, function in extractors if r % 2 == 0 else extractors[::-1]:
                per[name].append(1000 * cpu_seconds(function, pages) / len(pages))
        ms = {name: statistics.median(v) for name, v in per.items()}
        ratio = ms["ours"] / ms["trafilatura"]
        ratios.append(ratio)
        print(f"{label} ({len(pages)}): ours {ms['ours']:.1f} ms ({min(per['ours']):.1f}–{max(per['ours']):.1f}), "
              f"trafilatura alone {ms['trafilatura']:.1f} ms ({min(per['trafilatura']):.1f}–"
              f"{max(per['trafilatura']):.1f}): {ratio:.2f}× (target ≤ 2×)")  # fmt: skip
    after = os.getloadavg()
    print(f"load average after: {after[0]:.1f}")
    return 0 if all(r <= 2.0 for r in ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
