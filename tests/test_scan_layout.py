"""Scans as offices make them, read back in the right shape: the layout rules (fast, on placed lines)
and whole generated pages through OCR (a red 红头 and 文号, a two-line title, centred headings, a
ruled table, a running head, a 2° skew, grey paper, heavy JPEG, the seal over the signature).

The pages come from ``sample_portal.scan_variants`` with fixed seeds: the same bytes in every run
(its noise is drawn from Python's ``random``, not PIL's ``effect_noise`` and C ``rand()``).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from rapidfuzz import fuzz

from extraction.layout import PlacedText, page_lines, read_paragraphs, without_page_numbers
from sample_portal.scan_variants import Features, draw_scan, scanned_pdf


def line(text: str, x0: float, x1: float, top: float, size: float = 30, cells: int = 1) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": top + size, "cells": cells}


def test_a_row_read_as_one_box_with_spaced_cells_is_a_row() -> None:
    pieces = [PlacedText("规范性文件审核（件） 446 786 +76.2%", 20, 880, 100, 130)]
    assert page_lines(pieces)[0].cells == 4
    assert page_lines([PlacedText("使用PP-OCR v4识别", 0, 400, 0, 30)])[0].cells == 1


def test_table_rows_stay_rows_between_paragraphs() -> None:
    lines = [line("全年主要指标", 60, 900, 0), line("如下：", 0, 90, 50),
             line("项目 上年 本年", 10, 890, 100, cells=3), line("行政许可 317 554", 10, 880, 150, cells=3),
             line("行政复议 42 19", 10, 880, 200, cells=3), line("二、第二部分", 60, 400, 250),
             line("正文开头写到", 60, 900, 300), line("右边界。", 0, 120, 350)]  # fmt: skip
    assert read_paragraphs(lines)[0] == ["全年主要指标如下：", "项目 上年 本年", "行政许可 317 554",
                                         "行政复议 42 19", "二、第二部分", "正文开头写到右边界。"]  # fmt: skip


def test_a_two_line_title_is_one_paragraph_and_a_centred_heading_its_own() -> None:
    lines = [line("青府发〔2024〕3号", 340, 560, 0), line("青禾县人民政府关于", 250, 650, 60, size=44),
             line("2024年法治政府建设情况的报告", 60, 840, 120, size=44), line("正文第一段开头", 60, 900, 200),
             line("接着写完。", 0, 150, 250), line("一、主要举措", 360, 540, 300), line("第二段开头", 60, 900, 350),
             line("也写完。", 0, 120, 400), line("（三）深化改革，全面推行“三项", 60, 900, 450),
             line("制度”", 0, 80, 500, size=23)]  # a short box is drawn lower: not a change of type size
    assert read_paragraphs(lines)[0] == ["青府发〔2024〕3号", "青禾县人民政府关于2024年法治政府建设情况的报告",
                                         "正文第一段开头接着写完。", "一、主要举措", "第二段开头也写完。",
                                         "（三）深化改革，全面推行“三项制度”"]  # fmt: skip


def test_a_page_ending_short_ends_its_paragraph_and_one_running_to_the_margin_goes_on() -> None:
    lines = [line("正文开头", 60, 900, 0), line("写到页底右边界", 0, 900, 50),
             {**line("接着写完。", 0, 150, 0), "page": 1}, {**line("2024年1月5日", 600, 780, 50), "page": 1},
             {**line("附件", 0, 60, 0), "page": 2}, {**line("附件的正文", 60, 900, 50), "page": 2}]  # fmt: skip
    assert read_paragraphs(lines)[0] == ["正文开头写到页底右边界接着写完。", "2024年1月5日", "附件", "附件的正文"]


def test_a_running_head_in_small_type_is_dropped_even_on_one_page() -> None:
    body = [PlacedText(f"正文第{i}行", 0, 900, 300 + 50 * i, 330 + 50 * i) for i in range(6)]
    head = PlacedText("青禾县司法局 2024年法治政府建设年度报告", 200, 700, 40, 58)
    title = PlacedText("报告标题", 300, 600, 60, 104)  # large type at the edge: the title stays
    kept = without_page_numbers([head, title, *body, PlacedText("-2-", 800, 840, 1560, 1590)], 1600)
    assert [x.text for x in kept] == ["报告标题"] + [x.text for x in body]


# -- whole pages through OCR -------------------------------------------------------------------------

BODY = "\n".join([
    "2024年，县司法局坚持以习近平法治思想为指导，全面落实法治政府建设实施纲要，扎实推进依法行政。",
    "一、主要举措和成效",
    "全面落实权责清单制度，动态调整行政权力事项349项，做到清单之外无权力。全年办理行政许可事项185件。",
    "二、存在的不足",
    "基层执法力量仍然薄弱，执法人员专业化水平有待提高。",
])  # fmt: skip
TITLE = "青禾县司法局关于2024年度法治政府建设工作情况的报告"
AGENCY, DATE = "青禾县司法局", "2025年1月20日"


def squashed(text: str) -> str:
    return "".join(text.split()).replace("[", "〔").replace("]", "〕")


def test_a_variant_draws_the_same_bytes_every_time(chinese_font) -> None:  # noqa: ANN001
    features = Features(red_header=True, table=True, skew=2.0, paper=222, jpeg_quality=45)
    first = draw_scan(TITLE, BODY, AGENCY, DATE, features, "same")
    draw_scan(TITLE + "（二）", BODY, AGENCY, DATE, features, "other")  # another scan drawn in between
    assert draw_scan(TITLE, BODY, AGENCY, DATE, features, "same") == first
    assert "县司法局文件" not in first.gold and first.gold.split("\n")[1] == TITLE


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["a", "b"])
def test_a_red_headed_skewed_grey_scan_reads_in_its_paragraphs(chinese_font, seed: str) -> None:  # noqa: ANN001
    from extraction.documents import pdf_text

    features = Features(dpi=150, skew=2.0, jpeg_quality=45, paper=222, red_header=True, two_line_title=True,
                        table=True, centered_headings=True)  # fmt: skip
    scan = draw_scan(TITLE, BODY, AGENCY, DATE, features, f"test-scan:{seed}")
    assert len(scan.pages) == 2  # the signature on a page of its own: the page ended short
    read = pdf_text(scanned_pdf(scan)).lines
    gold = scan.gold.split("\n")
    assert len(read) == len(gold), read
    for got, want in zip(read, gold, strict=True):  # paragraph by paragraph, a misread character allowed
        assert fuzz.ratio(squashed(got), squashed(want)) >= 90, (got, want)
    assert not any(f"{AGENCY}文件" in x or "司法局文件" in x for x in read)  # the red 红头 is not text
    rows = [x for x in read if x.startswith(("项目", "行政", "规范", "调处", "法治", "执法"))]
    assert len(rows) == 5 and all(len(x.split()) >= 4 for x in rows)  # one row a paragraph, cells apart


@pytest.mark.slow
def test_a_running_head_and_page_numbers_of_a_two_page_scan_are_dropped(chinese_font) -> None:  # noqa: ANN001
    from extraction.ocr import ocr_read

    features = Features(dpi=150, skew=1.0, jpeg_quality=50, paper=230, running_header=True, page_number="-{n}-",
                        attachment=True, seal=False)  # fmt: skip
    scan = draw_scan(TITLE, BODY, AGENCY, DATE, features, "test-scan:heads")
    assert len(scan.pages) == 2
    read, _continues = ocr_read((Image.open(io.BytesIO(p)) for p in scan.pages), 2)
    assert read[-9] == "附件" and len(read) == len(scan.gold.split("\n")), read
    assert not [x for x in read if "…" in x or x.strip("-—一 ").isdigit()]
