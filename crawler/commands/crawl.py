"""``scrapy crawl``, with spider-argument mistakes said in one line and an exit code from the crawl's outcome.

A scheduled crawl (cron, a systemd timer) is watched through its exit code. Scrapy's own command exits 0
whatever happened once the spider started; this one reads the crawl's stats when it ends:

- 2: the spider arguments are wrong (no portals, an unknown portal, ``-a start=notaurl``, a search
  template without ``{q}``) — one line on stderr, no traceback, nothing crawled;
- 1: ``ARCHIVE_DB`` is a file that is not a fazhi archive (a foreign SQLite database, an empty or a
  text file: refused untouched, archive/readonly.py), or another process is writing the archive (the writer lock, ``archive/lock.py``; ``-s
  ARCHIVE_LOCK_WAIT=SECONDS`` waits for it first) — one line naming the holder, nothing fetched; or
  the crawl failed — it recorded no item (a Redis worker may: its peers took the work), every start URL failed, an item could not be recorded
  (``fazhi/unrecorded_items``), a spider callback raised, or it stopped for another reason than
  finishing (``archive_failed``, a lost Redis, a shutdown); a one-line summary goes to stderr;
- 0: otherwise, also when some pages failed (they are recorded as such).

A crawl stopped by one of the user's own ``CLOSESPIDER_*`` limits ends with 0: it did what was asked.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import AsyncCrawlerProcess, CrawlerProcess, CrawlerProcessBase
from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from archive.errors import ArchiveLocked
from archive.lock import WriterLock
from archive.readonly import NotAnArchive, require_archive_or_nothing
from crawler.targets import SpiderArgumentError

logger = logging.getLogger(__name__)

ARGUMENT_ERROR = 2
CRAWL_FAILED = 1
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def crawl_problems(stats: dict[str, Any], reason: str | None, shared_frontier: bool = False) -> list[str]:
    """What made this crawl a failure, from its final stats and close reason; empty when it did its job.

    With a shared frontier (Redis mode) a worker may rightly record nothing: its peers took the work.
    """
    problems = []
    if stats.get("fazhi/archive_error"):
        problems.append(str(stats["fazhi/archive_error"]))
    if reason is None:
        problems.append("the crawl did not run")
    elif reason != "finished" and not reason.startswith("closespider_"):
        problems.append(f"stopped: {reason}")
    recorded = recorded_count(stats)
    unrecorded = stats.get("fazhi/unrecorded_items", 0)
    if unrecorded:
        problems.append(f"{unrecorded} fetched item(s) not archived")
    if reason is not None and recorded == 0 and not shared_frontier:
        problems.append("no item recorded")
    starts, failed = stats.get("fazhi/start_urls", 0), stats.get("fazhi/start_urls_failed", 0)
    if starts and failed >= starts:
        problems.append(f"every start URL failed ({failed} of {starts})")
    raised = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if raised:
        problems.append(f"{raised} page(s) raised in the spider")
    return problems


def recorded_count(stats: dict[str, Any]) -> int:
    """Captures the archive recorded (one outcome each), or a Redis worker handed on for ``fazhi ingest``."""
    archived = sum(v for k, v in stats.items() if k.startswith("fazhi/outcome/"))
    return archived + stats.get("fazhi/redis/items_pushed", 0)


def summary(stats: dict[str, Any], reason: str | None, problems: list[str]) -> str:
    """One line: what the crawl did, and why it failed if it did."""
    outcomes = ", ".join(
        f"{k.rsplit('/', 1)[1]} {v}" for k, v in sorted(stats.items()) if k.startswith("fazhi/outcome/")
    )
    skipped = sum(v for k, v in stats.items() if k.startswith("fazhi/skipped/"))
    done = (
        f"{recorded_count(stats)} capture(s) recorded ({outcomes or 'none'}), "
        f"{stats.get('fazhi/new_version', 0)} new version(s), {skipped} link(s) skipped"
    )
    if problems:
        return f"crawl FAILED: {'; '.join(problems)} — {done}"
    return f"crawl {reason}: {done}"


class Command(ScrapyCrawl):
    # The crawler process (which logs Scrapy's start-up banner) is made only once the arguments are known
    # to be good, so that a mistake is the one line on stderr.
    requires_crawler_process = False

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl reports -a start=URL -s ARCHIVE_DB=PATH")
        name = args[0]
        try:
            spidercls = get_spider_loader(self.settings).load(name)
        except KeyError:
            return self.argument_error(name, f"no spider named {name!r} (scrapy list shows them)")
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except SpiderArgumentError as exc:
                return self.argument_error(name, str(exc))
        if self.settings.get("ARCHIVE_DB"):
            try:  # before the lock file or the archive's schema is written beside or into it
                require_archive_or_nothing(self.settings["ARCHIVE_DB"])
            except NotAnArchive as exc:
                print(f"scrapy crawl {name}: {exc}: not starting", file=sys.stderr)
                self.exitcode = CRAWL_FAILED
                return None
        lock = None
        if self.settings.get("ARCHIVE_DB") and not self.shared_frontier():  # Redis workers write no archive
            try:  # the pipeline's Archive takes the same lock again (it is re-entrant within a process)
                lock = WriterLock(self.settings["ARCHIVE_DB"], wait=self.settings.getfloat("ARCHIVE_LOCK_WAIT", 0.0))
            except ArchiveLocked as exc:
                print(exc, file=sys.stderr)
                self.exitcode = CRAWL_FAILED
                return None
            except OSError:
                pass  # no such folder, say: the pipeline's Archive says what is wrong
        try:
            self.crawl(spidercls, opts)
        finally:
            if lock is not None:
                lock.release()
        return None

    def shared_frontier(self) -> bool:
        """Redis mode: the crawl is shared with other workers, and its captures go to ``fazhi ingest``."""
        return bool(self.settings.get("REDIS_URL") or os.environ.get("FAZHI_REDIS_URL"))

    def crawl(self, spidercls: type, opts: argparse.Namespace) -> None:
        self.crawler_process = crawler_process(self.settings)
        crawler = self._create_crawler(spidercls)
        closed: dict[str, str] = {}
        crawler.signals.connect(
            lambda spider, reason: closed.update(reason=reason), signal=signals.spider_closed, weak=False
        )
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        stats = dict(crawler.stats.get_stats()) if crawler.stats is not None else {}
        reason = closed.get("reason")
        problems = crawl_problems(stats, reason, shared_frontier=self.shared_frontier())
        if self.crawler_process.bootstrap_failed and not problems:
            problems.append("the crawl could not start")
        line = summary(stats, reason, problems)
        if problems:
            logger.error(line)
            print(line, file=sys.stderr)
            self.exitcode = CRAWL_FAILED
        else:
            logger.info(line)

    def argument_error(self, spider: str, message: str) -> None:
        print(f"scrapy crawl {spider}: {message}", file=sys.stderr)
        self.exitcode = ARGUMENT_ERROR


def crawler_process(settings: Settings) -> CrawlerProcessBase:
    """The process ``scrapy.cmdline`` would have made for the command (Scrapy 2.19's rule)."""
    asyncio_reactor = settings["TWISTED_REACTOR"] == ASYNCIO_REACTOR and not settings.getbool("FORCE_CRAWLER_PROCESS")
    if asyncio_reactor or not settings.getbool("TWISTED_REACTOR_ENABLED"):
        return AsyncCrawlerProcess(settings)
    return CrawlerProcess(settings)
