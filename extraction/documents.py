"""Attachments: PDF (pdfplumber), DOCX (python-docx), DOC (antiword or LibreOffice where installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from extraction.decoding import utf16_without_bom
from extraction.layout import paragraphs
from extraction.limits import MAX_OCR_PAGES, MAX_PDF_PAGES, MAX_TEXT_CHARS, ExtractionLimit, too_large
from extraction.officezip import checked_zip

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "tif", "tiff", "bmp", "webp")
OCR_DPI = 150  # image-only PDF pages are rendered at this resolution for OCR (a scan's usual one)


class DocumentError(Exception):
    """A file that could not be read as the document type it claims to be."""


DAMAGED = "(the file is damaged, cut short or not of this type)"


@dataclass
class DocumentText:
    """What a reader got from a file: paragraphs, warnings (``ocr:`` …), and whether the first
    paragraph continues one begun on an earlier page (a scanned page of a run of pictures)."""

    lines: list[str]
    warnings: list[str] = field(default_factory=list)
    continues: bool = False


def sniff_kind(body: bytes, url: str | None = None, content_type: str | None = None) -> str:
    """``pdf``, ``docx``, ``doc``, ``ofd``, ``image``, ``text``, ``html`` or ``binary`` from magic bytes,
    then type, then extension."""
    ct = (content_type or "").lower()
    ext = (url or "").lower().split("?", 1)[0].split("#", 1)[0].rsplit(".", 1)[-1] if url else ""
    if body.startswith(PDF_MAGIC):
        return "pdf"
    if body.startswith(ZIP_MAGIC):
        if b"word/" in body[:20000] or "wordprocessingml" in ct or ext == "docx":
            return "docx"
        if b"OFD.xml" in body[:20000] or ext == "ofd":
            return "ofd"
        return "binary"
    if body.startswith(OLE_MAGIC):
        return "doc"
    if body.startswith(IMAGE_MAGIC) or (body.startswith(b"RIFF") and body[8:12] == b"WEBP"):
        return "image"
    if "pdf" in ct or ext == "pdf":
        return "pdf"
    if "wordprocessingml" in ct or ext == "docx":
        return "docx"
    if "msword" in ct or ext in ("doc", "wps"):
        return "doc"
    if ct.startswith("text/plain") or ext in ("txt", "text"):
        return "text"
    head = body[:2048]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) \
            and utf16_without_bom(body, content_type) is None:
        return "binary"
    return "html"


def pdf_page_count(body: bytes) -> int:
    """Pages of a PDF, read by pdfium from the page tree without loading the pages."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"unreadable PDF: {exc} {DAMAGED}") from exc
    try:
        return len(document)
    finally:
        document.close()


def check_text_size(chars: int, kind: str) -> None:
    """Stop reading a document whose text runs past ``MAX_TEXT_CHARS``."""
    if chars > MAX_TEXT_CHARS:
        raise too_large(f"{kind} text runs to", f"more than {MAX_TEXT_CHARS:,} characters")


def pdf_text(body: bytes) -> DocumentText:
    """Paragraphs of a PDF (wrapped lines rejoined), page by page; and warnings.

    The page count is checked first (``MAX_PDF_PAGES``) and each page's layout is released once read.
    A page with no text layer whose content is an image (a scanned page) is read by OCR
    (``extraction.ocr``), and the ``ocr:`` warning counts those pages; a page with a text layer never
    is, so a mixed PDF (typed pages, a scanned signed last page) OCRs only its scanned pages.
    """
    import pdfplumber

    pages = pdf_page_count(body)
    if pages > MAX_PDF_PAGES:
        raise ExtractionLimit(f"too large: PDF has {pages:,} pages, more than {MAX_PDF_PAGES:,}")
    per_page: list[list[dict]] = []
    image_only: list[int] = []  # pages with no text but a picture: a scanned page
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for index, page in enumerate(pdf.pages):
                page_lines = page.extract_text_lines()
                if page.images and not any(line["text"].strip() for line in page_lines):
                    image_only.append(index)
                page.close()
                chars += sum(len(line["text"]) for line in page_lines)
                check_text_size(chars, "PDF")
                per_page.append(page_lines)
    except ExtractionLimit:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise DocumentError(f"unreadable PDF: {exc.__class__.__name__} {DAMAGED}") from exc
    if not image_only:
        return DocumentText(paragraphs([line for lines in per_page for line in lines]))
    return _with_ocr_pages(body, per_page, image_only)


def _with_ocr_pages(body: bytes, per_page: list[list[dict]], image_only: list[int]) -> DocumentText:
    """A PDF some (or all) of whose pages are scans: those pages read by OCR, the others from their text
    layer, in page order. Runs of consecutive pages of one kind are read together, so a paragraph
    wrapped over a page break of a run stays whole; the OCR bounds hold for the whole document."""
    from extraction.ocr import ocr_deadline, ocr_warning

    if len(image_only) > MAX_OCR_PAGES:
        raise ExtractionLimit(f"too large: scanned PDF has {len(image_only)} pages, OCR reads at most {MAX_OCR_PAGES}")
    runs: list[tuple[bool, list[int]]] = []
    for index in range(len(per_page)):
        scanned = index in image_only
        if runs and runs[-1][0] == scanned:
            runs[-1][1].append(index)
        else:
            runs.append((scanned, [index]))
    out: list[str] = []
    unread: list[str] = []
    deadline = ocr_deadline()
    for scanned, indexes in runs:
        if not scanned:
            out += paragraphs([line for index in indexes for line in per_page[index]])
            continue
        if unread:  # the engine is not installed: the text-layer pages are still read
            continue
        read = _ocr_pdf(body, indexes, deadline)
        if not read.lines and read.warnings:
            unread = read.warnings
            continue
        out += read.lines
    check_text_size(sum(len(x) for x in out), "PDF")
    return DocumentText(out, unread or [ocr_warning(len(image_only))])


