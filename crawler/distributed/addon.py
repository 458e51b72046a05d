"""Switches ``scrapy crawl reports`` to Redis mode when a Redis URL is given, and does nothing otherwise.

An add-on rather than module-level code in settings.py, because ``-s REDIS_URL=…`` on the command line
is only known once Scrapy has read settings.py; add-ons run after that.
"""

from __future__ import annotations

import os

from scrapy.settings import Settings

from crawler.distributed.items import RedisItemPipeline
from crawler.pipelines import ArchivePipeline


class RedisCrawl:
    """``-s REDIS_URL=redis://host:6379/0`` or the ``FAZHI_REDIS_URL`` environment variable turns this on.

    Not a plain ``REDIS_URL`` variable: other programs set that, and a crawl must not change mode by accident.
    """

    def update_settings(self, settings: Settings) -> None:
        url = settings.get("REDIS_URL") or os.environ.get("FAZHI_REDIS_URL")
        if not url:
            return
        settings.set("REDIS_URL", url, "addon")
        settings.set("SCHEDULER", "crawler.distributed.scheduler.SharedScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set(
            "SCHEDULER_PERSIST", True, "addon"
        )  # one worker finishing must not wipe the others' frontier
        settings.replace_in_component_priority_dict("ITEM_PIPELINES", ArchivePipeline, RedisItemPipeline)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        # After robots.txt (100) and Crawl-delay (120): a forbidden URL spends no slot.
        middlewares["crawler.distributed.ratelimit.SharedRateLimitMiddleware"] = 130
        settings.set(
            "DOWNLOADER_MIDDLEWARES", middlewares, settings.getpriority("DOWNLOADER_MIDDLEWARES") or 0
        )
