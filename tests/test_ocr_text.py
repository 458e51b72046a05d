"""OCR text furniture: running heads that the recogniser reads a little differently on each page, and the
〔〕 of a 文号 misread as [] 【】 C] (): the positions are those RapidOCR gives on a 200 dpi A4 scan."""

from __future__ import annotations

import pytest

from extraction.layout import PlacedText, without_running_heads
from extraction.ocr import mended_doc_numbers

HEIGHT = 2339.0  # a 200 dpi A4 page, in pixels
BODY = [
    "　　二是严格落实重大行政决策程序，推进依法科学民主决策。严格执行重大行政决策公众参与、专家论证",
    "　　三是深化行政执法体制改革，全面推行行政执法“三项制度”。全面推行行政执法公示、执法全过程记录",
    "　　四是完善社会矛盾纠纷多元化解机制，自觉接受各方面监督。办理行政复议案件20件，应诉行政诉讼案件",
    "　　五是深入实施“八五”普法规划，推进法治社会建设。落实“谁执法谁普法”普法责任制，全年开展普法活动",
]
# the same running head as OCR read it on pages 2-5: a space lost, … read as ..., a 0 as O, 局 as 尉
HEADS = ["云岭市交通运输局 云岭市交通运输局2022…", "云岭市交通运输局云岭市交通运输局2022",
         "云岭市交通运输局 云岭市交通运输局2O22...", "云岭市交通运输尉 云岭市交通运输局2022…"]


def _page(number: int, head: str | None, first: str, top_line: str | None = None) -> list[PlacedText]:
    lines = []
    if head:
        lines.append(PlacedText(head, 820, 1520, 150, 182, number))
    if top_line:  # a short heading that happens to open the page, inside the top eighth
        lines.append(PlacedText(top_line, 236, 700, 240, 285, number))
    lines.append(PlacedText(first, 236, 2100, 320, 365, number))
    lines += [PlacedText(f"行政执法案卷评查第{n}项整改措施已经落实到位，执法规范化水平稳步提升。", 236, 2100,
                         400 + 70 * n, 445 + 70 * n, number) for n in range(20)]
    lines.append(PlacedText(f"— {number + 1} —", 1100, 1240, 2220, 2260, number))
    return lines


def test_a_running_head_read_differently_on_each_page_is_dropped() -> None:
    pages = [_page(0, None, BODY[0])] + [_page(n + 1, head, BODY[(n + 1) % 4]) for n, head in enumerate(HEADS)]
    kept = without_running_heads(pages, [HEIGHT] * len(pages))
    texts = [x.text for page in kept for x in page]
    assert not any("云岭市交通运输" in t for t in texts)
    assert all(first in texts for first in BODY)  # the body lines at the top of each page stay


def test_short_headings_opening_pages_are_not_taken_for_a_running_head() -> None:
    headings = ["一、主要工作", "二、主要工作", "三、主要工作", "四、主要工作"]
    pages = [_page(n, None, BODY[n], top_line=heading) for n, heading in enumerate(headings)]
    kept = without_running_heads(pages, [HEIGHT] * 4)
    assert [x.text for page in kept for x in page if "主要工作" in x.text] == headings


def test_a_line_like_the_head_inside_the_page_stays() -> None:
    pages = [_page(n, head, BODY[n % 4]) for n, head in enumerate(HEADS)]
    pages[2].insert(5, PlacedText("云岭市交通运输局 云岭市交通运输局2022", 236, 1200, 1000, 1045, 2))  # mid-page
    kept = without_running_heads(pages, [HEIGHT] * 4)
    assert [x.text for page in kept for x in page if "云岭市交通运输" in x.text] == ["云岭市交通运输局 云岭市交通运输局2022"]


def test_doc_number_brackets_are_mended_only_in_a_doc_number() -> None:
    for read in ("云交发[2023]12号", "云交发【2023】12号", "云交发C2023]12号", "云交发 (2023） 12 号", "云交发〔2023]12号"):
        assert mended_doc_numbers(read) == "云交发〔2023〕12号", read
    assert mended_doc_numbers("根据《通知》（云政办发[2021]3号）要求") == "根据《通知》（云政办发〔2021〕3号）要求"
    for untouched in ("项目 [2023] 预算 12 万元", "（2023）年度考核", "见表[2023]第12页", "(2023）12号"):
        assert mended_doc_numbers(untouched) == untouched


@pytest.mark.slow
@pytest.mark.usefixtures("chinese_font")
def test_a_running_head_one_page_reads_in_taller_boxes_is_still_dropped() -> None:
    """The tuning scan t-attachment-heads (200 dpi, q40, a head on pages 2–4): on one page OCR boxes the
    head taller than the small type it is set in, so only recurrence tells it; recurrence must be
    counted before the small-type rule takes it off the other pages."""
    from benchmarks.scan_variants import TUNING, draw
    from extraction.documents import pdf_text
    from sample_portal.scan_variants import scanned_pdf
    variant = next(v for v in TUNING if v.name == "t-attachment-heads")
    scan = draw(variant)
    agency = "云岭市交通运输局"  # yl-jtys, the office of the variant
    read = pdf_text(scanned_pdf(scan)).lines
    assert not [x for x in read if "".join(x.split()).count(agency) >= 2], read  # "局 云岭市交通运输局2022…"
    assert len(read) == len([x for x in scan.gold.split("\n") if x.strip()])
