"""The ``reports`` spider: every CMS family at once, for a registry of mixed portals.

    scrapy crawl reports -a start=URL[,URL...] -s ARCHIVE_DB=archive.db
    scrapy crawl reports -a portals=KEY[,KEY...]|all -s ARCHIVE_DB=archive.db

Each family's list handling only acts on pages that carry its marks (``createPageHTML``,
``dataproxy.jsp``, a gkmlpt site id …), so one spider serves a registry of mixed portals; plain 下一页 and column links
are followed by the shared base.
"""

from __future__ import annotations

from crawler.spiders.base import ReportSpiderBase
from crawler.spiders.gkmlpt import GkmlptListsMixin
from crawler.spiders.hanweb import HanwebListsMixin
from crawler.spiders.trs import TrsListsMixin


class ReportsSpider(TrsListsMixin, HanwebListsMixin, GkmlptListsMixin, ReportSpiderBase):
    name = "reports"
