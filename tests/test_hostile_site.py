"""The crawler against a hostile portal (tests/hostile_site.py): nothing outside the web, no other host, every answer recorded.

Two real ``scrapy crawl`` runs in their own processes, as a scheduled job runs them: the portal as it
first stands, then in its later state (a report answering 503, one answering 404). Assertions are on
the archive and WARC files the crawls leave, the other host's access log, the crawl's stats and exit code.
"""

from __future__ import annotations

import gzip
import json
import secrets
import sqlite3
import subprocess
import zlib
from pathlib import Path

import pytest
from hostile_site import ANGLE_BRACKETS, SITE_ADDRESS, HostileSite, OtherHost

from archive.warc import warc_dir_for
from crawler.command import crawl_command, crawl_env

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # two whole crawls


def crawl(site: HostileSite, db: Path, name: str) -> dict:
    """One crawl of the hostile portal; its exit code, stderr and final stats."""
    log, stats_file = db.with_name(f"{name}.log"), db.with_name(f"{name}.stats.json")
    command = crawl_command(
        [site.start_url], db,
        "-a", "allow=localhost,169.254.169.254",  # on-site by name: only the address rule can stop them
        "-s", f"LOG_FILE={log}", "-s", f"FAZHI_STATS_FILE={stats_file}",
        "-s", "FAZHI_RECHECK_YEARS=0", "-s", "AUTOTHROTTLE_ENABLED=False",
    )  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300)
    return {
        "returncode": done.returncode,
        "stderr": done.stderr,
        "log": log.read_text(errors="replace"),
        "stats": json.loads(stats_file.read_text()),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    canary = tmp / "canary.txt"
    secret = f"CANARY-{secrets.token_hex(16)}"
    canary.write_text(secret + "\n", encoding="utf-8")
    try:
        other = OtherHost()
        site = HostileSite(canary, other)
    except OSError as exc:  # a system without the 127.0.0.0/8 loopback range
        pytest.skip(f"cannot listen on {SITE_ADDRESS}, a second loopback address: {exc}")
    db = tmp / "archive.db"
    with other, site:
        first = crawl(site, db, "first")
        site.later = True
        second = crawl(site, db, "second")
        other_log = other.log.paths()
        site_log = site.log.paths()
    return {"db": db, "site": site, "first": first, "second": second, "secret": secret,
            "other_log": other_log, "site_log": site_log}  # fmt: skip


def captures(db: Path, url: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM capture_records WHERE url = ? ORDER BY id", [url])]
    finally:
        conn.close()


def everything_archived(db: Path) -> bytes:
    """Every value in the database, bodies decompressed, and every WARC file decompressed."""
    conn = sqlite3.connect(db)
    chunks: list[bytes] = []
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from sqlite_master
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            value = zlib.decompress(value)
                        except zlib.error:
                            pass
                        chunks.append(value)
                    elif isinstance(value, str):
                        chunks.append(value.encode("utf-8"))
    finally:
        conn.close()
    folder = warc_dir_for(db)
    warcs = sorted(folder.iterdir())
    assert warcs, "the crawls wrote WARC files"
    chunks += [gzip.decompress(p.read_bytes()) for p in warcs]
    return b"\n".join(chunks)


def test_both_crawls_finish_and_exit_0(hostile):
    for run in ("first", "second"):
        assert hostile[run]["returncode"] == 0, hostile[run]["stderr"][-2000:] + hostile[run]["log"][-3000:]
        assert hostile[run]["stats"]["finish_reason"] == "finished"
        assert "Traceback" not in hostile[run]["log"]


def test_no_local_file_is_read(hostile):
    archived = everything_archived(hostile["db"])
    assert b"CANARY-" not in archived
    assert hostile["secret"].encode() not in archived
    # and the attack page itself was archived, so the search above looked where the file would be
    assert "file://" in archived.decode("utf-8", "replace")


def test_no_other_host_is_asked_anything(hostile):
    assert hostile["other_log"] == []


def test_refused_links_are_counted_by_rule(hostile):
    stats = hostile["first"]["stats"]
    assert stats["fazhi/skipped/scheme"] == 3  # file:, data:, ftp:
    # the other host's report, the attachment on 10.0.0.1, the redirect to the other host
    assert stats["fazhi/skipped/offsite"] == 3
    # 169.254.169.254 (an address, refused before it is queued) and localhost (resolved, then refused)
    assert stats["fazhi/skipped/private_address"] == 2
    assert "not fetched (private_address: 127.0.0.1 is not a public address)" in hostile["first"]["log"]


def test_redirects_off_the_web_are_recorded_not_followed(hostile):
    site, db = hostile["site"], hostile["db"]
    (offsite, _) = captures(db, site.report_url("redirect offsite"))
    assert offsite["outcome"] == "error" and offsite["reason"].startswith("redirect not followed: offsite")
    (to_file, _) = captures(db, site.report_url("redirect to a file"))
    assert to_file["outcome"] == "error" and to_file["status"] == 302
    assert "file:" not in (to_file["final_url"] or "")


def test_every_response_is_classified_once(hostile):
    stats = hostile["first"]["stats"]
    verdicts = sum(v for k, v in stats.items() if k.startswith("fazhi/verdict/"))
    # every response but the one redirect that was followed (to the other host, then refused)
    assert verdicts == stats["downloader/response_count"] - 1


def test_the_attack_page_is_archived_as_the_report_it_also_is(hostile):
    site, db = hostile["site"], hostile["db"]
    (first, *_rest) = captures(db, site.report_url("attacks"))
    assert first["outcome"] == "ok"
    conn = sqlite3.connect(db)
    (versions,) = conn.execute(
        "SELECT count(*) FROM versions v JOIN captures c ON c.id = v.capture_id JOIN urls u ON u.id = c.url_id "
        "WHERE u.url = ?",
        [site.report_url("attacks")],
    ).fetchone()
    conn.close()
    assert versions == 1


def test_a_json_answer_is_recorded_with_its_outcome_and_reason(hostile):
    site, db = hostile["site"], hostile["db"]
    recorded = captures(db, site.report_url("json"))
    assert len(recorded) == 2  # once per crawl
    for capture in recorded:
        assert capture["status"] == 200
        assert capture["content_type"].startswith("application/json")
        assert capture["outcome"] in ("ok", "error")
        assert capture["reason"]  # why it made no version: not a report page
        assert capture["kind"] == "report"  # a report URL that answered something else, not a list page
    assert hostile["first"]["stats"].get("spider_exceptions/ValueError") is None


def test_a_page_of_angle_brackets_is_recorded_not_versioned(hostile):
    site, db = hostile["site"], hostile["db"]
    (first, _second) = captures(db, site.report_url("angle brackets"))
    assert first["status"] == 200 and first["body_size"] == ANGLE_BRACKETS
    assert first["reason"]


def test_an_endless_body_ends_as_too_large(hostile):
    site, db = hostile["site"], hostile["db"]
    recorded = captures(db, site.report_url("endless"))
    assert recorded and all(c["outcome"] == "error" for c in recorded)
    assert all(c["reason"].startswith("too large") for c in recorded)


def test_only_a_report_that_answered_404_is_marked_removed(hostile):
    site, db = hostile["site"], hostile["db"]
    conn = sqlite3.connect(db)

    def removed_at(kind: str) -> str | None:
        (value,) = conn.execute(
            "SELECT d.removed_at FROM documents d JOIN document_urls u ON u.document_id = d.id WHERE u.url = ?",
            [site.report_url(kind)],
        ).fetchone()
        return value

    try:
        assert [c["status"] for c in captures(db, site.report_url("flaky"))] == [200, 503]
        assert removed_at("flaky") is None  # a 503 is no evidence of anything
        assert [c["status"] for c in captures(db, site.report_url("gone"))] == [200, 404]
        assert removed_at("gone") is not None
        assert removed_at("attacks") is None
    finally:
        conn.close()
    assert hostile["second"]["stats"]["fazhi/removed_documents"] == 1
