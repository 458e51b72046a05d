"""The recording service (crawler/recording.py) and its extraction executor (crawler/extractor.py), without a crawl.

Captures are recorded into a real archive; extraction runs in the real executor. Where a test needs an
extraction that overruns or raises, it gives the executor a function that does exactly that — the
executor's contract is "whatever the function does, the capture is recorded with a reason".
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import pytest
from hostile_site import page, report_text, title_of

from crawler.extractor import ExtractionFailed, ExtractionJob, Extractor, extract_capture
from crawler.recording import Recorder, to_capture
from extraction.limits import ExtractionLimit

URL = "http://127.0.0.1:8000/shiling/zwgk/fzzfjs/202403/t20240320_9001.html"


def item(body: bytes, **fields) -> dict:
    return {
        "url": URL, "final_url": URL, "fetched_at": "2025-04-01T08:00:00Z", "status": 200,
        "headers": {"Content-Type": "text/html; charset=utf-8"}, "content_type": "text/html; charset=utf-8",
        "body": body, "outcome": "ok", "error": None, "portal": "http://127.0.0.1:8000/shiling/index.html",
        "parent_url": None, "kind": "report", **fields,
    }  # fmt: skip


def record(db: Path, captured: dict, extractor: Extractor | None = None) -> tuple[dict, Counter]:
    counts: Counter[str] = Counter()

    async def run() -> dict:
        recorder = Recorder(str(db), lambda key, n=1, **_: counts.update({key: n}), extractor)
        recorder.open()
        try:
            return await recorder.record(captured)
        finally:
            recorder.close()

    return asyncio.run(run()), counts


def capture_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT url, status, outcome, reason FROM capture_records ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_report_page_becomes_a_version(tmp_path):
    result, counts = record(tmp_path / "a.db", item(page(title_of(2023), report_text(2023))))
    assert result["status"] == "new_version"
    assert counts["fazhi/outcome/ok"] == 1


def test_an_extraction_limit_is_an_error_with_its_reason(tmp_path):
    def bomb(job: ExtractionJob):
        raise ExtractionLimit("too large: DOCX uncompresses to more than 64 MB")

    result, counts = record(tmp_path / "a.db", item(b"PK\x03\x04"), Extractor(function=bomb))
    assert result["outcome"] == "error" and result["status"] == "capture_only"
    assert capture_rows(tmp_path / "a.db") == [(URL, 200, "error", "too large: DOCX uncompresses to more than 64 MB")]
    assert counts["fazhi/extraction_failed"] == 1


def test_any_other_extraction_failure_is_an_error_that_names_it(tmp_path):
    def broken(job: ExtractionJob):
        return {}["missing"]

    record(tmp_path / "a.db", item(b"<html>"), Extractor(function=broken))
    ((_url, _status, outcome, reason),) = capture_rows(tmp_path / "a.db")
    assert outcome == "error" and reason == "extraction failed: KeyError: 'missing'"
    # and the archive knows it was a report page, not a list page that failed
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT kind FROM capture_records").fetchall() == [("report",)]
    conn.close()


def test_an_extraction_that_overruns_is_given_up_and_the_next_one_runs(tmp_path):
    release = threading.Event()
    calls: list[str] = []

    def stuck_then_real(job: ExtractionJob):
        calls.append(job.url)
        if len(calls) == 1:
            release.wait()  # never returns before the executor has given up on it
        return extract_capture(job)

    extractor = Extractor(timeout=0.05, function=stuck_then_real)

    async def run() -> tuple[str, str]:
        try:
            await extractor.extract(ExtractionJob(b"<html>", URL))
        except ExtractionFailed as failed:
            first = failed.reason
        release.set()
        report = await extractor.extract(ExtractionJob(page(title_of(2023), report_text(2023)), URL))
        return first, report.title

    try:
        first, title = asyncio.run(run())
    finally:
        release.set()
        extractor.close()
    assert first == "extraction timed out"
    assert title == title_of(2023)
    assert extractor.overran == 1


def test_a_report_url_answering_json_is_recorded_with_a_reason(tmp_path):
    body = b'{"code": 0, "data": {"title": "2023"}}'
    result, _ = record(tmp_path / "a.db", item(body, content_type="application/json", headers={}))
    ((_url, status, outcome, reason),) = capture_rows(tmp_path / "a.db")
    assert status == 200 and outcome == "ok" and reason.startswith("not a report")
    assert result["version_id"] is None


def test_the_verdict_on_the_item_is_the_outcome(tmp_path):
    challenge = "<html><title>安全验证</title></html>".encode()
    blocked = item(challenge, outcome="blocked", error="challenge page (安全验证)")
    assert (to_capture(blocked).outcome, to_capture(blocked).error) == ("blocked", "challenge page (安全验证)")
    # an item queued by an older worker, without a verdict, is classified by the same function
    old = item(challenge, outcome=None)
    assert to_capture(old).outcome == "blocked"


@pytest.mark.parametrize("status", [404, 503])
def test_an_error_answer_is_recorded_not_extracted(tmp_path, status):
    def never(job: ExtractionJob):
        raise AssertionError("an error answer is not extracted")

    result, _ = record(
        tmp_path / "a.db", item(b"<html>", status=status, outcome="error", error=f"HTTP {status}"), Extractor(function=never)
    )
    assert capture_rows(tmp_path / "a.db") == [(URL, status, "error", f"HTTP {status}")]
