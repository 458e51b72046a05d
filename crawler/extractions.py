"""Extraction results that travel: a Redis worker's reports, sent with its captures, checked by the writer.

A worker extracts what it fetched (its own cores, not the writer's) and sends each result keyed by
the job it answers — the body's digest, the URL, the content type and the report page an attachment
was read with — and by the version of the extractor that made it. The writer, which stays the
authority on what a capture becomes, takes a result only when its own job has the same key and its
own extractor the same version, and only once the report passes ``checked_report``; anything else
it extracts again itself. A worker without the archive cannot read an unchanged (304) page back, so
an attachment of such a page has a different job there: the writer simply extracts it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import extraction
from crawler.extractor import ExtractionJob
from extraction.report import Attachment, Report, Section

# The libraries whose versions change what extraction makes of a page.
EXTRACTION_LIBRARIES = (
    "trafilatura", "lxml", "beautifulsoup4", "charset-normalizer", "opencc-python-reimplemented",
    "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "rapidocr-onnxruntime", "onnxruntime", "pillow",
    "numpy",
)  # fmt: skip


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A digest of the extraction package's source and its libraries' versions: equal means same reports."""
    digest = hashlib.sha256()
    package = Path(extraction.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    for name in EXTRACTION_LIBRARIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing\0".encode())
    return digest.hexdigest()[:16]


def job_key(job: ExtractionJob) -> str:
    """What makes two extraction jobs the same job: body, URL, content type and the page it was read with."""
    page = ""
    if job.page is not None:
        page = hashlib.sha256(json.dumps(job.page.to_dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    parts = (hashlib.sha256(job.body).hexdigest(), job.url, job.content_type or "", page)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class ShippedExtraction:
    """One job's result as a worker sends it: a report (as a dict) or the reason extraction failed."""

    key: str
    version: str
    report: dict[str, Any] | None = None
    failure: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"key": self.key, "version": self.version, "report": self.report, "failure": self.failure}

    @classmethod
    def from_wire(cls, data: Any) -> ShippedExtraction:
        if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not isinstance(data.get("version"), str):
            raise ValueError("not a shipped extraction")
        failure = data.get("failure")
        report = data.get("report")
        if (report is None) == (failure is None) or not isinstance(failure, (str, type(None))):
            raise ValueError("a shipped extraction has a report or a failure, not both or neither")
        return cls(data["key"], data["version"], report, failure)


_STRINGS = ("title", "text", "text_normalized", "reason")
_OPTIONAL_STRINGS = ("url", "publisher", "index_no", "doc_no", "written", "published", "agency", "region")


def checked_report(data: Any) -> Report:
    """The Report a worker sent, field by field of the right type; ``ValueError`` when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("a report is an object")
    for name in _STRINGS:
        if not isinstance(data.get(name, ""), str):
            raise ValueError(f"report {name} is not text")
    for name in _OPTIONAL_STRINGS:
        if not isinstance(data.get(name), (str, type(None))):
            raise ValueError(f"report {name} is neither text nor empty")
    year = data.get("report_year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise ValueError("report year is not a number")
    if not isinstance(data.get("is_report", False), bool):
        raise ValueError("is_report is not true or false")
    warnings = data.get("warnings") or []
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise ValueError("warnings are not a list of text")
    attachments = [_fields(a, Attachment, _ATTACHMENT_FIELDS) for a in data.get("attachments") or []]
    sections = [_fields(s, Section, _SECTION_FIELDS) for s in data.get("sections") or []]
    report = Report.from_dict({**data, "attachments": [], "sections": []})
    report.attachments, report.sections = attachments, sections
    return report


# Field names and exact types (JSON gives exactly str and int; a bool is no int here): a report has
# dozens of sections, checked one by one, so the check is a key comparison and a few ``type() is``.
_ATTACHMENT_FIELDS = {"name": str, "url": str}
_SECTION_FIELDS = {"marker": str, "title": str, "level": int, "part": str, "text": str}


def _fields(data: Any, kind: type, types: dict[str, type]) -> Any:
    if type(data) is not dict or data.keys() != types.keys():
        raise ValueError(f"not a {kind.__name__}")
    for name, expected in types.items():
        if type(data[name]) is not expected:
            raise ValueError(f"{kind.__name__} {name} is not {expected.__name__}")
    return kind(**data)
