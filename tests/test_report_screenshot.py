"""The report site as a browser draws it: headless Chromium renders the index and a year-over-year page.

Catches what HTML assertions cannot: a page that parses but draws nothing (broken stylesheet link,
an SVG that does not render, text hidden by CSS). Needs Debian's `chromium`; under CI=true a
missing browser is a failure, elsewhere a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image  # Pillow comes with pdfplumber, a project dependency

from archive import Archive
from archive.capture import Capture
from extraction.report import Report
from report.site import build_report_site

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yoy"
WIDTH, HEIGHT = 1280, 2000


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    message = "Debian package `chromium` is missing (apt-get install -y chromium): cannot render the report site"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def screenshot(browser: str, page: Path, png: Path, profile: Path) -> Image.Image:
    """One page to PNG with the flags that keep Chromium off the network and out of the user's profile."""
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert png.is_file(), done.stderr.decode(errors="replace")[-2000:]
    return Image.open(png).convert("RGB")


def ink(image: Image.Image) -> dict[str, float]:
    """Share of pixels that are not (near-)white, and of those that are coloured (bars, highlights)."""
    total = image.width * image.height
    dark = sum(image.convert("L").histogram()[:230])
    coloured = sum(image.convert("HSV").getchannel("S").histogram()[60:])
    return {"ink": dark / total, "colour": coloured / total}


def build_site(root: Path) -> Path:
    """Four fictional agencies, two years each (the labelled pairs), through the real archive."""
    db = root / "archive.db"
    arc = Archive(db)
    try:
        for folder in sorted(FIXTURES.iterdir())[:4]:
            for name in ("old.txt", "new.txt"):
                text = (folder / name).read_text(encoding="utf-8")
                first_line = text.splitlines()[0]
                agency = first_line.split("20")[0]
                year = int(first_line[len(agency) : len(agency) + 4])
                url = f"http://127.0.0.1:8000/{folder.name}/{year}.html"
                report = Report(
                    title=first_line, text=text, text_normalized=text, url=url, report_year=year, agency=agency,
                    region=agency[:3], publisher=agency, published=f"{year + 1}-03-15", is_report=True,
                )
                body = f"<html><body><div class='TRS_Editor'>{text}</div></body></html>".encode()
                capture = Capture(url=url, fetched_at=f"{year + 1}-03-20T08:00:00Z", status=200, outcome="ok",
                                  body=body, content_type="text/html; charset=utf-8")
                arc.ingest(capture, report)
    finally:
        arc.close()
    return build_report_site(db, root / "site")


def test_index_and_pair_page_render_in_chromium(tmp_path: Path) -> None:
    browser = chromium()
    index = build_site(tmp_path)
    [pair] = [p for p in (index.parent / "agencies").glob("*-*-*.html")][:1]
    agency_page = index.parent / "agencies" / f"{pair.name.split('-')[0]}.html"
    shots = {}
    for name, page in (("index", index), ("pair", pair), ("agency", agency_page)):
        image = screenshot(browser, page, tmp_path / f"{name}.png", tmp_path / f"profile-{name}")
        assert image.size == (WIDTH, HEIGHT)
        shots[name] = ink(image)
    assert shots["index"]["ink"] > 0.005, shots  # text drawn, not a blank page
    assert shots["pair"]["ink"] > 0.02 and shots["pair"]["colour"] > 0.001, shots  # tables and <ins>/<del> colours
    assert shots["agency"]["colour"] > 0.002, shots  # the SVG bars


def test_ink_measure_sees_a_blank_page(tmp_path: Path) -> None:
    """The check can fail: an empty page has no ink."""
    browser = chromium()
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    image = screenshot(browser, blank, tmp_path / "blank.png", tmp_path / "profile")
    assert ink(image)["ink"] == 0.0
