"""Many hosts at once: the share of the politeness bound a crawl reaches, fetch-only and full pipeline.

    .venv/bin/python -m benchmarks.scale [--hosts 1,4,16,32] [--crawl-delay 0.25] [--repeat 1]

H sample-portal hosts are served on loopback addresses 127.0.0.1 … 127.0.0.H (one server each, the
whole network, ~141 pages), each asking in robots.txt for ``--crawl-delay`` seconds between
requests. A crawl of all H at once can then go no faster than H / crawl-delay requests a second: the
politeness bound. For each H the crawl runs fetch-only (the archive pipeline switched off: Scrapy and
the servers) and with the full pipeline (extraction in the process pool, the archive's writer
thread), in one run, alternating which goes first; the share of the bound each reaches is printed,
median and range over ``--repeat`` rounds. Every crawl is checked for connection attempts the kernel
dropped and for download errors, and the benchmark fails loudly on any: the servers must not be
what sets the pace. The crawls use the crawl's own settings (its throttle, whose floor per host is
the Crawl-delay) unless ``--no-throttle``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks.crawl import FETCH_ONLY, ISOLATED, crawl_seconds, isolate_network, run_crawl
from sample_portal.server import RunningPortal, start_in_thread

AS_OF = dt.date(2025, 7, 1)


def serve_hosts(stack: ExitStack, hosts: int, crawl_delay: float) -> list[RunningPortal]:
    """``hosts`` sample portals on 127.0.0.1 … 127.0.0.N, each with its own robots.txt Crawl-delay."""
    return [
        stack.enter_context(start_in_thread(AS_OF, host=f"127.0.0.{n + 1}", crawl_delay=crawl_delay))
        for n in range(hosts)
    ]


def share_of_bound(stats: dict, hosts: int, crawl_delay: float) -> tuple[float, float]:
    """(requests a second, share of the politeness bound hosts / crawl_delay)."""
    seconds = crawl_seconds(stats)
    rate = stats.get("downloader/request_count", 0) / seconds if seconds else 0.0
    return rate, rate / (hosts / crawl_delay)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", default="1,4,16,32", help="comma-separated host counts")
    parser.add_argument("--crawl-delay", type=float, default=0.25, help="seconds each host asks for in robots.txt")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians and ranges are printed")
    parser.add_argument("--no-throttle", action="store_true", help="AutoThrottle off: the Crawl-delay alone paces")
    parser.add_argument("--settings", nargs="*", default=[], help="extra NAME=VALUE Scrapy settings for both crawls")
    args = parser.parse_args(argv)
    ISOLATED["network"] = isolate_network()
    counts = [int(h) for h in args.hosts.split(",")]
    extra = [a for name in args.settings for a in ("-s", name)]
    results: dict[tuple[int, str], list[tuple[float, float]]] = {}
    cpu: dict[str, list[tuple[float, float]]] = {}  # mode → (crawl process, workers) CPU ms per request
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-scale-") as tmp:
        work = Path(tmp)
        for round_ in range(args.repeat):
            for hosts in counts:
                with ExitStack() as stack:
                    portals = serve_hosts(stack, hosts, args.crawl_delay)
                    starts = [url for portal in portals for url in portal.start_urls]
                    modes = ("fetch-only", "full") if (round_ + hosts) % 2 == 0 else ("full", "fetch-only")
                    for mode in modes:
                        name = f"{mode}-h{hosts}-r{round_}"
                        _, stats = run_crawl(
                            starts, work / f"{name}.db", work, name, *(FETCH_ONLY if mode == "fetch-only" else ()),
                            *extra, throttle=not args.no_throttle,
                        )  # fmt: skip
                        rate, share = share_of_bound(stats, hosts, args.crawl_delay)
                        results.setdefault((hosts, mode), []).append((rate, share))
                        requests = stats.get("downloader/request_count", 0) or 1
                        per = (1000 * stats["fazhi/bench/cpu_crawl_s"] / requests,
                               1000 * stats["fazhi/bench/cpu_helpers_s"] / requests)
                        cpu.setdefault(mode, []).append(per)
                        print(f"  H={hosts:<3} {mode:<10} {requests:>6} requests in {crawl_seconds(stats):6.1f} s: "
                              f"{rate:6.1f}/s, {share:.2f} of the bound; CPU {per[0]:.1f} ms a request in the crawl "
                              f"process, {per[1]:.1f} in its extraction workers", file=sys.stderr, flush=True)  # fmt: skip
    after = os.getloadavg()
    print(f"H sample-portal hosts on 127.0.0.x, Crawl-delay {args.crawl_delay:g} s each (bound H × {1 / args.crawl_delay:g} "
          f"requests/s), {'AutoThrottle off' if args.no_throttle else 'the crawl’s throttle on'}; {args.repeat} round(s), "
          f"median (min–max); load average {load[0]:.1f} before, {after[0]:.1f} after, {os.cpu_count()} cores; "
          f"no connection dropped ({'own network namespace' if ISOLATED['network'] else 'counted machine-wide'})")  # fmt: skip
    print(f"{'H':>3} {'bound/s':>8} {'fetch-only/s':>13} {'share':>18} {'full/s':>8} {'share':>18} {'full/fetch':>11}")
    for hosts in counts:
        fetch, full = results[(hosts, "fetch-only")], results[(hosts, "full")]
        ratios = [b[0] / a[0] for a, b in zip(fetch, full, strict=True) if a[0]]
        print(f"{hosts:>3} {hosts / args.crawl_delay:>8.0f} {_median(fetch, 0):>13} {_spread(fetch):>18} "
              f"{_median(full, 0):>8} {_spread(full):>18} {statistics.median(ratios):>11.2f}")  # fmt: skip
    for mode, values in cpu.items():
        crawl_ms = [v[0] for v in values]
        helper_ms = [v[1] for v in values]
        print(f"CPU a request, {mode}: {statistics.median(crawl_ms):.1f} ms in the crawl process "
              f"({min(crawl_ms):.1f}–{max(crawl_ms):.1f}), {statistics.median(helper_ms):.1f} ms in extraction workers "
              f"({min(helper_ms):.1f}–{max(helper_ms):.1f})")  # fmt: skip
    return 0


def _median(values: list[tuple[float, float]], index: int) -> str:
    return f"{statistics.median(v[index] for v in values):.1f}"


def _spread(values: list[tuple[float, float]]) -> str:
    shares = [v[1] for v in values]
    return f"{statistics.median(shares):.2f} ({min(shares):.2f}–{max(shares):.2f})"


if __name__ == "__main__":
    sys.exit(main())
