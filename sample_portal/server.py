"""A loopback HTTP server for the sample portal network, frozen at an as-of date.

Standard library only (``ThreadingHTTPServer``): GET, HEAD, and the Hanweb jpage POST. Every
answer carries an ETag (hash of the bytes) and a Last-Modified (the document's publication or
edit date), and conditional requests get 304, so a re-crawl behaves as against a real portal.

It keeps up with a crawl, so that benchmarks measure the crawler: a thread per connection and a
listen backlog of ``LISTEN_BACKLOG`` (the standard library's 5 dropped connection attempts when a
crawl opened dozens at once, each then stalled ~1 s in the kernel's retry). With ``crawl_delay``
its robots.txt asks for that many seconds between requests (benchmarks/scale.py).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from sample_portal.fault_responses import FaultInjector, request_key
from sample_portal.faults import FaultPlan
from sample_portal.network import start_paths
from sample_portal.pages import HANWEB_PROXY, Page, hanweb_dataproxy, render

NOT_FOUND_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    '<body><h1>404</h1><p>抱歉,您访问的页面不存在或已被删除。</p><p><a href="/">返回首页</a></p></body></html>'
).encode()
MAX_POST_BYTES = 64 * 1024
LISTEN_BACKLOG = 128


class PortalServer(ThreadingHTTPServer):
    """A thread per connection, daemon threads, and a listen backlog a crawl does not overflow."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def _http_date(day: dt.date) -> str:
    moment = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def _not_modified(headers, etag: str, last_modified: dt.date) -> bool:  # noqa: ANN001 - http.client.HTTPMessage
    """RFC 9110: If-None-Match wins; If-Modified-Since is only looked at without it."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        modified = email.utils.parsedate_to_datetime(_http_date(last_modified))
        return modified <= parsed
    return False


def make_handler(
    as_of: dt.date, faults: FaultInjector | None = None, multipage: bool = False, gkmlpt: bool = False,
    scans: bool = False, crawl_delay: float | None = None,
) -> type[BaseHTTPRequestHandler]:  # fmt: skip
    """A request handler class bound to one as-of date (and, opt-in, faults, extra pages, a Crawl-delay)."""

    class PortalHandler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            """Quiet: the crawl logs what it fetches; a server log per request only slows tests."""

        def _send(self, page: Page | None, with_body: bool) -> None:
            if page is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(NOT_FOUND_HTML)))
                self.end_headers()
                if with_body:
                    self.wfile.write(NOT_FOUND_HTML)
                return
            etag = '"' + hashlib.sha256(page.body).hexdigest()[:32] + '"'
            if _not_modified(self.headers, etag, page.last_modified):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", _http_date(page.last_modified))
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", _http_date(page.last_modified))
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            if with_body:
                self.wfile.write(page.body)

        def _page(self) -> Page | None:
            parts = urlsplit(self.path)
            host = self.headers.get("Host")
            base_url = f"http://{host}" if host else ""  # for absolute URLs (sitemap, gkmlpt API)
            page = render(
                parts.path, parts.query, as_of, multipage=multipage, gkmlpt=gkmlpt, base_url=base_url, scans=scans
            )
            if crawl_delay and parts.path == "/robots.txt" and page is not None:
                body = page.body.replace(b"User-agent: *\n", f"User-agent: *\nCrawl-delay: {crawl_delay:g}\n".encode())
                page = Page(body, page.content_type, page.last_modified)
            return page

        def _answer(self, with_body: bool) -> None:
            if faults is None:
                self._send(self._page(), with_body)
                return
            parts = urlsplit(self.path)
            key = request_key(parts.path, parts.query)
            page = self._page()
            try:
                if not faults.intercept(self, key, page, with_body):
                    self._send(faults.retouch(key, page), with_body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout fault): nobody to answer

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def do_POST(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, MAX_POST_BYTES)) if length else b""
            if parts.path != HANWEB_PROXY:
                self._send(None, with_body=True)
                return
            params = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
            params.update(parse_qsl(parts.query))  # startrecord/endrecord/perpage ride in the query
            self._send(hanweb_dataproxy(params, as_of), with_body=True)

    return PortalHandler


class RunningPortal:
    """A portal server running in a background thread; stop it with ``.stop()`` or ``with``."""

    def __init__(
        self, server: ThreadingHTTPServer, thread: threading.Thread, as_of: dt.date,
        faults: FaultInjector | None = None, gkmlpt: bool = False,
    ) -> None:  # fmt: skip
        self._server = server
        self._thread = thread
        self._faults = faults
        self.as_of = as_of
        host, port = server.server_address[:2]
        self.port: int = port
        self.base_url = f"http://{host}:{port}"
        self.start_urls: list[str] = [self.base_url + path for path in start_paths(include_gkmlpt=gkmlpt)]

    @property
    def fault_targets(self) -> dict[str, list[str]]:
        """Fault kind → URL paths hit on this server's as-of date (empty without a plan)."""
        return self._faults.targets if self._faults is not None else {}

    def requests_to(self, url_path: str) -> int:
        """How many requests a fault target has had (only fault targets are counted)."""
        return self._faults.requests_to(url_path) if self._faults is not None else 0

    def stop(self) -> None:
        if self._faults is not None:
            self._faults.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningPortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _injector(faults: FaultPlan | None, as_of: dt.date) -> FaultInjector | None:
    """No injector at all without faults: the portal then answers exactly as it always did."""
    return FaultInjector(faults, as_of) if faults else None


