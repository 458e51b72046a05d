"""What one hostile page costs a crawl: 300 KB of ``<`` beside an ordinary page of the same size.

    .venv/bin/python -m benchmarks.hostile [--size 307200] [--pages 20] [--repeat 3]

Two small county sites, served on loopback from this process, identical but for one report page: in
the first it is ``size`` bytes of ``<`` (what made the old tag regexes take ~113 s per call), in the
second an ordinary report page of the same size. Each is crawled with the real ``scrapy crawl``; the
rounds alternate which site goes first, and Scrapy's own clock (``elapsed_time_seconds``) is compared,
median and range. The target (issue #11) is the hostile crawl within 3× the ordinary one.

Also printed, for scale: one ``classify_response`` call on the hostile body now, and the old tag
regex over its first 30 and 60 KB (it grows with the square of the length).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crawler.command import crawl_command, crawl_env

ROOT = Path(__file__).resolve().parents[1]
LIST = "/county/zwgk/fzzfjs/index.html"
AGENCY = "石岭县人民政府"
PARAGRAPH = (
    "县政府坚持以法治思维统领政府工作，全面推进依法行政，动态调整权责清单事项，严格执行重大行政决策程序，"
    "落实行政执法公示、执法全过程记录和重大执法决定法制审核制度，办理行政复议案件，主动公开政府信息。"
)


def report_page(year: int, size: int = 0) -> bytes:
    """A report page; with ``size``, padded with more paragraphs (and spaces) to exactly that many bytes."""
    title = f"{AGENCY}{year}年度法治政府建设工作报告"
    head = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'.encode()
    paragraph, tail = f"<p>{html.escape(PARAGRAPH)}</p>\n".encode(), b"</body></html>"
    if not size:
        return head + paragraph * 8 + tail
    count = max(1, (size - len(head) - len(tail)) // len(paragraph))
    body = head + paragraph * count
    return body + b" " * max(0, size - len(body) - len(tail)) + tail


def site_pages(pages: int, size: int, hostile: bool) -> dict[str, bytes]:
    paths = {f"/county/zwgk/fzzfjs/{2000 + n}/t{n}.html": 2000 + n for n in range(pages)}
    links = "".join(f'<li><a href="{p}">{AGENCY}{y}年度法治政府建设工作报告</a></li>' for p, y in paths.items())
    served = {LIST: f'<html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul>{links}</ul></body></html>'.encode()}
    for n, (path, year) in enumerate(paths.items()):
        if n == 0:
            served[path] = b"<" * size if hostile else report_page(year, size)
        else:
            served[path] = report_page(year)
    return served


class Site:
    """One site on a free loopback port, from a dict of path → body."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                """Quiet."""

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                body = pages.get(self.path.split("?", 1)[0])
                status = 200 if body is not None else 404
                body = body if body is not None else b"not found"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{LIST}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def crawl(url: str, work: Path, name: str) -> dict:
    stats_file = work / f"{name}.stats.json"
    command = crawl_command(
        [url], work / f"{name}.db",
        "-s", f"LOG_FILE={work / (name + '.log')}", "-s", f"FAZHI_STATS_FILE={stats_file}",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
    )  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=crawl_env(), check=True)
    return json.loads(stats_file.read_text())


def seconds(call) -> float:  # noqa: ANN001
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300 * 1024, help="bytes of the hostile page and its twin")
    parser.add_argument("--pages", type=int, default=20, help="report pages on each site")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are printed")
    args = parser.parse_args(argv)

    times: dict[str, list[float]] = {"hostile": [], "ordinary": []}
    responses: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Site(site_pages(args.pages, args.size, hostile=True)) as hostile,
        Site(site_pages(args.pages, args.size, hostile=False)) as ordinary,
    ):
        work = Path(tmp)
        for n in range(args.repeat):
            order = (("hostile", hostile), ("ordinary", ordinary))
            for name, site in order if n % 2 == 0 else order[::-1]:
                stats = crawl(site.url, work, f"{name}{n}")
                times[name].append(float(stats["elapsed_time_seconds"]))
                responses[name] = stats.get("downloader/response_count", 0)

    from extraction.blocking import classify_response

    body = b"<" * args.size
    classify = seconds(lambda: classify_response(200, {"Content-Type": "text/html"}, body, "http://x/a.html", None))
    old_tags = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.I | re.S)
    old = {kb: seconds(lambda kb=kb: old_tags.sub(" ", "<" * (kb * 1024))) for kb in (30, 60)}

    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["hostile"] / med["ordinary"] if med["ordinary"] else float("inf")
    print(f"{args.pages} report pages a site, one of them {args.size:,} bytes; Scrapy's clock, "
          f"{args.repeat} alternating rounds, medians (min–max)")  # fmt: skip
    print(f"{'site':<30}{'responses':>10}{'crawl seconds':>24}")
    for name, label in (("ordinary", "ordinary page of that size"), ("hostile", f"{args.size:,} bytes of '<'")):
        spread = f"{med[name]:.2f} ({min(times[name]):.2f}–{max(times[name]):.2f})"
        print(f"{label:<30}{responses[name]:>10}{spread:>24}")
    print()
    print(f"hostile / ordinary crawl time: {ratio:.2f} (target ≤ 3)")
    print(f"classify_response on the hostile body: {classify * 1000:.1f} ms")
    print(f"the old tag regex on 30 KB / 60 KB of '<': {old[30]:.2f} s / {old[60]:.2f} s (quadratic)")
    return {"ratio": ratio, "hostile": med["hostile"], "ordinary": med["ordinary"], "classify_seconds": classify}


if __name__ == "__main__":
    main()
    sys.exit(0)
