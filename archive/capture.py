"""One HTTP fetch as the archive keeps it, whatever its outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

# What a fetch turned out to be. Only ``ok`` captures can ever become versions of a report.
OUTCOMES = ("ok", "not_modified", "blocked", "soft_404", "error")


@dataclass
class Capture:
    url: str
    fetched_at: str  # ISO 8601 UTC, e.g. 2025-04-30T08:00:00Z
    status: int | None  # HTTP status; None when no response came back
    outcome: str  # one of OUTCOMES
    body: bytes = b""
    final_url: str | None = None  # after redirects
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    portal: str | None = None  # portal key or start URL the crawl came from
    parent_url: str | None = None  # the report page an attachment was linked from
    error: str | None = None  # why, for blocked / soft_404 / error
    # What the crawl fetched it as: "listing" (a list or home page), "report" (a report page) or
    # "attachment"; None when not known. Tells a report page that failed extraction from a list page.
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown capture outcome {self.outcome!r}; expected one of {OUTCOMES}")
