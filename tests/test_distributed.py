"""Distributed crawling on a real redis-server: two ``scrapy crawl reports`` workers, one archive writer.

The portal is wrapped to log every request it answers (time, method, path), so "no URL twice" and
"never faster than R requests/s" are measured where the portal sees them, not where the crawler says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from crawler.command import crawl_command, crawl_env
from crawler.distributed.ingest import ingest_from_redis
from crawler.distributed.items import decode_capture, decode_shipment, encode_capture
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.local_redis import REDIS_PACKAGE, LocalRedis
from crawler.extractions import ShippedExtraction
from crawler.items import CaptureItem
from sample_portal.network import visible_reports
from sample_portal.server import make_handler, start_paths

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 4, 15)


@pytest.fixture
def local_redis():
    if shutil.which("redis-server") is None:
        message = (
            f"redis-server is not installed (Debian package {REDIS_PACKAGE}: apt-get install {REDIS_PACKAGE})"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with LocalRedis() as server:
        yield server


class LoggedPortal:
    """The sample portal with an access log: (monotonic time, method, path) of every request answered."""

    def __init__(self, as_of: dt.date) -> None:
        self.log: list[tuple[float, str, str]] = []
        lock = threading.Lock()
        base = make_handler(as_of)
        log = self.log

        class Logged(base):  # type: ignore[misc, valid-type]
            def handle_one_request(self) -> None:
                self.command = self.path = None  # a closing keep-alive connection parses no request
                super().handle_one_request()
                if getattr(self, "command", None) and getattr(self, "path", None):
                    with lock:
                        log.append((time.monotonic(), self.command, self.path))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Logged)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.start_urls = [self.base_url + p for p in start_paths()]

    def __enter__(self) -> LoggedPortal:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def crawl_with_workers(portal: LoggedPortal, redis_url: str, tmp: Path, workers: int, *settings: str) -> list[dict]:
    """Start ``workers`` crawl processes on one Redis; each one's stats once all have exited."""
    procs = []
    for n in range(workers):
        stats = tmp / f"worker{n}.stats.json"
        command = crawl_command(
            portal.start_urls, tmp / "worker.db", "-s", f"REDIS_URL={redis_url}", "-s", f"LOG_FILE={tmp}/worker{n}.log",
            "-s", f"FAZHI_STATS_FILE={stats}", *settings,
        )  # fmt: skip
        procs.append(subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stderr=subprocess.PIPE, text=True))
    for n, proc in enumerate(procs):
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, (
            err[-3000:] + (tmp / f"worker{n}.log").read_text(errors="replace")[-3000:]
        )
    return [json.loads((tmp / f"worker{n}.stats.json").read_text()) for n in range(workers)]


def archived_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("documents", "versions", "captures")
        }
    finally:
        conn.close()


# Each worker politely waits 50 ms between its own requests to a host; the shared limit is set above
# what two workers reach, so here it is the per-worker pace that paces the crawl.
PACED = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
         "-s", "FAZHI_HOST_RATE=100")  # fmt: skip


@pytest.mark.slow
def test_two_workers_archive_every_report_once_and_fetch_no_url_twice(local_redis, tmp_path):
    """What sharing a frontier guarantees: each report once, each URL once, whichever worker fetched it.

    How the work splits and whether two workers finish sooner than one depend on the machine's load
    (a worker that starts late finds little left): ``python -m benchmarks.distributed`` measures both
    side by side; no test asserts a duration or a share.
    """
    published = visible_reports(AS_OF)
    client = redis.Redis.from_url(local_redis.url)
    with LoggedPortal(AS_OF) as portal:
        stats = crawl_with_workers(portal, local_redis.url, tmp_path, 2, *PACED)
        log = list(portal.log)
    fetched_by_redis = {k.decode(): int(v) for k, v in client.hgetall(CrawlKeys().fetched).items()}
    assert client.zcard(CrawlKeys().requests) == 0
    assert client.exists(CrawlKeys().dupefilter) == 0  # the last worker out cleared the frontier
    db = tmp_path / "archive.db"
    result = ingest_from_redis(local_redis.url, str(db), stop_when_idle=0)
    # Every published report archived exactly once, as one version.
    counts = archived_counts(db)
    assert counts["documents"] == len(published)
    assert counts["versions"] == len(published)
    assert result["new_versions"] == len(published)
    assert result["ingested"] == sum(s["fazhi/redis/items_pushed"] for s in stats) == counts["captures"]
    assert client.llen(CrawlKeys().items) == 0
    # The workers extracted: the writer used their reports and extracted nothing again.
    assert result["extractions_shipped"] >= len(published) and result["extractions_redone"] == 0
    # Every report a worker sent was used, or its job was not the writer's: an attachment one worker read
    # without its page (another worker fetched the page), which the writer extracts with the page.
    sent = sum(s.get("fazhi/redis/extractions_sent", 0) for s in stats)
    assert result["extractions_shipped"] + result["extractions_unused"] == sent
    # No URL fetched twice, as the portal saw it (each worker reads robots.txt for itself).
    per_url = Counter((method, path) for _, method, path in log if path != "/robots.txt")
    assert per_url and per_url.most_common(1)[0][1] == 1, per_url.most_common(3)
    assert max(fetched_by_redis.values()) == 1
    assert sum(1 for _, _, path in log if path == "/robots.txt") <= 2  # once per worker at most
    assert all(s["finish_reason"] == "finished" for s in stats)


