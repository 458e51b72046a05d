"""The recording service (crawler/recording.py) and its extraction executor (crawler/extractor.py), without a crawl.

Captures are recorded into a real archive; extraction runs in the real executor, a pool of worker
processes. Where a test needs an extraction that overruns, raises or crashes, it gives the executor a
module-level function (it runs in another process) that does exactly that — the executor's contract
is "whatever the function does, the capture is recorded with a reason".
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hostile_site import page, report_text, title_of
from processes import ended

from crawler.extractions import ShippedExtraction, extractor_version
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


def record(
    db: Path, captured: dict, extractor: Extractor | None = None, shipped: list[ShippedExtraction] | None = None
) -> tuple[dict, Counter]:
    counts: Counter[str] = Counter()

    async def run() -> dict:
        recorder = Recorder(str(db), lambda key, n=1, **_: counts.update({key: n}), extractor)
        recorder.open()
        try:
            return await recorder.record(captured, shipped)
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


# -- extraction functions that misbehave, run by the worker processes ---------------------------------


def bomb(job: ExtractionJob):
    raise ExtractionLimit("too large: DOCX uncompresses to more than 64 MB")


def broken(job: ExtractionJob):
    return {}["missing"]


def stuck_on_request(job: ExtractionJob):
    """A body ``stuck:PATH`` writes this worker's pid to PATH and never returns; others extract."""
    if job.body.startswith(b"stuck:"):
        Path(job.body[6:].decode()).write_text(str(os.getpid()))
        select.select([], [], [])  # blocks until the worker is killed
    return extract_capture(job)


def crashes_on_request(job: ExtractionJob):
    """A body ``crash`` kills its worker (a native parser's segfault, the OOM killer); others extract."""
    if job.body == b"crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return extract_capture(job)


def tells_its_niceness(job: ExtractionJob):
    """Writes this worker's nice value to the path in the body, then extracts nothing."""
    Path(job.body.decode()).write_text(str(os.nice(0)))
    raise ExtractionLimit("not a report: a niceness probe")


def never(job: ExtractionJob):
    raise AssertionError("an error answer is not extracted")

def test_an_extraction_limit_is_an_error_with_its_reason(tmp_path):
    result, counts = record(tmp_path / "a.db", item(b"PK\x03\x04"), Extractor(function=bomb))
    assert result["outcome"] == "error" and result["status"] == "capture_only"
    assert capture_rows(tmp_path / "a.db") == [(URL, 200, "error", "too large: DOCX uncompresses to more than 64 MB")]
    assert counts["fazhi/extraction_failed"] == 1


def test_any_other_extraction_failure_is_an_error_that_names_it(tmp_path):
    record(tmp_path / "a.db", item(b"<html>"), Extractor(function=broken))
    ((_url, _status, outcome, reason),) = capture_rows(tmp_path / "a.db")
    assert outcome == "error" and reason == "extraction failed: KeyError: 'missing'"
    # and the archive knows it was a report page, not a list page that failed
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT kind FROM capture_records").fetchall() == [("report",)]
    conn.close()


def test_an_extraction_that_overruns_has_its_worker_killed_and_the_next_one_runs(tmp_path):
    pid_file = tmp_path / "stuck.pid"
    extractor = Extractor(timeout=0.5, workers=1, function=stuck_on_request)

    async def run() -> tuple[str, str]:
        try:
            await extractor.extract(ExtractionJob(f"stuck:{pid_file}".encode(), URL))
        except ExtractionFailed as failed:
            first = failed.reason
        report = await extractor.extract(ExtractionJob(page(title_of(2023), report_text(2023)), URL))
        return first, report.title

    try:
        first, title = asyncio.run(run())
    finally:
        extractor.close()
    assert first == "extraction timed out"
    assert title == title_of(2023)  # by a fresh worker: the pool had one, and it was killed
    assert extractor.overran == 1
    assert ended(int(pid_file.read_text()), within=30), "the overrunning worker is still running"


def test_a_worker_that_dies_mid_extraction_is_an_error_and_is_replaced(tmp_path):
    extractor = Extractor(workers=1, function=crashes_on_request)

    async def run() -> tuple[str, str]:
        try:
            await extractor.extract(ExtractionJob(b"crash", URL))
        except ExtractionFailed as failed:
            reason = failed.reason
        report = await extractor.extract(ExtractionJob(page(title_of(2022), report_text(2022)), URL))
        return reason, report.title

    try:
        reason, title = asyncio.run(run())
    finally:
        extractor.close()
    assert reason.startswith("extraction failed: ProcessExpired")
    assert title == title_of(2022)


