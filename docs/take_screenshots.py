"""Retake the README's screenshots of the report site from a demo archive (headless Debian Chromium).

Usage: .venv/bin/python docs/take_screenshots.py [demo-output/archive.db]
Builds the site into a temporary folder with a pywb-style FAZHI_REPLAY_URL (so version pages show
their replay links), then shoots the index (filtered to nothing: the top of the desk) and the
second version of the first revised report, 1280 px wide.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from archive.readmodel import ArchiveReader
from report.site import build_report_site

DOCS = Path(__file__).resolve().parent
REPLAY = "http://localhost:8080/fazhi/{timestamp}/{url}"


def revised_version(db: Path) -> int:
    with ArchiveReader(db) as reader:
        revised = [versions for versions in reader.versions().values() if len(versions) > 1]
    return revised[0][1].id


def main(db: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = build_report_site(db, Path(tmp) / "site", replay_url=REPLAY).parent
        shots = {
            "screenshot-index.png": (site / "index.html", 1500),
            "screenshot-version.png": (site / "versions" / f"{revised_version(db)}.html", 1250),
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for name, (page_path, height) in shots.items():
                page = browser.new_page(viewport={"width": 1280, "height": height})
                page.goto(page_path.as_uri())
                page.screenshot(path=str(DOCS / name))
                print(f"wrote docs/{name}")
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/archive.db"))
