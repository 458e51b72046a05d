"""Reports that are not HTML text (issue #15): OFD files, scanned PDFs and pictures of pages read by OCR.

The documents are the sample portal's own (its scans are drawn from the report text in a CJK font,
with the red seal, skew and noise); OCR tests are marked slow (seconds a page on 2 cores).
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from benchmarks.extraction import char_scores
from extraction import ExtractionLimit, extract_report
from extraction.documents import sniff_kind
from extraction.layout import PAGE_NUMBER, PlacedText, page_lines, read_paragraphs, without_running_heads
from extraction.limits import MAX_OCR_PAGES
from extraction.ocr import engine_name
from extraction.pages import join_pages
from sample_portal.network import documents, visible_reports
from sample_portal.ofd import ofd_bytes
from sample_portal.pages import render

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 7, 1)
OCR_F1 = 0.985


def _report(form: str):
    return next(r for r in visible_reports(AS_OF, scans=True) if r.form == form)


def _served(path: str) -> tuple[bytes, str]:
    page = render(path, "", AS_OF, scans=True)
    assert page is not None, path
    return page.body, page.content_type


# -- OFD -----------------------------------------------------------------------------------------


def test_ofd_report_reads_back_as_its_text_with_the_page_metadata() -> None:
    gold = _report("ofd")
    page_body, page_type = _served(gold.url_path)
    page = extract_report(page_body, url="http://127.0.0.1" + gold.url_path, content_type=page_type)
    body, content_type = _served(gold.attachment_path)
    assert sniff_kind(body, gold.attachment_path, content_type) == "ofd"
    report = extract_report(body, url="http://127.0.0.1" + gold.attachment_path, content_type=content_type, page=page)
    assert report.text == gold.text
    assert (report.title, report.is_report, report.report_year) == (gold.title, True, gold.year)
    assert report.warnings == []
    assert "— 1 —" not in report.text  # page numbers are furniture


def _ofd(pages: dict[str, str], doc_root: str = "Doc_0/Document.xml", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal OFD: each entry of ``pages`` is a page's Content.xml body (its Layer's children)."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("OFD.xml", f'<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        listed = "".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/{name}/Content.xml"/>' for i, name in enumerate(pages))
        zf.writestr("Doc_0/Document.xml", f"<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297"
                                          f"</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>{listed}</ofd:Pages></ofd:Document>")
        for name, layer in pages.items():
            zf.writestr(f"Doc_0/Pages/{name}/Content.xml",
                        f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{layer}</ofd:Layer></ofd:Content></ofd:Page>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


def _run(x: float, y: float, text: str, delta: str | None = None, size: float = 5.6) -> str:
    delta_attr = f' DeltaX="{delta}"' if delta else ""
    return (f'<ofd:TextObject Boundary="{x} {y} 160 8" Size="{size}"><ofd:TextCode X="0" Y="{size}"{delta_attr}>'
            f"{text}</ofd:TextCode></ofd:TextObject>")


def test_ofd_runs_are_read_in_reading_order_whatever_order_they_are_written_in() -> None:
    layer = "".join([
        _run(100, 270, "— 1 —"),
        _run(39.2, 60, "第二段的第一行文字写到这里为止为止为止为止", "g 20 5.6"),
        _run(28, 70, "接着写第二段的第二行。"),
        _run(39.2, 40, "第一段只有一行。"),
        _run(39.2, 50, "第二段"), _run(56, 50, "2024"), _run(67.2, 50, "年开头。"),
    ])
    report = extract_report(_ofd({"Page_0": layer}), url="http://x.gov.cn/a.ofd")
    assert report.text.splitlines() == ["第一段只有一行。", "第二段2024年开头。",
                                        "第二段的第一行文字写到这里为止为止为止为止接着写第二段的第二行。"]


def test_ofd_with_a_hostile_advance_list_and_an_entity_is_read_safely() -> None:
    xxe = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    content = (f'{xxe}<ofd:Page {ns}><ofd:Content><ofd:Layer>{_run(30, 40, "甲乙丙&e;", "g 999999999 5.6")}'
               "</ofd:Layer></ofd:Content></ofd:Page>")
    body = _ofd({"Page_0": ""}, extra={})
    with zipfile.ZipFile(io.BytesIO(body)) as src:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = content.encode() if info.filename.endswith("Page_0/Content.xml") else src.read(info)
                dst.writestr(info.filename, data)
    report = extract_report(out.getvalue(), url="http://x.gov.cn/a.ofd")
    assert "root:" not in report.text and report.text.startswith("甲乙丙")


def test_broken_ofd_gives_a_reason_not_a_crash() -> None:
    report = extract_report(_ofd({"Page_0": ""}, doc_root="Doc_9/Document.xml"), url="http://x.gov.cn/a.ofd")
    assert report.is_report is False and any("unreadable OFD" in w for w in report.warnings)


def test_ofd_bomb_raises_a_limit() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", "<OFD/>")
        with zf.open("Doc_0/Res/filler.bin", "w") as member:
            for _ in range(70):
                member.write(bytes(1024 * 1024))
    with pytest.raises(ExtractionLimit, match="^too large: OFD uncompresses"):
        extract_report(out.getvalue(), url="http://x.gov.cn/a.ofd")


def test_wps_file_goes_through_the_doc_converter() -> None:
    assert sniff_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "http://x/a.wps", "application/kswps") == "doc"
    assert sniff_kind(b"PK\x03\x04" + b"word/document.xml", "http://x/a.wps", None) == "docx"


# -- layout: the steps between positioned text and paragraphs --------------------------------------


def test_page_numbers_in_their_common_forms() -> None:
    for label in ("— 3 —", "-3-", "—2一", "第3页", "第 3 页 共 12 页", "3/12", "12"):
        assert PAGE_NUMBER.match(label), label
    for text in ("2024年", "一、主要举措", "第3页的内容"):
        assert not PAGE_NUMBER.match(text), text


def test_boxes_on_one_line_join_left_to_right_with_a_space_for_a_column_gap() -> None:
    pieces = [PlacedText("2023年", 300, 360, 100, 130), PlacedText("指标", 0, 60, 102, 131),
              PlacedText("第二行", 0, 90, 140, 170)]
    assert [x.text for x in page_lines(pieces)] == ["指标 2023年", "第二行"]


def test_a_header_on_most_pages_is_dropped_and_the_first_line_may_continue_a_paragraph() -> None:
    pages = [[PlacedText(f"青禾县人民政府公报 第{n}期", 0, 500, 10, 40, n), PlacedText("正文", 0, 900, 500, 530, n)]
             for n in range(4)]
    kept = without_running_heads(pages, [1000.0] * 4)
    assert all([x.text for x in page] == ["正文"] for page in kept)
    lines = [{"text": "上页未完的话。", "x0": 0, "x1": 300, "top": 0, "bottom": 30},
             {"text": "新的一段开头", "x0": 60, "x1": 900, "top": 40, "bottom": 70},
             {"text": "接着写。", "x0": 0, "x1": 200, "top": 80, "bottom": 110}]
    assert read_paragraphs(lines) == (["上页未完的话。", "新的一段开头接着写。"], True)


# -- OCR ------------------------------------------------------------------------------------------


def _page_image(lines: list[str], seal: bool = False) -> bytes:
    """A page picture in the CJK font (tests that call this ask for the ``chinese_font`` fixture)."""
    from sample_portal.scans import BODY_PT, _font, _px

    image = Image.new("RGB", (1240, 900), (246, 244, 238))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((150 + (2 * _px(BODY_PT) if i == 0 else 0), 150 + i * 60), line, font=_font(BODY_PT), fill=(20, 20, 20))
    if seal:
        draw.ellipse((700, 80, 1000, 380), outline=(214, 38, 38), width=8)
        draw.text((760, 200), "红章文字", font=_font(BODY_PT), fill=(214, 38, 38))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.usefixtures("chinese_font")
def test_a_picture_of_a_page_is_read_and_its_seal_left_out() -> None:
    lines = ["全面推进依法行政，持续深化行政执法", "体制改革，行政复议案件办理质量稳步提高。"]
    report = extract_report(_page_image(lines, seal=True), url="http://x.gov.cn/p1.png")
    assert report.text == "".join(lines)
    assert "红章" not in report.text
    assert report.warnings == [f"ocr: text machine-read by {engine_name()} from 1 page image; check figures against the original"]
    assert "rapidocr-onnxruntime 1.4.4" in engine_name()


def test_ocr_page_count_is_bounded_before_any_page_is_read() -> None:
    blank = Image.new("RGB", (20, 20), (255, 255, 255))
    out = io.BytesIO()
    blank.save(out, "PDF", save_all=True, append_images=[blank] * MAX_OCR_PAGES)
    with pytest.raises(ExtractionLimit, match=rf"^too large: scanned PDF has {MAX_OCR_PAGES + 1} pages"):
        extract_report(out.getvalue(), url="http://x.gov.cn/scan.pdf")


@pytest.mark.usefixtures("chinese_font")
def test_ocr_time_is_bounded(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("extraction.ocr.MAX_OCR_SECONDS", -1.0)  # the budget already spent
    with pytest.raises(ExtractionLimit, match="^too slow: OCR stopped after 0 of 1 pages"):
        extract_report(_page_image(["正文"]), url="http://x.gov.cn/p.png")


def test_an_image_of_absurd_size_is_refused_before_it_is_decoded() -> None:
    header = io.BytesIO()
    Image.new("1", (1, 1)).save(header, "PNG")
    png = bytearray(header.getvalue())
    png[16:24] = (30000).to_bytes(4, "big") * 2  # IHDR width and height
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")  # and the chunk's CRC
    with pytest.raises(ExtractionLimit, match="^too large: image of"):
        extract_report(bytes(png), url="http://x.gov.cn/p.png")
    png[16:24] = (9500).to_bytes(4, "big") * 2  # past our limit, under PIL's own
    png[29:33] = zlib.crc32(bytes(png[12:29])).to_bytes(4, "big")
    with pytest.raises(ExtractionLimit, match="^too large: image of 9500x9500 pixels"):
        extract_report(bytes(png), url="http://x.gov.cn/p.png")


def _pdf_with_pages(pages: list[tuple[str, bytes | None]]) -> bytes:
    """A PDF whose pages each hold a line of text-layer text, a picture, or both."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    for text, picture in pages:
        pdf.setFont("STSong-Light", 14)
        if text:
            pdf.drawString(72, 760, text)
        if picture:
            pdf.drawImage(ImageReader(io.BytesIO(picture)), 0, 300, width=595, height=430)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.usefixtures("chinese_font")
