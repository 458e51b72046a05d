"""Distributed crawling: one worker beside two on one Redis, with the writer, on many hosts, in one run.

    .venv/bin/python -m benchmarks.distributed [--hosts 8] [--repeat 3]

``--hosts`` sample-portal hosts are served on 127.0.0.1 … 127.0.0.H. Each round crawls all of them
with one worker, then with two (alternating which goes first), while the writer (``ingest_from_redis``
in a process of its own) archives their captures as they come; a round's time runs from starting the
workers until the writer has handled the end-of-crawl marker, so every capture is in the archive.
Workers extract (their reports travel with the captures) and the writer only validates and writes.
Each worker paces itself (``DOWNLOAD_DELAY`` 50 ms a host, AutoThrottle off) under a shared
per-host limit above what two reach, so a second worker can halve the fetching; whether it halves
the time is what the machine's cores say.

Then the writer alone: the workers crawl again with no writer running, and ``ingest_from_redis``
then archives the queued captures into a fresh archive — captures a second, the writer's own rate,
and its CPU a capture (its own process), which a loaded machine moves less than its wall time.
What the system guarantees (every report once, no URL twice, the rate limit) is tested in
tests/test_distributed.py; how fast is only measured here. Needs ``redis-server``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import redis

from benchmarks.crawl import ISOLATED, isolate_network
from benchmarks.scale import serve_hosts
from crawler.command import crawl_command, crawl_env
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.local_redis import LocalRedis

ROOT = Path(__file__).resolve().parents[1]
PACED = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
         "-s", "FAZHI_HOST_RATE=100", "-s", "CONCURRENT_REQUESTS=64")  # fmt: skip
WRITER = (
    "import json, sys; from crawler.distributed.ingest import ingest_from_redis; "
    "print(json.dumps(ingest_from_redis(sys.argv[1], sys.argv[2], stop_when_idle=None, until_complete=True)))"
)


def start_workers(workers: int, start_urls: list[str], redis_url: str, work: Path, tag: str) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            crawl_command(start_urls, work / "worker.db", "-s", f"REDIS_URL={redis_url}",
                          "-s", f"LOG_FILE={work}/{tag}-{n}.log", "-s", f"FAZHI_STATS_FILE={work}/{tag}-{n}.json",
                          *PACED),
            cwd=ROOT, env=crawl_env(),
        )  # fmt: skip
        for n in range(workers)
    ]


def wait_for(procs: list[subprocess.Popen], work: Path, what: str) -> None:
    codes = [proc.wait() for proc in procs]
    if any(codes):
        raise RuntimeError(f"{what} failed: exit codes {codes}; logs in {work}")


def crawl_and_write(workers: int, start_urls: list[str], redis_url: str, work: Path, tag: str) -> tuple[float, dict]:
    """Seconds from starting ``workers`` and the writer until the writer has archived the whole crawl."""
    redis.Redis.from_url(redis_url).flushdb()
    db = work / f"{tag}.db"
    started = time.perf_counter()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, redis_url, str(db)], cwd=ROOT, env=crawl_env(),
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    wait_for(start_workers(workers, start_urls, redis_url, work, tag), work, "a worker")
    out, _ = writer.communicate()
    elapsed = time.perf_counter() - started
    if writer.returncode:
        raise RuntimeError(f"the writer failed (exit {writer.returncode})")
    return elapsed, json.loads(out.strip().splitlines()[-1])


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process, all its threads (the writer's event loop and writer thread)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def writer_alone(start_urls: list[str], redis_url: str, work: Path) -> tuple[int, float, dict]:
    """Crawl with two workers and no writer; then time the writer on the queued captures.

    The result carries the writer's CPU seconds (``cpu_s``, its own process: not its extraction pool's
    processes, which run under a fork server) — on a shared machine its wall time says as much about
    the load as about it.
    """
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    wait_for(start_workers(2, start_urls, redis_url, work, "queued"), work, "a worker")
    queued = client.llen(CrawlKeys().items)
    from crawler.distributed.ingest import ingest_from_redis

    cpu = _cpu_seconds()
    started = time.perf_counter()
    result = ingest_from_redis(redis_url, str(work / "alone.db"), stop_when_idle=0)
    elapsed = time.perf_counter() - started
    result["cpu_s"] = _cpu_seconds() - cpu
    return queued, elapsed, result


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=8, help="sample-portal hosts on 127.0.0.x")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each (alternating)")
    args = parser.parse_args(argv)
    ISOLATED["network"] = isolate_network()
    load = os.getloadavg()
    times: dict[int, list[float]] = {1: [], 2: []}
    shipped: list[tuple[int, int]] = []
    with ExitStack() as stack:
        server = stack.enter_context(LocalRedis())
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fazhi-bench-dist-")))
        portals = serve_hosts(stack, args.hosts, crawl_delay=0)
        start_urls = [url for portal in portals for url in portal.start_urls]
        for round_ in range(args.repeat):
            for workers in (1, 2) if round_ % 2 == 0 else (2, 1):
                elapsed, result = crawl_and_write(workers, start_urls, server.url, work, f"w{workers}r{round_}")
                times[workers].append(elapsed)
                shipped.append((result["extractions_shipped"], result["extractions_redone"]))
                print(f"  {workers} worker(s) + writer: {elapsed:.1f} s, {result['ingested']} captures",
                      file=sys.stderr, flush=True)  # fmt: skip
        queued, seconds, alone = writer_alone(start_urls, server.url, work)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    numbers: dict[str, object] = {
        "hosts": args.hosts,
        "one_worker_s": round(one, 2),
        "one_worker_range_s": [round(min(times[1]), 2), round(max(times[1]), 2)],
        "two_workers_s": round(two, 2),
        "two_workers_range_s": [round(min(times[2]), 2), round(max(times[2]), 2)],
        "two_vs_one_time_ratio": round(two / one, 2),
        "reports_from_workers_vs_extracted_again_by_writer": [max(s for s, _ in shipped), max(r for _, r in shipped)],
        "writer_alone_captures": queued,
        "writer_alone_s": round(seconds, 2),
        "writer_alone_captures_per_s": round(alone["ingested"] / seconds, 1) if seconds else None,
        "writer_alone_cpu_ms_per_capture": round(1000 * alone["cpu_s"] / max(1, alone["ingested"]), 2),
        "writer_alone_captures_per_cpu_s": round(alone["ingested"] / alone["cpu_s"], 1) if alone["cpu_s"] else None,
        "writer_alone_extracted_again": alone["extractions_redone"],
        "writer_alone_extracted_unused": alone["extractions_unused"],
        "rounds": args.repeat,
        "load_average_before_after": [round(load[0], 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(numbers, indent=2))
    return numbers


if __name__ == "__main__":
    main()
