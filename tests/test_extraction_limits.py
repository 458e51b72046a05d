"""Hostile and broken files: bombs stopped early in bounded memory, deep markup read whole, no control
characters, no fake charsets, no file: URLs (issue #11, extraction's part)."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from extraction import ExtractionLimit, extract_file, extract_report
from extraction.decoding import declared_charsets, decode_html
from extraction.limits import MAX_HTML_CHARS, MAX_OFFICE_UNCOMPRESSED, MAX_PDF_PAGES, MAX_TEXT_CHARS
from extraction.markup import drop_huge_attributes

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"
PARA = "全面推进依法行政，持续深化行政执法体制改革，行政复议案件办理质量稳步提高。"
MB = 1024 * 1024

# Runs one extraction in a child process whose address space is capped, and reports how far its peak
# resident memory grew over the extraction (after imports). A bomb that is not stopped either hits
# the cap (MemoryError) or shows as growth.
_CHILD = r"""
import json, resource, sys
from extraction import ExtractionLimit, extract_report
body = open(sys.argv[1], "rb").read()
def vm_size():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
cap = vm_size() + int(sys.argv[3]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    report = extract_report(body, url=sys.argv[2])
    result = {"outcome": "report", "reason": report.reason, "warnings": report.warnings, "chars": len(report.text)}
except ExtractionLimit as exc:
    result = {"outcome": "limit", "reason": str(exc)}
except MemoryError:
    result = {"outcome": "out of memory"}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result["grew_mb"] = (after - before) / 1024
print(json.dumps(result, ensure_ascii=False))
"""


def _in_capped_child(tmp_path: Path, body: bytes, url: str, cap_mb: int = 600) -> dict:
    path = tmp_path / "body.bin"
    path.write_bytes(body)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), url, str(cap_mb)], capture_output=True,
                          text=True, cwd=ROOT, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _docx_with(document_xml: bytes | None = None, stream_mb: int = 0) -> bytes:
    """A real DOCX (python-docx) whose word/document.xml is replaced: by ``document_xml``, or by a
    body of ``stream_mb`` megabytes of repeated paragraphs, written as a stream (a zip bomb)."""
    import docx

    document = docx.Document()
    document.add_paragraph(PARA)
    original = io.BytesIO()
    document.save(original)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
            elif document_xml is not None:
                dst.writestr("word/document.xml", document_xml)
            else:
                head = src.read(info).split(b"<w:body>")[0] + b"<w:body>"
                para = f"<w:p><w:r><w:t>{PARA}</w:t></w:r></w:p>".encode() * 2000
                with dst.open("word/document.xml", "w") as member:
                    member.write(head)
                    for _ in range(stream_mb * MB // len(para) + 1):
                        member.write(para)
                    member.write(b"</w:body></w:document>")
    return out.getvalue()


def _declare_smaller(zip_bytes: bytes, name: str, declared: int) -> bytes:
    """The same zip with ``name``'s uncompressed size rewritten (local header and central directory)
    to ``declared``: the data inflates to far more than the zip says."""
    data = bytearray(zip_bytes)
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        info = zf.getinfo(name)
    assert info.file_size < 0xFFFFFFFF and info.compress_size < 0xFFFFFFFF  # no zip64 fields to patch
    data[info.header_offset + 22:info.header_offset + 26] = declared.to_bytes(4, "little")
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        name_len = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_len] == name.encode():
            data[entry + 24:entry + 28] = declared.to_bytes(4, "little")
            break
        entry = data.find(b"PK\x01\x02", entry + 4)
    return bytes(data)


def test_docx_bomb_stops_early_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _docx_with(stream_mb=3 * MAX_OFFICE_UNCOMPRESSED // MB)
    assert len(bomb) < 2 * MB  # ~1 MB that inflates to 192 MB
    result = _in_capped_child(tmp_path, bomb, "http://x.gov.cn/bomb.docx")
    assert result["outcome"] == "limit", result
    assert result["reason"].startswith("too large: DOCX") and "\n" not in result["reason"]
    assert result["grew_mb"] < 100, result


def test_docx_member_inflating_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    honest = _docx_with(stream_mb=40)  # past the XML limit, declared as 2,000 bytes
    lying = _declare_smaller(honest, "word/document.xml", 2000)
    result = _in_capped_child(tmp_path, lying, "http://x.gov.cn/lying.docx")
    assert result["outcome"] == "report" and not result["chars"], result
    assert any("unreadable DOCX" in w for w in result["warnings"]), result
    assert result["grew_mb"] < 100, result


def test_docx_with_too_much_text_raises_a_limit() -> None:
    paragraph = f"<w:p><w:r><w:t>{PARA * 30}</w:t></w:r></w:p>".encode()
    count = MAX_TEXT_CHARS // (len(PARA) * 30) + 2
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + paragraph * count + b"</w:body></w:document>")
    with pytest.raises(ExtractionLimit, match=r"^too large: DOCX text runs to more than"):
        extract_report(_docx_with(document_xml=xml), url="http://x.gov.cn/long.docx")


def _blank_pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_many_page_pdf_raises_a_limit_in_bounded_memory(tmp_path: Path) -> None:
    body = _blank_pdf(20_000)
    result = _in_capped_child(tmp_path, body, "http://x.gov.cn/huge.pdf")
    assert result["outcome"] == "limit", result
    assert result["reason"] == f"too large: PDF has 20,000 pages, more than {MAX_PDF_PAGES:,}"
    assert result["grew_mb"] < 100, result


def test_pdf_at_the_page_limit_is_read() -> None:
    report = extract_report(_blank_pdf(3), url="http://x.gov.cn/short.pdf")
    assert report.reason == "no text"


def test_word_pasted_page_nested_past_libxml2_depth_is_read_whole() -> None:
    body = (PAGES / "word-pasted-own.html").read_bytes()
    gold = (PAGES / "word-pasted-own.gold.txt").read_text("utf-8").splitlines()
    assert len(gold) == 300 and body.count(b"<font") >= 300  # one unclosed <font> per paragraph
    report = extract_report(body, url="http://www.wenjiang.example.gov.cn/a.html")
    assert report.text.splitlines() == gold
    assert not [w for w in report.warnings if w.startswith("truncated")]


def test_markup_nested_past_the_huge_tree_depth_is_read_whole() -> None:
    paragraphs = [f"{PARA}第{i}段。" for i in range(3000)]
    body = "".join(f"<font face='仿宋'><p>{p}</p>\n" for p in paragraphs)
    page = f"<html><head><title>某区2023年法治政府建设年度报告</title></head><body><div class='TRS_Editor'>{body}</div></body></html>"
    report = extract_report(page.encode(), url="http://x.gov.cn/a.html")
    assert report.text.splitlines() == paragraphs


def _image_page(image_chars: int) -> tuple[bytes, str]:
    gold = (PAGES / "ueditor-own.gold.txt").read_text("utf-8")
    page = (PAGES / "ueditor-own.html").read_text("utf-8")
    picture = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(image_chars * 3 // 4)).decode()
    img = f'<p style="text-align:center"><img width="600" src="data:image/png;base64,{picture}"></p>\n'
    at = page.index('<p style="text-align:center">')
    return (page[:at] + img + page[at:]).encode(), gold


def test_page_with_an_inline_image_past_the_cut_is_extracted_whole() -> None:
    body, gold = _image_page(MAX_HTML_CHARS + MB)
    assert len(body) > MAX_HTML_CHARS + MB
    report = extract_report(body, url="http://www.qingxi.example.gov.cn/art/2023/3/30/art_1229_4100001.html")
    assert report.text == gold.strip()
    assert report.warnings == []


def test_unquoted_inline_image_is_dropped_and_text_is_not_touched() -> None:
    text = "样本量n=" + "一" * 5000  # a long run after '=' in text is text, not an attribute
    raw = f"<p><img src=data:image/gif;base64,{'A' * 5000}>{text}</p><p title='{'x' * 9000}'>b</p>"
    cleaned, removed = drop_huge_attributes(raw)
    assert cleaned == f"<p><img src=>{text}</p><p title=''>b</p>"
    assert removed == 5000 + len("data:image/gif;base64,") + 9000


def test_page_that_still_had_to_be_cut_says_truncated() -> None:
    paragraph = f"<p>{PARA}</p>\n"
    page = "<html><head><title>某区2023年法治政府建设年度报告</title></head><body><div class='TRS_Editor'>" \
           + paragraph * (MAX_HTML_CHARS // len(paragraph) + 100) + "</div></body></html>"
    report = extract_report(page.encode(), url="http://x.gov.cn/a.html")
    assert [w for w in report.warnings if w.startswith("truncated")]


def test_control_characters_removed_from_text_and_every_field() -> None:
    esc = "\x1b[31m\x1b]0;pwned\x07"
    page = (f"<html><head><meta charset='utf-8'><title>某区2023年法治政府建设年度报告{esc}_某区人民政府</title>"
            f"<meta name='ContentSource' content='某区司法局\x01\x85'></head><body>"
            f"<table class='xxgk'><tr><td>索引号：</td><td>1136\x08-2024-1</td><td>发布日期：</td><td>2024-03-27</td></tr></table>"
            f"<div class='TRS_Editor'><p>{PARA}{esc}</p><p>第二段\x9b2J。{PARA}</p>"
            f"<p><a href='/f/a\x1b.pdf'>附件\x1b[0m.pdf</a></p></div></body></html>")
    report = extract_report(page.encode(), url="http://x.gov.cn/a.html")
    dumped = json.dumps(report.to_dict(), ensure_ascii=False)
    assert not any(ch in dumped for ch in "\x01\x07\x08\x1b\x85\x9b"), dumped
    assert report.title == "某区2023年法治政府建设年度报告[31m]0;pwned"
    assert report.publisher == "某区司法局" and report.index_no == "1136-2024-1"
    assert report.text.splitlines()[1] == f"第二段2J。{PARA}"


def test_only_text_codecs_are_accepted_as_a_charset() -> None:
    for fake in ("unicode-escape", "raw_unicode_escape", "idna", "punycode", "utf-7", "rot13", "base64", "hex"):
        page = f'<html><head><meta charset="{fake}"></head><body><p>\\u6cd5\\u6cbb xn--fiq</p></body></html>'
        assert declared_charsets(page.encode(), f"text/html; charset={fake}") == []
        assert "\\u6cd5\\u6cbb" in decode_html(page.encode(), f"text/html; charset={fake}")
    assert declared_charsets(b'<meta charset="gb2312">', "text/html; charset=windows-1252") == ["cp1252", "gb18030"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "FILE:/etc/passwd", "ftp://127.0.0.1/a.pdf",
                                 "data:text/html,<p>x</p>", "gopher://127.0.0.1/"])
def test_extract_file_fetches_only_web_urls(url: str) -> None:
    with pytest.raises(ValueError, match="only http"):
        extract_file(url)


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/page.html":
            body = f"<html><head><title>某区2023年法治政府建设年度报告</title></head><body><div class='TRS_Editor'><p>{PARA}</p><p>{PARA}</p></div></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", {"/to-file": "file:///etc/passwd", "/to-ftp": "ftp://127.0.0.1/x.pdf",
                                      "/to-page": "/page.html"}[self.path])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def redirecting_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_extract_file_follows_redirects_only_to_the_web(redirecting_server: str) -> None:
    report = extract_file(redirecting_server + "/to-page")
    assert report.url == redirecting_server + "/page.html" and report.text.count("行政复议") == 2
    for path in ("/to-file", "/to-ftp"):
        with pytest.raises(OSError, match="non-web URL refused|is not allowed"):
            extract_file(redirecting_server + path)


@pytest.mark.parametrize("opening, closing", [("<div>", "</div>"), ("<table><tr><td>", "</td></tr></table>")])
def test_markup_nested_past_pythons_recursion_limit_is_read(opening: str, closing: str) -> None:
    """1,200 levels: past Python's default recursion limit (1,000), within libxml2's huge_tree depth."""
    depth = 1200 if opening == "<div>" else 400  # a table level is three elements
    page = ("<html><head><title>某区2023年法治政府建设年度报告</title></head><body>" + opening * depth
            + f"<p>{PARA}</p><p>{PARA}第二段。</p>" + closing * depth + "</body></html>")
    report = extract_report(page.encode(), url="http://x.gov.cn/a.html")
    assert report.text.splitlines() == [PARA, PARA + "第二段。"]
    assert not report.warnings
