"""Crawl throughput: the full pipeline beside a fetch-only crawl and beside trafilatura alone.

    .venv/bin/python -m benchmarks.crawl [--as-of 2025-07-01]

All three are measured in one run on the same sample portal state:
1. fetch-only: ``scrapy crawl reports`` with the archive pipeline switched off (Scrapy + the portal);
2. full: the same crawl with extraction and the archive;
3. trafilatura alone: ``trafilatura.extract`` on the report pages the full crawl captured.
Then a re-run of the full crawl on the unchanged state, to show what conditional requests save.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

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

    conn = sqlite3.connect(db)
    bodies = [
        zlib.decompress(body)
        for (body,) in conn.execute(
            "SELECT b.body FROM captures c JOIN bodies b ON b.id = c.body_id WHERE c.id IN "
            "(SELECT capture_id FROM versions) AND b.body IS NOT NULL AND c.content_type LIKE 'text/html%'"
        )
    ]
    conn.close()
    started = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body)
    return len(bodies), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    from sample_portal.server import start_in_thread

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 7, 1))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp, start_in_thread(args.as_of, port=0) as portal:
        work = Path(tmp)
        _, fetch_stats = run_crawl(
            portal.start_urls, work / "fetch-only.db", work, "fetch-only", "-s", "ITEM_PIPELINES={}"
        )
        _, full_stats = run_crawl(portal.start_urls, work / "full.db", work, "full")
        before = _archive_size(work / "full.db")
        _, again_stats = run_crawl(portal.start_urls, work / "full.db", work, "again")
        after = _archive_size(work / "full.db")
        pages, traf_seconds = trafilatura_alone(work / "full.db")

    rows = []
    for name, stats in (
        ("fetch-only crawl", fetch_stats),
        ("full pipeline", full_stats),
        ("re-run, unchanged", again_stats),
    ):
        responses = stats.get("downloader/response_count", 0)
        seconds = crawl_seconds(stats)
        rows.append((name, responses, seconds, responses / seconds if seconds else 0.0,
                     stats.get("downloader/response_bytes", 0)))  # fmt: skip
    print(f"sample portal as of {args.as_of}; Scrapy's own clock, AutoThrottle off, 2 cores shared")
    print(f"{'run':<20}{'responses':>10}{'seconds':>10}{'pages/s':>10}{'bytes':>12}")
    for name, responses, seconds, rate, size in rows:
        print(f"{name:<20}{responses:>10}{seconds:>10.2f}{rate:>10.1f}{size:>12}")
    traf_rate = pages / traf_seconds if traf_seconds else 0.0
    print(f"{'trafilatura alone':<20}{pages:>10}{traf_seconds:>10.2f}{traf_rate:>10.1f}{'':>12}")
    full_rate, fetch_rate = rows[1][3], rows[0][3]
    print()
    print(f"full pipeline / fetch-only pages/s: {full_rate / fetch_rate:.2f}")
    print(f"full pipeline / trafilatura-alone pages/s: {full_rate / traf_rate:.2f}" if traf_rate else "")
    first_bytes = rows[1][4] or 1
    print(f"re-run bytes / first-run bytes: {rows[2][4] / first_bytes:.2f}")
    print(f"versions made by the re-run: {again_stats.get('fazhi/new_version', 0)}")
    added = after[2] - before[2]
    if added:
        print(f"archive bytes added per re-run capture: {(after[0] - before[0]) / added:.0f} in the database, "
              f"{(after[1] - before[1]) / added:.0f} in WARC files ({added} captures)")  # fmt: skip
    return 0


def _archive_size(db: Path) -> tuple[int, int, int]:
    """(database bytes, WARC bytes, captures) of the archive at ``db``."""
    from archive.warc import warc_dir_for

    folder = warc_dir_for(db)
    warc = sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0
    conn = sqlite3.connect(db)
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    conn.close()
    return db.stat().st_size, warc, captures


if __name__ == "__main__":
    sys.exit(main())
