"""Titles, years, response classification, decoding and attachments."""

from __future__ import annotations

import io

import docx
import pytest
from reportlab.pdfgen import canvas

from extraction import extract_report
from extraction.blocking import classify_response
from extraction.decoding import decode_html, detect_encoding
from extraction.report import Report
from extraction.titles import classify_title, report_year

REPORT_PAGE = """<html><head><meta charset="{charset}"><title>{title}_某某区人民政府</title></head><body>
<div class="crumb">您当前的位置：首页 > 政务公开 > 法治政府建设年度报告</div>
<h1>{title}</h1>
<div class="TRS_Editor"><p>　　根据有关要求，现将我区2022年法治政府建设工作情况报告如下：</p>
<p>　　一、主要举措和成效</p><p>　　（一）加强组织领导。区政府常务会议专题研究法治政府建设工作四次，制定年度工作要点。</p>
<p>　　二、存在的不足和原因</p><p>　　行政执法人员专业化水平有待提高，基层法治力量相对薄弱。</p>
<p>　　三、2023年工作计划</p><p>　　持续深化行政执法体制改革，全面推行行政执法三项制度，加强执法人员培训。</p></div>
<div class="share">分享到：</div><div>扫一扫在手机打开当前页</div>
<div class="footer">主办单位：某某区人民政府办公室 网站标识码：1234567890 粤ICP备12345678号</div>
</body></html>"""
TITLE = "某某区人民政府2022年法治政府建设年度报告"


@pytest.mark.parametrize(
    ("title", "ok", "year"),
    [
        ("重庆市铜梁区双山镇人民政府2021年法治政府建设工作报告", True, 2021),
        ("二〇二〇年度法治政府建设情况报告", True, 2020),
        ("2020年乡镇法治政府建设(依法行政)工作总结及2021年工作思路", True, 2020),
        ("某局2019年依法行政工作总结", True, 2019),
        ("某区2022年政府信息公开工作年度报告", False, 2022),
        ("2023年部门预决算公开说明", False, 2023),
        ("我区召开法治政府建设推进会", False, None),
        ("2023年法治政府建设工作要点", False, 2023),
        ("某區2022年法治政府建設年度報告", True, 2022),
        ("2022年法治政府建设年度报告解读", False, 2022),
        ("某市2022年法治政府建设示范创建实施方案", False, 2022),
        ("二〇二一年度法治政府建设情况报告", True, 2021),
    ],
)
def test_titles(title: str, ok: bool, year: int | None) -> None:
    assert classify_title(title)[0] is ok
    assert report_year(title) == year


def test_reject_reason_names_the_other_report() -> None:
    assert classify_title("2022年政府信息公开工作年度报告") == (False, "政府信息公开工作年度报告")


@pytest.mark.parametrize(
    ("status", "headers", "body", "final", "outcome"),
    [
        (412, {}, b"<script>$_ts=window['$_ts'];</script>", None, "blocked"),
        (521, {"Set-Cookie": "__jsluid_h=abc; path=/"}, b"<script>document.cookie=1</script>", None, "blocked"),
        (200, {}, "<html><title>安全验证</title><body>请稍候</body></html>".encode(), None, "blocked"),
        (200, {}, "<html><body>访问过于频繁，请稍后再试</body></html>".encode(), None, "blocked"),
        (200, {}, "<html><title>提示</title><body>您访问的页面不存在</body></html>".encode(), None, "soft_404"),
        (200, {}, b"<html><body>home</body></html>", "http://x.gov.cn/index.html", "soft_404"),
        (500, {}, b"oops", None, "error"),
        (404, {}, b"", None, "error"),
        (200, {}, b"", None, "error"),
        (200, {}, REPORT_PAGE.format(charset="utf-8", title=TITLE).encode(), None, "ok"),
    ],
)
def test_classify_response(status: int, headers: dict[str, str], body: bytes, final: str | None,
                           outcome: str) -> None:
    got, reason = classify_response(status, headers, body, "http://x.gov.cn/art/2023/3/30/art_1_2.html", final)
    assert got == outcome
    assert (reason is None) == (outcome == "ok")


