"""Notifications in Redis mode: ``fazhi ingest --notify URL`` sends one message per crawl it writes.

Captures of the sample portal's real pages are queued in a real redis-server as workers queue them
(a report page, then the end-of-crawl marker), and the writer posts to an apprise ``json://``
receiver on loopback: once for the new report, not at all for an unchanged re-run, once for the
silent edit the portal makes on 2024-05-20.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pytest
import redis
from conftest import run_fazhi
from test_report_notify import Receiver

from crawler.distributed.items import encode_capture, encode_crawl_complete
from crawler.distributed.keys import CrawlKeys
from crawler.distributed.local_redis import REDIS_PACKAGE, LocalRedis
from crawler.items import CaptureItem
from sample_portal.network import documents
from sample_portal.pages import render

BASE = "http://127.0.0.1:8000"
PATH = "/qinghe/zwgk/fzzfjs/202402/t20240225_4821483.html"  # 青禾县司法局 2023, edited on 2024-05-20


@pytest.fixture
def local_redis():
    if shutil.which("redis-server") is None:
        message = f"redis-server is not installed (Debian package {REDIS_PACKAGE}: apt-get install {REDIS_PACKAGE})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with LocalRedis() as server:
        yield server


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def queue_crawl(url: str, as_of: dt.date, fetched_at: str) -> None:
    """What a worker's crawl of the report page on ``as_of`` leaves in Redis: its capture, then the marker."""
    doc = next(d for d in documents() if d.url_path == PATH)
    page = render(PATH, "", as_of, base_url=BASE)
    assert page is not None
    item = CaptureItem(
        url=BASE + PATH, final_url=BASE + PATH, fetched_at=fetched_at, status=200,
        headers={"Content-Type": page.content_type}, content_type=page.content_type, body=page.body,
        kind="report", link_text=doc.title, portal=BASE + "/qinghe/index.html",
    )  # fmt: skip
    client = redis.Redis.from_url(url)
    client.rpush(CrawlKeys().items, encode_capture(item), encode_crawl_complete(fetched_at))
    client.close()


def ingest(url: str, db, receiver: Receiver) -> dict:
    done = run_fazhi("ingest", "--from-redis", url, "--db", str(db), "--idle", "0.01", "--notify", receiver.url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_writer_notifies_once_per_crawl_that_archived_something_new(local_redis, receiver, tmp_path):
    db = tmp_path / "archive.db"
    queue_crawl(local_redis.url, dt.date(2024, 4, 15), "2024-04-15T03:00:00Z")
    assert ingest(local_redis.url, db, receiver)["notifications"] == 1
    (first,) = receiver.received
    assert "新报告 1 份" in first["title"] and "青禾县司法局 2023 年度" in first["message"]
    assert BASE + PATH in first["message"]

    queue_crawl(local_redis.url, dt.date(2024, 4, 22), "2024-04-22T03:00:00Z")  # unchanged a week later
    counts = ingest(local_redis.url, db, receiver)
    assert counts["seen_again"] == 1 and counts["notifications"] == 0
    assert len(receiver.received) == 1  # nothing new, nothing sent

    queue_crawl(local_redis.url, dt.date(2024, 6, 1), "2024-06-01T03:00:00Z")  # after the silent edit
    counts = ingest(local_redis.url, db, receiver)
    assert counts["new_versions"] == 1 and counts["notifications"] == 1
    revision = receiver.received[-1]
    assert "发布后修改 1 份" in revision["title"] and "新报告" not in revision["title"]
    assert "青禾县司法局 2023 年度 第 2 版" in revision["message"]


def test_the_writer_reads_its_targets_from_FAZHI_NOTIFY(local_redis, receiver, tmp_path, monkeypatch):
    """As a cron line sets it for the crawl: the environment variable, when ``--notify`` is not given."""
    monkeypatch.setenv("FAZHI_NOTIFY", receiver.url)
    queue_crawl(local_redis.url, dt.date(2024, 4, 15), "2024-04-15T03:00:00Z")
    done = run_fazhi("ingest", "--from-redis", local_redis.url, "--db", str(tmp_path / "a.db"), "--idle", "0.01")
    assert done.returncode == 0 and json.loads(done.stdout)["notifications"] == 1
    assert len(receiver.received) == 1 and "新报告 1 份" in receiver.received[0]["title"]
