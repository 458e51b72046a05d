"""robots.txt ``Crawl-delay`` is honoured: measured as the gaps between requests at the server."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.command import crawl_command, crawl_env
from sample_portal.pages import render

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)
DELAY = 0.4


class PortalWithCrawlDelay(BaseHTTPRequestHandler):
    """The sample portal's own pages, behind a robots.txt that asks for a crawl delay."""

    arrivals: list[float] = []
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            body, content_type = f"User-agent: *\nCrawl-delay: {DELAY}\nDisallow: /search\n".encode(), "text/plain"
        else:
            with self.lock:
                self.arrivals.append(time.monotonic())
            page = render(parts.path, parts.query, AS_OF)
            if page is None:
                self.send_error(404)
                return
            body, content_type = page.body, page.content_type
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_requests_to_a_host_keep_its_crawl_delay(tmp_path: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), PortalWithCrawlDelay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        done = subprocess.run(
            crawl_command([base + "/shimen/index.asp"], tmp_path / "archive.db", "-s", "CLOSESPIDER_PAGECOUNT=12"),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-2000:]
    arrivals = sorted(PortalWithCrawlDelay.arrivals)
    assert len(arrivals) >= 8
    # The crawler starts requests DELAY apart; each reaches the server a little later, by an amount a loaded
    # machine makes uneven, so one gap alone may be shorter (0.33 s seen at load 9). Over the whole run
    # they cannot be: n requests started DELAY apart span at least (n - 1) x DELAY, less the first one's
    # lateness (5% here); without the delay they would span milliseconds.
    span = arrivals[-1] - arrivals[0]
    assert span >= (len(arrivals) - 1) * DELAY * 0.95, (
        f"{len(arrivals)} requests in {span:.2f} s: robots.txt asks {DELAY} s between them"
    )