def test_decoding_gbk_mislabelled_and_bom() -> None:
    page = REPORT_PAGE.format(charset="utf-8", title=TITLE)
    gbk = page.encode("gb18030")  # says utf-8, is GBK
    assert detect_encoding(gbk) == "gb18030"
    assert TITLE in decode_html(gbk)
    assert decode_html(b"\xef\xbb\xbf" + page.encode()) == page
    no_charset = page.replace('<meta charset="utf-8">', "").encode("gbk")
    assert TITLE in decode_html(no_charset)
    assert TITLE in decode_html(page.replace("utf-8", "gb2312").encode("gb18030"), "text/html; charset=GBK")
    cut = page.encode()[:-40] + "法治".encode()[:4]  # a body cut mid-character stays UTF-8
    assert detect_encoding(cut) == "utf-8" and TITLE in decode_html(cut)
    assert detect_encoding(cut.replace(b'charset="utf-8"', b'charset="gbk"')) == "utf-8"


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_trs_page(charset: str) -> None:
    body = REPORT_PAGE.format(charset=charset, title=TITLE).encode("gb18030" if charset != "utf-8" else "utf-8")
    report = extract_report(body, url="http://x.gov.cn/a/t20230330_1.html")
    assert report.title == TITLE
    assert report.is_report, report.reason
    assert report.report_year == 2022
    assert report.agency == "某某区人民政府"
    assert report.region == "某某区"
    assert report.text.splitlines()[0].startswith("根据有关要求")
    for chrome in ("您当前的位置", "扫一扫", "分享到", "ICP备", "网站标识码"):
        assert chrome not in report.text
    parts = [(s.marker, s.part) for s in report.sections]
    assert parts == [("一、", "achievements"), ("（一）", "achievements"), ("二、", "shortcomings"),
                     ("三、", "plans")]


def _pdf(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 20
    c.save()
    return buf.getvalue()


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("maker", [_pdf, _docx])
def test_attachments_inherit_page_metadata(maker) -> None:  # noqa: ANN001
    lines = ["一、主要举措和成效", "全面推行行政执法公示制度，办理行政复议案件二十件。",
             "二、2024年工作计划", "继续加强执法人员培训，完善重大行政决策程序。"]
    page = Report(title="某某县2023年法治政府建设年度报告", publisher="某某县司法局", published="2024-03-28",
                  report_year=2023, agency="某某县人民政府")
    report = extract_report(maker(lines), url="http://x.gov.cn/file/a", page=page)
    assert report.text.splitlines() == lines
    assert report.title == page.title and report.report_year == 2023
    assert report.publisher == "某某县司法局" and report.published == "2024-03-28"
    assert [s.part for s in report.sections] == ["achievements", "plans"]


@pytest.mark.parametrize(
    ("body", "reason_part"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 50, "binary"),
        ("<html><head><title>安全验证</title></head><body>请稍候…$_ts</body></html>".encode(), "challenge"),
    ],
)
def test_bad_input_is_not_a_report(body: bytes, reason_part: str) -> None:
    report = extract_report(body)
    assert report.is_report is False
    assert reason_part in report.reason


def test_truncated_html_still_extracts() -> None:
    page = REPORT_PAGE.format(charset="utf-8", title=TITLE)
    cut = page[: page.index("三、2023年工作计划")]
    report = extract_report(cut.encode())
    assert "基层法治力量相对薄弱" in report.text


def test_extract_file_fetches_a_local_url() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from extraction import extract_file

    page = REPORT_PAGE.format(charset="gb2312", title=TITLE).encode("gb18030")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")  # no charset: decided from the bytes
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = extract_file(f"http://127.0.0.1:{server.server_port}/art/2023/3/30/art_1_2.html")
    finally:
        server.shutdown()
        server.server_close()
    assert report.title == TITLE and report.is_report
    assert report.url.endswith("/art/2023/3/30/art_1_2.html")