def test_extraction_workers_yield_the_cpu_to_the_crawl_by_their_niceness(tmp_path):
    told = tmp_path / "nice"
    extractor = Extractor(workers=1, function=tells_its_niceness, niceness=5)

    async def run() -> None:
        with pytest.raises(ExtractionFailed):
            await extractor.extract(ExtractionJob(str(told).encode(), URL))

    try:
        asyncio.run(run())
    finally:
        extractor.close()
    assert int(told.read_text()) == min(19, os.nice(0) + 5)  # the crawl's own priority is unchanged


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
    result, _ = record(
        tmp_path / "a.db", item(b"<html>", status=status, outcome="error", error=f"HTTP {status}"), Extractor(function=never)
    )
    assert capture_rows(tmp_path / "a.db") == [(URL, status, "error", f"HTTP {status}")]


# -- a Redis worker's extraction, used by the writer -------------------------------------------------


def prepared(captured: dict) -> list[ShippedExtraction]:
    """What a worker sends with ``captured``: it extracts, with no archive to write."""
    counts: Counter[str] = Counter()

    async def run() -> list[ShippedExtraction]:
        worker = Recorder(None, lambda key, n=1, **_: counts.update({key: n}))
        worker.open()
        try:
            return await worker.prepare(captured)
        finally:
            worker.close()

    return asyncio.run(run())


def version_titles(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [t for (t,) in conn.execute("SELECT title FROM versions ORDER BY id")]
    finally:
        conn.close()


def test_the_writer_takes_a_workers_report_for_the_same_job_without_extracting(tmp_path):
    captured = item(page(title_of(2023), report_text(2023)))
    shipped = prepared(captured)
    assert [(s.version, s.report["title"]) for s in shipped] == [(extractor_version(), title_of(2023))]
    result, counts = record(tmp_path / "a.db", captured, Extractor(function=never), shipped)
    assert result["status"] == "new_version" and counts["fazhi/extractions/shipped"] == 1
    assert version_titles(tmp_path / "a.db") == [title_of(2023)]


def test_the_writer_extracts_again_what_another_extractor_version_made(tmp_path):
    captured = item(page(title_of(2023), report_text(2023)))
    (real,) = prepared(captured)
    older = ShippedExtraction(real.key, "an-older-one", report={**real.report, "title": "旧版提取的标题"})
    _, counts = record(tmp_path / "a.db", captured, shipped=[older])
    assert counts["fazhi/extractions/redone_other_version"] == 1 and counts["fazhi/extractions/shipped"] == 0
    assert counts["fazhi/extractions/unused"] == 0  # looked up, and redone: not unused
    assert version_titles(tmp_path / "a.db") == [title_of(2023)]  # the writer's own extraction


def test_the_writer_extracts_again_a_report_that_is_not_one(tmp_path):
    captured = item(page(title_of(2023), report_text(2023)))
    (real,) = prepared(captured)
    malformed = ShippedExtraction(real.key, real.version, report={**real.report, "is_report": "yes", "report_year": "2023"})
    _, counts = record(tmp_path / "a.db", captured, shipped=[malformed])
    assert counts["fazhi/extractions/redone_invalid"] == 1
    assert version_titles(tmp_path / "a.db") == [title_of(2023)]


def test_a_workers_report_for_another_body_is_not_used(tmp_path):
    """The key is the job: the same URL with another body (the writer reads it fresh) is another job."""
    (stale,) = prepared(item(page(title_of(2022), report_text(2022))))
    _, counts = record(tmp_path / "a.db", item(page(title_of(2023), report_text(2023))), shipped=[stale])
    assert counts["fazhi/extractions/shipped"] == 0
    assert counts["fazhi/extractions/unused"] == 1  # counted, so what workers sent adds up
    assert version_titles(tmp_path / "a.db") == [title_of(2023)]


def test_a_workers_failed_extraction_is_recorded_with_its_reason(tmp_path):
    captured = item(b"PK\x03\x04")
    shipped = [ShippedExtraction(prepared(captured)[0].key, extractor_version(), failure="extraction timed out")]
    result, _ = record(tmp_path / "a.db", captured, Extractor(function=never), shipped)
    assert capture_rows(tmp_path / "a.db") == [(URL, 200, "error", "extraction timed out")]


# -- what extraction costs that it need not ------------------------------------------------------------


def test_a_pdf_is_extracted_without_building_pdfminers_debug_records(tmp_path, monkeypatch):
    """pdfminer logs every character at DEBUG; under Scrapy's root logger (level NOTSET) each record was
    built and then dropped by the handler — ~15,000 a crawl, a third of a PDF's extraction time."""
    from sample_portal.attachments import pdf_bytes

    built: list[str] = []
    original = logging.LogRecord.__init__

    def counting(self, name, *args, **kwargs):  # noqa: ANN001 - LogRecord's own signature
        built.append(name)
        original(self, name, *args, **kwargs)

    monkeypatch.setattr(logging.root, "level", logging.NOTSET)  # as Scrapy leaves it
    monkeypatch.setattr(logging.LogRecord, "__init__", counting)
    body = pdf_bytes(title_of(2023), "\n".join(report_text(2023)))
    report = extract_capture(ExtractionJob(body, URL[:-4] + "pdf", "application/pdf"))
    assert report.text.strip()
    assert not [name for name in built if name.startswith(("pdfminer", "pdfplumber"))]
