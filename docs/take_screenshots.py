"""Retake the README's screenshots of the report site from a demo archive (headless Debian Chromium).

Usage: .venv/bin/python docs/take_screenshots.py [demo-output/archive.db]
Builds the site into a temporary folder with a pywb-style FAZHI_REPLAY_URL (so versions show their
replay links), then shoots the top of the index (the desk), the second version of the first revised
report (its section of the report's page) and the latest year pair of that report's agency, 1280 px wide.
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


def revised(db: Path) -> tuple[int, int, str]:
    """The first revised report, its second version, and its agency's latest year-pair page."""
    with ArchiveReader(db) as reader:
        versions = [v for v in reader.versions().values() if len(v) > 1][0]
        documents = reader.documents()
    agency = next(d.agency_id for d in documents if d.id == versions[0].document_id)
    years = sorted(d.report_year for d in documents if d.agency_id == agency)
    return versions[0].document_id, versions[1].id, f"{agency}-{years[-2]}-{years[-1]}.html"


def main(db: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = build_report_site(db, Path(tmp) / "site", replay_url=REPLAY).parent
        document, version, pair = revised(db)
        shots = {
            "screenshot-index.png": ((site / "index.html").as_uri(), 1500),
            "screenshot-version.png": ((site / "documents" / f"{document}.html").as_uri() + f"#v{version}", 1250),
            "screenshot-pair.png": ((site / "agencies" / pair).as_uri(), 1800),
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for name, (uri, height) in shots.items():
                page = browser.new_page(viewport={"width": 1280, "height": height})
                page.goto(uri)
                page.screenshot(path=str(DOCS / name))
                print(f"wrote docs/{name}")
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/archive.db"))
