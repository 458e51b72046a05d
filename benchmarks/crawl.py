"""Crawl throughput: the full pipeline beside a fetch-only crawl and beside trafilatura alone.

    .venv/bin/python -m benchmarks.crawl [--as-of 2025-07-01] [--repeat 3]

All three are measured in one run on the same sample portal state:
1. fetch-only: ``scrapy crawl reports`` with the archive pipeline switched off (Scrapy + the portal);
2. full: the same crawl with extraction and the archive;
3. trafilatura alone: ``trafilatura.extract`` on the report pages the full crawl captured.
Then a re-run of the full crawl on the unchanged state, to show what conditional requests save and
what an unchanged re-crawl adds to the archive; and that re-run once more with the crawl's default
throttle (``crawler.throttle.PoliteThrottle``) beside Scrapy's own AutoThrottle, which never lowers
its delay on a 304. Crawls of ~140 pages take seconds, so timings swing run to run: the rounds are
repeated and medians printed with their range.

It measures the crawler, not the test server: connection attempts the kernel dropped (the listen
queue's overflows, ``/proc/net/netstat``) and download errors are counted for every crawl, and the
benchmark fails loudly if there were any.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import fcntl
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from archive.readmodel import ArchiveReader
from archive.readonly import read_stats
from crawler.command import crawl_command, crawl_env

ROOT = Path(__file__).resolve().parents[1]


FETCH_ONLY = ("-s", "ITEM_PIPELINES={}")  # Scrapy and the portal only: no extraction, no archive
NO_THROTTLE = ("-s", "AUTOTHROTTLE_ENABLED=False")
# Scrapy's own AutoThrottle in place of the crawl's (which counts 304s as answers).
STOCK_THROTTLE = ("-s", 'EXTENSIONS={"crawler.extensions.StatsFile": 500, "crawler.throttle.PoliteThrottle": null, '
                        '"scrapy.extensions.throttle.AutoThrottle": 0}')  # fmt: skip


def isolate_network() -> bool:
    """Move this process (and all it starts) into a network namespace of its own, with only loopback up.

    Everything a benchmark serves and crawls is on 127.0.0.x, and the kernel's counters of dropped
    connections are per namespace: in one of its own they count this benchmark's servers only, not
    other work on a shared machine. Needs root (Linux ``unshare``); False, and nothing changed, otherwise.
    Call it first, before any thread or server starts.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) != 0:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            request = struct.pack("16sh", b"lo", 0)
            flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
    except (OSError, AttributeError):
        return False
    return True


CLONE_NEWNET, SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x40000000, 0x8913, 0x8914, 0x1


def listen_drops() -> int:
    """Connection attempts the kernel dropped from full listen queues, all sockets of this network namespace."""
    try:
        header, values = Path("/proc/net/netstat").read_text().splitlines()[:2]
    except (OSError, ValueError):
        return 0
    fields = dict(zip(header.split(), values.split(), strict=False))
    return int(fields.get("ListenOverflows", 0)) + int(fields.get("ListenDrops", 0))


