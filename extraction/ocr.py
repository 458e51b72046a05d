"""OCR for reports published only as pictures: image-only PDF pages, report images, image attachments.

The engine is RapidOCR (``rapidocr-onnxruntime``, Apache-2.0), whose wheel ships the PP-OCRv4
detection and recognition models, run on onnxruntime's CPU provider: nothing is downloaded at run
time. What this module adds around it is what makes a scan read as a report:

- the red seal (and a red 红头) is removed before recognition, so its ring of text never reaches
  the body; black text printed under it stays;
- the page's skew is measured from the detected line boxes and taken out of their coordinates;
- boxes on one line are joined, lines are put in reading order, page numbers ("— 3 —", 第3页) and
  headers/footers repeated on most pages are dropped;
- lines become paragraphs with the rejoiner of ``extraction.layout``: layout line breaks are not
  paragraph breaks; a first-line indent, a table row (cells apart), a centred heading, a change of
  type size and a page that ended short are. A title set on two centred lines stays one paragraph;
  a running head in small type at a page edge is dropped even when one page is all that carries it.

Every use is bounded (``MAX_OCR_PAGES``, ``MAX_OCR_SECONDS``, ``MAX_IMAGE_PIXELS``) and the text is
marked with an ``ocr:`` warning naming the engine and its version, so a reader knows it is machine-read.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import threading
import time
import warnings
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from importlib import metadata

from extraction.layout import (
    PlacedText,
    aligned,
    page_lines,
    read_paragraphs,
    without_page_numbers,
    without_running_heads,
)
from extraction.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, MAX_OCR_SECONDS, ExtractionLimit

ENGINE_PACKAGE = "rapidocr-onnxruntime"
ENGINE_MODELS = "PP-OCRv4"
MIN_SCORE = 0.5  # recognition confidence below which a line is noise (speckles, seal fragments)
MAX_SIDE = 2400  # pixels: larger pages are scaled down before detection (a 200 dpi A4 page is 2339)
_ENGINE_LOCK = threading.Lock()


class OcrUnavailable(RuntimeError):
    """The OCR engine is not installed."""


def engine_name() -> str:
    """``RapidOCR (rapidocr-onnxruntime 1.4.4, PP-OCRv4)``: what the ``ocr`` warning names."""
    try:
        version = metadata.version(ENGINE_PACKAGE)
    except metadata.PackageNotFoundError:
        version = "not installed"
    return f"RapidOCR ({ENGINE_PACKAGE} {version}, {ENGINE_MODELS})"


@lru_cache(maxsize=1)
def _engine():  # noqa: ANN202 - the engine's own type
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable(f"OCR needs {ENGINE_PACKAGE} (pip install {ENGINE_PACKAGE})") from exc
    return RapidOCR(print_verbose=False, max_side_len=MAX_SIDE)


def ocr_warning(pages: int) -> str:
    return (f"ocr: text machine-read by {engine_name()} from {pages} page image{'s' if pages != 1 else ''}; "
            "check figures against the original")


def _without_red(rgb):  # noqa: ANN001, ANN202 - numpy arrays
    """The page with red ink (seal, 红头, red rules) taken out, and what was printed under it kept.

    Red ink on paper, and its pale anti-aliased rim, become the page's own paper colour — not pure
    white: a white ghost of the seal on grey paper still outlines its characters, and the recogniser
    read them ("红白…" joined to the signature line). Where black text lies under the seal, the red
    channel still carries it (a stamp multiplies: black stays dark), so those pixels keep the red
    channel's darkness as grey.
    """
    import numpy as np

    wide = rgb.astype(np.int16)
    r, g, b = wide[..., 0], wide[..., 1], wide[..., 2]
    reddish = r - np.maximum(g, b) > 10  # the seal's faded rim too; paper, ink and scanner noise are grey
    if not reddish.any():
        return rgb
    plain = ~reddish & (wide.min(axis=2) > 180)
    paper = np.median(rgb[plain][::7], axis=0).astype(np.uint8) if plain.any() else np.full(3, 255, np.uint8)
    out = rgb.copy()
    ink_under = reddish & (r <= 150)  # dark under the red: text the stamp was pressed over
    out[reddish & ~ink_under] = paper
    out[ink_under] = r[ink_under, None].astype(np.uint8)
    return out


def load_image(data: bytes):  # noqa: ANN201 - a PIL image
    """An image file's pixels as RGB, refusing absurd sizes before decoding them."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is lower
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # PIL's own check, at twice its warning size
        raise ExtractionLimit(f"too large: image of more than {MAX_IMAGE_PIXELS:,} pixels") from exc
    except Exception as exc:  # PIL raises many types on broken files
        raise ValueError(f"unreadable image: {exc.__class__.__name__}") from exc
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ExtractionLimit(f"too large: image of {width}x{height} pixels, more than {MAX_IMAGE_PIXELS:,}")
    try:
        image.load()
    except Exception as exc:  # truncated or corrupt data
        raise ValueError(f"unreadable image: {exc.__class__.__name__}") from exc
    return image.convert("RGB")


