"""``scrapy check [SPIDER]``: the parse methods' contracts (crawler/contracts.py), offline.

Scrapy's own command downloads each contract's page from the web and makes the spider with no
arguments; ours serves the sample portal network (as of ``AS_OF``, its gkmlpt portal included) on a
free loopback port for the run, starts every spider on it (``-a start=`` its start URLs) and archives
nothing. ``-a start=URL`` checks against a sample portal already running there instead (``fazhi
portal --port 8000``). Exit code 0 when every contract holds, 1 otherwise (Scrapy's rule).
"""

from __future__ import annotations

import argparse
import datetime as dt

from scrapy.commands.check import Command as ScrapyCheck
from scrapy.settings import SETTINGS_PRIORITIES

from sample_portal.server import start_in_thread

AS_OF = dt.date(2025, 7, 1)  # the date tests/saved_pages.py saves the same pages as of


class Command(ScrapyCheck):
    def short_desc(self) -> str:
        return "Check the spiders' contracts against the sample portal, served on loopback for the run"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Contracts keep nothing: no archive to open, to ask validators of, or to create.
        self.settings.set("ARCHIVE_DB", "", priority=SETTINGS_PRIORITIES["cmdline"])

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.spargs.get("start") or opts.list:
            super().run(args, opts)
            return
        with start_in_thread(AS_OF, port=0, gkmlpt=True) as portal:
            opts.spargs["start"] = ",".join(portal.start_urls)
            super().run(args, opts)
