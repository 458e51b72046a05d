"""One document of the sample network: what it is, where it lives, and how its text reads on a date.

Below ``network`` (the catalogue of the four portals) and ``lingnan`` (the opt-in gkmlpt portal's
documents), which both build ``Document``s: neither has to import the other for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, replace

from sample_portal.agencies import Agency
from sample_portal.edits import SilentEdit

REPORT_KIND = "fazhi_report"


MACHINE_READ_FORMS = ("scan", "images")  # text a reader gets only by OCR


@dataclass(frozen=True)
class DataTable:
    """A table of figures in a report's body; in the text, one line a row, cells joined by spaces."""

    lead: str  # the paragraph the table follows
    rows: tuple[tuple[str, ...], ...]

    def lines(self) -> list[str]:
        return [" ".join(row) for row in self.rows]


_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"})


def printed(text: str) -> str:
    """The text as an office document prints it: Chinese punctuation full-width (，：；（）), where the
    portal's HTML copy has the half-width forms. A scan shows these; OCR reads them back."""
    return text.translate(_FULL_WIDTH)


@dataclass(frozen=True)
class Document:
    """One page of the network in all its versions."""

    doc_id: int
    portal: str
    column: str
    kind: str  # fazhi_report | gov_info_report | budget | news
    agency: Agency
    year: int
    title: str
    published: dt.date
    url_path: str
    original_text: str
    edit: SilentEdit | None = None
    attachment: str | None = None  # "pdf" | "docx" | "ofd": the body lives only in the attachment
    attachment_path: str | None = None
    form: str = "page"  # page | pdf | docx | ofd | scan | images (network.PUBLISHED_AS)
    table: DataTable | None = None
    image_stem: str | None = None  # the "images" form: pictures at {image_stem}_{n}.jpg

    def served(self, scans: bool) -> Document:
        """The document as a portal without ``scans`` serves it: a scan or a picture run is a page."""
        if scans or self.form not in MACHINE_READ_FORMS:
            return self
        return replace(self, form="page", attachment=None, attachment_path=None, image_stem=None)

    def text_at(self, as_of: dt.date) -> str:
        """The body as served on ``as_of`` (the edit applies from its date on); a scanned document's as
        it is printed (``printed``)."""
        text = self.original_text
        if self.edit is not None and self.edit.on <= as_of:
            text = self.edit.apply(text)
        return printed(text) if self.form in MACHINE_READ_FORMS else text

    def edited_on(self, as_of: dt.date) -> dt.date | None:
        return self.edit.on if self.edit is not None and self.edit.on <= as_of else None

    def last_modified(self, as_of: dt.date) -> dt.date:
        return self.edited_on(as_of) or self.published

    @property
    def index_no(self) -> str:
        code = hashlib.md5(self.agency.key.encode()).hexdigest()[:6].upper()
        return f"11{code}/{self.published.year}-{self.doc_id % 100000:05d}"

    @property
    def doc_no(self) -> str:
        if self.kind == "news":
            return "无"
        short = self.agency.short
        prefix = (
            self.agency.region[0] + "政"
            if short.endswith("政府")
            else short.removeprefix("县").removeprefix("市")
        )
        return f"{prefix}〔{self.published.year}〕{self.doc_id % 97 + 1}号"

    @property
    def topic(self) -> str:
        return {
            "fazhi_report": "综合政务/其他",
            "gov_info_report": "综合政务/政务公开",
            "budget": "财政、金融、审计/财政",
        }.get(self.kind, "综合政务/政务动态")


def publication_date(key: str, year: int, first_day: dt.date, span_days: int) -> dt.date:
    """A document's publication day: the same on every run, spread over ``span_days`` from ``first_day``."""
    rng = random.Random(f"published:{key}:{year}")
    return first_day + dt.timedelta(days=rng.randrange(span_days))
