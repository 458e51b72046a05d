"""Reports as an office scans them: pages set in a CJK font, stamped with the red seal, slightly
skewed and noisy, as JPEG pages or an image-only PDF. Nothing in them is text a PDF reader finds.

The layout follows the 公文 convention (GB/T 9704): 16 pt body with a two-character first-line
indent, the title centred above, page numbers "— N —" at the foot, and the issuing agency and date
at the end under its seal. Everything is drawn from the report's own text with a seeded random
generator, so the same report gives the same bytes (stable ETags).

The font is a system CJK font (Debian: fonts-noto-cjk), or the file named by ``FAZHI_CJK_FONT``.
"""

from __future__ import annotations

import io
import math
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 150
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
MARGINS = (150, 190, 150, 200)  # left, top, right, bottom
BODY_PT, TITLE_PT, SEAL_PT = 16, 21, 15
LINE_SPACING = 1.65
INK = (28, 28, 30)
PAPER = (246, 244, 238)
SEAL_RED = (214, 38, 38)
JPEG_QUALITY = 72
FONT_ENV = "FAZHI_CJK_FONT"
_KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", ""),
    ("C:/Windows/Fonts/simsun.ttc", ""),
    ("/System/Library/Fonts/Supplemental/Songti.ttc", ""),
)


class NoCJKFont(RuntimeError):
    """No font with Chinese glyphs on this machine: scanned sample reports cannot be drawn."""


def _px(points: float) -> int:
    return round(points * DPI / 72)


def _face_index(path: str, family: str) -> int:
    """The index of the simplified-Chinese face in a font collection (Noto CJK holds JP, KR, SC …)."""
    if not family:
        return 0
    for index in range(8):
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0]
        except OSError:
            break
        if name == family:
            return index
    return 0


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int]:
    """(path, face index) of a font that draws Chinese: ``FAZHI_CJK_FONT``, fontconfig, known paths."""
    named = os.environ.get(FONT_ENV)
    if named:
        if not Path(named).is_file():
            raise NoCJKFont(f"{FONT_ENV}={named} is not a font file")
        return named, 0
    for path, family in _KNOWN_FONTS:
        if Path(path).is_file():
            return path, _face_index(path, family)
    if shutil.which("fc-list"):  # fonts that cover Chinese; fc-match would name a fallback (DejaVu) that draws tofu
        found = subprocess.run(["fc-list", "-f", "%{file}:%{index}\n", ":lang=zh-cn"], capture_output=True,
                               text=True, timeout=10, check=False).stdout  # fmt: skip
        for line in sorted(found.splitlines()):
            path, _, index = line.rpartition(":")
            if path and Path(path).is_file() and Path(path).suffix.lower() in (".ttf", ".ttc", ".otf"):
                return path, int(index or 0)
    raise NoCJKFont("no CJK font found for the scanned sample reports: install one (Debian: "
                    f"apt-get install fonts-noto-cjk) or set {FONT_ENV}=/path/to/font.ttf")


@lru_cache(maxsize=8)
def _font(points: float) -> ImageFont.FreeTypeFont:
    path, index = cjk_font()
    return ImageFont.truetype(path, _px(points), index=index)


@dataclass(frozen=True)
class _Line:
    text: str
    x: int
    page: int
    y: int
    points: float


def _wrap(text: str, font: ImageFont.FreeTypeFont, first_width: float, width: float) -> list[str]:
    """Greedy wrap by drawn width, keeping closing punctuation off the start of a line (避头点)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        limit = first_width if not lines else width
        if current and font.getlength(current + ch) > limit and ch not in "，。、；：？！）》”,.;:?!)":
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def _layout(title: str, paragraphs: list[str], signature: tuple[str, str]) -> tuple[list[_Line], int]:
    """Every drawn line with its page and position; and the page count."""
    left, top, right, bottom = MARGINS
    width = PAGE_SIZE[0] - left - right
    body = _font(BODY_PT)
    step = round(_px(BODY_PT) * LINE_SPACING)
    indent = 2 * _px(BODY_PT)
    out: list[_Line] = []
    page, y = 0, top

    def place(text: str, x: int, points: float, height: int) -> None:
        nonlocal page, y
        if y + height > PAGE_SIZE[1] - bottom:
            page, y = page + 1, top
        out.append(_Line(text, x, page, y, points))
        y += height

    title_font = _font(TITLE_PT)
    for line in _wrap(title, title_font, width - 2 * indent, width - 2 * indent):
        place(line, left + round((width - title_font.getlength(line)) / 2), TITLE_PT,
              round(_px(TITLE_PT) * 1.5))  # fmt: skip
    y += step // 2
    for paragraph in paragraphs:
        for i, line in enumerate(_wrap(paragraph, body, width - indent, width)):
            place(line, left + (indent if i == 0 else 0), BODY_PT, step)
    y += step
    for text in signature:  # right-aligned, four characters in from the margin
        place(text, left + width - 4 * _px(BODY_PT) - round(body.getlength(text)), BODY_PT, step)
    return out, page + 1


def _seal(agency: str, seed: str) -> Image.Image:
    """The office's round red seal: its name along the upper arc around a star, on a transparent disc."""
    rng = random.Random(seed)
    radius = _px(60)  # a 42 mm seal
    size = 2 * radius + 8
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    c = size / 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=SEAL_RED + (235,), width=_px(4))
    star_r = radius * 0.3
    points = [(c + (star_r if k % 2 == 0 else star_r * 0.4) * math.sin(k * math.pi / 5),
               c - (star_r if k % 2 == 0 else star_r * 0.4) * math.cos(k * math.pi / 5)) for k in range(10)]
    draw.polygon(points, fill=SEAL_RED + (235,))
    font = _font(SEAL_PT)
    span = math.radians(min(250, 24 * len(agency)))
    for i, ch in enumerate(agency):
        angle = -span / 2 + span * (i + 0.5) / len(agency)
        glyph = Image.new("RGBA", (_px(SEAL_PT) + 8, _px(SEAL_PT) + 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 0), ch, font=font, fill=SEAL_RED + (235,))
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC, expand=True)
        r = radius - _px(SEAL_PT) * 0.95
        x = c + r * math.sin(angle) - glyph.width / 2
        y = c - r * math.cos(angle) - glyph.height / 2
        seal.alpha_composite(glyph, (round(x), round(y)))
    faded = seal.split()[3].point(lambda a: int(a * rng.uniform(0.78, 0.95)))
    seal.putalpha(faded)
    return seal.rotate(rng.uniform(-12, 12), resample=Image.BICUBIC)


