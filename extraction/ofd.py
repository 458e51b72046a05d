"""OFD (GB/T 33190, 版式文档): the national fixed-layout format, a zip of XML.

``OFD.xml`` names each document's root (``Doc_0/Document.xml``), which lists its pages
(``Pages/Page_0/Content.xml``). A page's text is ``TextObject`` elements (a ``Boundary`` box in
millimetres, a font ``Size``) holding ``TextCode`` runs: a start ``X``/``Y`` inside the box and the
advance of each character (``DeltaX``, with ``g N v`` meaning N advances of v). Runs come in any order
a writer likes, often one per font change, so they are placed by position, joined into lines and
rejoined into paragraphs like PDF lines (``extraction.layout``). An OFD whose pages hold only images
(a scan saved as OFD) is read by OCR.

Untrusted XML: parsed without DTDs, entities or network; the zip's sizes are checked first.
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from extraction.documents import DocumentError, DocumentText
from extraction.layout import (
    PlacedText,
    page_lines,
    paragraphs,
    without_page_numbers,
    without_running_heads,
)
from extraction.limits import MAX_OCR_PAGES, MAX_TEXT_CHARS, ExtractionLimit, too_large
from extraction.officezip import checked_zip

MM_TO_PT = 72 / 25.4
DEFAULT_PAGE = (0.0, 0.0, 210.0, 297.0)  # A4, when a document names no PhysicalBox
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)  # fmt: skip


class OfdError(ValueError):
    """Not a readable OFD file."""


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if _local(c) == name]


def _first_text(el: etree._Element, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def _numbers(value: str | None) -> list[float]:
    """``"0 0 210 297"`` → floats (unparseable tokens skipped)."""
    out = []
    for token in (value or "").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out


def _advance(delta_x: str | None, count: int, default: float) -> float:
    """The sum of the first ``count`` advances of a ``DeltaX`` (``g N v`` = N advances of v), without
    expanding the repeats (a hostile ``g 999999999 1`` costs nothing); characters it does not cover
    advance by ``default`` (the font size: a Chinese character's width)."""
    tokens = (delta_x or "").split()
    total, i = 0.0, 0
    try:
        while i < len(tokens) and count > 0:
            if tokens[i] == "g" and i + 2 < len(tokens):
                n = min(int(float(tokens[i + 1])), count)
                total += n * float(tokens[i + 2])
                count -= n
                i += 3
            else:
                total += float(tokens[i])
                count -= 1
                i += 1
    except ValueError:
        pass
    return total + max(count, 0) * default


def _path(base: str, ref: str) -> str:
    """A zip member path from a reference relative to ``base`` (or absolute from the zip root)."""
    ref = ref.strip().replace("\\", "/")
    return posixpath.normpath(ref.lstrip("/") if ref.startswith("/") else posixpath.join(base, ref))


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        return etree.fromstring(archive.read(name), _PARSER)
    except KeyError as exc:
        raise OfdError(f"unreadable OFD: {name} is missing") from exc
    except etree.XMLSyntaxError as exc:
        raise OfdError(f"unreadable OFD: {name} is not XML") from exc


def _box(el: etree._Element | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if el is None:
        return default
    boxes = _children(el, "PhysicalBox")
    values = _numbers(boxes[0].text) if boxes else []
    return tuple(values) if len(values) == 4 else default


def _text_pieces(content: etree._Element, page: int) -> list[PlacedText]:
    """Every TextCode run of a page as a piece at its place (points)."""
    pieces = []
    for obj in _children(content, "TextObject"):
        bx, by, _bw, _bh = (_numbers(obj.get("Boundary")) + [0, 0, 0, 0])[:4]
        size = float(obj.get("Size") or 3.5)
        ctm = _numbers(obj.get("CTM"))
        a, _b, _c, d, e, f = ctm if len(ctm) == 6 else (1, 0, 0, 1, 0, 0)
        x, y = 0.0, 0.0
        for code in _children(obj, "TextCode"):
            text = (code.text or "").strip("\r\n")
            x = float(code.get("X") or x)
            y = float(code.get("Y") or y)
            if not text.strip():
                continue
            advance = _advance(code.get("DeltaX"), len(text) - 1, size)
            left, right = bx + a * x + e, bx + a * (x + advance + size) + e
            baseline = by + d * y + f
            height = abs(d) * size
            pieces.append(PlacedText(text, left * MM_TO_PT, right * MM_TO_PT, (baseline - height) * MM_TO_PT,
                                     (baseline + 0.15 * height) * MM_TO_PT, page))  # fmt: skip
    return pieces


def _image_refs(archive: zipfile.ZipFile, doc_dir: str, document: etree._Element) -> dict[str, str]:
    """Resource id → zip path of the document's images (MultiMedia in its Res files)."""
    refs: dict[str, str] = {}
    for res_name in ("PublicRes", "DocumentRes"):
        for el in _children(document, res_name):
            res_path = _path(doc_dir, el.text or "")
            if res_path not in archive.namelist():
                continue
            res = _xml(archive, res_path)
            base = _path(posixpath.dirname(res_path), res.get("BaseLoc") or "")
            for media in _children(res, "MultiMedia"):
                file_name = _first_text(media, "MediaFile")
                if media.get("ID") and file_name:
                    refs[media.get("ID")] = _path(base, file_name)
    return refs


def ofd_text(body: bytes) -> DocumentText:
    """Paragraphs of an OFD file, and warnings (``ocr:`` when its pages were images)."""
    try:
        archive = checked_zip(body, "OFD")
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DocumentError(f"unreadable OFD: {exc.__class__.__name__}") from exc
    with archive:
        try:
            return _read(archive)
        except OfdError as exc:
            raise DocumentError(str(exc)) from exc


def _read(archive: zipfile.ZipFile) -> DocumentText:
    root = _xml(archive, "OFD.xml")
    doc_roots = [(el.text or "").strip() for el in _children(root, "DocRoot") if (el.text or "").strip()]
    if not doc_roots:
        raise OfdError("unreadable OFD: OFD.xml names no DocRoot")
    lines: list[PlacedText] = []
    images: list[str] = []
    chars = 0
    for doc_root in doc_roots:
        doc_path = _path("", doc_root)
        doc_dir = posixpath.dirname(doc_path)
        document = _xml(archive, doc_path)
        common = _children(document, "CommonData")
        default_box = _box(common[0] if common else None, DEFAULT_PAGE)
        media = None
        pages: list[list[PlacedText]] = []
        heights: list[float] = []
        for number, page_el in enumerate(_children(document, "Page")):
            content_path = _path(doc_dir, page_el.get("BaseLoc") or "")
            content = _xml(archive, content_path)
            areas = [c for c in content if _local(c) == "Area"]
            box = _box(areas[0] if areas else None, default_box)
            height = box[3] * MM_TO_PT
            placed = without_page_numbers(page_lines(_text_pieces(content, number)), height)
            chars += sum(len(x.text) for x in placed)
            if chars > MAX_TEXT_CHARS:
                raise too_large("OFD text runs to", f"more than {MAX_TEXT_CHARS:,} characters")
            pages.append(placed)
            heights.append(height)
            for obj in _children(content, "ImageObject"):
                if media is None:
                    media = _image_refs(archive, doc_dir, document)
                if obj.get("ResourceID") in media:
                    images.append(media[obj.get("ResourceID")])
        lines.extend(line for page in without_running_heads(pages, heights) for line in page)
    if lines:
        return DocumentText(paragraphs([line.as_dict() for line in lines]))
    if images:
        return _ocr(archive, images)
    return DocumentText([])


def _ocr(archive: zipfile.ZipFile, images: list[str]) -> DocumentText:
    """An OFD of page images (a scan): each image read by OCR, in page order."""
    from extraction.ocr import OcrUnavailable, load_image, ocr_read, ocr_warning

    if len(images) > MAX_OCR_PAGES:
        raise ExtractionLimit(f"too large: OFD has {len(images)} page images, OCR reads at most {MAX_OCR_PAGES}")
    try:
        pictures = (load_image(archive.read(name)) for name in images)
        return DocumentText(ocr_read(pictures, len(images))[0], [ocr_warning(len(images))])
    except OcrUnavailable as exc:
        return DocumentText([], [f"OFD of page images: {exc}"])
    except ExtractionLimit:
        raise
    except (KeyError, ValueError) as exc:
        raise OfdError(f"unreadable OFD image: {exc}") from exc
