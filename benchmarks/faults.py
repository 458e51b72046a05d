"""Fault accounting: crawl the sample portal with every fault kind on, count injected / recovered / lost.

    .venv/bin/python -m benchmarks.faults [--mode local|redis|both] [--json]

``local``: one ``scrapy crawl reports`` writing the archive itself. ``redis``: a throwaway redis-server
on loopback, two workers, one of them SIGKILLed mid-crawl (the other finishes its in-flight work after
the dead worker's heartbeat lapses), then ``ingest_from_redis`` as the single writer.

Every fault target is judged by what the archive holds afterwards:
- transient (5xx burst, stall past the timeout, TCP reset, truncated body) and lying charset: recovered
  when the report has a version whose text is the published text; lost otherwise;
- blocked (412 瑞数, 521 加速乐, WAF page), soft 404 and redirect loop: handled when recorded as a capture
  of that kind and never a version; lost if it became a version or left no record;
- huge: handled when the crawl survived and it is no version.
Every report no fault touched must be archived too; a missing one is lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from archive.readmodel import ArchiveReader
from crawler.command import crawl_command, crawl_env
from crawler.distributed.ingest import ingest_from_redis
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.local_redis import LocalRedis
from sample_portal.faults import FaultPlan
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 4, 15)
PLAN = FaultPlan.parse(
    "challenge_412=1,challenge_521=1,waf_200=1,soft_404=2,http_5xx_burst=2,timeout=1,reset=1,truncated=1,"
    "lying_charset=1,redirect_loop=1,huge=1,timeout_seconds=1,huge_bytes=3000000,seed=7"
)
SETTINGS = ("-s", "FAZHI_BLOCKED_BACKOFF=0.05", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=3",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.05", "-s", "FAZHI_HOST_RATE=20")  # fmt: skip
RECOVERABLE = ("http_5xx_burst", "timeout", "reset", "truncated", "lying_charset")
REFUSED = {"challenge_412": {"blocked"}, "challenge_521": {"blocked"}, "waf_200": {"blocked"},
           # One soft 404 says 页面不存在, the other 302s to the portal's home page: both recorded as soft_404.
           "soft_404": {"soft_404"}, "redirect_loop": {"error"}}  # fmt: skip


def squash(text: str) -> str:
    return "".join(text.split())


def account(db: Path, base: str, targets: dict[str, list[str]]) -> dict:
    """Injected / recovered / recorded / lost per fault kind, from what the archive holds.

    A report counts as archived when its (agency, year) document has a version with the published
    text — the version may hang on the report's PDF/DOCX attachment rather than on the page URL.
    """
    with ArchiveReader(db) as reader:
        versions, outcomes = reader.texts_by_report(), reader.outcomes_by_url()
    gold = {r.url_path: r for r in visible_reports(AS_OF)}

    def archived(path: str) -> bool:
        report = gold[path]
        text = versions.get((report.agency, report.year))
        return text is not None and squash(report.text)[:60] in squash(text)

    rows: dict[str, dict] = {}
    for kind, paths in targets.items():
        row = rows.setdefault(
            kind, {"injected": len(paths), "recovered": 0, "handled": 0, "lost": [], "outcomes": []}
        )
        for path in paths:
            seen = sorted(outcomes.get(base + path, set()))
            row["outcomes"] += seen
            if kind in RECOVERABLE:
                ok = archived(path)
                row["recovered"] += int(ok)
            elif kind in REFUSED:
                ok = not archived(path) and bool(set(seen) & REFUSED[kind])
                row["handled"] += int(ok)
            else:  # huge: not a report; it must not become a version and the crawl must go on
                ok = not any(squash(t).startswith("青禾县法治政府建设资料汇编") for t in versions.values())
                row["handled"] += int(ok)
            if not ok:
                row["lost"].append(path)
    touched = {p for paths in targets.values() for p in paths}
    untouched = [p for p in gold if p not in touched]
    missing = [p for p in untouched if not archived(p)]
    rows["(no fault)"] = {"injected": 0, "recovered": len(untouched) - len(missing), "handled": 0, "lost": missing,
                          "outcomes": []}  # fmt: skip
    return rows


def crawl_local(work: Path, portal_urls: list[str]) -> dict:
    db = work / "local.db"
    command = crawl_command(portal_urls, db, "-s", f"LOG_FILE={work}/local.log",
                            "-s", f"FAZHI_STATS_FILE={work}/local.json", *SETTINGS)  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=crawl_env(), check=True)
    return {
        "db": db,
        "seconds": round(time.perf_counter() - started, 2),
        "workers": [json.loads((work / "local.json").read_text())],
    }


def crawl_redis(work: Path, portal_urls: list[str], kill_after: int) -> dict:
    """Two workers; the first is SIGKILLed once ``kill_after`` requests were popped crawl-wide."""
    db = work / "redis.db"
    with LocalRedis() as server:
        client = redis.Redis.from_url(server.url)

        def worker(n: int) -> subprocess.Popen:
            command = crawl_command(portal_urls, work / "worker.db", "-s", f"REDIS_URL={server.url}",
                                    "-s", f"LOG_FILE={work}/w{n}.log", "-s", f"FAZHI_STATS_FILE={work}/w{n}.json",
                                    *SETTINGS)  # fmt: skip
            return subprocess.Popen(command, cwd=ROOT, env=crawl_env())

        started = time.perf_counter()
        doomed, survivor = worker(0), worker(1)
        while client.hlen(CrawlKeys().fetched) < kill_after and survivor.poll() is None:
            time.sleep(0.05)  # a benchmark watching a crawl, not a test synchronising on it
        held = sum(client.hlen(k) for k in client.scan_iter(match=CrawlKeys().inflight_pattern))
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
        survivor.wait(timeout=600)
        seconds = round(time.perf_counter() - started, 2)
        fetched = {k.decode(): int(v) for k, v in client.hgetall(CrawlKeys().fetched).items()}
        ingest = ingest_from_redis(server.url, str(db), stop_when_idle=0)
    survivor_stats = json.loads((work / "w1.json").read_text())
    return {
        "db": db, "seconds": seconds, "workers": [survivor_stats], "killed_holding": held,
        "reclaimed": survivor_stats.get("fazhi/redis/reclaimed_requests", 0),
        "refetched_urls": sum(1 for v in fetched.values() if v > 1), "ingest": ingest,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("local", "redis", "both"), default="both")
    parser.add_argument(
        "--kill-after", type=int, default=40, help="redis mode: kill a worker after this many requests"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    with (
        tempfile.TemporaryDirectory(prefix="fazhi-faults-") as tmp,
        start_in_thread(AS_OF, port=0, faults=PLAN) as portal,
    ):
        work = Path(tmp)
        targets = portal.fault_targets
        for mode in ("local", "redis") if args.mode == "both" else (args.mode,):
            run = (
                crawl_local(work, portal.start_urls)
                if mode == "local"
                else crawl_redis(work, portal.start_urls, args.kill_after)
            )
            rows = account(run.pop("db"), portal.base_url, targets)
            run.pop("workers")
            results[mode] = {
                **run,
                "faults": rows,
                "injected": sum(r["injected"] for r in rows.values()),
                "recovered": sum(r["recovered"] for k, r in rows.items() if k != "(no fault)"),
                "handled": sum(r["handled"] for r in rows.values()),
                "lost": sum(len(r["lost"]) for r in rows.values()),
            }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for mode, res in results.items():
            print(f"\n== {mode}: {res['seconds']} s; injected {res['injected']}, recovered {res['recovered']}, "
                  f"recorded-not-archived {res['handled']}, lost {res['lost']}")  # fmt: skip
            if mode == "redis":
                print(f"   in flight crawl-wide at the kill: {res['killed_holding']}; survivor requeued the dead worker's "
                      f"{res['reclaimed']}; URLs dequeued more than once (retries + requeued): {res['refetched_urls']}; "
                      f"ingested {res['ingest']['ingested']}")  # fmt: skip
            print(f"   {'kind':<16}{'injected':>9}{'recovered':>10}{'recorded':>9}  lost")
            for kind, row in res["faults"].items():
                print(
                    f"   {kind:<16}{row['injected']:>9}{row['recovered']:>10}{row['handled']:>9}  {len(row['lost'])} {row['lost'] or ''}"
                    f"{'  outcomes: ' + ','.join(sorted(set(row['outcomes']))) if row['outcomes'] else ''}"
                )
    return results


if __name__ == "__main__":
    main()
