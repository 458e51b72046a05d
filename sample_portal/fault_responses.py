"""The portal's misbehaviour on the wire: the answers a ``FaultPlan`` calls for, per request.

A ``FaultInjector`` is built once per server from the plan and the as-of date. The request handler
asks it first (``intercept``: it may answer instead, or break the connection) and then lets it
retouch the normal page (``retouch``: wrong charset header, the link to the huge page). Per-URL
request counters sit behind a lock because the server answers on many threads at once.
"""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

from sample_portal.agencies import PORTALS
from sample_portal.faults import HUGE_LIST_PATH, FaultPlan
from sample_portal.pages import Page

HUGE_TITLE = "青禾县法治政府建设资料汇编(全文)"
_CHUNK = 64 * 1024
_COOKIE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _html(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{body}</body></html>"
    ).encode()


def _ruishu_page(plan: FaultPlan, key: str) -> bytes:
    """瑞数 (Riversecurity): a meta blob and a ``$_ts`` bootstrap that a browser would run."""
    blob = "".join(plan.token("412-meta", key, str(n)) for n in range(6))
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<meta http-equiv="X-UA-Compatible" content="IE=edge"><meta content="{blob}" r="m">'
        '<!--[if lt IE 9]><script r="m">document.createElement("section")</script><![endif]-->'
        "<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
        f'$_ts.nsd={int(plan.token("412-nsd", key)[:5], 16)};$_ts.cd="{plan.token("412-cd", key)[:48]}";'
        "if($_ts.lcd)$_ts.lcd();</script>"
        f'<script type="text/javascript" charset="utf-8" src="/{plan.token("412-js")[:10]}/'
        f'{plan.token("412-js2")[:12]}.js" r="m"></script></head><body></body></html>'
    ).encode()


def _jsl_page(plan: FaultPlan, key: str) -> bytes:
    """加速乐 (Yunaq): the first 521 sets ``__jsl_clearance`` from a string-built expression."""
    clearance = plan.token("521", key)[:22]
    pieces = "+".join(f"('{c}')" for c in "__jsl_clearance=")
    return (
        f"<script>document.cookie={pieces}+'{int(plan.token('521t', key)[:8], 16)}.{clearance[:3]}|0|'"
        f"+(function(){{return '{clearance}'}})()+';max-age=3600;path=/';"
        "location.href=location.pathname+location.search</script>"
    ).encode()


WAF_PAGE = _html(
    "安全验证",
    '<div class="waf-box"><h2>访问过于频繁,请稍候…</h2><p>为保障网站安全,请完成下方安全验证后继续访问。</p>'
    '<div id="nc_1_wrapper" class="nc-container"><div class="nc_scale"><span class="nc_iconfont btn_slide">&gt;&gt;</span>'
    '<div class="scale_text">请按住滑块,拖动到最右边</div></div></div>'
    '<p class="waf-footer">请求编号:<span class="reqid">0a1b2c3d</span></p></div>',
)
SOFT_404_PAGE = _html(
    "提示信息",
    '<div class="error"><h2>页面不存在</h2><p>您访问的页面已删除或已过期。</p><p><a href="/">返回首页</a></p></div>',
)


