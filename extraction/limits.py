"""How much work one page or attachment may cost, and the error that says a file went past it.

A hostile or broken file must not take the crawler's memory or time: a 92 KB DOCX that unzips to
515 MB, a 20,000-page PDF. Extraction stops as soon as a limit is passed and raises
``ExtractionLimit``; the crawler records the capture as an ``error`` with ``str(exc)`` as its reason.
Real reports are far below every limit (a long report is ~40 pages, ~60,000 characters).
"""

from __future__ import annotations

MB = 1024 * 1024

# Attachments (PDF, DOCX, DOC, OFD) bigger than this are refused whole: a cut file cannot be read.
MAX_DOCUMENT_BYTES = 60 * MB
# HTML bodies are cut here (with a "truncated" warning): the page is still worth reading.
MAX_BODY_BYTES = 60 * MB
# Characters of markup parsed per page, after inline data: images and huge attributes are removed.
MAX_HTML_CHARS = 2_000_000
# An attribute value longer than this (an inline base64 image, a style blob) is dropped before parsing.
MAX_ATTRIBUTE_CHARS = 2_000

# Office files (DOCX, OFD) are zips: the sum of their members, uncompressed, declared and actual.
MAX_OFFICE_UNCOMPRESSED = 64 * MB
# ... of which the XML parts that are parsed into a tree (document.xml, Content.xml …).
MAX_OFFICE_XML = 16 * MB
# Members of one office zip.
MAX_OFFICE_MEMBERS = 5_000

MAX_PDF_PAGES = 1_000
# Characters of extracted text in one document.
MAX_TEXT_CHARS = 2_000_000

# OCR (image-only PDF pages, report images): pages read per document and seconds spent on them.
MAX_OCR_PAGES = 60
MAX_OCR_SECONDS = 600.0
# Pixels of one image handed to OCR (larger images are scaled down first; this refuses absurd ones).
MAX_IMAGE_PIXELS = 80_000_000


class ExtractionLimit(ValueError):
    """A file past one of the limits above; ``str(exc)`` is a one-line reason for the capture record."""

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split()))


def too_large(what: str, limit: str) -> ExtractionLimit:
    """``too large: DOCX uncompresses to more than 64 MB``."""
    return ExtractionLimit(f"too large: {what} {limit}")


def megabytes(n: int) -> str:
    return f"{n // MB} MB"
