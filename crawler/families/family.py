"""What a CMS family is to the crawl: the marks of its list pages, and the leads it reads off them.

A family reads a list page — and the answers of its own data API, if it has one — into *leads*: plain
values saying what to fetch next. The spider turns leads into requests (callbacks, errbacks, the fetch
policy), so a family knows nothing of Scrapy's machinery, is tested on saved pages alone, and any set
of families can be composed into one spider (``crawler.spiders.reports``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scrapy.http import Response, TextResponse


@dataclass(frozen=True)
class Link:
    """A link judged by its text: a report title is fetched as a report, a column or pager name as a list."""

    url: str
    text: str


@dataclass(frozen=True)
class ListPage:
    """Another page of the same list: fetched and read as a list whatever its link says (or without a link)."""

    url: str


@dataclass(frozen=True)
class DataRequest:
    """A call to the family's data API; its answer is read by the family's ``read_data``.

    ``formdata`` makes it a form POST; None a GET.
    """

    url: str
    formdata: dict[str, str] | None = None


Lead = Link | ListPage | DataRequest


def _no_data(response: Response) -> Iterable[Lead]:
    return ()


@dataclass(frozen=True)
class Family:
    """One CMS family: its name in the portal registry and how its lists lead to the reports."""

    name: str  # the ``cms`` of a portal in crawler/portals.toml, and the name of its own spider
    summary: str  # one line for people: what its lists look like
    # A list page this family reads carries one of these strings (none: every page). A cheap test
    # before parsing, and what a person checking a registry entry looks for in the page source.
    marks: tuple[str, ...]
    read_list: Callable[[TextResponse], Iterable[Lead]]
    read_data: Callable[[Response], Iterable[Lead]] = _no_data

    def reads(self, response: TextResponse) -> bool:
        """Whether this family's list handling applies to the page: it carries one of the marks."""
        if not self.marks:
            return True
        text = response.text
        return any(mark in text for mark in self.marks)
