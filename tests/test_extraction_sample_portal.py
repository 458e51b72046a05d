"""Extraction against the sample portal's own gold (docs/CONTRACTS.md §1), over HTTP on 127.0.0.1.

The portal's templates were written by another engineer, not tuned against: a check that the
extractor generalises beyond its own fixtures.
"""

from __future__ import annotations

import datetime as dt
import urllib.request

import pytest

server = pytest.importorskip("sample_portal.server")
network = pytest.importorskip("sample_portal.network")

from extraction import extract_report  # noqa: E402

AS_OF = dt.date(2025, 6, 1)


def _get(url: str) -> tuple[bytes, str | None]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1 only
        return response.read(), response.headers.get("Content-Type")


@pytest.fixture(scope="module")
def portal():  # noqa: ANN201
    running = server.start_in_thread(AS_OF, port=0)
    yield running
    running.stop()


def test_every_visible_report_page_matches_the_portal_gold(portal) -> None:  # noqa: ANN001
    reports = network.visible_reports(AS_OF)
    assert len(reports) >= 30
    wrong = []
    for gold in reports:
        body, content_type = _get(portal.base_url + gold.url_path)
        report = extract_report(body, url=portal.base_url + gold.url_path, content_type=content_type)
        if gold.attachment:
            attachment_url = report.attachments[0].url if report.attachments else ""
            body, content_type = _get(attachment_url)
            report = extract_report(body, url=attachment_url, content_type=content_type, page=report)
        got = (report.text, report.title, report.published, report.report_year, report.is_report,
               report.agency, report.region)
        want = (gold.text, gold.title, gold.published.isoformat(), gold.year, True, gold.agency, gold.region)
        if got != want:
            wrong.append((gold.url_path, [(g, w) for g, w in zip(got, want, strict=True) if g != w][:2]))
    assert not wrong, wrong[:3]


def test_other_documents_on_the_portal_are_not_reports(portal) -> None:  # noqa: ANN001
    others = [d for d in network.visible_documents(AS_OF) if d.kind != "fazhi_report"]
    assert others
    for doc in others:
        body, content_type = _get(portal.base_url + doc.url_path)
        report = extract_report(body, url=portal.base_url + doc.url_path, content_type=content_type)
        assert report.is_report is False, (doc.url_path, doc.title, report.reason)
        assert report.text == doc.text