def _nginx_error(status: int, reason: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def request_key(path: str, query: str) -> str:
    """The URL path plus query, as fault targets are named (the old site keys on ``?id=``)."""
    return f"{path}?{query}" if query else path


def _loop_partner(key: str) -> str:
    return key + ("&" if "?" in key else "?") + "redirect=1"


class FaultInjector:
    """The per-server fault state: targets for the as-of date and thread-safe request counters."""

    def __init__(self, plan: FaultPlan, as_of: dt.date) -> None:
        self.plan = plan
        self.as_of = as_of
        self.targets = plan.targets(as_of)
        self._kind: dict[str, str] = {}
        for kind, keys in self.targets.items():
            for key in keys:
                self._kind[key] = kind
        self._loop_back = {_loop_partner(k): k for k in self.targets.get("redirect_loop", [])}
        self._soft_redirect = set(self.targets.get("soft_404", [])[1::2])  # every other one: 302 home
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.released = threading.Event()  # set on server stop: stalled answers give up waiting

    def count(self, key: str) -> int:
        """Count a request to ``key`` and return its number (1 for the first)."""
        with self._lock:
            self._counts[key] += 1
            return self._counts[key]

    def requests_to(self, key: str) -> int:
        with self._lock:
            return self._counts[key]

    def intercept(
        self, handler: BaseHTTPRequestHandler, key: str, page: Page | None, with_body: bool
    ) -> bool:
        """Answer ``key`` the faulty way if it is a target; False leaves the normal answer to the caller."""
        if key in self._loop_back:
            self._redirect(handler, self._loop_back[key], with_body)
            return True
        kind = self._kind.get(key)
        if kind is None:
            return False
        number = self.count(key)
        if kind == "huge":
            self._huge(handler, with_body)
            return True
        if kind == "challenge_412":
            name = self._cookie_name(key)
            self._answer(handler, 412, "text/html; charset=utf-8", _ruishu_page(self.plan, key), with_body,
                         [("Set-Cookie", f"{name}={self.plan.token('412c', key)[:60]}; Path=/; expires=Fri, 01 Jan 2038 00:00:00 GMT; HttpOnly")])  # fmt: skip
        elif kind == "challenge_521":
            self._answer(handler, 521, "text/html", _jsl_page(self.plan, key), with_body,
                         [("Set-Cookie", f"__jsluid_h={self.plan.token('jsluid', key)[:32]}; max-age=31536000; path=/; HttpOnly")])  # fmt: skip
        elif kind == "waf_200":
            self._answer(handler, 200, "text/html; charset=utf-8", WAF_PAGE, with_body)
        elif kind == "soft_404":
            if key in self._soft_redirect:
                self._redirect(handler, PORTALS[key.split("/")[1]].home_path, with_body)
            else:
                self._answer(handler, 200, "text/html; charset=utf-8", SOFT_404_PAGE, with_body)
        elif kind == "redirect_loop":
            self._redirect(handler, _loop_partner(key), with_body)
        elif page is None or not with_body:
            return False  # transient faults break bodies; HEAD and 404s pass through
        elif kind == "http_5xx_burst" and number <= self.plan.burst_requests:
            status, reason = (503, "Service Temporarily Unavailable") if number % 2 else (502, "Bad Gateway")
            self._answer(handler, status, "text/html", _nginx_error(status, reason), True)
        elif kind == "timeout" and number == 1:
            self.released.wait(2 * self.plan.timeout_seconds)  # the client gives up first
            return False
        elif kind == "reset" and number == 1:
            self._broken(handler, page, reset=True)
        elif kind == "truncated" and number == 1:
            self._broken(handler, page, reset=False)
        else:
            return False
        return True

    def retouch(self, key: str, page: Page | None) -> Page | None:
        """The normal page as this plan serves it: a lying header, or the list linking the huge page."""
        if page is None:
            return None
        if self._kind.get(key) == "lying_charset":
            return replace(page, content_type="text/html; charset=utf-8")
        huge = self.targets.get("huge")
        if huge and key == HUGE_LIST_PATH:
            base = HUGE_LIST_PATH.rsplit("/", 1)[0] + "/"
            items = "".join(
                f'  <li><a href="./{p.removeprefix(base)}" target="_blank" title="{HUGE_TITLE}">{HUGE_TITLE}</a>'
                f'<span class="date">{self.as_of.isoformat()}</span></li>\n'
                for p in huge
            )
            marker = b'<ul class="list">\n'
            return replace(page, body=page.body.replace(marker, marker + items.encode(), 1))
        return page

    def _cookie_name(self, key: str) -> str:
        digest = self.plan.token("412n")
        return "".join(_COOKIE_LETTERS[int(digest[i : i + 2], 16) % 52] for i in range(0, 34, 2)) + "S"

    @staticmethod
    def _answer(
        handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes, with_body: bool,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:  # fmt: skip
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in extra or []:
            handler.send_header(name, value)
        handler.end_headers()
        if with_body:
            handler.wfile.write(body)

    def _redirect(self, handler: BaseHTTPRequestHandler, location: str, with_body: bool) -> None:
        self._answer(
            handler, 302, "text/html", _nginx_error(302, "Found"), with_body, [("Location", location)]
        )

    @staticmethod
    def _broken(handler: BaseHTTPRequestHandler, page: Page, reset: bool) -> None:
        """Half the body, then a TCP reset (``reset``) or a clean close short of Content-Length."""
        handler.send_response(200)
        handler.send_header("Content-Type", page.content_type)
        handler.send_header("Content-Length", str(len(page.body)))
        handler.end_headers()
        handler.wfile.write(page.body[: len(page.body) // 2])
        handler.wfile.flush()
        handler.close_connection = True
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()

    def _huge(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None:
        """``huge_bytes`` of HTML written in chunks, never built whole in memory."""
        head = _html(HUGE_TITLE, '<div class="TRS_Editor">').removesuffix(b"</body></html>")
        tail = b"</div></body></html>"
        paragraph = (
            "<p>一、坚持依法行政,全面推进政务公开,持续深化“放管服”改革,优化法治化营商环境。</p>\n".encode()
        )
        chunk = paragraph * (_CHUNK // len(paragraph))
        total = self.plan.huge_bytes
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        if not with_body:
            return
        filler = total - len(head) - len(tail)
        try:
            handler.wfile.write(head)
            while filler >= len(chunk):
                handler.wfile.write(chunk)
                filler -= len(chunk)
            handler.wfile.write(b" " * filler + tail)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client stopped reading: a size guard did its job
