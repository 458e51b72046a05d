"""The sample portal's opt-in misbehaviour, fetched for real over loopback with http.client.

One server runs a plan with every fault kind; each test takes the URLs ``plan.targets`` names and
checks the answers a crawler will meet: challenges that never pass, soft 404s, 5xx bursts that
recover, a stall longer than the client timeout, resets, short bodies, a lying charset header,
a redirect loop and a 50 MB page. Without a plan the portal answers byte for byte as before.
"""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from sample_portal.__main__ import main as portal_main
from sample_portal.fault_responses import HUGE_TITLE
from sample_portal.faults import FAULT_KINDS, HUGE_LIST_PATH, FaultPlan
from sample_portal.network import visible_reports
from sample_portal.server import start_in_thread

AS_OF = dt.date(2024, 4, 15)
SPEC = (
    "challenge_412=2,challenge_521=1,waf_200=1,soft_404=2,http_5xx_burst=1,timeout=1,reset=1,"
    "truncated=1,lying_charset=1,redirect_loop=1,huge=1,seed=7,timeout_seconds=0.5"
)
PLAN = FaultPlan.parse(SPEC)


@pytest.fixture(scope="module")
def faulty():
    with start_in_thread(AS_OF, faults=PLAN) as portal:
        yield portal


def get(portal, path: str, timeout: float = 10, method: str = "GET"):
    """(status, headers, body) over a fresh connection; body errors propagate."""
    conn = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=timeout)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def target(kind: str, index: int = 0) -> str:
    return PLAN.targets(AS_OF)[kind][index]


# ---- the plan as data -------------------------------------------------------------------------


def test_spec_parses_counts_and_options():
    plan = FaultPlan.parse(
        "challenge_412=2,challenge_521=1,waf_200=1,soft_404=1,http_5xx_burst=3,timeout=1,reset=1,"
        "truncated=1,lying_charset=1,redirect_loop=1,huge=1,seed=7,recover_after=2025-06-01"
    )
    assert plan.counts["challenge_412"] == 2 and plan.counts["http_5xx_burst"] == 3
    assert set(plan.counts) == set(FAULT_KINDS)
    assert plan.seed == 7 and plan.recover_after == dt.date(2025, 6, 1)
    assert PLAN.timeout_seconds == 0.5
    for bad in ("challenge_999=1", "timeout", "timeout=x", "seed=1,reset=-1"):
        with pytest.raises(ValueError):
            FaultPlan.parse(bad)
    assert not FaultPlan.parse("") and not FaultPlan.parse("seed=3")


def test_command_line_rejects_a_bad_spec_with_the_reason(capsys):
    with pytest.raises(SystemExit):
        portal_main(["--faults", "challenge_413=1"])
    assert "unknown fault kind or option 'challenge_413'" in capsys.readouterr().err


def test_targets_are_deterministic_disjoint_visible_report_pages():
    targets = PLAN.targets(AS_OF)
    assert targets == FaultPlan.parse(SPEC).targets(AS_OF)
    assert {k: len(v) for k, v in targets.items()} == PLAN.counts
    report_paths = {r.url_path for r in visible_reports(AS_OF)}
    hit = [p for kind, paths in targets.items() if kind != "huge" for p in paths]
    assert len(hit) == len(set(hit)) and set(hit) <= report_paths
    assert all(p.startswith("/shimen/") for p in targets["lying_charset"])  # a GBK page to lie about
    other = FaultPlan.parse(SPEC.replace("seed=7", "seed=8")).targets(AS_OF)
    assert other != targets


def test_no_plan_and_untargeted_pages_answer_byte_for_byte_as_before(plain, faulty):
    hit = {p for paths in PLAN.targets(AS_OF).values() for p in paths}
    untouched = [r.url_path for r in visible_reports(AS_OF) if r.url_path not in hit][:5]
    with start_in_thread(AS_OF, faults=FaultPlan()) as empty:
        assert empty.fault_targets == {}
        for path in ["/", "/qinghe/index.html", "/shimen/list.asp?classid=12", *untouched]:
            status, headers, body = get(plain, path)
            assert status == 200
            for server in (empty, faulty):
                again = get(server, path)
                assert (again[0], again[1]["ETag"], again[1]["Content-Type"], again[2]) == (
                    status, headers["ETag"], headers["Content-Type"], body,
                )  # fmt: skip


# ---- blocked: every time ----------------------------------------------------------------------


def test_ruishu_412_challenge_never_passes(faulty):
    for path in PLAN.targets(AS_OF)["challenge_412"]:
        for _ in range(2):
            status, headers, body = get(faulty, path)
            assert status == 412
            text = body.decode()
            assert "$_ts=window['$_ts']" in text and '<meta content="' in text
            cookie = headers["Set-Cookie"]
            name = cookie.split("=", 1)[0]
            assert len(name) >= 16 and name.isalnum() and "Path=/" in cookie


def test_jiasule_521_challenge_sets_jsluid_and_computes_clearance(faulty):
    for _ in range(2):
        status, headers, body = get(faulty, target("challenge_521"))
        assert status == 521
        assert headers["Set-Cookie"].startswith("__jsluid_h=")
        text = body.decode()
        assert text.startswith("<script>document.cookie=") and "('j')+('s')+('l')" in text
        assert "location.href" in text


def test_waf_page_is_200_with_slider_captcha(faulty):
    for _ in range(2):
        status, _headers, body = get(faulty, target("waf_200"))
        text = body.decode()
        assert status == 200 and "<title>安全验证</title>" in text
        assert "请稍候" in text and "访问过于频繁" in text and 'id="nc_1_wrapper"' in text


