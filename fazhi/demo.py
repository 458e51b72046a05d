"""``make demo``: the whole flow on the bundled sample portal network, as a user would run it.

Serve the portals as they stood on one day, crawl them; serve them as they stood a year later (new
reports published, some old ones silently edited), crawl again as a scheduled re-run would; then write
the diff reports. Each step is the real command in its own process.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIRST_CRAWL = dt.date(2024, 4, 15)  # the 2023 reports are out (deadline 1 April)
SECOND_CRAWL = dt.date(2025, 7, 1)  # the 2024 reports are out, and some older ones were edited
# On the first date a few pages answer like real portals under protection or strain: a 瑞数 412
# challenge, a 安全验证 page, a soft 404, a burst of 503s. By the second date they behave again.
FAULTS = "challenge_412=1,waf_200=1,soft_404=1,http_5xx_burst=1,seed=5,recover_after=2025-01-01"
# What the demo writes into its directory (names or patterns: SQLite's journal, the report site's
# temporary siblings): a re-run replaces exactly these, a run killed half-way is still recognised.
DEMO_ENTRIES = [
    "archive.db", "archive.db-journal", "archive.db-wal", "archive.db-shm", "archive.warcs",
    f"crawl-{FIRST_CRAWL}.log", f"crawl-{SECOND_CRAWL}.log", "reports", ".reports.new-*", ".reports.old-*",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Readiness probe: connect until the portal accepts, or fail with its exit status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sample portal exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the sample portal did not listen on port {port} within {timeout:.0f} s")


def scans_available() -> bool:
    """The scanned and picture reports are drawn in a CJK font; without one the demo leaves them out."""
    from sample_portal.scans import NoCJKFont, cjk_font

    try:
        cjk_font()
    except NoCJKFont as exc:
        print(f"  note: {exc}; the scanned and picture reports are left out of this demo", flush=True)
        return False
    return True


@contextmanager
def sample_portal(as_of: dt.date, port: int, scans: bool = True) -> Iterator[str]:
    """Run ``fazhi portal`` in its own process for the duration of the block; yield its base URL."""
    command = [sys.executable, "-m", "fazhi.cli", "portal", "--port", str(port), "--as-of", as_of.isoformat()]
    extras = ["--faults", FAULTS, "--gkmlpt", *(["--scans"] if scans else [])]
    print("  $ fazhi " + " ".join(command[3:] + extras), flush=True)
    process = subprocess.Popen(command + extras, stdout=subprocess.DEVNULL)
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def crawl(start_urls: list[str], db: Path, log: Path) -> None:
    """``scrapy crawl reports`` exactly as a scheduled job would run it."""
    from crawler.command import crawl_command, crawl_env

    env = crawl_env()
    command = crawl_command(
        start_urls, db, "-s", f"LOG_FILE={log}", "-s", "LOG_LEVEL=INFO",
        "-s", "FAZHI_BLOCKED_BACKOFF=1",  # the default 5 s pause is for real portals
        "-s", "FAZHI_EXTRACTION_TIMEOUT=600",  # OCR of the scanned report's pages, on a busy machine too
    )  # fmt: skip
    print("  $ " + " ".join(command[2:]), flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, env=env)
    # Progress: follow the crawl's log while it runs.
    shown = 0
    while process.poll() is None:
        shown = _show_progress(log, shown)
        time.sleep(0.5)
    _show_progress(log, shown)
    if process.returncode != 0:
        raise RuntimeError(f"the crawl failed (exit {process.returncode}); see {log}")
    print(f"  crawl finished in {time.monotonic() - started:.1f} s (log: {log})", flush=True)


def _show_progress(log: Path, shown: int) -> int:
    if not log.exists():
        return shown
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines[shown:]:
        if "new version" in line or "Crawled " in line or "blocked:" in line or "soft_404:" in line:
            print("  " + line.split("] ", 1)[-1][:160], flush=True)
    return len(lines)


def run_demo(out: Path) -> int:
    """The demo into ``out``: a new or empty directory, or one an earlier demo wrote (its files are replaced;
    anything else in it is refused, see fazhi.outputs)."""
    from archive.readonly import read_stats
    from fazhi.outputs import prepare_directory, replace_directory
    from report.site import build_report_site
    from report.story import read_summary
    from sample_portal.network import start_paths

    prepare_directory(out, "demo", will_write=DEMO_ENTRIES)
    db = out / "archive.db"
    started = time.monotonic()
    port = free_port()  # one address for both crawls: a real portal keeps its URLs
    scans = scans_available()

    for step, as_of in enumerate((FIRST_CRAWL, SECOND_CRAWL), start=1):
        print(f"\n[{step}/3] serving the sample portals as of {as_of}, crawling them", flush=True)
        with sample_portal(as_of, port, scans) as base_url:
            crawl([base_url + path for path in start_paths(include_gkmlpt=True)], db, out / f"crawl-{as_of}.log")
        print("  archive: " + json.dumps(read_stats(db), ensure_ascii=False), flush=True)

    print("\n[3/3] writing the diff reports", flush=True)
    reports = out / "reports"
    replace_directory(reports, "report", lambda fresh: build_report_site(db, fresh))
    index = reports / "index.html"
    print("\nWhat the archive found:")
    for line in read_summary(reports):
        print(f"  {line}")
    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    print(f"  archive:  {db}")
    print(f"  reports:  {index}  (open it in a browser)")
    print(f"  try:      .venv/bin/fazhi stats --db {db} --format json")
    return 0