# The shared limit, and how far the rate the portal sees may exceed it over a whole run: a request
# starts in its slot, but reaches the server a little later; the first one late shortens the span.
RATE = 10
RATE_TOLERANCE = 0.10


@pytest.mark.slow
def test_per_host_rate_limit_holds_across_two_unthrottled_workers(local_redis, tmp_path):
    """The rate is measured where it matters, at the portal, over the whole run (not in 1 s windows,
    which a loaded machine fills unevenly: a request late for its slot lands in the next window)."""
    unthrottled = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                   "-s", f"FAZHI_HOST_RATE={RATE}")  # fmt: skip
    with LoggedPortal(AS_OF) as portal:
        stats = crawl_with_workers(portal, local_redis.url, tmp_path, 2, *unthrottled)
        times = sorted(t for t, _, path in portal.log if path != "/robots.txt")
    assert len(times) > 100
    # n requests in slots 1/RATE apart span at least (n - 1) / RATE seconds.
    observed = (len(times) - 1) / (times[-1] - times[0])
    assert observed <= RATE * (1 + RATE_TOLERANCE), f"{observed:.2f} requests/s at the portal, limit {RATE}"
    # The limit was what paced the crawl: two unthrottled workers asked for slots faster than it gives them.
    assert sum(s.get("fazhi/redis/rate_waits", 0) for s in stats) > len(times) / 2


def test_capture_survives_the_wire_bytes_and_continuations_included():
    item = CaptureItem(
        url="http://127.0.0.1/qinghe/a.html", final_url=None, fetched_at="2024-04-15T01:02:03Z", status=200,
        headers={"Content-Type": "text/html; charset=gbk"}, content_type="text/html", body="法治政府".encode("gbk"),
        kind="report", link_text="2023年法治政府建设年度报告",
        continuations=[{"url": "http://127.0.0.1/qinghe/a_1.html", "status": 200, "body": b"\x00\xff<p>2</p>"}],
    )  # fmt: skip
    back = decode_capture(encode_capture(item))
    assert dict(back) == dict(item)
    assert isinstance(back["body"], bytes) and back["continuations"][0]["body"] == b"\x00\xff<p>2</p>"
    # with the worker's extraction beside it; a malformed entry is left out, not trusted
    shipped = ShippedExtraction("k" * 64, "v1", report={"title": "2023年法治政府建设年度报告", "is_report": True})
    line = encode_capture(item, [shipped, ShippedExtraction("x", "v1", failure="extraction timed out")])
    tampered = line.replace('"failure":"extraction timed out"', '"failure":7')
    again, extractions = decode_shipment(tampered)
    assert dict(again) == dict(item) and extractions == [shipped]