def test_a_pdf_with_a_text_layer_never_goes_through_ocr() -> None:
    """Pictures on pages that have text (a scanned figure, a logo) are not read: the text layer is the text."""
    picture = _page_image(["图片里的另一段字"])
    body = _pdf_with_pages([("第一页是文字层。", picture), ("第二页也是文字层，比第一页的那一行长得多。", picture)])
    report = extract_report(body, url="http://x.gov.cn/text.pdf")
    assert report.text == "第一页是文字层。\n第二页也是文字层，比第一页的那一行长得多。"
    assert not [w for w in report.warnings if w.startswith("ocr")]


@pytest.mark.usefixtures("chinese_font")
def test_a_mixed_pdf_reads_only_its_image_only_pages_by_ocr() -> None:
    """A report whose signed last page was scanned and appended: text pages from the text layer, the
    scanned page by OCR, in page order; the warning counts the one page machine-read."""
    body = _pdf_with_pages([("第一页是文字层。", None), ("", _page_image(["第二页是一张扫描图片"])),
                            ("第三页又是文字层。", _page_image(["不该读到的图片字"]))])  # fmt: skip
    report = extract_report(body, url="http://x.gov.cn/mixed.pdf")
    assert report.text == "第一页是文字层。\n第二页是一张扫描图片\n第三页又是文字层。"
    assert [w for w in report.warnings if w.startswith("ocr")] == [
        f"ocr: text machine-read by {engine_name()} from 1 page image; check figures against the original"]


