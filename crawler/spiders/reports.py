"""The spiders: ``reports``, every CMS family at once, and one spider per family of the same name.

    scrapy crawl reports -a start=URL[,URL...] -s ARCHIVE_DB=archive.db
    scrapy crawl reports -a portals=KEY[,KEY...]|all -s ARCHIVE_DB=archive.db
    scrapy crawl trs -a start=URL -s ARCHIVE_DB=archive.db      # hanweb, gkmlpt, generic alike

Each family reads only pages that carry its marks (``createPageHTML``, ``dataproxy.jsp``, a gkmlpt
site id …), so one spider serves a registry of mixed portals; a portal of the registry is read by the
family its ``cms`` names. The family spiders are made here from ``crawler.families.FAMILIES``: a new
family needs no spider code.
"""

from __future__ import annotations

from crawler.families import FAMILIES, GENERIC, Family
from crawler.spiders.base import ReportSpiderBase


class ReportsSpider(ReportSpiderBase):
    """``scrapy crawl reports``: every family the crawl knows."""

    name = "reports"
    families = tuple(FAMILIES)


def family_spider(family: Family) -> type[ReportSpiderBase]:
    """``scrapy crawl <family>``: the base with that family alone (and the plain links of every page)."""
    return type(
        f"{family.name.capitalize()}Spider",
        (ReportSpiderBase,),
        {
            "__module__": __name__,
            "__doc__": f"``scrapy crawl {family.name} -a start=URL``: {family.summary}.",
            "name": family.name,
            "families": tuple(dict.fromkeys((family.name, GENERIC))),
        },
    )


# Scrapy's spider loader finds spiders among a module's classes: one per family, by its name.
FAMILY_SPIDERS = {name: family_spider(family) for name, family in FAMILIES.items()}
globals().update({spider.__name__: spider for spider in FAMILY_SPIDERS.values()})
