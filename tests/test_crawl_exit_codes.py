"""``scrapy crawl`` says how it went in its exit code, as cron and systemd need: 2 for wrong arguments, 1 for a failed crawl.

Each exit code is a real ``scrapy crawl`` in its own process (crawler/commands/crawl.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from crawler.command import crawl_command, crawl_env
from crawler.distributed.local_redis import free_port
from crawler.spiders.reports import ReportsSpider
from crawler.targets import SpiderArgumentError
from sample_portal.server import start_in_thread

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 4, 15)


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300
    )


# What each mistake says comes from crawler.targets, which the command and the spider both call: tested
# here in-process; that the command turns any of them into one line and exit 2, on two real processes.
MISTAKES = [
    ({}, "give the portals to crawl"),
    ({"portals": "atlantis"}, "not in the portal registry: atlantis"),
    ({"start": "notaurl"}, "must be an http(s) URL"),
    ({"start": "file:///etc/passwd"}, "must be an http(s) URL"),
    ({"start": "http://"}, "must be an http(s) URL"),
    ({"start": "http://127.0.0.1:99999/"}, "bad port"),
    ({"search": "http://127.0.0.1/search?q=law"}, "must contain {q}"),
    ({"search": "ftp://127.0.0.1/search?q={q}"}, "the search template must be an http(s) URL"),
]


@pytest.mark.parametrize(("arguments", "says"), MISTAKES)
def test_a_wrong_spider_argument_is_named(arguments, says):
    with pytest.raises(SpiderArgumentError) as raised:
        ReportsSpider.check_arguments(**arguments)
    assert says in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(("arguments", "says"), [MISTAKES[0], MISTAKES[5]])
def test_a_wrong_spider_argument_is_one_line_and_exit_2(tmp_path, arguments, says):
    spider_arguments = [a for name, value in arguments.items() for a in ("-a", f"{name}={value}")]
    done = scrapy("crawl", "reports", *spider_arguments, "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert not (tmp_path / "a.db").exists()  # nothing was started


@pytest.mark.slow
def test_a_crawl_whose_every_start_url_fails_exits_1(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/index.html"  # nobody listens there
    done = subprocess.run(
        crawl_command([closed], tmp_path / "a.db", "-s", "RETRY_TIMES=0", "-s", f"LOG_FILE={tmp_path / 'log'}"),
        cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("crawl FAILED:") and "every start URL failed (1 of 1)" in last
    # the failure itself is in the archive, as every failed fetch is
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT outcome FROM capture_records").fetchall() == [("error",)]
    conn.close()


@pytest.mark.slow
def test_a_good_crawl_exits_0_and_says_nothing_on_stderr_but_its_log(tmp_path):
    with start_in_thread(AS_OF, port=0) as portal:
        done = subprocess.run(
            crawl_command(portal.start_urls[:1], tmp_path / "a.db", "-s", f"LOG_FILE={tmp_path / 'log'}",
                          "-s", "DEPTH_LIMIT=1"),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "crawl finished:" in (tmp_path / "log").read_text()


@pytest.mark.slow
def test_an_item_the_archive_cannot_record_stops_the_crawl_with_exit_1(tmp_path):
    """The archive refuses to write report captures (a trigger stands in for a full disk or a lost lock)."""
    db = tmp_path / "a.db"
    Archive(db).close()
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TRIGGER refuse_reports BEFORE INSERT ON captures "
        "WHEN (SELECT url FROM urls WHERE id = NEW.url_id) LIKE '%/zwgk/fzzfjs/20%' "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    conn.commit()
    conn.close()
    stats_file = tmp_path / "stats.json"
    with start_in_thread(AS_OF, port=0) as portal:
        done = subprocess.run(
            crawl_command([portal.base_url + "/qinghe/index.html"], db, "-s", f"LOG_FILE={tmp_path / 'log'}",
                          "-s", f"FAZHI_STATS_FILE={stats_file}"),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    stats = json.loads(stats_file.read_text())
    assert done.returncode == 1
    assert stats["finish_reason"] == "archive_failed"
    assert stats["fazhi/unrecorded_items"] >= 1
    last = done.stderr.strip().splitlines()[-1]
    assert "stopped: archive_failed" in last and "not archived" in last
    log = (tmp_path / "log").read_text()
    assert "database or disk is full" in log  # the reason, for whoever reads the log


@pytest.mark.parametrize(
    ("stats", "reason", "shared", "problem"),
    [
        ({"fazhi/outcome/ok": 9, "fazhi/start_urls": 2, "fazhi/start_urls_failed": 1}, "finished", False, None),
        ({"fazhi/outcome/ok": 9}, "closespider_pagecount", False, None),  # a limit the user set
        ({"fazhi/outcome/ok": 0}, "finished", False, "no item recorded"),
        ({"fazhi/outcome/ok": 0}, "finished", True, None),  # a Redis worker whose peers took the work
        ({"fazhi/redis/items_pushed": 4}, "finished", True, None),
        ({"fazhi/outcome/ok": 3, "fazhi/start_urls": 2, "fazhi/start_urls_failed": 2}, "finished", False,
         "every start URL failed (2 of 2)"),
        ({"fazhi/outcome/ok": 3, "fazhi/unrecorded_items": 1}, "archive_failed", False, "1 fetched item(s) not archived"),
        ({"fazhi/outcome/ok": 3}, "redis_lost", True, "stopped: redis_lost"),
        ({"fazhi/outcome/ok": 3}, "shutdown", False, "stopped: shutdown"),
        ({"fazhi/outcome/ok": 3, "spider_exceptions/ValueError": 2}, "finished", False, "2 page(s) raised in the spider"),
        ({}, None, False, "the crawl did not run"),
    ],
)  # fmt: skip
def test_what_makes_a_crawl_a_failure(stats, reason, shared, problem):
    from crawler.commands.crawl import crawl_problems

    problems = crawl_problems(stats, reason, shared_frontier=shared)
    assert (problem in problems) if problem else problems == []


@pytest.mark.slow
@pytest.mark.parametrize("where", ["a directory", "a missing folder"])
def test_an_archive_that_cannot_be_opened_is_one_line_and_exit_1(tmp_path, where):
    """ARCHIVE_DB cannot be an archive: nothing could be kept, so nothing is crawled past the start."""
    db = tmp_path if where == "a directory" else tmp_path / "no" / "such" / "archive.db"
    with start_in_thread(AS_OF, port=0) as portal:
        done = subprocess.run(
            crawl_command(portal.start_urls[:1], db, "-s", f"LOG_FILE={tmp_path / 'log'}"),
            cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("crawl FAILED: cannot open the archive") and "stopped: archive_failed" in line
