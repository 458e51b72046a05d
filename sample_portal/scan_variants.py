"""Harder scans than the portal's own: pages drawn the way county and township offices print and scan
them, each feature switched on by a variant, every pixel drawn from the variant's seed.

What a real scanned 法治政府建设 report shows and the portal's scans do not: a red 红头 ("青禾县人民政府
文件" over a red rule) with a black 文号 line, a two-line title, 宋体-like body (Noto Serif CJK: no 仿宋
face is installed) with 黑体 headings, some headings centred, a table of figures with ruled cells,
page numbers "— 3 —" or "-3-" on alternating sides, a running header, a 附件 page, grey uneven
paper, 150–200 dpi, heavy JPEG, skew up to 2°. The gold text is what a reader should get back: every
black line in reading order, one paragraph per paragraph, heading, title and table row (cells
joined by a space); never the red header, the seal, page numbers or running headers.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from sample_portal.scans import _multiply, _seal, _wrap, cjk_font

A4_INCHES = (8.27, 11.69)
SERIF_BOLD = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
SANS_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
HEADER_RED = (200, 24, 30)
INK = (22, 22, 24)


@dataclass(frozen=True)
class Features:
    """What one variant's scan shows; each feature a real scan has and the portal's scans lack."""

    dpi: int = 150
    skew: float = 0.5  # degrees, sign from the seed
    jpeg_quality: int = 70
    paper: int = 244  # grey level of the paper (a grey scan: 215–230)
    red_header: bool = False  # 红头 and 文号 above a red rule
    two_line_title: bool = False
    centered_headings: bool = False
    table: bool = False
    page_number: str = "— {n} —"  # or "-{n}-"
    running_header: bool = False
    attachment: bool = False  # a 附件 page with its own title and a table
    seal: bool = True

    def label(self) -> str:
        on = [name for name in ("red_header", "two_line_title", "centered_headings", "table", "running_header",
                                "attachment") if getattr(self, name)]  # fmt: skip
        return f"{self.dpi}dpi skew{self.skew:g} q{self.jpeg_quality} paper{self.paper} " + "+".join(on)


@dataclass(frozen=True)
class Block:
    kind: str  # title | number | heading | para | row | sign | label
    text: str = ""
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scan:
    """A variant's pages (JPEG files) and the text a reader should get from them."""

    pages: tuple[bytes, ...]
    gold: str
    dpi: int


def _px(points: float, dpi: int) -> int:
    return round(points * dpi / 72)


@lru_cache(maxsize=32)
def _face(kind: str, pixels: int) -> ImageFont.FreeTypeFont:
    """宋体-like body (Noto Serif), 黑体-like headings (Noto Sans Bold), 小标宋-like title (Noto Serif Bold)."""
    path, index = cjk_font()
    bold = {"heading": SANS_BOLD, "title": SERIF_BOLD, "header": SERIF_BOLD}.get(kind)
    if bold and Path(bold).is_file():
        path = bold  # same collection order as the regular face (JP, KR, SC, …)
    return ImageFont.truetype(path, pixels, index=index)


