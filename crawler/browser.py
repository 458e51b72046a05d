"""Optional fetching through a real browser (scrapy-playwright driving Debian's Chromium).

Off by default. Some portals answer plain HTTP clients with JavaScript challenges (瑞数 412 ``$_ts``,
加速乐 521 ``__jsluid``) that only a browser passes. ``-s FAZHI_BROWSER=True`` sends retries of blocked
pages through Chromium; ``-s FAZHI_BROWSER_FOR=all`` sends every page. The browser is the system's
(``FAZHI_CHROMIUM``, default ``/usr/bin/chromium``): nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

# Flags for a headless Chromium on a machine with no network beyond the portals: no sync, no
# component updates, no background requests to Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path(settings: BaseSettings) -> str:
    path = settings.get("FAZHI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not shutil.which(path):
        raise NotConfigured(
            "FAZHI_BROWSER needs Chromium: apt-get install chromium (or set FAZHI_CHROMIUM to its path)"
        )
    return path


def use_browser(settings: BaseSettings) -> None:
    """Route http(s) through scrapy-playwright; only requests marked ``playwright`` use the browser."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise NotConfigured("FAZHI_BROWSER needs scrapy-playwright: pip install 'fazhi-archive[browser]'") from exc
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set(
        "PLAYWRIGHT_LAUNCH_OPTIONS",
        {"executable_path": chromium_path(settings), "headless": True, "args": CHROMIUM_ARGS},
        priority="spider",
    )
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["crawler.browser.BrowserRequestMiddleware"] = 580
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")


class BrowserRequestMiddleware:
    """Marks page requests for the browser when ``FAZHI_BROWSER_FOR`` is ``all``.

    Data APIs (Hanweb's XML POST, gkmlpt's JSON) and files stay on plain HTTP: a browser would wrap
    them in a page. Blocked-page retries are marked by ``BlockedBackoffMiddleware`` instead.
    """

    def __init__(self, every_page: bool) -> None:
        self.every_page = every_page

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserRequestMiddleware:
        return cls(crawler.settings.get("FAZHI_BROWSER_FOR", "blocked") == "all")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.every_page and request.method == "GET" and request.meta.get("kind") in ("listing", "report"):
            if not request.meta.get("api") and not request.url.endswith("/robots.txt"):
                request.meta.setdefault("playwright", True)
        return None
