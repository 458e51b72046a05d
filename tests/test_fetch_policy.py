"""The fetch policy (crawler/fetch_policy.py) on URLs of the kinds hostile pages link: what it lets through, and why not."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.fetch_policy import FetchPolicy, registrable_domain
from crawler.targets import SpiderArgumentError, crawl_targets

COUNTY = FetchPolicy(["http://www.qinghe.gov.cn/zwgk/index.html"], ["www.gd.gov.cn"])
SAMPLE = FetchPolicy(["http://127.0.0.1:8000/qinghe/index.html"])


def rule(policy: FetchPolicy, url: str) -> str | None:
    refusal = policy.refuse_url(url)
    return refusal.rule if refusal else None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.qinghe.gov.cn/zwgk/t1.html", None),
        ("https://fzb.qinghe.gov.cn/art/2024/3/1/art_1_2.html", None),  # another host of the same site
        ("http://WWW.QINGHE.GOV.CN./x.html", None),  # case and a trailing dot
        ("http://www.gd.gov.cn/gkmlpt/index", None),  # a host named in the registry
        ("http://sub.www.gd.gov.cn/x", None),  # and its subdomains
        ("http://gd.gov.cn/x", "offsite"),  # but not its parent
        ("http://www.yunling.gov.cn/x.html", "offsite"),  # another county: gov.cn is a public suffix
        ("http://qinghe.gov.cn.evil.example/x", "offsite"),
        ("file:///etc/passwd?.pdf", "scheme"),
        ("data:application/pdf;base64,JVBERi0=", "scheme"),
        ("ftp://www.qinghe.gov.cn/report.pdf", "scheme"),
        ("gopher://www.qinghe.gov.cn:6379/_FLUSHALL", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://admin:secret@www.qinghe.gov.cn/x", "malformed"),
        ("http://www.qinghe.gov.cn:99999/x", "malformed"),
        ("http:///x", "malformed"),
        ("http://169.254.169.254/latest/meta-data/", "offsite"),
    ],
)
def test_a_county_crawl_stays_on_its_site(url, expected):
    assert rule(COUNTY, url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/yunling/index.html", None),  # the start URL's own address and port
        ("http://127.0.0.1:6379/", "offsite"),  # the same address, another service
        ("http://127.0.0.2:8000/", "offsite"),
        ("http://localhost:8000/", "offsite"),  # a name is not the address it resolves to
        ("http://[::1]:8000/", "offsite"),
    ],
)
def test_a_crawl_of_an_address_stays_on_that_address_and_port(url, expected):
    assert rule(SAMPLE, url) == expected


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254"],
)  # fmt: skip
def test_private_addresses_are_refused_even_on_allowed_hosts(address):
    policy = FetchPolicy(["http://www.qinghe.gov.cn/"], [address])
    host = f"[{address}]" if ":" in address else address
    assert rule(policy, f"http://{host}/x") == "private_address"
    assert policy.refuse_address(address).rule == "private_address"


def test_public_addresses_and_the_start_urls_own_address_pass():
    assert COUNTY.refuse_address("202.96.128.86") is None
    assert COUNTY.refuse_address(ipaddress.ip_address("2001:4860:4860::8888")) is None
    assert SAMPLE.refuse_address("127.0.0.1") is None
    assert SAMPLE.refuse_address("127.0.0.2").rule == "private_address"
    # a start host name that resolves to a private address (an intranet mirror) is trusted for that address
    policy = FetchPolicy(["http://mirror.qinghe.gov.cn/"])
    assert policy.refuse_address("10.0.0.7") is not None
    policy.trust_start_address(ipaddress.ip_address("10.0.0.7"))
    assert policy.refuse_address("10.0.0.7") is None and policy.refuse_address("10.0.0.8") is not None


def test_registrable_domains_come_from_the_public_suffix_list():
    assert registrable_domain("www.qinghe.gov.cn") == "qinghe.gov.cn"
    assert registrable_domain("a.b.example.com.cn") == "example.com.cn"
    assert registrable_domain("www.gov.cn") == "www.gov.cn"
    assert registrable_domain("gov.cn") is None
    assert registrable_domain("127.0.0.1") is None
    assert registrable_domain("localhost") is None


def test_the_crawl_allows_registry_hosts_and_the_allow_argument():
    targets = crawl_targets(start="http://127.0.0.1:8000/qinghe/index.html", allow="www.example.gov.cn")
    assert rule(targets.policy, "http://www.example.gov.cn/x") is None
    assert rule(targets.policy, "http://www.heshan.gov.cn/gkmlpt/content/1/1.html") is None  # in portals.toml
    assert rule(targets.policy, "http://www.elsewhere.gov.cn/x") == "offsite"


def test_bad_targets_are_argument_errors():
    with pytest.raises(SpiderArgumentError, match="http"):
        crawl_targets(start="file:///etc/passwd")
    with pytest.raises(SpiderArgumentError, match="give the portals"):
        crawl_targets()


def test_the_middleware_refuses_a_response_from_an_address_the_policy_does_not_allow():
    """A name that resolved to a public address but was answered from a private one (DNS rebinding)."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.spiders import Spider
    from scrapy.utils.test import get_crawler

    from crawler.fetch_policy import FetchPolicyMiddleware, FetchRefused

    class Crawled(Spider):
        name = "crawled"
        fetch_policy = COUNTY

    crawler = get_crawler(Crawled)
    crawler.spider = Crawled()
    middleware = FetchPolicyMiddleware.from_crawler(crawler)
    request = Request("http://www.qinghe.gov.cn/zwgk/t1.html")

    def answered_from(address: str) -> HtmlResponse:
        return HtmlResponse(request.url, body=b"<html></html>", request=request, ip_address=ipaddress.ip_address(address))

    assert middleware.process_response(request, answered_from("202.96.128.86")).status == 200
    with pytest.raises(FetchRefused, match="private_address"):
        middleware.process_response(request, answered_from("10.0.0.5"))
    assert crawler.stats.get_value("fazhi/skipped/private_address") == 1
