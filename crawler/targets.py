"""What one crawl was asked to fetch, from its spider arguments: start URLs, list scope, allowed hosts.

Read before the crawl starts (``crawler/commands/crawl.py`` checks the arguments and exits 2 with one
line on a mistake) and again by the spider, from the same function, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from crawler.discovery import SEARCH_QUERIES
from crawler.fetch_policy import WEB_SCHEMES, FetchPolicy


class SpiderArgumentError(ValueError):
    """A mistake in ``-a NAME=VALUE``: said in one line, the crawl does not start."""


@dataclass
class CrawlTargets:
    start_urls: list[str]
    scopes: list[str]  # URL prefixes list links may be followed into
    allowed_hosts: list[str]  # hosts besides the start URLs' sites: the registry's and -a allow=
    policy: FetchPolicy
    cms: dict[str, str]  # start URL → its portal's CMS family, for the start URLs the registry names


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _check_web_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        raise SpiderArgumentError(f"{what} must be an http(s) URL with a host: {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise SpiderArgumentError(f"{what} has a bad port: {url!r}") from exc


def crawl_targets(
    start: str | None = None,
    scope: str | None = None,
    portals: str | None = None,
    search: str | None = None,
    allow: str | None = None,
) -> CrawlTargets:
    """The crawl's targets from its spider arguments; ``SpiderArgumentError`` names the first mistake."""
    from crawler.registry import load_portals

    start_urls = _split(start)
    for url in start_urls:
        _check_web_url(url, "start URL")
    # A portal's site search as a URL template, e.g. https://www.x.gov.cn/search?q={q}: its result
    # pages are asked for the report title words (robots.txt permitting, as for any page).
    if search is not None:
        if "{q}" not in search:
            raise SpiderArgumentError(
                "the search template must contain {q}, e.g. -a search='https://x.gov.cn/search?q={q}'"
            )
        _check_web_url(search.replace("{q}", "q"), "the search template")
        start_urls += [search.replace("{q}", quote(q)) for q in SEARCH_QUERIES]
    try:
        registry = load_portals()
    except (OSError, ValueError) as exc:
        raise SpiderArgumentError(f"the portal registry cannot be read: {exc}") from exc
    if portals:  # keys from the registry, crawler/portals.toml, or "all"
        wanted = set(_split(portals))
        chosen = [p for p in registry if "all" in wanted or p.key in wanted]
        unknown = wanted - {p.key for p in chosen} - {"all"}
        if unknown:
            raise SpiderArgumentError(
                f"not in the portal registry: {', '.join(sorted(unknown))} (see: fazhi portals list)"
            )
        start_urls += [u for p in chosen for u in p.start_urls]
    if not start_urls:
        raise SpiderArgumentError("give the portals to crawl: -a start=URL[,URL...] or -a portals=KEY[,KEY...]")
    # Scope: URL prefixes the crawl may follow list links into. Default: the start URLs' hosts.
    scopes = _split(scope) or sorted({f"{urlsplit(u).scheme}://{urlsplit(u).netloc}/" for u in start_urls})
    allowed = sorted({urlsplit(u).hostname or "" for p in registry for u in p.start_urls} - {""})
    allowed += _split(allow)
    cms = {u: p.cms for p in registry for u in p.start_urls if u in start_urls}
    return CrawlTargets(start_urls, scopes, allowed, FetchPolicy(start_urls, allowed), cms)