def test_soft_404_is_a_200_error_page_or_a_redirect_home(faulty):
    first, second = PLAN.targets(AS_OF)["soft_404"]
    status, _headers, body = get(faulty, first)
    assert status == 200 and "页面不存在" in body.decode() and "您访问的页面已删除" in body.decode()
    status, headers, _body = get(faulty, second)
    portal_key = second.split("/")[1]
    assert status == 302 and headers["Location"] == {
        "qinghe": "/qinghe/index.html", "yunling": "/yunling/index.html", "shimen": "/shimen/index.asp",
    }[portal_key]  # fmt: skip


def test_redirect_loop_bounces_between_two_urls(faulty):
    a = target("redirect_loop")
    status, headers, _ = get(faulty, a)
    b = headers["Location"]
    assert status == 302 and b != a
    status, headers, _ = get(faulty, b)
    assert status == 302 and headers["Location"] == a
    assert get(faulty, a)[1]["Location"] == b


def test_lying_charset_sends_gbk_bytes_under_a_utf8_header(faulty, plain):
    path = target("lying_charset")
    status, headers, body = get(faulty, path)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == get(plain, path)[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    assert "charset=gb2312" in text.lower() and "法治政府建设" in text


# ---- transient: the first request(s) fail, then the page answers -------------------------------


def test_5xx_burst_then_the_real_page(faulty, plain):
    path = target("http_5xx_burst")
    statuses = [get(faulty, path)[0] for _ in range(PLAN.burst_requests)]
    assert statuses == [503, 502]
    status, headers, body = get(faulty, path)
    assert status == 200 and body == get(plain, path)[2] and headers["ETag"]


def test_5xx_burst_counter_is_exact_under_concurrent_requests():
    plan = FaultPlan.parse("http_5xx_burst=1,burst_requests=7,seed=3")
    path = plan.targets(AS_OF)["http_5xx_burst"][0]
    with start_in_thread(AS_OF, faults=plan) as portal, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: get(portal, path)[0], range(20)))
        assert portal.requests_to(path) == 20
    assert sum(s >= 500 for s in statuses) == 7 and statuses.count(200) == 13


def test_timeout_stalls_past_the_client_timeout_once(faulty, plain):
    path = target("timeout")
    with pytest.raises(TimeoutError):
        get(faulty, path, timeout=PLAN.timeout_seconds)
    status, _headers, body = get(faulty, path, timeout=PLAN.timeout_seconds)
    assert status == 200 and body == get(plain, path)[2]


def test_reset_breaks_the_first_connection_mid_body(faulty, plain):
    path = target("reset")
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        get(faulty, path)
    assert get(faulty, path)[2] == get(plain, path)[2]


def test_truncated_body_is_shorter_than_its_content_length(faulty, plain):
    path = target("truncated")
    with pytest.raises(http.client.IncompleteRead) as caught:
        get(faulty, path)
    full = get(plain, path)[2]
    assert 0 < len(caught.value.partial) < len(full)
    assert get(faulty, path)[2] == full


def test_huge_page_is_linked_from_a_list_and_streams_50_mb(faulty, plain):
    status, _headers, listing = get(faulty, HUGE_LIST_PATH)
    huge = target("huge")
    assert status == 200 and HUGE_TITLE in listing.decode() and huge.rsplit("/", 1)[1] in listing.decode()
    assert HUGE_TITLE not in get(plain, HUGE_LIST_PATH)[2].decode()
    assert PLAN.huge_bytes == 50 * 1024 * 1024
    conn = http.client.HTTPConnection("127.0.0.1", faulty.port, timeout=30)
    tracemalloc.start()  # server and client share this process: the page must never sit whole in memory
    try:
        conn.request("GET", huge)
        response = conn.getresponse()
        assert response.status == 200 and int(response.headers["Content-Length"]) == PLAN.huge_bytes
        head = response.read(4096)
        received = len(head)
        while chunk := response.read(1 << 20):
            received += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        conn.close()
    assert received == PLAN.huge_bytes and HUGE_TITLE in head.decode("utf-8", "ignore")
    assert peak < PLAN.huge_bytes // 10


# ---- recovery ---------------------------------------------------------------------------------


def test_blocked_page_recovers_after_the_given_date(plain):
    plan = FaultPlan.parse("challenge_412=1,waf_200=1,seed=5,recover_after=2025-01-01")
    blocked = plan.targets(AS_OF)["challenge_412"][0]
    later = dt.date(2025, 7, 1)
    assert plan.active_on(AS_OF) and not plan.active_on(later)
    assert plan.targets(later) == {"challenge_412": [], "waf_200": []}
    with start_in_thread(AS_OF, faults=plan) as first:
        assert get(first, blocked)[0] == 412
    with start_in_thread(later, faults=plan) as second:
        status, _headers, body = get(second, blocked)
        assert status == 200 and "法治政府建设" in body.decode(_charset(blocked))


def _charset(path: str) -> str:
    return "gb18030" if urlsplit(path).path.startswith("/shimen/") else "utf-8"


def test_stop_releases_a_stalled_answer():
    plan = FaultPlan.parse("timeout=1,timeout_seconds=30")
    path = plan.targets(AS_OF)["timeout"][0]
    portal = start_in_thread(AS_OF, faults=plan)
    conn = socket.create_connection(("127.0.0.1", portal.port), timeout=0.3)
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    with pytest.raises(TimeoutError):
        conn.recv(1)
    portal.stop()  # wakes the stalled handler instead of leaving it asleep for 60 s
    conn.settimeout(5)
    received = b""
    while len(received) < 12 and (chunk := conn.recv(1 << 16)):
        received += chunk
    conn.close()
    assert received.startswith(b"HTTP/1.1 200")
