"""The plain data type that extraction hands to the archive and to diffing.

Kept free of any parsing logic so every stage can import it without pulling in lxml or Scrapy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Attachment:
    """A file linked from a report page (PDF, DOC, DOCX, WPS, OFD …)."""

    name: str
    url: str


@dataclass
class Section:
    """One heading of the report's outline and the text under it.

    ``part`` says which of the rule's required parts the section belongs to: ``achievements``,
    ``leadership`` (the principal leader's 第一责任人 duties), ``shortcomings``, ``plans`` or ``other``.
    """

    marker: str  # 一、 / (一) / 1. / 一是 / 第一篇
    title: str
    level: int  # 1 for 一、, 2 for (一), 3 for 1. …
    part: str
    text: str


@dataclass
class Report:
    """What one page (or attachment) says, cleaned of portal chrome.

    ``is_report`` is False, with ``reason``, for anything that is not an annual rule-of-law
    government report: a 政府信息公开工作年度报告, a news item, a list page, a WAF challenge, a
    compilation of several reports.
    """

    title: str = ""
    text: str = ""
    text_normalized: str = ""
    url: str | None = None
    publisher: str | None = None
    index_no: str | None = None
    doc_no: str | None = None
    written: str | None = None  # ISO date
    published: str | None = None  # ISO date
    report_year: int | None = None
    agency: str | None = None
    region: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    page_images: list[str] = field(default_factory=list)  # a report published as pictures of its pages
    continues_page: bool = False  # its text begins inside a paragraph of the page before (a scanned page)
    is_report: bool = False
    reason: str = ""
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        data = dict(data)
        data["attachments"] = [Attachment(**a) for a in data.get("attachments") or []]
        data["sections"] = [Section(**s) for s in data.get("sections") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
