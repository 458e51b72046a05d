"""``extract_report`` / ``extract_file``: route by kind (HTML, PDF, DOCX, DOC), then fill and judge."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from extraction.agency import agency_from, region_from
from extraction.dates import parse_date
from extraction.decoding import decode_html
from extraction.documents import DocumentError, doc_lines, docx_lines, pdf_lines, sniff_kind
from extraction.htmlpage import is_chrome_line, parse_page
from extraction.metadata import clean_value
from extraction.normalization import has_mojibake, normalize_text, unrepaired
from extraction.patterns import CHALLENGE_MARKERS
from extraction.report import Attachment, Report
from extraction.sections import compilation_titles, parse_sections, starts_outline
from extraction.titles import classify_title, report_year

MAX_BODY_BYTES = 60 * 1024 * 1024
_CONTENT_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
                  "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "doc": "application/msword"}


def _first_title_line(lines: list[str]) -> str:
    for line in lines[:10]:
        if 6 <= len(line) <= 60 and not re.search(r"[。，,；;]", line) and not starts_outline(line) \
                and classify_title(line)[0]:
            return line
    return ""


def _text_lines(body: bytes) -> list[str]:
    """A plain text file: one paragraph a line already."""
    return [line.strip(" \t\u3000\u00a0•·") for line in decode_html(body).splitlines() if line.strip()]


def _from_document(kind: str, body: bytes) -> tuple[list[str], list[str]]:
    reader = {"pdf": pdf_lines, "docx": docx_lines, "doc": doc_lines, "text": _text_lines}[kind]
    try:
        return reader(body), []
    except DocumentError as exc:
        return [], [str(exc)]


def _judge(report: Report) -> None:
    """Set ``is_report`` and ``reason`` from content, title and compilation marks."""
    parts = compilation_titles(report.text)
    if len(parts) >= 2:
        report.is_report = False
        report.reason = f"compilation of {len(parts)} articles (第一篇…): not one agency's report"
        return
    if not report.text.strip():
        report.is_report = False
        report.reason = report.reason or "no text"
        return
    if not report.title:
        report.is_report = False
        report.reason = "no title to classify"
        return
    if any(m in report.text[:2000] for m in CHALLENGE_MARKERS) and len(report.text) < 1500:
        report.is_report = False
        report.reason = "challenge page, not content"
        return
    ok, why = classify_title(report.title)
    if not ok and not report.title and report.text:
        first = _first_title_line(report.text.splitlines())
        if first and classify_title(first)[0]:
            ok, why = classify_title(first)
    if ok and len(report.text) < 60 and not report.attachments:
        report.is_report = False
        report.reason = f"{why}: page too short to be the report"
        return
    report.is_report = ok
    report.reason = why


def extract_report(body: bytes | str, url: str | None = None, content_type: str | None = None,
                   page: Report | None = None) -> Report:
    """Read a page or attachment body into a Report; never raises on bad input (see ``warnings``)."""
    report = Report(url=url)
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if len(raw) > MAX_BODY_BYTES:
        report.warnings.append(f"body of {len(raw)} bytes truncated to {MAX_BODY_BYTES}")
        raw = raw[:MAX_BODY_BYTES]
    kind = "html" if isinstance(body, str) else sniff_kind(raw, url, content_type)
    list_page = False
    if not raw.strip():
        report.reason = "empty body"
        return report
    if kind == "binary":
        report.reason = "binary file of unknown type"
        return report
    if kind == "ofd":
        report.reason = "OFD document: no reader installed"
        report.warnings.append("OFD (GB/T 33190) attachments are not read; open it with an OFD reader")
        return report
    if kind == "html":
        text_html = body if isinstance(body, str) else decode_html(raw, content_type)
        parts = parse_page(text_html, url)
        lines = parts.lines
        list_page = parts.links >= 5 and parts.link_share > 0.5
        report.title = parts.title
        report.warnings.extend(parts.warnings)
        report.attachments = [Attachment(name=n, url=u) for n, u in parts.attachments]
        for fld in ("publisher", "index_no", "doc_no", "written", "published"):
            if fld in parts.fields:
                setattr(report, fld, clean_value(fld, parts.fields[fld]))
    else:
        lines, warnings = _from_document(kind, raw)
        report.warnings.extend(warnings)
        lines = [x for x in lines if not is_chrome_line(x)]
        report.title = _first_title_line(lines)
        if report.title:
            at = lines.index(report.title)
            if all(len(x) <= 40 for x in lines[:at]):  # furniture above the title (metadata values, 附件1)
                lines = lines[at + 1:]
    report.text = "\n".join(lines)
    if page is not None:
        _inherit(report, page)
    report.report_year = report_year(report.title) or (page.report_year if page else None)
    if report.report_year is None and classify_title(report.title)[0]:
        report.report_year = report_year(report.text[:300])
    if not report.published:
        report.published = parse_date(report.text[-200:]) if kind != "html" else None
    report.agency = report.agency or agency_from(report.title, report.publisher)
    report.region = report.region or region_from(report.agency)
    if has_mojibake(report.text):
        report.warnings.append("unofficial copy: mojibake (pinyin glosses or one-byte-off GBK) in the text")
        if unrepaired(report.text):
            report.warnings.append("mojibake: some garbled fragments could not be repaired")
    report.text_normalized = normalize_text(report.text)
    report.sections = parse_sections(report.text)
    _judge(report)
    if kind == "html" and list_page:
        report.is_report = False
        report.reason = "list page: mostly links"
    return report


def _inherit(report: Report, page: Report) -> None:
    """An attachment lacks metadata its linking page has: title, dates, publisher, agency, year."""
    if not report.title or not classify_title(report.title)[0]:
        report.title = page.title or report.title
    for fld in ("publisher", "index_no", "doc_no", "written", "published", "agency", "region", "report_year"):
        if getattr(report, fld) in (None, "") and getattr(page, fld) not in (None, ""):
            setattr(report, fld, getattr(page, fld))


def extract_file(path_or_url: str) -> Report:
    """Read a local file or fetch a URL, then ``extract_report``."""
    if path_or_url.startswith(("http://", "https://")):
        request = urllib.request.Request(path_or_url, headers={"User-Agent": "fazhi-archive"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - user-given URL
            body = response.read(MAX_BODY_BYTES + 1)
            return extract_report(body, url=response.geturl(), content_type=response.headers.get("Content-Type"))
    path = Path(path_or_url)
    body = path.read_bytes()
    ext = path.suffix.lower().lstrip(".")
    return extract_report(body, url=path.resolve().as_uri(), content_type=_CONTENT_TYPES.get(ext))
