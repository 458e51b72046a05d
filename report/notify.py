"""One message at the end of a crawl naming what it archived that is new: new reports, revisions, removals.

Subscribers of a scheduled crawl want to hear when something happened, and only then: nothing is
sent when the crawl found nothing new. The message goes through apprise, so one setting reaches
email, a webhook, WeCom, DingTalk, Telegram … (``-s FAZHI_NOTIFY=URL[,URL…]``, apprise URL syntax).
``crawler/notify.py`` calls :func:`notify_crawl` when a local crawl closes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from archive.readmodel import ArchivedEvent, ArchiveReader

logger = logging.getLogger(__name__)

KIND_HEADINGS = {"new_report": "新报告", "revision": "发布后修改", "removal": "已撤下"}
# A message names at most this many items per kind; the rest are counted.
LISTED = 20


@dataclass(frozen=True)
class CrawlNews:
    events: list[ArchivedEvent]

    def __bool__(self) -> bool:
        return bool(self.events)

    def of(self, kind: str) -> list[ArchivedEvent]:
        return [e for e in self.events if e.kind == kind]

    @property
    def title(self) -> str:
        counts = [f"{KIND_HEADINGS[k]} {len(self.of(k))} 份" for k in KIND_HEADINGS if self.of(k)]
        return "法治政府建设年度报告存档：" + "，".join(counts)

    @property
    def body(self) -> str:
        lines: list[str] = []
        for kind, heading in KIND_HEADINGS.items():
            found = self.of(kind)
            if not found:
                continue
            lines.append(f"{heading}（{len(found)} 份）：")
            for e in found[:LISTED]:
                number = f" 第 {e.version_number} 版" if e.version_number else ""
                lines.append(f"- {e.agency or '未知单位'} {e.report_year or ''} 年度{number}：{e.title or ''} {e.url or ''}".rstrip())
            if len(found) > LISTED:
                lines.append(f"- 另有 {len(found) - LISTED} 份")
        return "\n".join(lines)


def crawl_news(db: str | Path, since: str) -> CrawlNews:
    """What the archive at ``db`` gained since ``since`` (the crawl's start, as an archive timestamp)."""
    with ArchiveReader(db) as reader:
        return CrawlNews(reader.events_since(since))


def parse_targets(setting: str | list[str] | None) -> list[str]:
    """``URL[,URL…]`` (or a list, as Scrapy's getlist gives it) → apprise URLs."""
    if not setting:
        return []
    parts = setting if isinstance(setting, list) else setting.split(",")
    return [p.strip() for p in parts if p.strip()]


def send(targets: list[str], news: CrawlNews) -> bool:
    """Send ``news`` to every target; False (and a logged warning) when apprise cannot reach one."""
    import apprise

    notifier = apprise.Apprise()
    for target in targets:
        if not notifier.add(target):
            logger.warning("FAZHI_NOTIFY: apprise does not understand %r; not notified there", target)
    if not len(notifier):
        return False
    sent = bool(notifier.notify(title=news.title, body=news.body))
    if not sent:
        logger.warning("FAZHI_NOTIFY: the message could not be delivered to every target")
    return sent


def notify_crawl(db: str | Path, since: str, targets: list[str]) -> CrawlNews:
    """Tell ``targets`` what the crawl that started at ``since`` archived; nothing is sent when that is nothing."""
    news = crawl_news(db, since)
    if news and targets:
        send(targets, news)
    return news