def _paper_noise(rng: random.Random, sigma: float) -> Image.Image:
    """Grey noise around mid-grey drawn from ``rng``, so a report's pages are the same bytes in every process.

    Not ``Image.effect_noise``: it draws from the C library's ``rand()``, whose state is the process's,
    so a page drawn after another one came out different (an OCR test passed alone and failed in the
    suite, and a restarted portal would have served a "revised" scan). Uniform bytes (standard
    deviation 255/sqrt(12) ≈ 73.6) are scaled to the wanted spread around 128.
    """
    width, height = PAGE_SIZE
    uniform = Image.frombytes("L", PAGE_SIZE, rng.randbytes(width * height))
    scale = sigma / 73.6
    return uniform.point([max(0, min(255, round(128 + (v - 127.5) * scale))) for v in range(256)])


def _noisy(page: Image.Image, rng: random.Random) -> Image.Image:
    """A scanner's page: a slight skew, uneven paper, speckles, a little blur."""
    page = page.rotate(rng.choice((-1, 1)) * rng.uniform(0.3, 0.9), resample=Image.BICUBIC, fillcolor=PAPER)
    noise = _paper_noise(rng, rng.uniform(14, 20))
    page = Image.blend(page, Image.merge("RGB", (noise, noise, noise)), 0.07)
    draw = ImageDraw.Draw(page)
    for _ in range(rng.randint(60, 140)):
        x, y = rng.randrange(PAGE_SIZE[0]), rng.randrange(PAGE_SIZE[1])
        shade = rng.randint(90, 180)
        draw.point((x, y), fill=(shade, shade, shade))
    return page.filter(ImageFilter.GaussianBlur(0.5))


@lru_cache(maxsize=8)
def page_images(title: str, text: str, agency: str, date: str) -> tuple[bytes, ...]:
    """The scanned pages of a report as JPEG files: title, body paragraphs, page numbers, and the
    agency and date under its seal on the last page."""
    seed = f"{agency}:{title}"
    rng = random.Random(seed)
    lines, pages = _layout(title, text.split("\n"), (agency, date))
    canvases = [Image.new("RGB", PAGE_SIZE, PAPER) for _ in range(pages)]
    for line in lines:
        ImageDraw.Draw(canvases[line.page]).text((line.x, line.y), line.text, font=_font(line.points), fill=INK)
    body = _font(BODY_PT)
    for number, canvas in enumerate(canvases, start=1):
        label = f"— {number} —"
        ImageDraw.Draw(canvas).text(((PAGE_SIZE[0] - body.getlength(label)) / 2, PAGE_SIZE[1] - MARGINS[3] + _px(30)),
                                    label, font=_font(14), fill=INK)  # fmt: skip
    last = lines[-1]
    seal = _seal(agency, seed)
    name_line = lines[-2]
    cx = name_line.x + round(body.getlength(name_line.text) / 2)
    cy = (name_line.y + last.y) // 2 + _px(BODY_PT) // 2
    stamped = canvases[last.page].convert("RGBA")
    layer = Image.new("RGBA", PAGE_SIZE, (0, 0, 0, 0))
    layer.alpha_composite(seal, (cx - seal.width // 2, cy - seal.height // 2))
    canvases[last.page] = _multiply(stamped, layer)
    out = []
    for canvas in canvases:
        buffer = io.BytesIO()
        _noisy(canvas, rng).save(buffer, "JPEG", quality=JPEG_QUALITY, dpi=(DPI, DPI), optimize=True)
        out.append(buffer.getvalue())
    return tuple(out)


def _multiply(page: Image.Image, layer: Image.Image) -> Image.Image:
    """Ink of the seal over the text as a stamp prints: black stays black under the red."""
    from PIL import ImageChops

    tint = Image.new("RGB", page.size, (255, 255, 255))
    tint.paste(layer.convert("RGB"), mask=layer.split()[3])
    return ImageChops.multiply(page.convert("RGB"), tint)


@lru_cache(maxsize=8)
def scanned_pdf(title: str, text: str, agency: str, date: str) -> bytes:
    """An image-only PDF of the scanned pages, as a scanner's "scan to PDF" writes it."""
    images = [Image.open(io.BytesIO(jpeg)) for jpeg in page_images(title, text, agency, date)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=images[1:],
                   title=title, author="", creator="", producer="")  # fmt: skip
    return buffer.getvalue()
