"""Plain HTML lists, which every portal has: column links, report titles and 下一页 / 尾页 / page-number pagers.

Old table-layout sites (``list.asp?classid=12&page=2``) and hand-made pages have nothing else; the
other families' portals have these too (home pages, column menus), so every spider composes this
family after its own. Which of these links are followed is decided by their text
(``crawler.discovery``: a report title, a column name, a pager).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from scrapy.http import JsonResponse, TextResponse

from crawler.discovery import link_text
from crawler.families.family import Family, Lead, Link


def page_links(response: TextResponse) -> list[tuple[str, str]]:
    """(absolute URL, link text) of a page's links; none from an answer that is not markup (JSON).

    Read from the page's parsed tree with the XPath parsel makes of ``a[href]`` and ``::text``,
    without a parsel selector for every link and text node (a list page has hundreds): the same
    links, at a fraction of the crawl process's time a response.
    """
    if isinstance(response, JsonResponse):
        return []
    root = response.selector.root
    if not hasattr(root, "xpath"):  # parsel read the body as JSON or as plain text: no links
        return []
    links = []
    for a in root.xpath("descendant-or-self::a[@href]"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = link_text(" ".join(a.xpath("descendant-or-self::text()")), a.get("title"))
        links.append((urljoin(response.url, href), text))
    return links


def read_list(response: TextResponse) -> Iterator[Lead]:
    for url, text in page_links(response):
        yield Link(url, text)


FAMILY = Family(
    name="generic",
    summary="plain HTML lists: column links, report titles, 下一页 / 尾页 / page-number pagers",
    marks=(),
    read_list=read_list,
)