def blocks_of(title: str, text: str, agency: str, date: str, features: Features, rng: random.Random) -> list[Block]:
    """The document as blocks: the report text's lines, a table after the lead of its second part, a 附件."""
    out = []
    if features.red_header:  # the 文号 under the red 红头 is black: part of the text
        short = agency.removesuffix("人民政府").removesuffix("办事处")[:2]
        kind = rng.choice(("政发", "政办发", "府发"))
        out.append(Block("number", f"{short}{kind}〔{rng.randint(2021, 2025)}〕{rng.randint(1, 60)}号"))
    out.append(Block("title", title))
    lines = [x for x in text.split("\n") if x.strip()]
    table_at = next((i for i, x in enumerate(lines) if x.startswith("二、")), len(lines) // 2)
    for i, line in enumerate(lines):
        if features.table and i == table_at:
            out.append(Block("para", f"{rng.choice(('本年度', '全年'))}主要法治工作指标如下："))
            out += [Block("row", cells=row) for row in _table_rows(rng)]
        heading = line[:2] in {f"{n}、" for n in "一二三四五六七八九"} and len(line) < 40
        out.append(Block("heading" if heading else "para", line))
    out += [Block("sign", agency), Block("sign", date)]
    if features.attachment:
        out.append(Block("label", "附件"))
        out.append(Block("title", f"{agency}{rng.choice(('法治建设重点任务完成情况表', '行政执法数据统计表'))}"))
        out += [Block("row", cells=row) for row in _table_rows(rng, rows=rng.randint(5, 8))]
    return out


def _table_rows(rng: random.Random, rows: int = 5) -> list[tuple[str, ...]]:
    labels = ["行政许可事项（件）", "行政处罚案件（件）", "行政复议案件（件）", "行政诉讼案件（件）",
              "规范性文件审核（件）", "调处矛盾纠纷（件）", "法治宣传活动（场）", "执法人员培训（人次）"]  # fmt: skip
    rng.shuffle(labels)
    out = [("项目", "上年", "本年", "增减")]
    for label in labels[: rows - 1]:
        before, now = rng.randint(8, 900), rng.randint(8, 900)
        out.append((label, str(before), str(now), f"{(now - before) / before:+.1%}"))
    return out


def gold_text(blocks: list[Block]) -> str:
    return "\n".join(" ".join(b.cells) if b.kind == "row" else b.text for b in blocks)


@dataclass
class _Pen:
    """Where the next line goes: page and y, and the pages drawn so far."""

    canvases: list[Image.Image]
    y: int
    size: tuple[int, int]
    top: int
    bottom: int
    paper: tuple[int, int, int]

    def room(self, height: int) -> None:
        if self.y + height > self.size[1] - self.bottom:
            self.new_page()

    def new_page(self) -> None:
        self.canvases.append(Image.new("RGB", self.size, self.paper))
        self.y = self.top


def draw_scan(title: str, text: str, agency: str, date: str, features: Features, seed: str) -> Scan:
    """A report drawn as ``features`` say, scanned with the noise of ``seed``."""
    rng = random.Random(seed)
    dpi = features.dpi
    size = (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi))
    left, right, top, bottom = _px(80, dpi), _px(75, dpi), _px(100, dpi), _px(100, dpi)  # 28/26/37/35 mm
    width = size[0] - left - right
    paper = (features.paper, features.paper - 2, features.paper - 7)
    body, body_px = _face("body", _px(16, dpi)), _px(16, dpi)
    step = round(body_px * 1.75)
    pen = _Pen([], top, size, top, bottom, paper)
    pen.new_page()
    blocks = blocks_of(title, text, agency, date, features, rng)
    if features.red_header:
        _red_header(pen, agency, blocks[0].text, left, width, dpi)
    signature: list[tuple[int, int, int, int]] = []  # page, x, y, width of the signing lines
    for index, block in enumerate(blocks):
        draw = ImageDraw.Draw(pen.canvases[-1])
        if block.kind == "number":
            continue  # drawn with the red header
        if block.kind == "title":
            face = _face("title", _px(22, dpi))
            if index and blocks[index - 1].kind == "label":
                pen.y += step // 2
            for line in _title_lines(block.text, face, width - 4 * body_px, features.two_line_title):
                pen.room(round(face.size * 1.5))
                draw = ImageDraw.Draw(pen.canvases[-1])
                draw.text((left + (width - face.getlength(line)) / 2, pen.y), line, font=face, fill=INK)
                pen.y += round(face.size * 1.5)
            pen.y += step // 2
        elif block.kind == "label":
            pen.new_page()
            face = _face("heading", body_px)
            ImageDraw.Draw(pen.canvases[-1]).text((left, pen.y), block.text, font=face, fill=INK)
            pen.y += step
        elif block.kind == "row":
            _row(pen, block.cells, left, width, body, step, first=index == 0 or blocks[index - 1].kind != "row",
                 last=index + 1 == len(blocks) or blocks[index + 1].kind != "row")  # fmt: skip
        elif block.kind == "sign":
            if blocks[index - 1].kind != "sign":
                pen.y += step
            pen.room(step)
            x = left + width - 4 * body_px - round(body.getlength(block.text))
            ImageDraw.Draw(pen.canvases[-1]).text((x, pen.y), block.text, font=body, fill=INK)
            signature.append((len(pen.canvases) - 1, x, pen.y, round(body.getlength(block.text))))
            pen.y += step
        else:
            heading = block.kind == "heading"
            face = _face("heading", body_px) if heading else body
            if heading and features.centered_headings:
                for line in _wrap(block.text, face, width, width):
                    pen.room(step)
                    ImageDraw.Draw(pen.canvases[-1]).text((left + (width - face.getlength(line)) / 2, pen.y),
                                                          line, font=face, fill=INK)  # fmt: skip
                    pen.y += step
                continue
            wrapped = _wrap(block.text, face, width - 2 * body_px, width)
            for i, line in enumerate(wrapped):
                pen.room(step)
                x = left + (2 * body_px if i == 0 else 0)
                full = left + width - x if i + 1 < len(wrapped) else None  # justified, as Word sets CJK text
                _text(ImageDraw.Draw(pen.canvases[-1]), (x, pen.y), line, face, full)
                pen.y += step
    if features.seal and signature:
        _stamp(pen, agency, seed, signature[-2:], body_px)
    _furniture(pen, features, agency, title, dpi, left, width)
    pages = tuple(_scanned(canvas, features, rng) for canvas in pen.canvases)
    return Scan(pages, gold_text(blocks), dpi)


