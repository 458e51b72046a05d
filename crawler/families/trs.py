"""TRS WCM (拓尔思): lists ``index.html``, ``index_1.html`` … announced by ``createPageHTML``.

Only a column's first page calls ``createPageHTML(count, current, "index", "html")`` with
``current == 0``; its pager is drawn by JavaScript, so the other pages are known from the call alone.
Article bodies sit in ``.TRS_Editor`` (extraction finds them there without knowing the family).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from scrapy.http import TextResponse

from crawler.families.family import Family, Lead, ListPage

# Markup is scanned with str.find and bounded slices, never with an open-ended regex over a whole
# page: ``[^)]*\d[^)]*`` over 20 KB of ``createPageHTML(1`` took 34 s.
_CALL_ARGUMENTS_MAX = 300  # characters between a call's parentheses: createPageHTML(12, 0, "index", "html")
_COUNT_PAGE = re.compile(r"(?:var\s+)?countPage\s*=\s*(\d+)")


def call_arguments(text: str, name: str) -> Iterator[str]:
    """The text between the parentheses of each ``name(…)`` in a script, for calls of a bounded length."""
    start = 0
    while (found := text.find(name, start)) >= 0:
        start = found + len(name)
        paren = start
        while paren < len(text) and text[paren].isspace() and paren - start < 20:
            paren += 1
        if paren >= len(text) or text[paren] != "(":
            continue
        close = text.find(")", paren + 1, paren + 1 + _CALL_ARGUMENTS_MAX)
        if close >= 0:
            yield text[paren + 1 : close]


def trs_page_urls(html: str, url: str) -> list[str]:
    """All list pages of a TRS WCM column, from ``createPageHTML(count, current, "index", "html")``.

    Only the first page (current == 0) announces the others, so later pages add nothing new.
    Variants seen in the wild put an element id first and a record count last; the numbers that
    matter are the first two integers, the names the last two strings. A call, not the function's
    own definition (which TRS pages also carry): its arguments hold digits.
    """
    args_text = next((a for a in call_arguments(html, "createPageHTML") if any(c.isdigit() for c in a)), None)
    count: int | None = None
    current = 0
    prefix, suffix = "index", "html"
    if args_text is not None:
        args = [a.strip().strip("'\"") for a in args_text.split(",")]
        numbers = [int(a) for a in args if a.isdigit()]
        words = [a for a in args if a and not a.isdigit()]
        if numbers:
            count = numbers[0]
            current = numbers[1] if len(numbers) > 1 else 0
        if len(words) >= 2:
            prefix, suffix = words[-2], words[-1]
    else:
        counted = _COUNT_PAGE.search(html)
        if counted:
            count = int(counted.group(1))
    if not count or count <= 1 or current != 0:
        return []
    return [urljoin(url, f"{prefix}_{n}.{suffix}") for n in range(1, count)]


def read_list(response: TextResponse) -> Iterator[Lead]:
    for url in trs_page_urls(response.text, response.url):
        yield ListPage(url)


FAMILY = Family(
    name="trs",
    summary="TRS WCM: index.html, index_1.html … from createPageHTML; bodies in .TRS_Editor",
    marks=("createPageHTML", "countPage"),
    read_list=read_list,
)