@pytest.mark.slow
@pytest.mark.usefixtures("chinese_font")
def test_fazhi_extract_reads_the_sample_portals_scanned_pdf(tmp_path: Path) -> None:
    gold = _report("scan")
    body, _type = _served(gold.attachment_path)
    assert body.startswith(b"%PDF") and b"/Font" not in body  # pictures only: no text layer
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(body)
    done = subprocess.run([sys.executable, "-m", "fazhi.cli", "extract", str(scan), "--format", "text"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert char_scores(done.stdout, gold.text)[2] >= OCR_F1
    assert f"warning: ocr: text machine-read by {engine_name()}" in done.stderr
    assert done.stdout.count(gold.agency) == gold.text.count(gold.agency)  # the seal's ring of text is not read
    assert "— 1 —" not in done.stdout and "—1—" not in done.stdout
    assert len(done.stdout.strip().splitlines()) == len(gold.text.splitlines())  # layout lines rejoined


@pytest.mark.slow
@pytest.mark.usefixtures("chinese_font")
def test_a_report_published_as_pictures_joins_into_its_text() -> None:
    gold = _report("images")
    page_body, page_type = _served(gold.url_path)
    page = extract_report(page_body, url="http://127.0.0.1" + gold.url_path, content_type=page_type)
    assert page.is_report is False and "pictures" in page.reason
    doc = next(d for d in documents() if d.url_path == gold.url_path)
    assert page.page_images == [f"http://127.0.0.1{doc.image_stem}_{n}.jpg" for n in range(1, len(page.page_images) + 1)]
    pictures = []
    for url in page.page_images:
        body, content_type = _served(url.removeprefix("http://127.0.0.1"))
        pictures.append(extract_report(body, url=url, content_type=content_type, page=page))
    report = join_pages(page, pictures)
    assert report.is_report and report.title == gold.title
    assert char_scores(report.text, gold.text)[2] >= OCR_F1
    assert len(report.text.splitlines()) == len(gold.text.splitlines())  # a page break inside a paragraph glued
    assert [w for w in report.warnings if w.startswith("ocr:")] == [
        f"ocr: text machine-read by {engine_name()} from {len(pictures)} page images; check figures against the original"
    ]


def test_a_report_picture_linked_under_its_title_is_an_attachment() -> None:
    from crawler.discovery import is_attachment_url

    assert is_attachment_url("http://x.gov.cn/u/2024/a.jpg", "某镇2023年法治政府建设年度报告.jpg")
    assert is_attachment_url("http://x.gov.cn/u/2024/a.png", "某镇2023年法治政府建设工作总结")
    assert not is_attachment_url("http://x.gov.cn/u/2024/a.jpg", "会议现场照片.jpg")
    assert not is_attachment_url("http://x.gov.cn/u/2024/logo.png", "")


def test_sample_ofd_bytes_are_stable() -> None:
    gold = _report("ofd")
    doc = next(d for d in documents() if d.url_path == gold.url_path)
    assert ofd_bytes.__wrapped__(doc.title, doc.original_text) == ofd_bytes(doc.title, doc.original_text)


@pytest.mark.slow
@pytest.mark.usefixtures("chinese_font")
def test_an_ofd_of_page_images_is_read_by_ocr() -> None:
    """A scan saved as OFD: each page an ImageObject whose picture is a MultiMedia resource."""
    from sample_portal.scans import page_images

    gold = _report("scan")
    *body, agency, date = gold.text.split("\n")
    pictures = page_images(gold.title, "\n".join(body), agency, date)
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    media = "".join(f'<ofd:MultiMedia ID="{100 + n}" Type="Image"><ofd:MediaFile>page{n}.jpg</ofd:MediaFile>'
                    "</ofd:MultiMedia>" for n in range(len(pictures)))
    extra = {"Doc_0/DocumentRes.xml": f'<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>',
             **{f"Doc_0/Res/page{n}.jpg": jpeg for n, jpeg in enumerate(pictures)}}
    layers = {f"Page_{n}": f'<ofd:ImageObject ID="{200 + n}" ResourceID="{100 + n}" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>'
              for n in range(len(pictures))}
    body_bytes = _ofd(layers, extra=extra)
    with zipfile.ZipFile(io.BytesIO(body_bytes)) as zf:  # the resource file is named by the document
        document = zf.read("Doc_0/Document.xml").decode().replace(
            "</ofd:PageArea>", "</ofd:PageArea><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in zf.infolist():
                dst.writestr(info.filename, document if info.filename == "Doc_0/Document.xml" else zf.read(info))
    report = extract_report(out.getvalue(), url="http://x.gov.cn/scan.ofd")
    assert char_scores(report.text, gold.text)[2] >= OCR_F1
    assert report.warnings[0].startswith(f"ocr: text machine-read by {engine_name()} from {len(pictures)} page images")


def test_the_ocr_benchmark_reads_the_ofd_form_exactly() -> None:
    from benchmarks.ocr_forms import read_form

    text, gold, pages, _seconds = read_form("ofd")
    assert text == gold and pages >= 2


@pytest.mark.usefixtures("chinese_font")
def test_a_mixed_pdf_keeps_its_text_pages_when_the_ocr_engine_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the OCR package the scanned page is named in a warning; the typed pages after it are not lost."""
    import sys as _sys

    from extraction import ocr

    ocr._engine.cache_clear()  # an engine loaded by an earlier test would be used again
    monkeypatch.setitem(_sys.modules, "rapidocr_onnxruntime", None)  # what an install without the extra has
    body = _pdf_with_pages([("第一页是文字层。", None), ("", _page_image(["第二页是一张扫描图片"])),
                            ("第三页又是文字层。", None)])  # fmt: skip
    report = extract_report(body, url="http://x.gov.cn/mixed.pdf")
    assert "第一页是文字层。" in report.text and "第三页又是文字层。" in report.text
    assert any("without a text layer" in w and "rapidocr" in w for w in report.warnings)
    assert not [w for w in report.warnings if w.startswith("ocr:")]