def _text(draw: ImageDraw.ImageDraw, at: tuple[int, int], line: str, face: ImageFont.FreeTypeFont,
          justify_to: int | None) -> None:
    """A line of text; spread over ``justify_to`` pixels when given (两端对齐: the last line of a
    paragraph is not)."""
    spare = (justify_to - face.getlength(line)) if justify_to and len(line) > 1 else 0
    if spare <= 0:
        draw.text(at, line, font=face, fill=INK)
        return
    x = float(at[0])
    for ch in line:
        draw.text((x, at[1]), ch, font=face, fill=INK)
        x += face.getlength(ch) + spare / (len(line) - 1)


def _title_lines(title: str, face: ImageFont.FreeTypeFont, width: float, two: bool) -> list[str]:
    """A title as 公文 sets it: one line if it fits, else broken in a balanced place (a two-line title)."""
    if not two and face.getlength(title) <= width:
        return [title]
    cut = len(title) // 2 + 1
    for mark in ("关于", "年度", "年"):
        at = title.find(mark)
        if 4 <= at + len(mark) <= len(title) - 4 and abs(at + len(mark) - len(title) / 2) < len(title) / 4:
            cut = at + len(mark)
            break
    return [title[:cut], title[cut:]]


def _red_header(pen: _Pen, agency: str, number: str, left: int, width: int, dpi: int) -> None:
    """The 红头: the office's name and 文件 in large red type, the 文号 (black), a red rule."""
    face = _face("header", _px(36, dpi))
    name = agency + "文件"
    while face.getlength(name) > width and face.size > 20:
        face = _face("header", face.size - 4)
    draw = ImageDraw.Draw(pen.canvases[-1])
    draw.text((left + (width - face.getlength(name)) / 2, pen.y), name, font=face, fill=HEADER_RED)
    pen.y += round(face.size * 1.9)
    body = _face("body", _px(16, dpi))
    draw.text((left + (width - body.getlength(number)) / 2, pen.y), number, font=body, fill=INK)
    pen.y += round(body.size * 1.6)
    draw.rectangle((left - _px(4, dpi), pen.y, left + width + _px(4, dpi), pen.y + _px(2, dpi)), fill=HEADER_RED)
    pen.y += round(body.size * 2.2)


def _row(pen: _Pen, cells: tuple[str, ...], left: int, width: int, face: ImageFont.FreeTypeFont, step: int,
         first: bool, last: bool) -> None:  # fmt: skip
    """One ruled table row, cells centred; the first column wider."""
    height = round(step * 1.15)
    pen.room(height)
    draw = ImageDraw.Draw(pen.canvases[-1])
    shares = [0.4] + [0.6 / (len(cells) - 1)] * (len(cells) - 1)
    x, y = left, pen.y
    line = max(1, round(face.size / 18))
    for cell, share in zip(cells, shares, strict=True):
        w = round(width * share)
        draw.rectangle((x, y, x + w, y + height), outline=INK, width=line)
        draw.text((x + (w - face.getlength(cell)) / 2, y + (height - face.size) / 2 - face.size * 0.1), cell,
                  font=face, fill=INK)  # fmt: skip
        x += w
    pen.y += height
    if last:
        pen.y += step // 2


