"""``DIR/feed.atom``: what the archive caught, for a feed reader — new reports, revisions, removals, dropped plans.

A subscriber wants to hear once about each thing: every entry's id is made from archive ids (a
document, a version) or a plan's stable id (``diffing.outline.commitment_id``), never from the build
time, so rebuilding the site after the next crawl adds entries and a reader shows only those. Links
are relative to the feed (they resolve wherever the site is put); with ``site_url`` they are absolute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from feedgen.feed import FeedGenerator

from report.desk import Desk
from report.pages import AgencyPage, version_anchor
from report.vocabulary import PLAN_LABELS

FEED_NAME = "feed.atom"
ID_PREFIX = "tag:fazhi-archive,2024:"
# A reader only needs the recent past; the site has the rest.
MAX_ENTRIES = 500


@dataclass(frozen=True)
class FeedEntry:
    id: str
    kind: str  # new_report / revision / removal / dropped_plan
    title: str
    link: str  # relative to the site's root
    updated: str  # ISO 8601, UTC
    summary: str


def _when(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def sorted_entries(entries: list[FeedEntry], desk: Desk) -> list[FeedEntry]:
    """``entries`` (of :func:`agency_entries`) and the dropped plans on the desk, newest first."""
    entries = list(entries)
    for row in desk.plans:
        for item in row.dropped:
            entries.append(FeedEntry(
                f"{ID_PREFIX}dropped/{row.agency_id}/{row.year}/{item.id}", "dropped_plan",
                f"{PLAN_LABELS['dropped']}的计划：{row.agency} {row.old_year}→{row.year}", row.page,
                row.first_seen or "", item.text,
            ))  # fmt: skip
    return newest_entries(entries, len(entries))


def newest_entries(entries: list[FeedEntry], keep: int = MAX_ENTRIES) -> list[FeedEntry]:
    """The newest ``keep`` of ``entries``, newest first (ids are unique: one order, however they were gathered)."""
    return sorted(entries, key=lambda e: (_when(e.updated), e.id), reverse=True)[:keep]


def agency_entries(agency: AgencyPage) -> list[FeedEntry]:
    """One agency's new reports, revisions and removals (a build keeps these, not the agency)."""
    entries: list[FeedEntry] = []
    for doc in agency.documents:
        first = doc.versions[0]
        entries.append(FeedEntry(
            f"{ID_PREFIX}document/{doc.id}", "new_report", f"新报告：{agency.name} {doc.year} 年度 · {doc.title}",
            f"documents/{doc.id}.html", first.first_seen or "", f"存档首次发现于 {first.first_seen}。",
        ))  # fmt: skip
        for number, version in enumerate(doc.versions[1:], 2):
            if version.copy:  # another portal's copy, not an edit (archive.copies)
                continue
            modified = doc.last_modified(version)
            entries.append(FeedEntry(
                f"{ID_PREFIX}version/{version.id}", "revision",
                f"发布后修改：{agency.name} {doc.year} 年度报告第 {number} 版", version_anchor(doc.id, version.id),
                version.first_seen or "",
                f"存档于 {version.first_seen} 发现新版本" + (f"，服务器标注修改时间 {modified}" if modified else "") + "。",
            ))  # fmt: skip
        if doc.removed_at:
            entries.append(FeedEntry(
                f"{ID_PREFIX}removed/{doc.id}/{doc.removed_at}", "removal",
                f"已撤下：{agency.name} {doc.year} 年度 · {doc.title}", f"documents/{doc.id}.html", doc.removed_at,
                f"{doc.removed_at} 的完整抓取中原网址已找不到这份报告；存档中的版本仍然保留。",
            ))  # fmt: skip
    return entries


def write_feed(path: Path, entries: list[FeedEntry], generated: str | None, site_url: str | None = None) -> Path:
    """Write the Atom feed of ``entries`` (the newest MAX_ENTRIES) to ``path``."""
    base = (site_url.rstrip("/") + "/") if site_url else ""
    feed = FeedGenerator()
    feed.id(f"{ID_PREFIX}feed")
    feed.title("法治政府建设年度报告存档：新报告、发布后修改、撤下与未再提及的计划")
    feed.author({"name": "fazhi-archive"})
    feed.language("zh-CN")
    feed.link(href=f"{base}{FEED_NAME}", rel="self")
    feed.link(href=f"{base}index.html", rel="alternate")
    shown = entries[:MAX_ENTRIES]
    feed.updated(max((_when(e.updated) for e in shown), default=_when(generated)))
    for e in shown:
        item = feed.add_entry(order="append")
        item.id(e.id)
        item.title(e.title)
        item.link(href=base + e.link, rel="alternate")
        item.updated(_when(e.updated))
        item.category(term=e.kind)
        item.summary(e.summary)
    feed.atom_file(str(path), pretty=True)
    return path
