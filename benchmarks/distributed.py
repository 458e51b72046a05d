"""Distributed crawling: one worker beside two on one Redis, with the writer, on many hosts, in one run.

    .venv/bin/python -m benchmarks.distributed [--hosts 8] [--repeat 3] [--crawls 9] [--compare-with DIR]

``--hosts`` sample-portal hosts are served on 127.0.0.1 … 127.0.0.H. Each round crawls all of them
with one worker, then with two (alternating which goes first), while the writer (``ingest_from_redis``
in a process of its own) archives their captures as they come; a round's time runs from starting the
workers until the writer has handled the end-of-crawl marker, so every capture is in the archive.
Workers extract (their reports travel with the captures) and the writer only validates and writes.
Each worker paces itself (``DOWNLOAD_DELAY`` 50 ms a host, AutoThrottle off) under a shared
per-host limit above what two reach, so a second worker can halve the fetching; whether it halves
the time is what the machine's cores say.

Then the writer alone: the workers crawl again with no writer running, and ``ingest_from_redis``
(a process of its own) then archives the queued captures into a fresh archive — captures a second,
the writer's own rate, and its CPU a capture (its own process), which a loaded machine moves less
than its wall time. Twice: on that one crawl (~1,100 captures, the figure printed before), and on
what a long-running writer keeps up with, that crawl followed by ``--crawls`` − 1 re-crawls of the
same portals, each an hour later (the same pages and bodies, as workers without a copy of the
archive fetch them again, each crawl with its end-of-crawl marker): ~10,000 captures. For each, the
start-up (from the writer's call until its first commit leaves Redis), the steady rate (between 10 %
and 90 % of the queue committed, watched from this process on Redis) and the total are printed.
``--compare-with DIR`` runs the writer of another source tree (e.g. ``git worktree add /tmp/before
main``) on the same queues too, the two taking turns (``--writer-repeat`` rounds), for a before/after
measured side by side.
What the system guarantees (every report once, no URL twice, the rate limit) is tested in
tests/test_distributed.py; how fast is only measured here. Needs ``redis-server``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
from crawler.distributed.items import crawl_complete, encode_crawl_complete
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.local_redis import LocalRedis

ROOT = Path(__file__).resolve().parents[1]
PACED = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
         "-s", "FAZHI_HOST_RATE=100", "-s", "CONCURRENT_REQUESTS=64")  # fmt: skip
WRITER = (
    "import json, sys; from crawler.distributed.ingest import ingest_from_redis; "
    "print(json.dumps(ingest_from_redis(sys.argv[1], sys.argv[2], stop_when_idle=None, until_complete=True)))"
)
# The writer alone on a queue already there: "ready" once imported, then its own wall and CPU seconds.
TIMED_WRITER = """
import json, resource, sys, time
from crawler.distributed.ingest import ingest_from_redis
if __name__ == "__main__":
    print("ready", flush=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = ingest_from_redis(sys.argv[1], sys.argv[2], stop_when_idle=0)
    result["wall_s"] = time.perf_counter() - started
    now = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = now.ru_utime + now.ru_stime - own.ru_utime - own.ru_stime
    print(json.dumps(result), flush=True)
"""
HOUR = dt.timedelta(hours=1)


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


def _later(stamp: str | None, hours: int) -> str | None:
    if not stamp:
        return stamp
    return (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + hours * HOUR).strftime("%Y-%m-%dT%H:%M:%SZ")


def recrawled(entry: bytes, hours: int) -> bytes:
    """A queued capture (or end-of-crawl marker) as a re-crawl ``hours`` later sends it: same page, later times."""
    marker = crawl_complete(entry)
    if marker is not None:
        return encode_crawl_complete(_later(marker.get("started"), hours)).encode()
    fields = json.loads(entry)  # bodies stay base64 text: only the times change
    fields["fetched_at"] = _later(fields.get("fetched_at"), hours)
    for part in fields.get("continuations") or []:
        part["fetched_at"] = _later(part.get("fetched_at"), hours)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def queue_crawls(start_urls: list[str], redis_url: str, work: Path, crawls: int) -> dict[str, int]:
    """Crawl with two workers and no writer; keep that queue (``short``) and it with ``crawls`` − 1 re-crawls (``long``).

    Kept under keys of their own, copied into the writer's queue before each writer run.
    """
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    wait_for(start_workers(2, start_urls, redis_url, work, "queued"), work, "a worker")
    items = CrawlKeys().items
    client.copy(items, f"{items}:short")
    client.rename(items, f"{items}:long")
    first = client.lrange(f"{items}:long", 0, -1)
    for crawl in range(1, crawls):
        for at in range(0, len(first), 200):
            client.rpush(f"{items}:long", *(recrawled(e, crawl) for e in first[at : at + 200]))
    return {"short": client.llen(f"{items}:short"), "long": client.llen(f"{items}:long")}


def timed_writer(redis_url: str, queue: str, db: Path, tree: Path) -> dict[str, float]:
    """The writer of source tree ``tree`` alone on a copy of ``queue``: its start-up, steady rate and total.

    Its progress is watched from here (captures leave Redis only once committed), so the writer
    process does nothing but write.
    """
    client = redis.Redis.from_url(redis_url)
    keys = CrawlKeys()
    client.delete(keys.ingesting)
    client.copy(queue, keys.items, replace=True)
    total = client.llen(keys.items)
    writer = subprocess.Popen([sys.executable, "-c", TIMED_WRITER, redis_url, str(db)], cwd=tree,
                              env={**crawl_env(), "PYTHONPATH": str(tree)}, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert writer.stdout is not None
    if writer.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the writer of {tree} did not start")
    started = time.perf_counter()
    progress: list[tuple[float, int]] = []
    while writer.poll() is None:
        left = client.llen(keys.items) + client.llen(keys.ingesting)
        progress.append((time.perf_counter() - started, total - left))
        time.sleep(0.02)  # a benchmark's sampling interval, not a synchronisation
    out = writer.stdout.read()
    if writer.returncode:
        raise RuntimeError(f"the writer of {tree} failed (exit {writer.returncode})")
    result = json.loads(out.strip().splitlines()[-1])

    def when(share: float) -> float:
        return next((t for t, done in progress if done >= share * total), result["wall_s"])

    first, t10, t90 = when(1 / total), when(0.1), when(0.9)
    return {
        "captures": result["ingested"],
        "startup_s": round(first, 2),
        "steady_captures_per_s": round(0.8 * total / (t90 - t10), 1) if t90 > t10 else None,
        "total_s": round(result["wall_s"], 2),
        "total_captures_per_s": round(result["ingested"] / result["wall_s"], 1),
        "cpu_ms_per_capture": round(1000 * result["cpu_s"] / max(1, result["ingested"]), 3),
        "captures_per_cpu_s": round(result["ingested"] / result["cpu_s"], 1) if result["cpu_s"] else None,
        "extracted_again": result["extractions_redone"],
    }


def writer_alone(redis_url: str, work: Path, trees: dict[str, Path], rounds: int) -> dict[str, dict]:
    """Each tree's writer on the short and the long queue, the trees taking turns; the median of each."""
    runs: dict[tuple[str, str], list[dict]] = {}
    for round_ in range(rounds):
        names = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for queue in ("short", "long"):
            for name in names:
                db = work / f"alone-{name}-{queue}-{round_}.db"
                run = timed_writer(redis_url, f"{CrawlKeys().items}:{queue}", db, trees[name])
                runs.setdefault((name, queue), []).append(run)
                print(f"  writer alone ({name}, {queue} queue): {run}", file=sys.stderr, flush=True)
    numbers: dict[str, dict] = {}
    for (name, queue), found in runs.items():
        numbers.setdefault(name, {})[queue] = {
            key: round(statistics.median(r[key] for r in found), 3) if found[0][key] is not None else None
            for key in found[0]
        }
    return numbers


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=8, help="sample-portal hosts on 127.0.0.x")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each (alternating)")
    parser.add_argument("--crawls", type=int, default=9, help="crawls in the writer's long queue (the first + re-crawls)")
    parser.add_argument("--writer-repeat", type=int, default=1, help="rounds of the writer alone (trees alternating)")
    parser.add_argument("--compare-with", type=Path, help="another source tree whose writer runs beside this one's")
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
        queued = queue_crawls(start_urls, server.url, work, args.crawls)
        trees = {"this": ROOT} | ({"compared": args.compare_with.resolve()} if args.compare_with else {})
        alone = writer_alone(server.url, work, trees, args.writer_repeat)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    numbers: dict[str, object] = {
        "hosts": args.hosts,
        "one_worker_s": round(one, 2),
        "one_worker_range_s": [round(min(times[1]), 2), round(max(times[1]), 2)],
        "two_workers_s": round(two, 2),
        "two_workers_range_s": [round(min(times[2]), 2), round(max(times[2]), 2)],
        "two_vs_one_time_ratio": round(two / one, 2),
        "reports_from_workers_vs_extracted_again_by_writer": [max(s for s, _ in shipped), max(r for _, r in shipped)],
        "writer_alone_queued": queued,
        "writer_alone": alone,
        "rounds": args.repeat,
        "load_average_before_after": [round(load[0], 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(numbers, indent=2))
    return numbers


if __name__ == "__main__":
    main()
