"""What the crawl may fetch: only the web, only the sites it was sent to, never the machine's own network.

A crawled page is untrusted input. Its links decide what is fetched next, so a page could otherwise
send the crawler to ``file:///etc/passwd``, to ``http://169.254.169.254/`` (a cloud metadata service)
or to any other site. The rules, applied to every link before it is queued (``ReportSpiderBase``) and
to every request before it is sent, redirects included (``crawler.middlewares.FetchPolicyMiddleware``):

1. scheme: ``http`` and ``https`` only;
2. site: the registrable domain of a start URL (``www.x.gov.cn`` → every ``*.x.gov.cn``, by the Public
   Suffix List that tldextract ships — read from its bundled snapshot, never fetched), a host named in
   the portal registry or in ``-a allow=HOST[,HOST]`` (with its subdomains); a start URL whose host has
   no registrable domain (an IP address, ``localhost``) allows exactly that host and port;
3. address: never a loopback, private, link-local (metadata), shared, reserved or multicast address,
   unless a start URL's host is that very address. Host names are resolved before the request is sent,
   and the address a response actually came from is checked again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# The Public Suffix List snapshot inside the tldextract package: no download, no cache folder.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Refusal:
    """Why a URL is not fetched: ``rule`` is the stats key (``fazhi/skipped/<rule>``), ``detail`` for the log."""

    rule: str  # "scheme", "malformed", "offsite" or "private_address"
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str | None:
    """``www.qinghe.gov.cn`` → ``qinghe.gov.cn``; None for IP addresses and names without a public suffix."""
    if ip_literal(host) is not None:
        return None
    return _SUFFIXES(host).top_domain_under_public_suffix or None


def is_public_address(address: IPAddress) -> bool:
    """Globally routable: not loopback, private, link-local (169.254.169.254), shared (100.64/10), reserved …"""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _normal_host(host: str) -> str:
    """Lower case, no trailing dot; an IP address in its one canonical spelling."""
    literal = ip_literal(host)
    return str(literal) if literal is not None else host.rstrip(".").lower()


def _host_port(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    host = _normal_host(parts.hostname or "")
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number, or out of range
        port = -1
    return parts.scheme.lower(), host, port


def _named_host(entry: str) -> tuple[str, int | None]:
    """``HOST``, ``HOST:PORT``, an IP address or a URL, as given to ``-a allow=`` or read from the registry."""
    if ip_literal(entry) is not None:
        return _normal_host(entry), None
    parts = urlsplit(entry if "//" in entry else "//" + entry)
    try:
        port = parts.port
    except ValueError:
        port = None
    return _normal_host(parts.hostname or ""), port


class FetchPolicy:
    """The three rules for one crawl, built from its start URLs and the hosts it is allowed besides."""

    def __init__(self, start_urls: Iterable[str], allowed_hosts: Iterable[str] = ()) -> None:
        self.domains: set[str] = set()  # registrable domains: the host and every subdomain
        self.origins: set[tuple[str, int | None]] = set()  # (host, port) of start URLs with no registrable domain
        self.hosts: set[str] = set()  # named hosts: the host and its subdomains
        self.start_addresses: set[IPAddress] = set()  # addresses a start URL names: trusted even if private
        self.start_hosts: set[str] = set()  # host names of start URLs, resolved once by the middleware
        for url in start_urls:
            _scheme, host, port = _host_port(url)
            if not host:
                continue
            domain = registrable_domain(host)
            if domain:
                self.domains.add(domain)
                self.start_hosts.add(host)
            else:
                self.origins.add((host, port))
                literal = ip_literal(host)
                if literal is not None:
                    self.start_addresses.add(literal)
                else:
                    self.start_hosts.add(host)
        for entry in allowed_hosts:
            host, _port = _named_host(entry.strip())
            if host:
                self.hosts.add(host)

    def trust_start_address(self, address: IPAddress) -> None:
        """A start URL's host name resolved to ``address``: it may be fetched even when private."""
        self.start_addresses.add(address)

    def on_site(self, host: str, port: int | None) -> bool:
        if (host, port) in self.origins:
            return True
        if any(host == h or host.endswith("." + h) for h in self.hosts):
            return True
        domain = registrable_domain(host)
        return domain is not None and domain in self.domains

    def refuse_url(self, url: str) -> Refusal | None:
        """The rules that need no name lookup: scheme, site, and the address when the host is one."""
        scheme, host, port = _host_port(url)
        if scheme not in WEB_SCHEMES:
            return Refusal("scheme", f"{scheme or 'no'} scheme: {url[:200]}")
        if not host or port == -1 or "@" in urlsplit(url).netloc:
            # No host, a bad port, or user:password@ — which HTTP libraries split differently, so that
            # the host checked here might not be the host connected to.
            return Refusal("malformed", f"no usable host: {url[:200]}")
        if not self.on_site(host, port):
            return Refusal("offsite", f"{host} is not a site of this crawl")
        literal = ip_literal(host)
        if literal is not None:
            return self.refuse_address(literal)
        return None

    def refuse_address(self, address: IPAddress | str) -> Refusal | None:
        """Refused unless public, or the very address of a start URL."""
        address = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if is_public_address(address) or address in self.start_addresses:
            return None
        return Refusal("private_address", f"{address} is not a public address")


class FetchRefused(IgnoreRequest):
    """A request the fetch policy stopped: nothing was fetched, so nothing is recorded as a capture."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class FetchPolicyMiddleware:
    """Downloader middleware, first in line (before robots.txt): every request, redirects included.

    Host names are resolved through the reactor's resolver — Scrapy's caching resolver, the one the
    download then connects with — and the address a response came from (``response.ip_address``) is
    checked again, so a name that changes its answer between the two is still caught.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._policy: FetchPolicy | None = None
        self._trusted: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchPolicyMiddleware:
        return cls(crawler)

    def policy(self) -> FetchPolicy:
        if self._policy is None:
            spider = self.crawler.spider
            self._policy = getattr(spider, "fetch_policy", None) or FetchPolicy(getattr(spider, "start_urls", []))
        return self._policy

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        policy = self.policy()
        refusal = policy.refuse_url(request.url)
        host = urlparse_cached(request).hostname or ""
        if refusal is None and ip_literal(host) is None:
            if self._trusted is None:
                self._trusted = asyncio.ensure_future(self._trust_start_hosts(policy))
            await self._trusted
            address = await resolve(host)
            if address is not None:  # a name that does not resolve fails in the download, and is recorded
                refusal = policy.refuse_address(address)
        if refusal is not None:
            self.refuse(request, refusal)
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        address = getattr(response, "ip_address", None)
        if address is not None:
            refusal = self.policy().refuse_address(address)
            if refusal is not None:
                self.refuse(request, refusal)
        return response

    async def _trust_start_hosts(self, policy: FetchPolicy) -> None:
        for host in sorted(policy.start_hosts):
            address = await resolve(host)
            if address is not None:
                policy.trust_start_address(ipaddress.ip_address(address))

    def refuse(self, request: Request, refusal: Refusal) -> None:
        self.stats.inc_value(f"fazhi/skipped/{refusal.rule}")
        logger.warning("not fetched (%s): %s", refusal, request.url[:300])
        raise FetchRefused(refusal)


async def resolve(host: str) -> str | None:
    """The IPv4 address the download will connect to (Scrapy's resolver is IPv4, and caches), or None."""
    from twisted.internet import reactor

    try:
        return await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - DNSLookupError, timeouts: the download reports them as its own error
        return None