def _ocr_pdf(body: bytes, indexes: list[int], deadline: float) -> DocumentText:
    """Scanned PDF pages rendered by pdfium at ``OCR_DPI`` and read by OCR."""
    import pypdfium2 as pdfium

    from extraction.ocr import MAX_SIDE, OcrUnavailable, ocr_read

    document = pdfium.PdfDocument(body)
    try:
        def rendered():  # one page in memory at a time
            for index in indexes:
                page = document[index]
                width, height = page.get_size()
                scale = min(OCR_DPI / 72, MAX_SIDE / max(width, height, 1))
                yield page.render(scale=scale).to_pil()
                page.close()

        text, _continues = ocr_read(rendered(), len(indexes), deadline=deadline)
    except OcrUnavailable as exc:
        return DocumentText([], [f"scanned PDF pages without a text layer: {exc}"])
    finally:
        document.close()
    return DocumentText(text)


def image_text(body: bytes) -> DocumentText:
    """Paragraphs of one image file (a scanned page, a report published as a picture), by OCR."""
    from extraction.ocr import OcrUnavailable, load_image, ocr_read, ocr_warning

    try:
        image = load_image(body)
    except ExtractionLimit:
        raise
    except ValueError as exc:
        raise DocumentError(str(exc)) from exc
    try:
        text, continues = ocr_read(iter([image]), 1)
    except OcrUnavailable as exc:
        return DocumentText([], [f"image: {exc}"])
    return DocumentText(text, [ocr_warning(1)], continues)


def docx_lines(body: bytes) -> list[str]:
    """Paragraphs and table rows of a DOCX, in document order.

    The zip's sizes are checked before python-docx inflates it (``extraction.officezip``).
    """
    import docx

    try:
        checked_zip(body, "DOCX").close()
        document = docx.Document(io.BytesIO(body))
    except ExtractionLimit:
        raise
    except Exception as exc:  # python-docx and zipfile raise KeyError, BadZipFile, EOFError, ValueError …
        raise DocumentError(f"unreadable DOCX: {exc.__class__.__name__} {DAMAGED}") from exc
    lines: list[str] = []
    chars = 0
    for p in document.paragraphs:
        if text := p.text.strip():
            lines.append(text)
            chars += len(text)
            check_text_size(chars, "DOCX")
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" ".join(dict.fromkeys(cells)))
                chars += len(lines[-1])
                check_text_size(chars, "DOCX")
    return lines


LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"  # Debian: LibreOffice without its GUI, for .doc / .wps
CONVERT_TIMEOUT_S = 120
_office_profile: tempfile.TemporaryDirectory[str] | None = None


def office_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _office_profile_url() -> str:
    """A LibreOffice user profile of this process's own: two soffice runs sharing one profile (the
    default, ~/.config/libreoffice) hand work to each other or fail, which parallel crawls would do."""
    global _office_profile
    if _office_profile is None:
        _office_profile = tempfile.TemporaryDirectory(prefix="fazhi-office-")
    return Path(_office_profile.name).as_uri()


def doc_lines(body: bytes) -> list[str]:
    """Paragraphs of a legacy Word .doc (or a WPS file in the same OLE format) via antiword or LibreOffice.

    DocumentError when neither is installed, the conversion fails or it runs past CONVERT_TIMEOUT_S.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.doc"
        path.write_bytes(body)
        if shutil.which("antiword"):
            out = subprocess.run(["antiword", "-m", "UTF-8.txt", str(path)], capture_output=True,
                                 timeout=60, check=False)  # fmt: skip
            if out.returncode == 0:
                text = out.stdout.decode("utf-8", "replace")
                check_text_size(len(text), "DOC")
                return [x.strip() for x in text.splitlines() if x.strip()]
        office = office_binary()
        if office is None:
            raise DocumentError(f"DOC needs antiword or LibreOffice, neither is installed (apt-get install {LIBREOFFICE_PACKAGE})")
        command = [office, f"-env:UserInstallation={_office_profile_url()}", "--headless", "--norestore",
                   "--convert-to", "txt:Text (encoded):UTF8", "--outdir", tmp, str(path)]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"LibreOffice did not convert the DOC within {CONVERT_TIMEOUT_S} s") from exc
        txt = Path(tmp) / "in.txt"
        if not txt.exists():
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise DocumentError(f"unreadable DOC: LibreOffice could not convert it ({why[0][:120]})")
        text = txt.read_bytes().decode("utf-8-sig", "replace")
        check_text_size(len(text), "DOC")
        return [x.strip(" \t\u3000\u00a0") for x in text.splitlines() if x.strip(" \t\u3000\u00a0")]
