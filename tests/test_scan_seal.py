"""Scanned pages are the same pixels in every process, and the seal leaves no ghost for OCR to read.

An OCR test once failed in the full suite and passed alone: the portal's scanner noise came from
PIL's ``effect_noise``, which draws from the C library's ``rand()`` — process-wide state, so a page
drawn after another one differed. And the seal, turned to pure white on grey paper, left a ghost
ring whose characters the recogniser could read ("红白…"). Both are checked here on the pixels;
the OCR of the sealed page is read under three different noise draws.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image
from rapidfuzz import fuzz

from extraction.ocr import _without_red, ocr_lines
from sample_portal.network import visible_reports
from sample_portal.scans import page_images

AS_OF = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def report(chinese_font):  # noqa: ANN001, ANN201  (the scans are drawn in a CJK font)
    gold = next(r for r in visible_reports(AS_OF, scans=True) if r.form == "images")
    *body, agency, date = gold.text.split("\n")
    return gold.title, "\n".join(body), agency, date


def draw(title: str, body: str, agency: str, date: str) -> tuple[bytes, ...]:
    page_images.cache_clear()  # drawn now, not taken from the cache
    return page_images(title, body, agency, date)


def test_a_report_scans_to_the_same_bytes_whatever_was_drawn_before(report):
    title, body, agency, date = report
    first = draw(*report)
    draw(title + "（二）", body, agency, date)  # another report's pages in between
    assert draw(*report) == first


def pixels(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def test_the_seal_leaves_paper_and_keeps_the_text_under_it(report):
    page = pixels(draw(*report)[-1])
    wide = page.astype(int)
    seal = (wide[..., 0] > 150) & (wide[..., 0] - wide[..., 1:].max(axis=2) > 60)
    assert seal.sum() > 2000
    under = (wide[..., 0] < 90) & (wide[..., 0] - wide[..., 1:].max(axis=2) > 10)  # black text stamped over
    assert under.sum() > 100
    out = _without_red(page).astype(int)
    assert (out[..., 0] - out[..., 1:].max(axis=2) > 10).sum() == 0  # no red, no pink rim
    paper = np.median(out[~seal & (wide.min(axis=2) > 180)], axis=0)
    ghost = np.abs(out[seal] - paper).max(axis=1)
    assert np.percentile(ghost, 99) <= 3  # where the seal was is paper, not a lighter ring to read
    assert out[under].max(axis=1).mean() < 100  # the text under the seal is still dark


@pytest.mark.slow
@pytest.mark.parametrize("draw_no", [0, 1, 2])
def test_the_sealed_page_reads_without_seal_text_under_any_noise(report, draw_no):
    """Other noise draws of the same page (a suffix on the title reseeds them): the same lines come out."""
    title, body, agency, date = report
    last = draw(title + "（" * draw_no, body, agency, date)[-1]
    lines = [line.text for line in ocr_lines([Image.open(io.BytesIO(last))], 1)]
    assert lines[-2:] == [agency, date]  # the signature under the seal, read as printed
    written = "".join(body.split())
    for line in lines[:-2]:  # each a line of the body (give or take a misread character), no seal fragment
        assert fuzz.partial_ratio("".join(line.split()), written) >= 90, line
