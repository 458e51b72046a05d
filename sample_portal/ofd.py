"""OFD files (GB/T 33190) for reports published in the national fixed-layout format.

Written as the common converters write them: ``OFD.xml`` with the DocInfo, ``Doc_0/Document.xml``
listing the pages, ``PublicRes.xml`` with the fonts, and per page ``Pages/Page_N/Content.xml`` of
``TextObject`` runs in millimetres. Runs change with the font (Chinese in 仿宋, digits and Latin in
Times New Roman), so a line is several objects; the page number is drawn first. A reader has to put
the runs back in reading order, as for any real OFD. Same text, same bytes (fixed dates and ids).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

NS = "http://www.ofdspec.org/2016"
PAGE_MM = (210.0, 297.0)
LEFT_MM, TOP_MM, BOTTOM_MM = 28.0, 37.0, 35.0
BODY_MM = 5.644  # 16 pt: the 三号 of official documents
TITLE_MM = 7.761  # 22 pt
CHARS_PER_LINE = 28
LINE_STEP_MM = 9.9
CJK_FONT, LATIN_FONT = 3, 4


def _is_latin(ch: str) -> bool:
    return ord(ch) < 0x2E80


def _units(text: str) -> float:
    """Width in character cells: a Latin letter or digit is half a Chinese character."""
    return sum(0.5 if _is_latin(ch) else 1.0 for ch in text)


def _wrap(paragraph: str, first: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in paragraph:
        limit = first if not lines else width
        if current and _units(current + ch) > limit and ch not in ",.;:)、。，；：）":
            lines.append(current)
            current = ch
        else:
            current += ch
    return [*lines, current] if current else lines


def _runs(text: str) -> list[tuple[str, bool]]:
    """A line split where the script changes: (text, is_latin)."""
    runs: list[tuple[str, bool]] = []
    for ch in text:
        latin = _is_latin(ch)
        if runs and runs[-1][1] == latin:
            runs[-1] = (runs[-1][0] + ch, latin)
        else:
            runs.append((ch, latin))
    return runs


class _Page:
    def __init__(self) -> None:
        self.objects: list[str] = []


def _text_object(ids: list[int], x: float, y: float, text: str, size: float, latin: bool) -> str:
    ids[0] += 1
    advance = size / 2 if latin else size
    width = advance * len(text)
    delta = f"g {len(text) - 1} {advance:.3f}" if len(text) > 2 else " ".join([f"{advance:.3f}"] * (len(text) - 1))
    delta_attr = f" DeltaX={quoteattr(delta)}" if len(text) > 1 else ""
    return (f'<ofd:TextObject ID="{ids[0]}" Boundary="{x:.3f} {y:.3f} {width + size:.3f} {size * 1.3:.3f}" '
            f'Font="{LATIN_FONT if latin else CJK_FONT}" Size="{size:.3f}"><ofd:FillColor Value="0 0 0"/>'
            f'<ofd:TextCode X="0" Y="{size:.3f}"{delta_attr}>{escape(text)}</ofd:TextCode></ofd:TextObject>')


def _place_line(page: _Page, ids: list[int], x: float, y: float, text: str, size: float) -> None:
    for run, latin in _runs(text):
        page.objects.append(_text_object(ids, x, y, run, size, latin))
        x += _units(run) * size


@lru_cache(maxsize=8)
def ofd_bytes(title: str, text: str) -> bytes:
    """An OFD of the title (centred) and ``text`` (one paragraph a line, first lines indented two
    characters); a signature block (the last two lines) right-aligned; "— N —" page numbers."""
    ids = [10]
    width = PAGE_MM[0] - 2 * LEFT_MM + 2
    pages = [_Page()]
    y = TOP_MM

    def new_line(step: float) -> float:
        nonlocal y
        if y + step > PAGE_MM[1] - BOTTOM_MM:
            pages.append(_Page())
            y = TOP_MM
        at = y
        y += step
        return at

    for line in _wrap(title, CHARS_PER_LINE - 6, CHARS_PER_LINE - 6):
        at = new_line(TITLE_MM * 1.6)
        _place_line(pages[-1], ids, LEFT_MM + (width - _units(line) * TITLE_MM) / 2, at, line, TITLE_MM)
    y += LINE_STEP_MM / 2
    paragraphs = text.split("\n")
    body, signature = paragraphs[:-2], paragraphs[-2:]
    for paragraph in body:
        for i, line in enumerate(_wrap(paragraph, CHARS_PER_LINE - 2, CHARS_PER_LINE)):
            at = new_line(LINE_STEP_MM)  # before pages[-1]: the line may open a new page
            _place_line(pages[-1], ids, LEFT_MM + (2 * BODY_MM if i == 0 else 0), at, line, BODY_MM)
    y += LINE_STEP_MM
    for line in signature:
        right = LEFT_MM + width - 4 * BODY_MM
        at = new_line(LINE_STEP_MM)
        _place_line(pages[-1], ids, right - _units(line) * BODY_MM, at, line, BODY_MM)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        def write(name: str, xml: str) -> None:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, '<?xml version="1.0" encoding="UTF-8"?>\n' + xml)

        write("OFD.xml", f'<ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
                         f"<ofd:DocID>{hashlib.md5(title.encode()).hexdigest()}</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title>"
                         "<ofd:Author></ofd:Author><ofd:CreationDate>2024-01-01</ofd:CreationDate>"
                         "<ofd:Creator>fazhi sample portal</ofd:Creator></ofd:DocInfo>"
                         "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")  # fmt: skip
        page_list = "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
        write("Doc_0/Document.xml", f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{ids[0] + len(pages) + 1}'
                                    f"</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_MM[0]:g} {PAGE_MM[1]:g}"
                                    "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
                                    f"</ofd:CommonData><ofd:Pages>{page_list}</ofd:Pages></ofd:Document>")  # fmt: skip
        write("Doc_0/PublicRes.xml", f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
                                     f'<ofd:Font ID="{CJK_FONT}" FontName="仿宋_GB2312" FamilyName="仿宋_GB2312"/>'
                                     f'<ofd:Font ID="{LATIN_FONT}" FontName="Times New Roman" FamilyName="Times New Roman"/>'
                                     "</ofd:Fonts></ofd:Res>")  # fmt: skip
        for n, page in enumerate(pages):
            label = f"— {n + 1} —"
            number = _text_object(ids, (PAGE_MM[0] - _units(label) * 4.94) / 2, PAGE_MM[1] - 25, label, 4.94, False)
            write(f"Doc_0/Pages/Page_{n}/Content.xml",
                  f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="{ids[0] + 1000 + n}" Type="Body">'
                  + number + "".join(page.objects) + "</ofd:Layer></ofd:Content></ofd:Page>")  # fmt: skip
    return buffer.getvalue()
