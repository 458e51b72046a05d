"""The real crawl of the sample portal with every report form on (``scans=True``, as the demo serves it):
the scanned PDF, the run of page pictures and the OFD file all become versions of their reports."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from archived import version_texts

from benchmarks.extraction import char_scores
from crawler.command import crawl_command, crawl_env
from extraction.ocr import engine_name
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)
OCR_F1 = 0.985


def _crawl(start_urls: list[str], db: Path, log: Path) -> dict:
    stats_file = log.with_suffix(".json")
    # OCR of the scanned PDF's pages is one extraction: give it the time a loaded 2-core machine needs.
    command = crawl_command(start_urls, db, "-s", f"LOG_FILE={log}", "-s", f"FAZHI_STATS_FILE={stats_file}",
                            "-s", "FAZHI_EXTRACTION_TIMEOUT=600")  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:] + log.read_text(errors="replace")[-3000:]
    return json.loads(stats_file.read_text())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, chinese_font):  # noqa: ANN001, ANN201  (the scans are drawn in a CJK font)
    tmp = tmp_path_factory.mktemp("forms")
    db = tmp / "archive.db"
    with start_in_thread(AS_OF, scans=True) as portal:
        _crawl(portal.start_urls, db, tmp / "first.log")
        versions = sqlite3.connect(db).execute("select count(*) from versions").fetchone()[0]
        rerun = _crawl(portal.start_urls, db, tmp / "rerun.log")
    return {"db": db, "versions_before_rerun": versions, "rerun": rerun}


def _reports(db: Path) -> dict[tuple[str, int], dict]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "select agencies.name, documents.report_year, versions.report from versions "
            "join documents on documents.id = versions.document_id join agencies on agencies.id = documents.agency_id"
        ).fetchall()
    finally:
        conn.close()
    return {(agency, year): json.loads(report) for agency, year, report in rows}


def test_every_form_becomes_a_version_of_its_report(crawled) -> None:  # noqa: ANN001
    texts = version_texts(crawled["db"])
    published = visible_reports(AS_OF, scans=True)
    assert len(texts) == len(published)
    for report in published:
        got = texts[(report.agency, report.year)]
        assert len(got) == 1, (report.agency, report.year)
        if report.machine_read:
            assert char_scores(got[0], report.text)[2] >= OCR_F1, (report.form, report.agency)
        else:
            assert "".join(got[0].split()) == "".join(report.text.split()), (report.form, report.agency)


def test_machine_read_versions_say_so_and_others_do_not(crawled) -> None:  # noqa: ANN001
    reports = _reports(crawled["db"])
    for report in visible_reports(AS_OF, scans=True):
        ocr = [w for w in reports[(report.agency, report.year)]["warnings"] if w.startswith("ocr:")]
        if report.machine_read:
            assert len(ocr) == 1 and engine_name() in ocr[0], report.form
        else:
            assert not ocr, report.form


def test_an_unchanged_recrawl_reads_nothing_again_and_adds_no_version(crawled) -> None:  # noqa: ANN001
    conn = sqlite3.connect(crawled["db"])
    versions = conn.execute("select count(*) from versions").fetchone()[0]
    conn.close()
    assert versions == crawled["versions_before_rerun"]
    assert crawled["rerun"].get("fazhi/new_version", 0) == 0
