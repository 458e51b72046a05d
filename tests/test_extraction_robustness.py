"""Bad and unusual input: never a crash, always a reason; generic pages; normalisation; outlines."""

from __future__ import annotations

import pytest

from extraction import extract_file, extract_report
from extraction.documents import OLE_MAGIC, sniff_kind
from extraction.normalization import normalize_text
from extraction.sections import parse_sections, split_compilation
from fazhi.cli import main

PARA = "　　全面推进依法行政，持续深化行政执法体制改革，行政复议案件办理质量稳步提高。"


def _page(body: str, title: str = "某某区2022年法治政府建设年度报告") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}_某某区人民政府</title></head>"
            f"<body>{body}</body></html>").encode()


def test_fifty_megabyte_page_is_capped_not_crashed() -> None:
    para = f"<div class='row'><p>{PARA}</p></div>\n"
    body = _page("<div class='TRS_Editor'>" + para * (50_000_000 // len(para.encode())) + "</div>")
    assert len(body) >= 50_000_000 - 1000
    report = extract_report(body)
    assert any(w.startswith("truncated") for w in report.warnings)
    assert report.text.startswith(PARA.strip())


def test_doc_without_converter_gives_a_clear_warning(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("shutil.which", lambda name: None)
    report = extract_report(OLE_MAGIC + b"\x00" * 600, url="http://x.gov.cn/a.doc")
    assert report.is_report is False
    assert any("antiword or LibreOffice" in w for w in report.warnings)


def test_kind_from_magic_beats_wrong_content_type() -> None:
    assert sniff_kind(b"%PDF-1.7 ...", "http://x/a.html", "text/html") == "pdf"
    assert sniff_kind(OLE_MAGIC + b"x", None, "application/octet-stream") == "doc"
    assert sniff_kind("<html>".encode("utf-16"), None, None) == "html"
    assert sniff_kind(b"PK\x03\x04....OFD.xml....", None, None) == "ofd"
    assert any("unreadable OFD" in w for w in extract_report(b"PK\x03\x04....OFD.xml....").warnings)


def test_broken_pdf_is_not_a_crash() -> None:
    report = extract_report(b"%PDF-1.4\n1 0 obj << >>\ntruncated", url="http://x.gov.cn/a.pdf")
    assert report.is_report is False
    assert any("PDF" in w for w in report.warnings)


def test_generic_page_keeps_a_body_inside_a_chrome_named_box() -> None:
    body = "<div class='nav'><a href='/'>首页</a><a href='/a'>政务公开</a></div>" \
           "<div class='print-area'>" + "".join(f"<p>{PARA}{i}</p>" for i in range(8)) + "</div>" \
           "<div class='footer'>主办单位：某某区人民政府 网站标识码：1</div>"
    report = extract_report(_page(body))
    assert report.text.count("行政复议案件") == 8
    assert "主办单位" not in report.text and "首页" not in report.text


def test_challenge_page_body_is_not_a_report() -> None:
    page = b"<html><head><title>\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81</title></head><body></body></html>"
    report = extract_report(page)
    assert report.is_report is False and report.reason


def test_traditional_and_fullwidth_are_normalized() -> None:
    assert normalize_text("（一）加強組織領導，２０２２年") == "(一)加强组织领导,2022年"
    assert normalize_text("區(qū)委") == "区委"
    assert normalize_text("新臺階?,F(xiàn)將") == "新台阶。现将"


def test_outline_levels_and_parts() -> None:
    text = "\n".join([
        "引言段落。",
        "一、主要举措和成效", "（一）健全依法决策机制。全年审查决策事项9件。", "1．推行三项制度。", "（1）执法公示。",
        "二、党政主要负责人履行推进法治建设第一责任人职责情况", "主要负责人带头学法。",
        "三、存在的不足和原因", "一是执法力量不足；二是宣传形式单一。",
        "四、2023年工作计划", "（一）深化执法规范化建设。",
        "五、其他需要报告的情况", "无。",
    ])
    got = [(s.marker, s.level, s.part) for s in parse_sections(text)]
    assert got == [
        ("一、", 1, "achievements"), ("（一）", 2, "achievements"), ("1．", 3, "achievements"), ("（1）", 4, "achievements"),
        ("二、", 1, "leadership"), ("三、", 1, "shortcomings"), ("一是", 2, "shortcomings"),
        ("四、", 1, "plans"), ("（一）", 2, "plans"),
        ("五、", 1, "other"),
    ]
    sections = parse_sections(text)
    assert sections[0].text.endswith("（1）执法公示。") and "二、" not in sections[0].text
    assert sections[3].title == "执法公示"
    assert sections[6].title == "执法力量不足"


def test_a_list_numbered_1_paren_is_outline_items() -> None:
    """1) / 1） open items of their own, at the level of (1), not lines continuing the heading above."""
    text = "\n".join(["一、主要工作", "审核合同80件。", "二、下一步工作思路", "1)深入学习贯彻习近平法治思想。学法12次。",
                     "12）加强法治队伍建设。", "2023)年的数字不是编号。"])  # fmt: skip
    got = [(s.marker, s.level, s.part, s.title) for s in parse_sections(text)]
    assert got == [("一、", 1, "achievements", "主要工作"), ("二、", 1, "plans", "下一步工作思路"),
                   ("1)", 4, "plans", "深入学习贯彻习近平法治思想"), ("12）", 4, "plans", "加强法治队伍建设")]  # fmt: skip
    assert parse_sections(text)[-1].text.endswith("2023)年的数字不是编号。")


def test_split_compilation_of_own_text() -> None:
    text = "第一篇：2019年某镇法治政府建设工作总结\n一、主要工作\n内容甲。\n第二篇：某局2018年政府信息公开工作年度报告\n内容乙。"
    parts = split_compilation(text)
    assert [(p.title, p.report_year, p.is_report) for p in parts] == [
        ("2019年某镇法治政府建设工作总结", 2019, True), ("某局2018年政府信息公开工作年度报告", 2018, False)]
    assert parts[0].text == "一、主要工作\n内容甲。"


def test_extract_file_reads_a_local_gbk_page(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "page.html"
    html = "<html><head><meta charset='gb2312'><title>某县2021年依法行政工作总结</title></head><body>" \
           f"<div id='zoom'><p>{PARA}</p><p>{PARA}</p></div></body></html>"
    path.write_bytes(html.encode("gb18030"))
    report = extract_file(str(path))
    assert report.title == "某县2021年依法行政工作总结" and report.is_report
    assert report.report_year == 2021 and report.agency == "某县"


def test_pdf_wrapped_lines_become_paragraphs() -> None:
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    paragraphs = ["一、主要举措和成效", "2022年全面推行行政执法三项制度，办理行政复议案件42件，纠错率12.5%，"
                  "行政机关负责人出庭应诉率达到100%，执法人员培训460人次，规范性文件备案审查率100%。",
                  "二、2023年工作计划", "持续深化行政执法体制改革，全面推进严格规范公正文明执法。"]
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    y = 800
    for para in paragraphs:
        for i in range(0, len(para), 30):
            c.drawString(50 + (24 if i == 0 else 0), y, para[i:i + 30])
            y -= 18
    c.save()
    report = extract_report(buf.getvalue(), url="http://x.gov.cn/a.pdf")
    assert report.text.splitlines() == paragraphs


def test_list_page_named_like_a_report_is_not_one() -> None:
    items = "".join(f"<li><a href='/t{y}.html'>某区{y}年法治政府建设年度报告</a><span>{y + 1}-03-20</span></li>"
                    for y in range(2016, 2024))
    report = extract_report(_page(f"<div class='TRS_Editor'><ul>{items}</ul></div>", title="法治政府建设年度报告"))
    assert report.is_report is False and "list page" in report.reason


def test_generic_page_with_heavy_chrome_keeps_only_the_article() -> None:
    related = "".join(f"<li><a href='/n{i}.html'>某某区召开第{i}次全面依法治区委员会会议暨法治政府建设推进会议</a></li>"
                      for i in range(12))
    sidebar = "<div class='box'><h3>热点专题</h3><p>学习贯彻党的二十大精神专题，深入学习宣传贯彻习近平法治思想，"\
              "推动全区法治建设高质量发展专题报道。</p></div>"
    article = "".join(f"<p>{PARA}第{i}段。</p>" for i in range(6))
    body = f"<div class='topbar'><a href='/'>首页</a></div><div class='wrap'><div class='left'>{sidebar}</div>" \
           f"<div class='right'><h1>某某区2022年法治政府建设年度报告</h1><div class='text'>{article}</div>" \
           f"<div class='more'><h3>相关新闻</h3><ul>{related}</ul></div></div></div>"
    report = extract_report(_page(body))
    assert report.text.count("行政复议案件") == 6
    assert "推进会议" not in report.text and "热点专题" not in report.text, report.text


def test_title_keeps_its_own_hyphens_and_loses_the_site_name() -> None:
    title = "关于贯彻《法治政府建设实施纲要(2021-2025年)》2022年度情况的报告"
    for head in (f"{title}-某某市人民政府网", f"某某市人民政府门户网站 - {title}", f"{title}_某某市司法局"):
        page = f"<html><head><meta charset='utf-8'><title>{head}</title></head><body><div id='zoom'>" \
               f"<p>{PARA}</p><p>{PARA}</p></div></body></html>"
        report = extract_report(page.encode())
        assert report.title == title, head
        assert report.report_year == 2022 and report.is_report


def test_metadata_table_inside_hanweb_markers_is_parsed_and_dropped() -> None:
    body = "<div id='zoom'><!--ZJEG_RSS.content.begin--><meta name='ContentStart'>" \
           "<table><tr><td>索引号：</td><td>001/2023-0001</td><td>发布机构：</td><td>某某区司法局</td></tr></table>" \
           f"<p>{PARA}</p><p>{PARA}</p><meta name='ContentEnd'><!--ZJEG_RSS.content.end--></div>"
    report = extract_report(_page(body))
    assert report.index_no == "001/2023-0001" and report.publisher == "某某区司法局"
    assert "索引号" not in report.text and report.text.count("行政复议") == 2


def test_related_list_inside_the_container_goes() -> None:
    related = "".join(f"<li><a href='/r{i}.html'>某某区第{i}季度行政执法工作情况通报及典型案例汇编发布</a></li>" for i in range(10))
    body = f"<div class='TRS_Editor'><p>{PARA}</p><p>{PARA}</p><div class='related'><h4>相关链接</h4>" \
           f"<ul>{related}</ul></div></div>"
    report = extract_report(_page(body))
    assert report.text.count("行政复议") == 2 and "典型案例" not in report.text


def test_plain_text_file_with_page_furniture(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "copy.txt"
    path.write_text("当前位置：首页 > 法治政府\n  • 001/2022-00002\n  • 其他\n2022-03-11\n\n"
                    "某镇人民政府2021年法治政府建设工作报告\n\n一、主要举措和成效\n" + PARA.strip() + "\n"
                    "二、党政主要负责人履行推进法治建设第一责任人职责情况\n镇长带头学法。\n扫一扫在手机打开当前页\n", "utf-8")
    report = extract_file(str(path))
    assert report.title == "某镇人民政府2021年法治政府建设工作报告" and report.is_report
    assert report.text.splitlines() == ["一、主要举措和成效", PARA.strip(),
                                        "二、党政主要负责人履行推进法治建设第一责任人职责情况", "镇长带头学法。"]


WAF_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>安全验证</title></head><body>"
            "<div class='wrap'><h2>网站防火墙</h2><p>您的访问被拦截，请完成验证后继续访问。</p>"
            "<p>请求ID：7f3a9c21　时间：2024-03-02 10:21:07</p></div></body></html>")
RUISHU_PAGE = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
               "<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=58218;$_ts.cd='qXtrrrQlEGqbcGAk';</script>"
               "<script r='m' src='/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js'></script></head><body></body></html>")


@pytest.mark.parametrize(("name", "body", "says"), [
    ("cut.pdf", b"%PDF-1.7\n1 0 obj <<\n/Type /Catalog", "unreadable PDF"),
    ("renamed.pdf", "这不是PDF文件，是改了扩展名的文本。".encode(), "unreadable PDF"),
    ("broken.docx", b"PK\x03\x04\x14\x00garbage word/document.xml", "unreadable DOCX"),
    ("empty.html", b"", "empty file (0 bytes)"),
    ("blank.pdf", b" \n\n", "empty file (3 bytes, only white space)"),
    ("saved-waf.html", WAF_PAGE.encode(), "challenge page"),
    ("saved-ruishu.html", RUISHU_PAGE.encode(), "瑞数 challenge"),
], ids=["cut-pdf", "renamed-pdf", "broken-docx", "empty", "blank", "waf", "ruishu"])
def test_fazhi_extract_fails_on_a_file_it_cannot_read_and_says_what_it_is(
        tmp_path, capsys, name: str, body: bytes, says: str) -> None:  # noqa: ANN001
    path = tmp_path / name
    path.write_bytes(body)
    assert main(["extract", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"fazhi extract: {path}: " in err and says in err


def test_fazhi_extract_still_prints_a_readable_page_that_is_not_a_report(tmp_path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "news.html"
    path.write_bytes(_page(f"<div class='TRS_Editor'><p>{PARA}</p><p>{PARA}</p></div>", title="区司法局召开全体干部会议"))
    assert main(["extract", str(path)]) == 0
    out = capsys.readouterr()
    assert "全面推进依法行政" in out.out and "note: not an annual rule-of-law report" in out.err
