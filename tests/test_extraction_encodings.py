"""Pages whose bytes and declared charset disagree or need the HTTP header: UTF-16 without a BOM
declared only in Content-Type, GBK labelled UTF-8 and the reverse; real binaries stay refused."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extraction import extract_file, extract_report
from extraction.decoding import detect_encoding
from extraction.documents import sniff_kind

TITLE = "临江区司法局2023年法治政府建设年度报告"
# a 信息公开 article page, as the older TRS templates of district portals write it
PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_临江区人民政府</title></head><body>
<div class="position">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; 法治政府建设</div>
<table class="xxgk"><tr><td>索引号：11330101MB1234567X/2024-00031</td><td>发布机构：临江区司法局</td></tr>
<tr><td>发布日期：2024-01-26</td><td>文号：</td></tr></table>
<h1>{title}</h1>
<div class="TRS_Editor">
<p>　　2023年，临江区司法局在区委、区政府的坚强领导下，深入学习贯彻习近平法治思想，现将有关情况报告如下。</p>
<p>　　一、主要工作成效</p>
<p>　　全年办理行政复议案件41件，审结39件，纠错率12.8%；审查区政府规范性文件9件、合同32份。</p>
<p>　　二、存在的问题</p>
<p>　　基层执法队伍专业能力不均衡，部分乡镇合法性审查力量不足。</p>
<p>　　三、下一步工作安排</p>
<p>　　深化“大综合一体化”行政执法改革，推进乡镇（街道）合法性审查全覆盖。</p>
</div>
<div class="footer">主办：临江区人民政府办公室　网站标识码：3301000012</div>
</body></html>"""
FIRST = "2023年，临江区司法局在区委、区政府的坚强领导下"


def _page(charset: str) -> str:
    return PAGE.format(charset=charset, title=TITLE)


@pytest.fixture()
def served() -> Iterator[dict[str, tuple[str, bytes]]]:
    """A portal on 127.0.0.1 that sends each path's body with its own Content-Type header."""
    pages: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            content_type, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages["base"] = ("", f"http://127.0.0.1:{server.server_address[1]}".encode())
    yield pages
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(("codec", "header"), [("utf-16-le", "UTF-16"), ("utf-16-be", "utf-16"),
                                               ("utf-16-le", "utf-16le"), ("utf-16-be", "UTF-16BE")])
def test_utf16_without_a_bom_declared_only_in_the_http_header_is_read(
        served: dict[str, tuple[str, bytes]], codec: str, header: str) -> None:
    body = _page("utf-16").encode(codec)
    assert not body.startswith((b"\xff\xfe", b"\xfe\xff"))
    served["/art/2024/1/26/art_1229_5523.html"] = (f"text/html; charset={header}", body)
    report = extract_file(served["base"][1].decode() + "/art/2024/1/26/art_1229_5523.html")
    assert report.title == TITLE and report.is_report, report.reason
    assert report.text.startswith(FIRST) and report.publisher == "临江区司法局"
    assert report.published == "2024-01-26"


def test_without_the_header_or_against_it_utf16_bytes_stay_refused() -> None:
    body = _page("utf-16").encode("utf-16-be")
    assert sniff_kind(body, "http://x.gov.cn/a.html", "text/html") == "binary"
    # the header names the other byte order: the bytes do not agree with it
    assert sniff_kind(body, "http://x.gov.cn/a.html", "text/html; charset=utf-16le") == "binary"


@pytest.mark.parametrize("header", ["text/html; charset=utf-16", "text/html; charset=utf-16le", None])
def test_a_real_binary_is_still_refused_whatever_the_header_says(header: str | None) -> None:
    blob = bytes(range(256)) * 64  # every byte value, as in a compressed or image file
    zipped_like = b"\x1f\x8b\x08\x00" + bytes((i * 37) % 256 for i in range(8000))
    for body in (blob, zipped_like, b"<\x00" + blob):
        report = extract_report(body, url="http://x.gov.cn/a.html", content_type=header)
        assert report.reason == "binary file of unknown type" and not report.text


def test_gbk_labelled_utf8_and_utf8_labelled_gbk_both_read() -> None:
    gbk_says_utf8 = _page("utf-8").encode("gbk")
    utf8_says_gbk = _page("gbk").encode("utf-8")
    header_utf8_meta_gbk = _page("gbk").encode("gbk")
    cases = [(gbk_says_utf8, None, "gb18030"), (utf8_says_gbk, None, "utf-8"),
             (utf8_says_gbk, "text/html; charset=GBK", "utf-8"),
             (header_utf8_meta_gbk, "text/html; charset=utf-8", "gb18030")]
    for body, header, codec in cases:
        assert detect_encoding(body, header) == codec
        report = extract_report(body, url="http://www.linjiang.example.gov.cn/a.html", content_type=header)
        assert report.title == TITLE and report.text.startswith(FIRST), (codec, header)
        assert "\ufffd" not in report.text and not any("mojibake" in w for w in report.warnings)
