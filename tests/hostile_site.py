"""A small hostile county portal for crawl tests, and an "other host" that must never be asked anything.

The portal (``HostileSite``, on 127.0.0.2) looks like a TRS county site: a list page of report links,
report pages in portal chrome. What it serves is what a careless or malicious page can do to a crawler:

- a report page whose attachments point at ``file://`` (a canary file of the test), ``data:`` and
  ``ftp:`` URLs and a private address; on the list page, links titled like reports that lead to
  another host, to ``localhost`` (a loopback address that is not the portal's) and to the cloud
  metadata address 169.254.169.254;
- a report URL that answers 300 KB of ``<`` (quadratic for tag regexes), one that answers
  ``200 application/json``, one that streams zeros without end (``/dev/zero`` over HTTP), and two
  that redirect: to the other host, and to the canary file;
- in its second state (``site.later = True``), a report that now answers 503 and one that answers 404.

``OtherHost`` (on 127.0.0.1, another port) logs every request; a crawl of the portal must leave its log
empty. Both servers are the standard library's, on loopback, started and stopped by the test.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE_ADDRESS = "127.0.0.2"  # the portal; the crawl's start URL is here
OTHER_ADDRESS = "127.0.0.1"  # the other host, and what "localhost" resolves to

AGENCY = "石岭县人民政府"
LIST_PATH = "/shiling/zwgk/fzzfjs/index.html"
REPORTS = {  # path: (year, what it is)
    "/shiling/zwgk/fzzfjs/202403/t20240320_9001.html": (2023, "attacks"),
    "/shiling/zwgk/fzzfjs/202303/t20230321_9002.html": (2022, "angle brackets"),
    "/shiling/zwgk/fzzfjs/202203/t20220322_9003.html": (2021, "json"),
    "/shiling/zwgk/fzzfjs/202103/t20210323_9004.html": (2020, "flaky"),
    "/shiling/zwgk/fzzfjs/202003/t20200324_9005.html": (2019, "gone"),
    "/shiling/zwgk/fzzfjs/201903/t20190325_9006.html": (2018, "endless"),
    "/shiling/zwgk/fzzfjs/201803/t20180326_9007.html": (2017, "redirect offsite"),
    "/shiling/zwgk/fzzfjs/201703/t20170327_9008.html": (2016, "redirect to a file"),
}
ANGLE_BRACKETS = 300 * 1024


def title_of(year: int) -> str:
    return f"{AGENCY}{year}年度法治政府建设工作报告"


def report_text(year: int) -> list[str]:
    """Paragraphs of a fictional report, written for these tests."""
    return [
        f"{year}年，县政府坚持以法治思维统领政府工作，全面推进依法行政，法治政府建设取得新进展。现将{year}年"
        "法治政府建设工作情况报告如下：",
        f"一、{year}年推进法治政府建设的主要举措和成效",
        "（一）依法全面履行政府职能。动态调整权责清单事项二百一十六项，公布涉企收费目录清单，"
        "推行证明事项告知承诺制，企业和群众办事材料平均减少三成。",
        "（二）健全依法决策机制。重大行政决策全部履行公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序，"
        "审核规范性文件九件、行政合同五十四件，政府法律顾问列席常务会议。",
        "（三）严格规范公正文明执法。全面落实行政执法公示、执法全过程记录和重大执法决定法制审核制度，"
        "组织行政执法案卷评查两次，整改问题十七个。",
        "（四）强化行政权力监督。办理行政复议案件十二件，行政机关负责人出庭应诉率达到百分之百，"
        "主动公开政府信息一千三百余条。",
        "二、存在的不足和原因",
        "基层执法力量不足，部分执法人员法治素养有待提高；行政复议纠错后的跟踪整改还不到位。",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "县政府主要负责人召开专题会议研究法治政府建设四次，带头讲法治课，带头出庭应诉。",
        f"四、{year + 1}年推进法治政府建设的主要安排",
        "深入推进严格规范公正文明执法，开展执法人员轮训；完善行政复议决定履行监督机制；"
        "加强法治宣传教育，推动法治政府建设向乡镇延伸。",
    ]


def page(title: str, paragraphs: list[str], links: list[tuple[str, str]] = ()) -> bytes:
    """A report or list page in the chrome of a TRS county portal; scraped strings escaped."""
    body = "".join(f"<p>　　{html.escape(p)}</p>\n" for p in paragraphs)
    anchors = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>\n' for href, text in links)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="ContentSource" content="{AGENCY}">
<title>{html.escape(title)}_法治政府建设_{AGENCY}</title></head>
<body>
<div class="position">您当前的位置：<a href="/shiling/index.html">首页</a> &gt; <a href="{LIST_PATH}">法治政府建设</a></div>
<div class="article"><h2 class="article-title">{html.escape(title)}</h2>
<div class="article-info">来源：{AGENCY}</div>
<div class="TRS_Editor">
{body}</div>
<ul class="attachments">
{anchors}</ul></div>
<div class="footer">主办单位：{AGENCY}办公室　网站标识码：9901000099　ICP备00000000号</div>
</body></html>""".encode()


