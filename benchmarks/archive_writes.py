"""Archive milliseconds a capture: one transaction each (``Archive.ingest``) beside batches (``Archive.ingest_many``).

    .venv/bin/python -m benchmarks.archive_writes [--n 600] [--batch 200] [--rounds 3]

The crawl's writer thread (crawler/archive_writer.py) commits the captures that queued while it was
busy as one transaction where the archive offers ``ingest_many``, else one transaction a capture.
This measures both on the same generated reports (benchmarks.archive's: numbered outline, figures,
portal chrome), each into a fresh archive, rounds alternating which goes first: wall milliseconds a
capture (what the writer thread spends; the issue's target is ≤ 5 ms) and CPU milliseconds
(``time.process_time``, which other work on a shared machine disturbs less). An archive without
``ingest_many`` prints the one-transaction figure only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from archive import Archive
from benchmarks.archive import capture_of, generated_reports

FETCHED_AT = "2025-04-01T08:00:00Z"


def write_all(db: Path, reports: list, batch: int) -> tuple[float, float]:
    """(wall s, CPU s) to write every report's capture into a fresh archive; ``batch`` 0: one transaction each."""
    pairs = [(capture_of(report, FETCHED_AT), report) for report in reports]
    with Archive(db) as arc:
        wall, cpu = time.perf_counter(), time.process_time()
        if batch:
            for start in range(0, len(pairs), batch):
                arc.ingest_many(pairs[start : start + batch])
        else:
            for capture, report in pairs:
                arc.ingest(capture, report)
        return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="generated reports (default 600)")
    parser.add_argument("--batch", type=int, default=200, help="captures a transaction (the writer's MAX_BATCH)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are printed")
    args = parser.parse_args(argv)
    reports = generated_reports(args.n)
    modes = [("one transaction a capture", 0)]
    if hasattr(Archive, "ingest_many"):
        modes.append((f"batches of {args.batch}", args.batch))
    load = os.getloadavg()
    figures: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in modes}
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-writes-") as tmp:
        for r in range(args.rounds):
            for label, batch in modes if r % 2 == 0 else modes[::-1]:
                wall, cpu = write_all(Path(tmp) / f"{batch}-{r}.db", reports, batch)
                figures[label].append((1000 * wall / args.n, 1000 * cpu / args.n))
    print(f"{args.n} generated report captures into a fresh archive, {args.rounds} alternating rounds, median "
          f"(min–max); load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores")  # fmt: skip
    for label, values in figures.items():
        wall, cpu = [v[0] for v in values], [v[1] for v in values]
        print(f"{label}: {statistics.median(wall):.2f} ms a capture wall ({min(wall):.2f}–{max(wall):.2f}), "
              f"{statistics.median(cpu):.2f} ms CPU ({min(cpu):.2f}–{max(cpu):.2f}) (target ≤ 5 ms)")  # fmt: skip
    if len(modes) == 1:
        print("this archive has no ingest_many: the writer commits one capture a transaction")
    return 0


if __name__ == "__main__":
    sys.exit(main())
