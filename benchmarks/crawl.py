"""Crawl throughput: the full pipeline beside a fetch-only crawl and beside trafilatura alone.

    .venv/bin/python -m benchmarks.crawl [--as-of 2025-07-01] [--repeat 3]

All three are measured in one run on the same sample portal state:
1. fetch-only: ``scrapy crawl reports`` with the archive pipeline switched off (Scrapy + the portal);
2. full: the same crawl with extraction and the archive;
3. trafilatura alone: ``trafilatura.extract`` on the report pages the full crawl captured.
Then a re-run of the full crawl on the unchanged state, to show what conditional requests save and
what an unchanged re-crawl adds to the archive. Crawls of ~140 pages take seconds, so timings swing
run to run: the rounds are repeated and medians printed with their range.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archive.readmodel import ArchiveReader
from archive.readonly import read_stats
from crawler.command import crawl_command, crawl_env

ROOT = Path(__file__).resolve().parents[1]


def run_crawl(start_urls: list[str], db: Path, work: Path, name: str, *extra: str) -> tuple[float, dict]:
    stats_file = work / f"{name}.stats.json"
    command = crawl_command(
        start_urls, db,
        "-s", f"LOG_FILE={work / (name + '.log')}",
        "-s", f"FAZHI_STATS_FILE={stats_file}",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        *extra,
    )  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=crawl_env(), check=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(stats_file.read_text())


def crawl_seconds(stats: dict) -> float:
    """Seconds between the crawl's start and finish, as Scrapy measured them (no interpreter start-up)."""
    return float(stats.get("elapsed_time_seconds") or 0.0)


def trafilatura_alone(db: Path) -> tuple[int, float]:
    import trafilatura

    with ArchiveReader(db) as reader:
        bodies = reader.version_bodies("text/html")
    started = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body)
    return len(bodies), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    from sample_portal.server import start_in_thread

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 7, 1))
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three crawls; medians are printed")
    args = parser.parse_args(argv)

    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, start_in_thread(args.as_of, port=0) as portal:
        work = Path(tmp)
        for n in range(args.repeat):
            db = work / f"full{n}.db"
            # Alternate which crawl goes first, so a machine warming up or slowing down favours neither.
            order = ("fetch-only", "full") if n % 2 == 0 else ("full", "fetch-only")
            stats: dict[str, dict] = {}
            for name in order:
                extra = ("-s", "ITEM_PIPELINES={}") if name == "fetch-only" else ()
                _, stats[name] = run_crawl(portal.start_urls, work / f"{name}{n}.db" if extra else db, work,
                                           f"{name}{n}", *extra)  # fmt: skip
            before = _archive_size(db)
            _, stats["again"] = run_crawl(portal.start_urls, db, work, f"again{n}")
            after = _archive_size(db)
            rounds.append({"stats": stats, "growth": (before, after)})
        pages, traf_seconds = trafilatura_alone(work / "full0.db")

    def rate(stats: dict) -> float:
        seconds = crawl_seconds(stats)
        return stats.get("downloader/response_count", 0) / seconds if seconds else 0.0

    print(f"sample portal as of {args.as_of}; Scrapy's own clock, AutoThrottle off, 2 cores shared; "
          f"{args.repeat} rounds, medians (min–max)")  # fmt: skip
    print(f"{'run':<20}{'responses':>10}{'pages/s':>22}{'bytes':>12}")
    for key, label in (("fetch-only", "fetch-only crawl"), ("full", "full pipeline"), ("again", "re-run, unchanged")):
        rates = [rate(r["stats"][key]) for r in rounds]
        first = rounds[0]["stats"][key]
        spread = f"{statistics.median(rates):.1f} ({min(rates):.1f}–{max(rates):.1f})"
        print(f"{label:<20}{first.get('downloader/response_count', 0):>10}{spread:>22}"
              f"{first.get('downloader/response_bytes', 0):>12}")  # fmt: skip
    traf_rate = pages / traf_seconds if traf_seconds else 0.0
    print(f"{'trafilatura alone':<20}{pages:>10}{traf_rate:>22.1f}")
    ratios = [rate(r["stats"]["full"]) / rate(r["stats"]["fetch-only"]) for r in rounds]
    print()
    print(f"full pipeline / fetch-only pages/s: {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})")
    full_rate = statistics.median(rate(r["stats"]["full"]) for r in rounds)
    print(f"full pipeline / trafilatura-alone pages/s: {full_rate / traf_rate:.2f}" if traf_rate else "")
    re_bytes = [r["stats"]["again"].get("downloader/response_bytes", 0) / (r["stats"]["full"].get("downloader/response_bytes") or 1)
                for r in rounds]  # fmt: skip
    print(f"re-run bytes / first-run bytes: {statistics.median(re_bytes):.2f}")
    print(f"versions made by the re-runs: {sum(r['stats']['again'].get('fazhi/new_version', 0) for r in rounds)}")
    growth = [((a[0] - b[0]) / (a[2] - b[2]), (a[1] - b[1]) / (a[2] - b[2])) for b, a in (r["growth"] for r in rounds)
              if a[2] > b[2]]  # fmt: skip
    if growth:
        db_bytes = [g[0] for g in growth]
        print(f"archive bytes added per re-run capture: {statistics.median(db_bytes):.0f} ({min(db_bytes):.0f}–"
              f"{max(db_bytes):.0f}) in the database, {statistics.median(g[1] for g in growth):.0f} in WARC files")  # fmt: skip
    return 0


def _archive_size(db: Path) -> tuple[int, int, int]:
    """(database bytes, WARC bytes, captures) of the archive at ``db``."""
    from archive.warc import warc_dir_for

    folder = warc_dir_for(db)
    warc = sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0
    return db.stat().st_size, warc, read_stats(db)["captures"]


if __name__ == "__main__":
    sys.exit(main())