def test_ingest_first_archives_the_capture_a_killed_writer_was_holding(local_redis, tmp_path):
    """A writer killed between taking a capture and archiving it leaves it in ``:ingesting``; none is lost."""
    keys = CrawlKeys()
    client = redis.Redis.from_url(local_redis.url)
    body = (
        "<html><head><title>青禾县2023年法治政府建设年度报告</title></head><body><div class='TRS_Editor'>"
        + "<p>一、主要举措</p>" * 3
        + "</div></body></html>"
    )
    common = {"fetched_at": "2024-04-15T01:02:03Z", "status": 200, "headers": {"Content-Type": "text/html"},
              "content_type": "text/html; charset=utf-8", "kind": "listing"}  # fmt: skip
    held = CaptureItem(url="http://127.0.0.1/qinghe/index.html", body=body.encode(), **common)
    queued = CaptureItem(
        url="http://127.0.0.1/qinghe/index_1.html", body=b"<html><body>list</body></html>", **common
    )
    client.rpush(keys.ingesting, encode_capture(held))
    client.rpush(keys.items, encode_capture(queued))
    result = ingest_from_redis(local_redis.url, str(tmp_path / "a.db"), stop_when_idle=0)
    assert result["ingested"] == 2 and result["outcomes"] == {"ok": 2}
    assert client.llen(keys.ingesting) == 0 and client.llen(keys.items) == 0
    conn = sqlite3.connect(tmp_path / "a.db")
    urls = [u for (u,) in conn.execute("select url from capture_records order by id")]
    assert urls == [held["url"], queued["url"]]


def test_ingest_records_a_batch_in_fetch_order_where_a_url_repeats(local_redis, tmp_path):
    """Captures are taken in batches and recorded concurrently, but two captures of one URL keep their order."""
    keys = CrawlKeys()
    client = redis.Redis.from_url(local_redis.url)
    common = {"status": 200, "headers": {"Content-Type": "text/html"}, "content_type": "text/html; charset=utf-8",
              "kind": "listing"}  # fmt: skip
    lists = [f"http://127.0.0.1/qinghe/index_{n}.html" for n in range(5)]
    again = "http://127.0.0.1/qinghe/index.html"
    queued = [CaptureItem(url=again, fetched_at="2024-04-15T01:00:00Z", body=b"<html>first</html>", **common)]
    queued += [CaptureItem(url=u, fetched_at="2024-04-15T01:00:01Z", body=u.encode(), **common) for u in lists]
    queued += [CaptureItem(url=again, fetched_at="2024-04-15T01:00:02Z", body=b"<html>second</html>", **common)]
    client.rpush(keys.items, *(encode_capture(item) for item in queued))
    result = ingest_from_redis(local_redis.url, str(tmp_path / "a.db"), stop_when_idle=0, batch=50)
    assert result["ingested"] == len(queued) and client.llen(keys.ingesting) == 0
    conn = sqlite3.connect(tmp_path / "a.db")
    rows = conn.execute("select fetched_at from capture_records where url = ? order by id", [again]).fetchall()
    conn.close()
    assert rows == [("2024-04-15T01:00:00Z",), ("2024-04-15T01:00:02Z",)]


@pytest.mark.slow
def test_a_worker_killed_mid_crawl_leaves_no_report_behind(local_redis, tmp_path):
    """SIGKILL one of two workers once it holds requests; the other requeues them and finishes the crawl."""
    keys = CrawlKeys()
    client = redis.Redis.from_url(local_redis.url)
    with LoggedPortal(AS_OF) as portal:
        procs = []
        for n in range(2):
            command = crawl_command(
                portal.start_urls, tmp_path / "worker.db", "-s", f"REDIS_URL={local_redis.url}",
                "-s", f"LOG_FILE={tmp_path}/w{n}.log", "-s", f"FAZHI_STATS_FILE={tmp_path}/w{n}.json", *PACED,
            )  # fmt: skip
            procs.append(subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stderr=subprocess.DEVNULL))
        doomed, survivor = procs
        # Wait (on Redis, with a deadline) until the doomed worker holds requests in flight, then kill it.
        pattern = keys.inflight(f"*-{doomed.pid}-*")
        deadline = time.monotonic() + 60
        while not any(client.hlen(k) for k in client.scan_iter(match=pattern)):
            assert time.monotonic() < deadline and survivor.poll() is None, (
                "the doomed worker never took work"
            )
            client.blpop(["fazhi:test:never"], timeout=0.05)  # block on Redis briefly instead of sleeping
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        assert survivor.wait(timeout=240) == 0
    stats = json.loads((tmp_path / "w1.json").read_text())
    assert stats["finish_reason"] == "finished"
    assert stats["fazhi/redis/reclaimed_requests"] >= 1
    result = ingest_from_redis(local_redis.url, str(tmp_path / "archive.db"), stop_when_idle=0)
    counts = archived_counts(tmp_path / "archive.db")
    assert counts["documents"] == counts["versions"] == len(visible_reports(AS_OF))
    assert result["new_versions"] == len(visible_reports(AS_OF))