class AccessLog:
    """(method, path, host header) of every request a server answered."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def add(self, method: str, path: str, host: str) -> None:
        with self.lock:
            self.entries.append((method, path, host))

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _m, p, _h in self.entries]


class _Server:
    address = "127.0.0.1"

    def __init__(self) -> None:
        self.log = AccessLog()
        self.server = ThreadingHTTPServer((self.address, 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://{self.address}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "nginx"
            sys_version = ""

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                """The access log is kept in ``server.log`` instead."""

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                server.log.add("GET", self.path, self.headers.get("Host", ""))
                server.answer(self)

            def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
                server.log.add("HEAD", self.path, self.headers.get("Host", ""))
                server.answer(self)

        return Handler

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        send(handler, 404, b"<html><title>404 Not Found</title></html>")

    def __enter__(self):  # noqa: ANN204
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class OtherHost(_Server):
    """Another site, on another address: a crawl of the hostile portal must never reach it."""

    address = OTHER_ADDRESS


class HostileSite(_Server):
    """The hostile county portal. ``later`` switches it to its second state (a 503 and a 404)."""

    address = SITE_ADDRESS

    def __init__(self, canary: Path, other: OtherHost) -> None:
        self.canary = canary
        self.other = other
        self.later = False
        super().__init__()

    @property
    def start_url(self) -> str:
        return self.base_url + LIST_PATH

    def report_url(self, kind: str) -> str:
        return self.base_url + next(path for path, (_y, k) in REPORTS.items() if k == kind)

    def attack_attachments(self) -> list[tuple[str, str]]:
        """The attachments of the first report page: none of them may be fetched."""
        other = self.other
        return [
            (f"file://{self.canary}?.pdf", "2023年法治政府建设年度报告.pdf"),
            ("data:application/pdf;base64,JVBERi0xLjQKJcfsj6IK", "附件1.pdf"),
            (f"ftp://{other.address}:{other.port}/report.pdf", "附件2.pdf"),
            ("http://10.0.0.1/zwgk/report.docx", "附件3.docx"),
        ]

    def offsite_reports(self) -> list[tuple[str, str]]:
        """Links on the list page titled like reports that lead away from the portal: none may be fetched."""
        other = self.other
        return [
            (f"{other.base_url}/zwgk/t2023_1.html", "云岭市2023年度法治政府建设工作报告"),
            (f"http://localhost:{other.port}/zwgk/t2023_2.html", "清河县2023年法治政府建设情况报告"),
            ("http://169.254.169.254/latest/meta-data/", "青禾县2023年度法治政府建设工作报告"),
        ]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        if path == "/robots.txt":
            send(handler, 200, b"User-agent: *\nDisallow: /search\n", "text/plain")
        elif path == LIST_PATH:
            links = [(p, title_of(year)) for p, (year, _kind) in REPORTS.items()] + self.offsite_reports()
            send(handler, 200, page(f"法治政府建设_{AGENCY}", ["法治政府建设年度报告专栏"], links))
        elif path in REPORTS:
            self.answer_report(handler, *REPORTS[path])
        else:
            send(handler, 404, b"<html><title>404 Not Found</title></html>")

    def answer_report(self, handler: BaseHTTPRequestHandler, year: int, kind: str) -> None:
        if kind == "attacks":
            send(handler, 200, page(title_of(year), report_text(year), self.attack_attachments()))
        elif kind == "angle brackets":
            send(handler, 200, b"<" * ANGLE_BRACKETS)
        elif kind == "json":
            payload = {"code": 0, "data": {"title": title_of(year), "content": "".join(report_text(year))}}
            send(handler, 200, json.dumps(payload, ensure_ascii=False).encode(), "application/json")
        elif kind == "flaky" and self.later:
            send(handler, 503, b"<html><title>503 Service Temporarily Unavailable</title></html>")
        elif kind == "gone" and self.later:
            send(handler, 404, b"<html><title>404 Not Found</title></html>")
        elif kind == "endless":
            stream_zeros(handler)
        elif kind == "redirect offsite":
            redirect(handler, f"{self.other.base_url}/zwgk/moved.html")
        elif kind == "redirect to a file":
            redirect(handler, f"file://{self.canary}")
        else:
            send(handler, 200, page(title_of(year), report_text(year)))


def redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def stream_zeros(handler: BaseHTTPRequestHandler) -> None:
    """Like serving /dev/zero: no length, no end — until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    chunk = b"\0" * 65536
    try:
        while True:
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError, OSError):
        return