def _stamp(pen: _Pen, agency: str, seed: str, lines: list[tuple[int, int, int, int]], body_px: int) -> None:
    page, x, y, w = lines[0]
    seal = _seal(agency, seed)
    scale = body_px / 33  # the portal's seal is drawn for 150 dpi 16 pt
    if abs(scale - 1) > 0.05:
        seal = seal.resize((round(seal.width * scale), round(seal.height * scale)), Image.BICUBIC)
    cx = x + w // 2
    cy = (y + lines[-1][2]) // 2 + body_px // 2
    layer = Image.new("RGBA", pen.size, (0, 0, 0, 0))
    layer.alpha_composite(seal, (cx - seal.width // 2, cy - seal.height // 2))
    pen.canvases[page] = _multiply(pen.canvases[page].convert("RGBA"), layer)


def _furniture(pen: _Pen, features: Features, agency: str, title: str, dpi: int, left: int, width: int) -> None:
    """Page numbers (公文: outer side, odd pages right, even left) and a running header."""
    face = _face("body", _px(14, dpi))
    for number, canvas in enumerate(pen.canvases, start=1):
        draw = ImageDraw.Draw(canvas)
        label = features.page_number.format(n=number)
        x = left + width - face.getlength(label) - _px(14, dpi) if number % 2 else left + _px(14, dpi)
        draw.text((x, pen.size[1] - pen.bottom + _px(30, dpi)), label, font=face, fill=INK)
        if features.running_header and number > 1:
            head = _face("body", _px(10.5, dpi))
            text = f"{agency} {title[:12]}…"
            draw.text((left + (width - head.getlength(text)) / 2, pen.top - _px(40, dpi)), text, font=head, fill=INK)
            draw.line((left, pen.top - _px(24, dpi), left + width, pen.top - _px(24, dpi)), fill=INK, width=1)


def _noise(size: tuple[int, int], rng: random.Random, sigma: float) -> Image.Image:
    """Grey noise around 128 from ``rng`` (not ``effect_noise``: that draws from C ``rand()``)."""
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    scale = sigma / 73.6
    return uniform.point([max(0, min(255, round(128 + (v - 127.5) * scale))) for v in range(256)])


def _scanned(page: Image.Image, features: Features, rng: random.Random) -> bytes:
    """Skew, uneven grey paper (a light gradient), noise, speckles, blur, then heavy JPEG."""
    paper = (features.paper, features.paper - 2, features.paper - 7)
    angle = rng.choice((-1, 1)) * features.skew * rng.uniform(0.8, 1.0)
    page = page.rotate(angle, resample=Image.BICUBIC, fillcolor=paper)
    w, h = page.size
    shade = Image.linear_gradient("L").resize((w, h)).point(lambda v: 255 - v * rng.uniform(0.05, 0.1) // 1)
    page = Image.composite(page, Image.new("RGB", page.size, (0, 0, 0)), shade)
    noise = _noise(page.size, rng, rng.uniform(14, 22))
    page = Image.blend(page, Image.merge("RGB", (noise, noise, noise)), 0.08)
    draw = ImageDraw.Draw(page)
    for _ in range(rng.randint(100, 300)):
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.randint(60, 170)
        draw.ellipse((x, y, x + rng.randint(1, 3), y + rng.randint(1, 3)), fill=(v, v, v))
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8) * features.dpi / 150))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=features.jpeg_quality, dpi=(features.dpi, features.dpi))
    return buffer.getvalue()


def scanned_pdf(scan: Scan) -> bytes:
    """The pages as an image-only PDF, as a scanner's "scan to PDF" writes it."""
    images = [Image.open(io.BytesIO(jpeg)) for jpeg in scan.pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=scan.dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()
