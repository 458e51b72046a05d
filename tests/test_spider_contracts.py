"""``scrapy check``: every spider's parse methods keep their contracts on the sample portal's pages, offline.

The contracts live in the parse methods' docstrings (``@portal PATH`` names a sample-portal page,
crawler/contracts.py); ``scrapy check`` serves the portal on a free loopback port for the run
(crawler/commands/check.py). Each run here is a real ``scrapy check`` process.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.command import crawl_env
from crawler.spiders.reports import FAMILY_SPIDERS

ROOT = Path(__file__).resolve().parents[1]
CHECKED = {"parse", "parse_sitemap", "parse_candidate", "parse_data", "parse_report", "parse_attachment"}
SPIDERS = {"reports", *FAMILY_SPIDERS}


def scrapy_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "check", *args],
        cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def listed(output: str) -> dict[str, set[str]]:
    """``scrapy check -l``'s listing: spider → its methods with contracts."""
    spiders: dict[str, set[str]] = {}
    name = ""
    for line in output.splitlines():
        if line.startswith("  * "):
            spiders[name].add(line[4:])
        elif line.strip():
            name = line.strip()
            spiders[name] = set()
    return spiders


def test_every_spider_has_contracts_for_its_parse_methods():
    done = scrapy_check("-l")
    assert done.returncode == 0, done.stderr
    assert listed(done.stdout) == {name: CHECKED for name in SPIDERS}


@pytest.mark.slow
def test_scrapy_check_passes_offline_against_the_sample_portal():
    done = scrapy_check("-v")
    assert done.returncode == 0, done.stderr[-3000:]
    ran = re.search(r"Ran (\d+) contracts", done.stderr)
    assert ran is not None, done.stderr[-3000:]
    # each checked method: its @returns and @scrapes hooks, in every spider
    assert int(ran.group(1)) >= len(SPIDERS) * len(CHECKED) * 2
    assert done.stderr.rstrip().endswith("OK")
    for spider in SPIDERS:
        for method in CHECKED:
            assert f"[{spider}] {method} (@returns post-hook) ... ok" in done.stderr


class _BlankPages(BaseHTTPRequestHandler):
    """Every URL answers an empty page: a site whose markup the spiders no longer understand."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _answer(self) -> None:
        body = b"<html><head><title></title></head><body></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._answer()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()


@pytest.fixture
def blank_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BlankPages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.slow
def test_contracts_fail_on_pages_that_do_not_keep_them(blank_site):
    done = scrapy_check("trs", "-a", f"start={blank_site}")
    assert done.returncode == 1
    assert "FAILED" in done.stderr
    for method in ("parse", "parse_data", "parse_report", "parse_sitemap"):
        assert f"[trs] {method} (@returns post-hook)" in done.stderr, method
