"""Legacy Word .doc attachments (still common on county portals) read through LibreOffice.

The .doc is made here from a DOCX by LibreOffice itself (a real Word 97 binary file, not a stand-in),
then read back by ``extract_report`` as a crawl would read an attachment. Needs Debian's
libreoffice-writer-nogui: skipped with its name when missing, failed under CI=true (.ci/run installs it).
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import docx
import pytest
from test_archive_fixtures import QINGHE_2023

from extraction import extract_report
from extraction.documents import LIBREOFFICE_PACKAGE, OLE_MAGIC, office_binary

TITLE = "青禾县司法局2023年法治政府建设年度报告"


@pytest.fixture(scope="module")
def office() -> str:
    found = office_binary()
    if found is None:
        message = f"LibreOffice is not installed (Debian package {LIBREOFFICE_PACKAGE})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _as_doc(office: str, paragraphs: list[str], tmp: Path) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    source = tmp / "report.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    source.write_bytes(buffer.getvalue())
    subprocess.run([office, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp), str(source)], check=True, capture_output=True, timeout=180)  # fmt: skip
    return (tmp / "report.doc").read_bytes()


def test_a_doc_attachment_gives_the_report_text_and_metadata(office, tmp_path):
    body = _as_doc(office, [TITLE, *QINGHE_2023.splitlines(), "青禾县司法局", "2024年3月15日"], tmp_path)
    assert body.startswith(OLE_MAGIC)
    report = extract_report(body, url="http://127.0.0.1:8000/qinghe/attach/2024/P020240315.doc")
    assert report.warnings == []
    assert report.is_report, report.reason
    assert report.title == TITLE and report.report_year == 2023
    assert report.text.splitlines()[: len(QINGHE_2023.splitlines())] == QINGHE_2023.splitlines()
    assert "深化行政复议体制改革" in [s.title for s in report.sections]


def test_a_wps_attachment_goes_through_libreoffice_as_a_doc_does(office, tmp_path):
    """WPS Writer saves .wps files in the Word 97 binary (OLE) format: served under their own name and
    type, they are read the same way."""
    body = _as_doc(office, [TITLE, *QINGHE_2023.splitlines()], tmp_path)
    report = extract_report(body, url="http://127.0.0.1:8000/qinghe/attach/2024/P020240315.wps",
                            content_type="application/kswps")  # fmt: skip
    assert report.is_report and report.title == TITLE and report.warnings == []
    assert report.text.splitlines() == QINGHE_2023.splitlines()


def test_a_broken_doc_is_a_warning_not_a_crash(office):
    report = extract_report(OLE_MAGIC + b"\x00" * 4096, url="http://127.0.0.1:8000/qinghe/attach/broken.doc")
    assert report.is_report is False
    assert report.text == ""
    assert any("DOC" in w for w in report.warnings), report.warnings
