"""The CMS families the crawl knows, by the name a portal's ``cms`` gives in crawler/portals.toml.

Each module here holds everything one family knows (see ``crawler.families.family``); this registry
is what the spiders compose from (``crawler.spiders.reports``: ``reports`` takes them all, and each
family gets a spider of its own name) and what ``fazhi portals validate`` checks a portal's ``cms``
against. Adding a family: a module with a ``FAMILY``, listed here before ``generic`` (README, "Adding
a CMS family").
"""

from __future__ import annotations

from crawler.families import generic, gkmlpt, hanweb, trs
from crawler.families.family import DataRequest, Family, Lead, Link, ListPage

# In the order a spider applies them to a page; generic (a page's plain links) last, in every spider.
FAMILIES: dict[str, Family] = {f.name: f for f in (trs.FAMILY, hanweb.FAMILY, gkmlpt.FAMILY, generic.FAMILY)}
GENERIC = generic.FAMILY.name

__all__ = ["FAMILIES", "GENERIC", "DataRequest", "Family", "Lead", "Link", "ListPage"]
