"""Links from a version page to the archived original: a replay of the capture in a web-archive player.

A reviewer who doubts a diff wants the page as the server sent it. The WARC files hold it; a
replay system (pywb, ReplayWeb.page over ``fazhi export --format wacz``) shows it. Where that
system lives is the reader's choice, given as a URL template in ``FAZHI_REPLAY_URL`` (or
``build_report_site(replay_url=…)``) with the fields ``{url}`` (the captured URL, as is),
``{timestamp}`` (14 digits, pywb's and the Wayback Machine's form), ``{date}`` (ISO) and
``{sha256}`` of the body — e.g. ``http://localhost:8080/fazhi/{timestamp}/{url}`` for a pywb
collection named ``fazhi``.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

from archive.readmodel import CaptureRecord

REPLAY_ENV = "FAZHI_REPLAY_URL"
FIELDS = frozenset({"url", "timestamp", "date", "sha256"})


def warc_timestamp(fetched_at: str) -> str:
    """``2024-04-15T08:59:22Z`` → ``20240415085922``, the 14-digit timestamp replay systems index by."""
    return re.sub(r"\D", "", fetched_at)[:14].ljust(14, "0")


class ReplayLinks:
    """The replay link of a capture from the configured template; no template, no links."""

    def __init__(self, template: str | None) -> None:
        self.template = (template or "").strip() or None
        if self.template is None:
            return
        used = {name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None}
        unknown = used - FIELDS
        if unknown:
            raise ValueError(
                f"{REPLAY_ENV}: unknown field(s) {', '.join(sorted(unknown))} (use {', '.join(sorted(FIELDS))})"
            )
        if not re.match(r"^https?://", self.template):
            raise ValueError(f"{REPLAY_ENV} must be an http(s) URL template, not {self.template!r}")

    def link(self, capture: CaptureRecord) -> str | None:
        if self.template is None:
            return None
        return self.template.format(
            url=quote(capture.url, safe=":/?&=%#~+;,@!$'()*[]"),
            timestamp=warc_timestamp(capture.fetched_at),
            date=capture.fetched_at,
            sha256=capture.sha256 or "",
        )
