"""``extract_report`` / ``extract_file``: route by kind (HTML, PDF, DOCX, DOC), then fill and judge."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

from extraction.agency import agency_from, region_from
from extraction.blocking import classify_response
from extraction.dates import parse_date
from extraction.decoding import decode_html
from extraction.documents import (
    DocumentError,
    DocumentText,
    check_text_size,
    doc_lines,
    docx_lines,
    image_text,
    pdf_text,
    sniff_kind,
)
from extraction.htmlpage import is_chrome_line, parse_page
from extraction.limits import MAX_BODY_BYTES, MAX_DOCUMENT_BYTES, megabytes, too_large
from extraction.markup import remove_controls
from extraction.metadata import clean_value
from extraction.normalization import has_mojibake, normalize_text, unrepaired
from extraction.ofd import ofd_text
from extraction.patterns import CHALLENGE_MARKERS
from extraction.report import Attachment, Report
from extraction.sections import compilation_titles, parse_sections, starts_outline
from extraction.titles import classify_title, report_year

_CONTENT_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
                  "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "doc": "application/msword"}


def _looks_like_title(line: str) -> bool:
    return 6 <= len(line) <= 60 and not re.search(r"[。，,；;：:]", line) and not starts_outline(line) \
        and classify_title(line)[0]


_TITLE_ENDINGS = ("报告", "总结", "汇报", "情况", "要点", "计划")


def _title_lines(lines: list[str]) -> tuple[str, int]:
    """The document's title and how many lines it takes: a long title wraps over two or three
    centred lines ("…工作情况" / "报告"), which the layout makes separate paragraphs. A short next
    line is taken only when the title visibly goes on: it ends the way titles end, the line before not."""
    for at, line in enumerate(lines[:10]):
        if not _looks_like_title(line):
            continue
        used = 1
        while used < 3 and at + used < len(lines) and not "".join(lines[at:at + used]).endswith(_TITLE_ENDINGS[:2]):
            joined = "".join(lines[at:at + used + 1])
            if len(lines[at + used]) > 20 or not joined.endswith(_TITLE_ENDINGS) or not _looks_like_title(joined):
                break
            used += 1
        return "".join(lines[at:at + used]), used
    return "", 0


def _text_lines(body: bytes) -> list[str]:
    """A plain text file: one paragraph a line already."""
    return [line.strip(" \t\u3000\u00a0•·") for line in decode_html(body).splitlines() if line.strip()]


def _from_document(kind: str, body: bytes) -> tuple[DocumentText, str | None]:
    """Paragraphs and warnings of an attachment, and why it could not be read (None when it could)."""
    readers = {"pdf": pdf_text, "image": image_text, "ofd": ofd_text,
               "docx": lambda b: DocumentText(docx_lines(b)), "doc": lambda b: DocumentText(doc_lines(b)),
               "text": lambda b: DocumentText(_text_lines(b))}  # fmt: skip
    try:
        return readers[kind](body), None
    except DocumentError as exc:
        return DocumentText([], [str(exc)]), str(exc)


# Reasons that say the input is not a readable document at all (a damaged file, an empty or binary
# body, a challenge page): ``fazhi extract`` fails on them instead of printing an empty text.
UNREADABLE_REASONS = ("empty body", "empty file", "binary file of unknown type", "challenge page", "not found page",
                      "not parseable as HTML")


def unreadable(report: Report) -> str | None:
    """What is wrong with the input when it could not be read as a page or document, else None."""
    reason = report.reason or ""
    if reason.startswith(UNREADABLE_REASONS) or (reason and any(w == reason for w in report.warnings)):
        return reason  # a reader's DocumentError is both the reason and a warning
    return None


def judge(report: Report) -> None:
    """Set ``is_report`` and ``reason`` from content, title and compilation marks."""
    parts = compilation_titles(report.text)
    if len(parts) >= 2:
        report.is_report = False
        report.reason = f"compilation of {len(parts)} articles (第一篇…): not one agency's report"
        return
    if not report.text.strip():
        report.is_report = False
        report.reason = report.reason or ("published as pictures of its pages: the text is in the images"
                                          if report.page_images else "no text")
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
    if ok and len(report.text) < 60 and not report.attachments:
        report.is_report = False
        report.reason = f"{why}: page too short to be the report"
        return
    report.is_report = ok
    report.reason = why


def extract_report(body: bytes | str, url: str | None = None, content_type: str | None = None,
                   page: Report | None = None) -> Report:
    """Read a page or attachment body into a Report; bad input gives a reason and ``warnings``.

    Raises ``ExtractionLimit`` (a one-line reason) for a file past a limit of ``extraction.limits``:
    an office zip that inflates too far, too many PDF pages, too much text, too big a document.
    """
    report = Report(url=url)
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    kind = "html" if isinstance(body, str) else sniff_kind(raw, url, content_type)
    if len(raw) > MAX_BODY_BYTES and kind in ("html", "text"):
        report.warnings.append(f"truncated: body of {len(raw):,} bytes cut to {megabytes(MAX_BODY_BYTES)}")
        raw = raw[:MAX_BODY_BYTES]
        body = raw
    elif len(raw) > MAX_DOCUMENT_BYTES:
        raise too_large(f"{kind.upper()} file of {len(raw):,} bytes,", f"more than {megabytes(MAX_DOCUMENT_BYTES)}")
    list_page = False
    if not raw.strip():
        report.reason = "empty body"
        return report
    if kind == "binary":
        report.reason = "binary file of unknown type"
        return report
    if kind == "html":
        text_html = body if isinstance(body, str) else decode_html(raw, content_type)
        parts = parse_page(text_html, url)
        if "not parseable as HTML" in parts.warnings:
            report.reason = "not parseable as HTML"
        lines = parts.lines
        list_page = parts.links >= 5 and parts.link_share > 0.5
        report.title = parts.title
        report.warnings.extend(parts.warnings)
        report.attachments = [Attachment(name=n, url=u) for n, u in parts.attachments]
        report.page_images = parts.images
        for fld in ("publisher", "index_no", "doc_no", "written", "published"):
            if fld in parts.fields:
                setattr(report, fld, clean_value(fld, parts.fields[fld]))
    else:
        read, failure = _from_document(kind, raw)
        report.reason = failure or ""
        lines = read.lines
        report.warnings.extend(read.warnings)
        report.continues_page = read.continues
        lines = [x for x in lines if not is_chrome_line(x)]
        report.title, used = _title_lines(lines)
        if report.title:
            at = next(i for i in range(len(lines)) if "".join(lines[i:i + used]) == report.title)
            if all(len(x) <= 40 for x in lines[:at]):  # furniture above the title (metadata values, 附件1)
                lines = lines[at + used:]
                report.continues_page = False
    report.text = "\n".join(lines)
    check_text_size(len(report.text), kind.upper())
    if page is not None:
        _inherit(report, page)
    report.report_year = report_year(report.title) or (page.report_year if page else None)
    if report.report_year is None and classify_title(report.title)[0]:
        report.report_year = report_year(report.text[:300])
    if not report.published:
        report.published = parse_date(report.text[-200:]) if kind != "html" else None
    report.agency = report.agency or agency_from(report.title, report.publisher)
    report.region = report.region or region_from(report.agency)
    _remove_controls(report)
    if has_mojibake(report.text):
        report.warnings.append("unofficial copy: mojibake (pinyin glosses or one-byte-off GBK) in the text")
        if unrepaired(report.text):
            report.warnings.append("mojibake: some garbled fragments could not be repaired")
    report.text_normalized = normalize_text(report.text)
    report.sections = parse_sections(report.text)
    judge(report)
    if kind == "html" and list_page:
        report.is_report = False
        report.reason = "list page: mostly links"
    return report


def _remove_controls(report: Report) -> None:
    """No control character (ESC, NUL, C1 …) in the text or any field: they reach terminals and logs."""
    for f in fields(report):
        value = getattr(report, f.name)
        if isinstance(value, str):
            setattr(report, f.name, remove_controls(value))
    report.warnings = [remove_controls(w) for w in report.warnings]
    report.page_images = [remove_controls(u) for u in report.page_images]
    for attachment in report.attachments:
        attachment.name = remove_controls(attachment.name)
        attachment.url = remove_controls(attachment.url)


def _inherit(report: Report, page: Report) -> None:
    """An attachment lacks metadata its linking page has: title, dates, publisher, agency, year."""
    if not report.title or not classify_title(report.title)[0]:
        report.title = page.title or report.title
    for fld in ("publisher", "index_no", "doc_no", "written", "published", "agency", "region", "report_year"):
        if getattr(report, fld) in (None, "") and getattr(page, fld) not in (None, ""):
            setattr(report, fld, getattr(page, fld))


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib's own handler also follows one to ftp:)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's signature
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-web URL refused: {newurl[:80]}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_WEB_OPENER = urllib.request.OpenerDirector()
for _handler in (urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(), _WebOnlyRedirects(),
                 urllib.request.HTTPErrorProcessor(), urllib.request.HTTPDefaultErrorHandler()):
    _WEB_OPENER.add_handler(_handler)
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def extract_file(path_or_url: str) -> Report:
    """Read a local file or fetch an http(s) URL, then ``extract_report``.

    Any other URL scheme (``file:``, ``ftp:``, ``data:`` …) is refused with ``ValueError``: only a path
    given as a path is read from disk.
    """
    scheme = _URL_SCHEME.match(path_or_url)
    if scheme and scheme.group(1).lower() in ("http", "https"):
        request = urllib.request.Request(path_or_url, headers={"User-Agent": "fazhi-archive"})
        with _WEB_OPENER.open(request, timeout=30) as response:
            body = response.read(MAX_BODY_BYTES + 1)
            content_type = response.headers.get("Content-Type")
            return _said_blocked(extract_report(body, url=response.geturl(), content_type=content_type),
                                 body, content_type)
    if scheme and len(scheme.group(1)) > 1:  # "C:" is a Windows drive, not a scheme
        raise ValueError(f"only http(s) URLs are fetched, not {scheme.group(1)}: URLs")
    path = Path(path_or_url)
    body = path.read_bytes()
    ext = path.suffix.lower().lstrip(".")
    report = extract_report(body, url=path.resolve().as_uri(), content_type=_CONTENT_TYPES.get(ext))
    if report.reason == "empty body":
        report.reason = f"empty file ({len(body)} bytes{', only white space' if body else ''})"
    return _said_blocked(report, body, _CONTENT_TYPES.get(ext))


def _said_blocked(report: Report, body: bytes, content_type: str | None) -> Report:
    """A page that is not a report is checked as the crawler checks a response: a saved WAF challenge
    or "page not found" page says so in its reason (a crawl never extracts those)."""
    if report.is_report or unreadable(report) or sniff_kind(body, report.url, content_type) != "html":
        return report
    outcome, why = classify_response(200, {"content-type": content_type or ""}, body, report.url or "", None)
    if outcome == "blocked":
        report.reason = f"challenge page, not content: {why}"
    elif outcome == "soft_404":
        report.reason = f"not found page: {why}"
    return report
