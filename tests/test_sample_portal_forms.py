"""The sample portal's reports in the forms real portals publish them in (issue #15.4): an OFD file, a
table-layout page with a data table in its body, and with ``scans=True`` a scanned PDF with no text
layer and a run of JPG pictures of the pages. Fetched over HTTP from the real server."""

from __future__ import annotations

import datetime as dt
import io
import re
import urllib.request
import zipfile

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from sample_portal.network import DATA_TABLE_REPORTS, PUBLISHED_AS, documents, visible_reports
from sample_portal.server import start_in_thread

AS_OF = dt.date(2025, 7, 1)


def _get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
        return response.read(), response.headers.get("Content-Type", "")


@pytest.fixture(scope="module")
def scans():  # noqa: ANN201
    with start_in_thread(AS_OF, scans=True) as portal:
        yield portal


def _doc(form: str):  # noqa: ANN202
    return next(d for d in documents() if d.form == form)


def test_every_form_is_served_and_counted_in_the_catalogue() -> None:
    with_scans = visible_reports(AS_OF, scans=True)
    plain = visible_reports(AS_OF)
    assert len(with_scans) == len(plain)
    assert {r.form for r in with_scans} >= set(PUBLISHED_AS.values()) | {"page"}
    assert {r.form for r in plain} == {r.form for r in with_scans} - {"scan", "images"}
    for report in with_scans:
        if report.machine_read:  # printed full-width punctuation; otherwise the same report
            twin = next(p for p in plain if p.url_path == report.url_path)
            assert report.text.translate(str.maketrans("，；：？！（）", ",;:?!()")) == twin.text


@pytest.mark.usefixtures("chinese_font")
def test_scanned_report_is_a_pdf_of_pictures_with_no_text_layer(scans) -> None:  # noqa: ANN001
    doc = _doc("scan")
    page, _ = _get(scans.base_url + doc.url_path)
    assert "详见附件" in page.decode("utf-8") and doc.attachment_path in page.decode("utf-8")
    body, content_type = _get(scans.base_url + doc.attachment_path)
    assert content_type == "application/pdf"
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        assert len(pdf.pages) >= 2
        assert all(not page.chars and page.images for page in pdf.pages)
    assert _get(scans.base_url + doc.attachment_path)[0] == body  # same bytes each time: a stable ETag


@pytest.mark.usefixtures("chinese_font")
def test_scanned_pages_carry_a_red_seal_and_are_skewed(scans) -> None:  # noqa: ANN001
    doc = _doc("images")
    page, _ = _get(scans.base_url + doc.url_path)
    sources = re.findall(r'<img src="([^"]+\.jpg)"', page.decode("utf-8"))
    assert len(sources) >= 2 and all(s.startswith(doc.image_stem) for s in sources)
    last = np.asarray(Image.open(io.BytesIO(_get(scans.base_url + sources[-1])[0])).convert("RGB")).astype(int)
    red = (last[..., 0] > 150) & (last[..., 0] - last[..., 1:].max(axis=2) > 60)
    assert red.sum() > 2000  # the seal
    ink = np.asarray(Image.open(io.BytesIO(_get(scans.base_url + sources[0])[0])).convert("L")) < 100
    rows = np.arange(ink.shape[0])[:, None]
    left, right = ink[:, 300:500], ink[:, 800:1000]  # two columns across the same body lines
    tilt = (rows * right).sum() / right.sum() - (rows * left).sum() / left.sum()
    assert abs(tilt) > 2  # pixels over 500: the page is skewed by a few tenths of a degree


def test_without_scans_those_reports_are_ordinary_pages() -> None:
    with start_in_thread(AS_OF) as portal:
        for form in ("scan", "images"):
            doc = _doc(form)
            page = _get(portal.base_url + doc.url_path)[0].decode("utf-8")
            assert "详见附件" not in page and "<img src=\"" + (doc.image_stem or "") not in page
            assert doc.original_text.split("\n")[3] in page
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(portal.base_url + _doc("scan").attachment_path)
        assert missing.value.code == 404


def test_ofd_attachment_is_a_zip_of_ofd_xml(scans) -> None:  # noqa: ANN001
    doc = _doc("ofd")
    body, content_type = _get(scans.base_url + doc.attachment_path)
    assert content_type == "application/ofd"
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = zf.namelist()
        assert "OFD.xml" in names and "Doc_0/Document.xml" in names
        pages = [n for n in names if n.endswith("/Content.xml")]
        assert len(pages) >= 2
        assert b"TextCode" in zf.read(pages[0])


def test_old_site_report_has_a_data_table_in_its_body(scans) -> None:  # noqa: ANN001
    agency_key, year = DATA_TABLE_REPORTS[0]
    doc = next(d for d in documents() if d.agency.key == agency_key and d.year == year and d.kind == "fazhi_report")
    page = _get(scans.base_url + doc.url_path)[0].decode("gb18030")
    content = page[page.index('<td class="content">'):]
    table = content[content.index("<table"):content.index("</table>")]
    assert table.count("<tr>") == len(doc.table.rows)
    before, after = content[:content.index("<table")], content[content.index("</table>"):]
    assert doc.table.lead in before and "二、" in after  # in place, between its paragraphs
    for line in doc.table.lines():
        assert line in doc.original_text