def _server(
    as_of: dt.date, port: int, host: str, faults: FaultInjector | None = None, multipage: bool = False,
    gkmlpt: bool = False, scans: bool = False, crawl_delay: float | None = None,
) -> ThreadingHTTPServer:  # fmt: skip
    return PortalServer((host, port), make_handler(as_of, faults, multipage, gkmlpt, scans, crawl_delay))


def start_in_thread(
    as_of: dt.date, port: int = 0, host: str = "127.0.0.1", faults: FaultPlan | None = None,
    multipage: bool = False, gkmlpt: bool = False, scans: bool = False, crawl_delay: float | None = None,
) -> RunningPortal:  # fmt: skip
    """Serve the network as of ``as_of`` in a daemon thread (port 0: any free port).

    Opt-in extras, all off by default: ``faults`` (a ``FaultPlan``), ``multipage`` (one TRS report
    split over two pages), ``gkmlpt`` (the 岭南市 gkmlpt portal, also added to ``start_urls``),
    ``scans`` (a report as a scanned PDF and one as pictures of its pages: reading them takes OCR),
    ``crawl_delay`` (seconds, asked for in robots.txt).
    """
    injector = _injector(faults, as_of)
    server = _server(as_of, port, host, injector, multipage, gkmlpt, scans, crawl_delay)
    thread = threading.Thread(target=server.serve_forever, name=f"sample-portal-{as_of}", daemon=True)
    thread.start()
    return RunningPortal(server, thread, as_of, injector, gkmlpt)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    port: int, as_of: dt.date, host: str = "127.0.0.1", faults: FaultPlan | None = None,
    announce: Callable[[str], None] = print, multipage: bool = False, gkmlpt: bool = False,
    scans: bool = False,
) -> None:  # fmt: skip
    """Serve until Ctrl-C (``fazhi portal``); prints the base URL, the start URLs and any fault targets."""
    injector = _injector(faults, as_of)
    server = _server(as_of, port, host, injector, multipage, gkmlpt, scans)
    bound_host, bound_port = server.server_address[:2]
    base = f"http://{bound_host}:{bound_port}"
    announce(f"sample portal network as of {as_of.isoformat()} at {base}/")
    for path in start_paths(include_gkmlpt=gkmlpt):
        announce(f"  {base}{path}")
    if injector is not None:
        for kind, paths in injector.targets.items():
            announce(f"  fault {kind}: {', '.join(paths) or '(none: recovered or no candidate)'}")
    if threading.current_thread() is threading.main_thread():
        signal.signal(
            signal.SIGTERM, _stop_on_sigterm
        )  # `terminate()` from the demo stops as cleanly as Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        announce("stopped")
    finally:
        if injector is not None:
            injector.released.set()
        server.server_close()
