"""Distributed crawling: one worker beside two on one Redis, the same portal, side by side in one run.

    .venv/bin/python -m benchmarks.distributed [--repeat 3]

Each worker paces itself (50 ms between its own requests to a host, AutoThrottle off) and the shared
per-host limit is set above what two reach, so a second worker can halve the crawl's time. Rounds
alternate 1, 2, 2, 1 … workers, and medians with their ranges are printed: on a loaded 2-core machine
single crawls swing. What the system guarantees (every report once, no URL twice, the rate limit) is
tested in tests/test_distributed.py; how much faster two workers are is only measured here.
Needs ``redis-server`` (Debian package redis-server).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from crawler.command import crawl_command, crawl_env
from crawler.distributed.local_redis import LocalRedis
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 4, 15)
PACED = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
         "-s", "FAZHI_HOST_RATE=100")  # fmt: skip


def crawl_seconds(workers: int, redis_url: str, work: Path) -> tuple[float, list[int]]:
    """Wall time from starting ``workers`` crawl processes on an empty Redis until the last exits,
    and how many captures each worker pushed."""
    redis.Redis.from_url(redis_url).flushdb()
    with start_in_thread(AS_OF) as portal:
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                crawl_command(portal.start_urls, work / "worker.db", "-s", f"REDIS_URL={redis_url}",
                              "-s", f"LOG_FILE={work}/w{workers}-{n}.log",
                              "-s", f"FAZHI_STATS_FILE={work}/w{workers}-{n}.json", *PACED),
                cwd=ROOT, env=crawl_env(),
            )  # fmt: skip
            for n in range(workers)
        ]
        codes = [proc.wait() for proc in procs]
        elapsed = time.perf_counter() - started
    if any(codes):
        raise RuntimeError(f"a worker failed: exit codes {codes}; logs in {work}")
    shares = [json.loads((work / f"w{workers}-{n}.json").read_text()).get("fazhi/redis/items_pushed", 0)
              for n in range(workers)]  # fmt: skip
    return elapsed, shares


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each (alternating)")
    args = parser.parse_args(argv)
    times: dict[int, list[float]] = {1: [], 2: []}
    shares: list[list[int]] = []
    with LocalRedis() as server, tempfile.TemporaryDirectory(prefix="fazhi-bench-dist-") as tmp:
        for round_ in range(args.repeat):
            for workers in (1, 2) if round_ % 2 == 0 else (2, 1):
                elapsed, pushed = crawl_seconds(workers, server.url, Path(tmp))
                times[workers].append(elapsed)
                if workers == 2:
                    shares.append(pushed)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    numbers: dict[str, object] = {
        "one_worker_s": round(one, 2),
        "one_worker_range_s": [round(min(times[1]), 2), round(max(times[1]), 2)],
        "two_workers_s": round(two, 2),
        "two_workers_range_s": [round(min(times[2]), 2), round(max(times[2]), 2)],
        "two_vs_one_time_ratio": round(two / one, 2),
        "captures_per_worker_in_two_worker_rounds": shares,
        "rounds": args.repeat,
    }
    print(json.dumps(numbers, indent=2))
    return numbers


if __name__ == "__main__":
    main()