def _skew(boxes: list) -> float:
    """The page's skew in radians: the median slope of the top edges of wide line boxes."""
    angles = []
    for box in boxes:
        (x0, y0), (x1, y1) = box[0], box[1]
        if x1 - x0 > 3 * abs(box[3][1] - box[0][1]):  # wider than three line heights
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


_CJK = re.compile(r"[\u3400-\u9fff]")


def _plausible(text: str) -> bool:
    """A recognised line worth keeping in a Chinese report: a few Latin letters alone ("Pr.") are what
    the remains of a seal or a speck come out as."""
    return bool(_CJK.search(text)) or sum(ch.isalnum() for ch in text) >= 4 or any(ch.isdigit() for ch in text)


# A 文号's year brackets 〔〕 as OCR misreads them ([2023], 【2023】, C2023], (2023）…): mended only
# between an office's abbreviation and a number followed by 号 ("云交发[2023]12号"), never elsewhere.
_DOC_NUMBER = re.compile(
    r"(?<=[\u4e00-\u9fff])\s*[\[【〔(（［{「Cc]\s*((?:19|20)\d{2})\s*[\]】〕)）］}」J]\s*(\d{1,4})\s*(?=号)"
)


def mended_doc_numbers(text: str) -> str:
    """OCR text with each 文号 written with 〔〕: ``云交发[2023]12号`` → ``云交发〔2023〕12号``."""
    return _DOC_NUMBER.sub(r"〔\1〕\2", text)


def _deskewed(result: list, page: int) -> list[PlacedText]:
    """The engine's boxes as upright pieces: the page's skew taken out of their coordinates."""
    boxes = [(box, text.strip()) for box, text, score in result
             if text.strip() and float(score) >= MIN_SCORE and _plausible(text.strip())]
    angle = _skew([box for box, _text in boxes])
    cos, sin = math.cos(-angle), math.sin(-angle)
    pieces = []
    for box, text in boxes:
        xs = [x * cos - y * sin for x, y in box]
        ys = [x * sin + y * cos for x, y in box]
        pieces.append(PlacedText(text, min(xs), max(xs), min(ys), max(ys), page))
    return pieces


def _mended(lines: list[PlacedText]) -> list[PlacedText]:
    return [replace(x, text=mended_doc_numbers(x.text)) if "号" in x.text else x for x in lines]


def ocr_deadline() -> float:
    """When OCR of a document that starts now must stop (``time.monotonic`` clock)."""
    return time.monotonic() + MAX_OCR_SECONDS


def ocr_lines(images: Iterable, count: int, deadline: float | None = None) -> list[PlacedText]:
    """The lines of a run of ``count`` page images (an iterable, so pages can be made one at a time),
    in reading order, page furniture dropped, each page aligned to its text block.

    Raises ``ExtractionLimit`` past ``MAX_OCR_PAGES`` pages or ``MAX_OCR_SECONDS`` seconds, and
    ``OcrUnavailable`` when the engine is not installed. ``deadline`` (from ``ocr_deadline``) shares
    one time budget among several runs of pages of one document.
    """
    import numpy as np

    if count > MAX_OCR_PAGES:
        raise ExtractionLimit(f"too large: {count} page images to OCR, more than {MAX_OCR_PAGES}")
    engine = _engine()
    deadline = ocr_deadline() if deadline is None else deadline
    pages: list[list[PlacedText]] = []
    heights: list[float] = []
    for number, image in enumerate(images):
        if time.monotonic() > deadline:
            raise ExtractionLimit(f"too slow: OCR stopped after {number} of {count} pages "
                                  f"and {MAX_OCR_SECONDS:.0f} s")  # fmt: skip
        pixels = _without_red(np.asarray(image.convert("RGB")))
        with _ENGINE_LOCK:  # one page at a time: onnxruntime already uses every core for it
            result, _elapsed = engine(pixels, use_cls=False)
        height = float(pixels.shape[0])
        pages.append(_mended(page_lines(_deskewed(result or [], number))))
        heights.append(height)
    # a running head is counted over all pages before small type is dropped page by page: a page that
    # reads the head in taller boxes keeps it otherwise, and with it alone the head no longer recurs
    pages = [without_page_numbers(page, height)
             for page, height in zip(without_running_heads(pages, heights), heights, strict=True)]
    return [line for page in aligned(pages) for line in page]


def ocr_read(images: Iterable, count: int, deadline: float | None = None) -> tuple[list[str], bool]:
    """Paragraphs of a run of page images (see ``ocr_lines``), and whether the first continues a
    paragraph of an earlier page."""
    return read_paragraphs([line.as_dict() for line in ocr_lines(images, count, deadline)])
