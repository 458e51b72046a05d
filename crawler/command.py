"""The crawl as a command line: one place that says how to run ``scrapy crawl`` as a user would.

The demo, the benchmarks and the tests all run the real crawl in its own process, like a cron job;
this builds that command and its environment so they cannot drift apart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def crawl_command(start_urls: list[str], db: str | Path, *settings: str, spider: str = "reports") -> list[str]:
    """``python -m scrapy crawl SPIDER -a start=… -s ARCHIVE_DB=…`` plus ``-s NAME=VALUE`` pairs."""
    return [
        sys.executable, "-m", "scrapy", "crawl", spider,
        "-a", "start=" + ",".join(start_urls),
        "-s", f"ARCHIVE_DB={db}",
        *settings,
    ]  # fmt: skip


def crawl_env() -> dict[str, str]:
    """The environment that finds this project's Scrapy settings from any working directory."""
    return dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
