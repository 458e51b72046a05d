"""PDF and DOCX files for reports published only as attachments.

Generated on demand and cached: same text, same bytes (fixed PDF creation date, no random ids),
so ETags stay stable across requests and runs. The file holds the body text only — the title is in
the file's metadata and on the cover page — so what a reader extracts is the gold text.
"""

from __future__ import annotations

import io
from functools import lru_cache

PDF_FONT = "STSong-Light"
PDF_CHARS_PER_LINE = 36
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _wrap(paragraph: str, width: int) -> list[str]:
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)] or [""]


@lru_cache(maxsize=32)
def pdf_bytes(title: str, text: str) -> bytes:
    """A Chinese PDF of ``text`` (one paragraph per line), in reportlab's built-in CID font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setAuthor("")
    width, height = A4
    left, top, bottom, leading, size = 56, height - 64, 64, 22, 14
    y = top
    pdf.setFont(PDF_FONT, size)
    for paragraph in text.split("\n"):
        for i, line in enumerate(_wrap(paragraph, PDF_CHARS_PER_LINE)):
            if y < bottom:
                pdf.showPage()
                pdf.setFont(PDF_FONT, size)
                y = top
            pdf.drawString(left + (2 * size if i == 0 else 0), y, line)
            y -= leading
    pdf.save()
    return buffer.getvalue()


@lru_cache(maxsize=32)
def docx_bytes(title: str, text: str) -> bytes:
    """A Word document of ``text``, one ``w:p`` per paragraph; core properties fixed for stable bytes."""
    import datetime as dt

    from docx import Document

    document = Document()
    props = document.core_properties
    props.title = title
    props.author = ""
    fixed = dt.datetime(2023, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.last_modified_by = ""
    for paragraph in text.split("\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
