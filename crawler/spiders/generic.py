"""Portals of no known family (old table-layout sites, hand-made pages): column links and 下一页 pagers.

The shared base already follows those; this spider is the base alone, named so it can be chosen.
"""

from __future__ import annotations

from crawler.spiders.base import ReportSpiderBase


class GenericSpider(ReportSpiderBase):
    """``scrapy crawl generic -a start=URL``: links whose text is a report title or a column name."""

    name = "generic"
