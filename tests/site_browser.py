"""Debian's Chromium driven by Playwright (installed with scrapy-playwright), for tests of the site's scripts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def chromium_path() -> str:
    """The system Chromium; a skip naming the package when it is missing (a failure under CI=true)."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    message = "Debian package `chromium` is missing (apt-get install -y chromium): cannot render the report site"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """A fresh page in headless Chromium and the list of script errors it reports."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (with scrapy-playwright, dev extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page, errors
        finally:
            browser.close()
