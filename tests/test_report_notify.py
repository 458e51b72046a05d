"""A scheduled crawl's story, end to end: three real crawls of the sample portal (spring 2024, summer
2025, an unchanged re-run) with ``FAZHI_NOTIFY`` pointed at a JSON receiver on loopback, then the
site built from that archive — the revisions on its index with both dates, its feed's links.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.command import crawl_command, crawl_env
from report.site import build_report_site
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
FIRST, SECOND = dt.date(2024, 4, 15), dt.date(2025, 7, 1)


class Receiver:
    """An HTTP server on a free loopback port that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                length = int(self.headers.get("Content-Length") or 0)
                received.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def crawl(start_urls: list[str], db: Path, log: Path, notify: str) -> None:
    command = crawl_command(start_urls, db, "-s", f"LOG_FILE={log}", "-s", f"FAZHI_NOTIFY={notify}")
    done = subprocess.run(command, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:] + log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("story")
    db = tmp / "archive.db"
    receiver = Receiver()
    messages: dict[str, list[dict]] = {}
    try:
        with start_in_thread(FIRST, port=0) as portal:
            crawl(portal.start_urls, db, tmp / "first.log", receiver.url)
            port = portal.port
        messages["first"] = list(receiver.received)
        with start_in_thread(SECOND, port=port) as portal:  # the same address a year later
            crawl(portal.start_urls, db, tmp / "second.log", receiver.url)
            messages["second"] = receiver.received[len(messages["first"]) :]
            crawl(portal.start_urls, db, tmp / "rerun.log", receiver.url)
            messages["rerun"] = receiver.received[len(messages["first"]) + len(messages["second"]) :]
    finally:
        receiver.stop()
    site = build_report_site(db, tmp / "site").parent
    yield {"db": db, "messages": messages, "site": site, "tmp": tmp}


def edited_reports() -> list:
    """The reports the sample portal silently edited between the two crawls."""
    return [r for r in visible_reports(SECOND) if r.edited_on and FIRST < r.edited_on <= SECOND and r.published <= FIRST]


def test_each_crawl_that_archived_something_posts_once(story: dict) -> None:
    messages = story["messages"]
    assert len(messages["first"]) == 1 and "新报告" in messages["first"][0]["title"]
    [second] = messages["second"]
    edited = edited_reports()
    assert edited, "the sample portal edits a report between the two dates"
    assert f"发布后修改 {len(edited)} 份" in second["title"]
    for report in edited:
        assert report.agency in second["message"] and report.url_path in second["message"]


def test_an_unchanged_rerun_sends_nothing(story: dict) -> None:
    assert story["messages"]["rerun"] == []


def test_the_index_lists_every_revision_with_both_dates(story: dict) -> None:
    html = (story["site"] / "index.html").read_text(encoding="utf-8")
    desk = html[html.index('id="desk-revisions"') : html.index('id="plans"')]
    rows = desk.split("<tr data-region")[1:]
    assert len(rows) == len(edited_reports())
    for report in edited_reports():
        [row] = [r for r in rows if report.agency in r and f">{report.year}</a>" in r]
        # each version: first seen by the archive, and the date the server gave it (its simulated timeline)
        assert row.count("首次发现 20") == 2
        assert f"服务器标注 {report.published.isoformat()}" in row
        assert f"服务器标注 {report.edited_on.isoformat()}" in row


def test_the_feed_links_resolve_and_name_the_revisions(story: dict) -> None:
    feedparser = pytest.importorskip("feedparser", reason="feedparser (dev extra) reads the feed as a reader would")
    site = story["site"]
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo
    for e in feed.entries:  # a page, or a version's section of its report's page
        page, _, anchor = e.link.partition("#")
        assert (site / page).is_file() and (not anchor or f'id="{anchor}"' in (site / page).read_text("utf-8")), e.link
    revisions = [e for e in feed.entries if e.tags[0].term == "revision"]
    assert len(revisions) == len(edited_reports())
    assert all(e.link.startswith("documents/") and "#v" in e.link for e in revisions)
    for report in edited_reports():
        assert any(report.agency in e.title and report.edited_on.isoformat() in e.summary for e in revisions)