class CpuMeter:
    """CPU seconds (user + system) of a crawl process and of the processes under it (extraction workers).

    Read from /proc every half second in a thread of the benchmark, the last reading of each process
    kept: a helper process that ended between two readings loses at most its last half second.
    """

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid, self.every = pid, every
        self.readings: dict[int, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while True:
            for pid in [self.pid, *_descendants(self.pid)]:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                self.readings[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if self._done.wait(self.every):
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    @property
    def crawl_seconds(self) -> float:
        return self.readings.get(self.pid, 0.0)

    @property
    def helper_seconds(self) -> float:
        return sum(v for pid, v in self.readings.items() if pid != self.pid)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += [int(child), *_descendants(int(child))]
    return found


ISOLATED = {"network": False}  # set by main(): are dropped connections counted for this benchmark alone?


class DroppedConnections(RuntimeError):
    """The test server, not the crawler, set the pace: the numbers measure nothing."""


def run_crawl(start_urls: list[str], db: Path, work: Path, name: str, *extra: str, throttle: bool = False) -> tuple[float, dict]:
    """One crawl in its own process; (wall seconds, its final stats). Raises ``DroppedConnections``."""
    stats_file = work / f"{name}.stats.json"
    command = crawl_command(
        start_urls, db,
        "-s", f"LOG_FILE={work / (name + '.log')}",
        "-s", f"FAZHI_STATS_FILE={stats_file}",
        *(() if throttle else NO_THROTTLE),
        *extra,
    )  # fmt: skip
    drops = listen_drops()
    started = time.perf_counter()
    fetch_only = "ITEM_PIPELINES={}" in extra  # records nothing, so the crawl command says it failed
    crawl = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stderr=subprocess.DEVNULL if fetch_only else None)
    cpu = CpuMeter(crawl.pid)
    crawl.wait()
    cpu.stop()
    elapsed = time.perf_counter() - started
    done = crawl
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    stats["fazhi/bench/cpu_crawl_s"], stats["fazhi/bench/cpu_helpers_s"] = cpu.crawl_seconds, cpu.helper_seconds
    if (done.returncode and not fetch_only) or not stats.get("downloader/response_count"):
        raise RuntimeError(f"crawl {name} failed (exit {done.returncode}): see {work / (name + '.log')}")
    dropped, errors = listen_drops() - drops, stats.get("downloader/exception_count", 0)
    if dropped or errors:
        raise DroppedConnections(
            f"crawl {name}: {dropped} connection attempt(s) dropped by the kernel, {errors} download error(s) — "
            "the server did not keep up; these timings would measure it, not the crawler"
            + ("" if ISOLATED["network"] else " (counted machine-wide: not in a network namespace of its own)")
        )
    stats["fazhi/bench/dropped_connections"] = dropped
    return elapsed, stats


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
    ISOLATED["network"] = isolate_network()

    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, start_in_thread(args.as_of, port=0) as portal:
        work = Path(tmp)
        for n in range(args.repeat):
            db = work / f"full{n}.db"
            # Alternate which crawl goes first, so a machine warming up or slowing down favours neither.
            order = ("fetch-only", "full") if n % 2 == 0 else ("full", "fetch-only")
            stats: dict[str, dict] = {}
            for name in order:
                extra = FETCH_ONLY if name == "fetch-only" else ()
                _, stats[name] = run_crawl(portal.start_urls, work / f"{name}{n}.db" if extra else db, work,
                                           f"{name}{n}", *extra)  # fmt: skip
            before = _archive_size(db)
            _, stats["again"] = run_crawl(portal.start_urls, db, work, f"again{n}")
            after = _archive_size(db)
            # The same unchanged re-run with a throttle on: the crawl's own, and Scrapy's (alternating).
            throttles = (("ours", ()), ("stock", STOCK_THROTTLE))
            for label, extra in throttles if n % 2 == 0 else throttles[::-1]:
                seconds, stats[f"again-{label}"] = run_crawl(portal.start_urls, db, work, f"again-{label}{n}", *extra,
                                                             throttle=True)  # fmt: skip
                stats[f"again-{label}"]["fazhi/bench/wall_seconds"] = seconds
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
    for label, what in (("ours", "the crawl's throttle (304s count)"), ("stock", "Scrapy's AutoThrottle")):
        seconds = [crawl_seconds(r["stats"][f"again-{label}"]) for r in rounds]
        print(f"unchanged re-run with {what}: {statistics.median(seconds):.1f} s ({min(seconds):.1f}–{max(seconds):.1f})")
    where = "in a network namespace of its own" if ISOLATED["network"] else "machine-wide"
    print(f"connection attempts dropped by the kernel ({where}), download errors: 0, 0 (every crawl checked)")
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
