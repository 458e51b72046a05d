"""A rendered page, and what every CMS style's pages are rendered with.

Below ``pages`` (the TRS, Hanweb and old-site styles) and ``gkmlpt_pages`` (the opt-in gkmlpt
portal), which both render with these: neither has to import the other for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sample_portal.document import Document

NETWORK_EPOCH = dt.date(2019, 1, 1)

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    last_modified: dt.date


def html_page(template: str, encoding: str = "utf-8", **context: object) -> bytes:
    """Render and encode; pages that declare gb2312 are encoded as gb18030, as such servers do."""
    text = _ENV.get_template(template).render(**context)
    return text.encode("gb18030" if encoding == "gb2312" else encoding)


def publication_time(doc: Document) -> str:
    """When the CMS says the document went up: its day, at a working hour that stays the same."""
    minutes = doc.doc_id * 37 % 540
    return f"{doc.published.isoformat()} {8 + minutes // 60:02d}:{minutes % 60:02d}"


def hit_count(doc: Document) -> int:
    """The visit counter a page shows (浏览次数), the same on every run."""
    return 200 + doc.doc_id * 131 % 4800

