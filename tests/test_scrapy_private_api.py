"""The private Scrapy API the crawler reads, checked on the installed Scrapy.

Three places read what Scrapy does not promise: the Redis scheduler reads ``engine._slot``
(``inprogress``, ``nextcall``; crawler/distributed/scheduler.py), the Crawl-delay middleware
``engine.downloader.slots`` (``delay``, ``jitter``) and the robots.txt fix ``_parsers``
(crawler/middlewares.py). They were checked against Scrapy 2.19, the range pyproject.toml pins; on
another version these tests fail by name instead of a crawl quietly losing the behaviour (the
scheduler's ``getattr(engine, "_slot", None)`` would silently do nothing).
"""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import scrapy
from packaging.requirements import Requirement
from packaging.version import Version
from scrapy import Spider
from scrapy.core.downloader import Downloader, Slot
from scrapy.core.engine import ExecutionEngine, _Slot
from scrapy.utils.reactor import CallLaterOnce
from scrapy.utils.test import get_crawler

from crawler.middlewares import RobotsTxtMiddleware

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_installed_scrapy_is_in_the_range_the_private_api_was_checked_against():
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    [pin] = [Requirement(d) for d in dependencies if Requirement(d).name.lower() == "scrapy"]
    assert Version(scrapy.__version__) in pin.specifier, f"Scrapy {scrapy.__version__} is outside {pin}"
    assert pin.specifier.filter(["2.19.0"]) and not list(pin.specifier.filter(["2.20.0"]))  # bounded above


def test_the_engine_keeps_its_slot_in_a_private_attribute():
    engine = ExecutionEngine(get_crawler(Spider), lambda spider: None)
    assert engine._slot is None  # set when a spider opens


def test_the_engine_slot_holds_the_requests_in_progress_and_its_next_call():
    async def open_slot() -> _Slot:  # its heartbeat needs an event loop to be made (not started)
        return _Slot(close_if_idle=False, nextcall=CallLaterOnce(lambda: None), scheduler=None)  # type: ignore[arg-type]

    slot = asyncio.run(open_slot())
    assert isinstance(slot.inprogress, set)
    assert callable(slot.nextcall.schedule)


def test_the_downloader_keeps_its_slots_by_host_with_a_delay_and_jitter():
    downloader = Downloader(get_crawler(Spider))
    assert downloader.slots == {}
    slot = Slot(concurrency=1, delay=0.0, jitter=0.5)
    slot.delay, slot.jitter = 2.0, 0.0
    assert (slot.delay, slot.jitter) == (2.0, 0.0)


def test_the_robots_txt_middleware_keeps_its_parsers_by_netloc():
    middleware = RobotsTxtMiddleware(get_crawler(Spider, {"ROBOTSTXT_OBEY": True}))
    assert middleware._parsers == {}