def test_a_popped_request_is_parked_in_the_same_redis_step(local_redis):
    """Pop and park are one Lua script: at no moment is a request out of the queue yet parked nowhere.

    A worker killed between the two used to lose the request (gone from the queue, marked seen). Here
    the worker "dies" right after popping (no close, heartbeat deleted) and a peer gets it back.
    """
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.distributed.scheduler import SharedScheduler

    class Reports(Spider):
        name = "reports"

    settings = {"REDIS_URL": local_redis.url, "SCHEDULER_PERSIST": True,
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter"}  # fmt: skip
    client = redis.Redis.from_url(local_redis.url)
    keys = CrawlKeys()

    def scheduler() -> SharedScheduler:
        crawler = get_crawler(Reports, settings)
        crawler.spider = crawler._create_spider()
        made = SharedScheduler.from_crawler(crawler)
        made.open(crawler.spider)
        return made

    dying, peer = scheduler(), scheduler()
    urls = [f"http://127.0.0.1:9/report/{n}.html" for n in range(3)]
    assert [dying.enqueue_request(Request(u)) for u in urls] == [True, True, True]
    assert peer.enqueue_request(Request(urls[0])) is False  # seen by the shared dupefilter
    client.config_resetstat()
    popped = dying.next_request()
    assert popped is not None and client.zcard(dying.queue.key) == 2
    calls = {name: stat["calls"] for name, stat in client.info("commandstats").items()}
    assert calls.get("cmdstat_evalsha") and "cmdstat_exec" not in calls  # one script, not a pop then a park
    (parked,) = client.hvals(keys.inflight(dying.worker_id))
    assert dying.queue._decode_request(parked).url == popped.url
    dying.ticker.stop()
    client.delete(keys.worker(dying.worker_id))  # its heartbeat lapses: it is dead
    assert peer.reclaim_dead() == 1
    back = {peer.next_request().url for _ in range(3)}
    assert back == set(urls) and peer.next_request() is None
    peer.close("finished")


@pytest.mark.slow
def test_a_complete_redis_crawl_marks_reports_gone_from_the_portal(local_redis, tmp_path):
    """As a local crawl does: after a complete crawl the writer marks the reports whose URLs answered 404.

    The worker re-asks the archived reports from a read-only copy of the archive (docs/distributed.md);
    without one it could not know them, and nothing would be marked.
    """
    from sample_portal.server import start_in_thread

    later, earlier = dt.date(2025, 7, 1), dt.date(2024, 4, 15)
    db = tmp_path / "archive.db"
    results = []
    port = 0
    for n, as_of in enumerate((later, earlier)):
        tmp = tmp_path / str(n)
        tmp.mkdir()
        if db.exists():
            shutil.copy(db, tmp / "worker.db")  # the worker's read-only copy of the archive
        with start_in_thread(as_of, port=port) as portal:
            port = portal.port  # the same portal, a year apart: its 2024 reports are not there yet
            crawl_with_workers(portal, local_redis.url, tmp, 1, *PACED, "-s", "FAZHI_RECHECK_YEARS=100")
        results.append(ingest_from_redis(local_redis.url, str(db), stop_when_idle=0))
    gone = {(r.agency, r.year) for r in visible_reports(later)} - {(r.agency, r.year) for r in visible_reports(earlier)}
    conn = sqlite3.connect(db)
    removed = set(conn.execute(
        "select agencies.name, documents.report_year from documents join agencies on agencies.id = agency_id "
        "where removed_at is not null").fetchall())  # fmt: skip
    total = conn.execute("select count(*) from documents").fetchone()[0]
    conn.close()
    assert gone and removed == gone
    assert [r["complete_crawls"] for r in results] == [1, 1]
    assert [r["removed_documents"] for r in results] == [0, len(gone)]
    assert total == len(visible_reports(later)), "nothing is deleted"


@pytest.mark.slow
def test_a_worker_whose_redis_dies_exits_1(local_redis, tmp_path):
    """Redis stops mid-crawl: the worker closes with redis_lost and exits non-zero, instead of retrying for ever."""
    keys = CrawlKeys()
    server = local_redis
    with LoggedPortal(AS_OF) as portal:
        client = redis.Redis.from_url(server.url)
        command = crawl_command(
            portal.start_urls, tmp_path / "worker.db", "-s", f"REDIS_URL={server.url}", "-s", f"LOG_FILE={tmp_path}/w.log",
            "-s", f"FAZHI_STATS_FILE={tmp_path}/w.json", *PACED,
        )  # fmt: skip
        worker = subprocess.Popen(command, cwd=ROOT, env=crawl_env(), stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(client.hlen(k) for k in client.scan_iter(match=keys.inflight("*"))):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never took work"
            client.blpop(["fazhi:test:never"], timeout=0.05)  # block on Redis briefly instead of sleeping
        client.close()
        server.stop()
        _, err = worker.communicate(timeout=120)  # bounded: it must not wait for Redis for ever
    assert worker.returncode == 1
    stats = json.loads((tmp_path / "w.json").read_text())
    assert stats["finish_reason"] == "redis_lost"
    assert "stopped: redis_lost" in err.strip().splitlines()[-1]


WRITER = (
    "import logging, sys; from crawler.distributed.ingest import ingest_from_redis; "
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "ingest_from_redis(sys.argv[1], sys.argv[2], stop_when_idle=None, batch=int(sys.argv[3]))"
)
NEW_VERSION = re.compile(r"new version (\d+) of document")
GROUPED = re.compile(r"committed (\d+) captures of \d+ items in one transaction")


def _read_lines(stream, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


WRITER_SILENT_LIMIT = 300  # seconds without a line from the writer: it is stuck, not slow


def _next_line(lines: queue.Queue[str | None], writer: subprocess.Popen) -> str | None:
    """The writer's next stderr line (None at its end); fails the test when it is silent too long."""
    try:
        return lines.get(timeout=WRITER_SILENT_LIMIT)
    except queue.Empty:
        writer.kill()
        pytest.fail(f"the writer logged nothing for {WRITER_SILENT_LIMIT} s: it stopped committing")


@pytest.mark.slow
def test_a_writer_killed_mid_batch_loses_and_doubles_nothing(local_redis, tmp_path):
    """SIGKILL the Redis writer once batches are committing; the next writer completes the archive.

    A capture leaves ``:ingesting`` only after its transaction commits, so what the kill caught in
    flight is still in Redis: archived once by the next writer, never twice as a version.
    """
    keys = CrawlKeys()
    client = redis.Redis.from_url(local_redis.url)
    with LoggedPortal(AS_OF) as portal:
        crawl_with_workers(portal, local_redis.url, tmp_path, 1, *PACED)  # queued, no writer yet
    queued = [decode_shipment(d)[0]["url"] for d in client.lrange(keys.items, 0, -1) if b'"url"' in d[:200]]
    db = tmp_path / "archive.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, local_redis.url, str(db), "40"], cwd=ROOT, env=crawl_env(),
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(writer.stderr, lines), daemon=True)
    reader.start()
    logged: list[int] = []
    largest = 0
    # A version is logged once its transaction has committed. A writer that stops committing (a broken
    # one waits on Redis forever) fails the test instead of hanging it: a bound, not a synchronisation.
    while (line := _next_line(lines, writer)) is not None:
        if found := GROUPED.search(line):
            largest = max(largest, int(found.group(1)))
        if found := NEW_VERSION.search(line):
            logged.append(int(found.group(1)))
        if len(logged) >= 5 and largest >= 2:
            writer.send_signal(signal.SIGKILL)
            break
    writer.wait(timeout=60)
    reader.join(timeout=60)
    writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL, "the writer finished before it could be killed"
    left = client.llen(keys.items) + client.llen(keys.ingesting)
    assert left > 0, "nothing was left in Redis at the kill"
    partial = sqlite3.connect(db)
    kept = {v for (v,) in partial.execute("select id from versions")}
    partial.close()
    assert set(logged) <= kept and len(kept) < len(visible_reports(AS_OF))
    check = subprocess.run([sys.executable, "-m", "fazhi.cli", "check", "--db", str(db)], cwd=ROOT,
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr

    ingest_from_redis(local_redis.url, str(db), stop_when_idle=0)
    assert client.llen(keys.items) == 0 and client.llen(keys.ingesting) == 0
    counts = archived_counts(db)
    assert counts["documents"] == counts["versions"] == len(visible_reports(AS_OF))
    conn = sqlite3.connect(db)
    archived = {u for (u,) in conn.execute("select url from capture_records")}
    conn.close()
    assert set(queued) <= archived, "a queued capture was lost"
