"""The static HTML report site built from the archive database.

Reads the archive through ``archive.readmodel`` (read-only; the site needs nothing but the DB file),
analyses each agency's reports with ``diffing`` and lays the results out as typed page models
(``report.pages``). Pages are plain HTML with one stylesheet and no external resources, so the site
works offline and from a file:// URL. All scraped text is escaped by Jinja2 autoescape.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.findings_db import write_findings_db
from archive.readmodel import ArchiveReader, CaptureRecord
from diffing.textdiff import _words
from report.analysis import analyse_agency, load_agencies, shared_sentence_keys
from report.desk import Desk, agency_desk
from report.evidence import REPLAY_ENV, ReplayLinks
from report.feed import FEED_NAME, feed_entries, write_feed
from report.findings import TABLES as FINDING_TABLES
from report.findings import agency_findings, unread_compliance_rows
from report.pages import AgencyPage, Region, Totals
from report.render import script, stylesheet, template_environment
from report.search_index import SearchDocument, write_search_index
from report.story import write_summary
from report.vocabulary import UNKNOWN_REGION

# Where the site will be served, for absolute links in the feed (optional: links are relative to it).
SITE_URL_ENV = "FAZHI_SITE_URL"
FINDINGS_DB = "findings.db"
# Below this many agencies, starting worker processes costs more than it saves.
PARALLEL_FROM = 32


@dataclass(frozen=True)
class SiteContext:
    """What every agency's pages need besides the agency: shared across worker processes."""

    out: Path
    generated: str | None
    shared_keys: Counter[str]
    replay: ReplayLinks


def _group_by_region(agencies: list[AgencyPage]) -> list[Region]:
    """Regions, and agencies in them, with the most reports revised after publication first, then most plans dropped."""
    regions: dict[str, list[AgencyPage]] = {}
    for a in sorted(agencies, key=lambda a: (-a.revised_count, -a.dropped_count, a.name)):
        regions.setdefault(a.region or UNKNOWN_REGION, []).append(a)
    ordered = sorted(regions.items(), key=lambda item: (-item[1][0].revised_count, -item[1][0].dropped_count, item[0]))
    return [Region(name, members) for name, members in ordered]


def _write(out: Path, relative: str, template: str, root: str, **context: Any) -> None:
    html = template_environment().get_template(template).render(root=root, **context)
    (out / relative).write_text(html, encoding="utf-8")


def _build_agency(agency: AgencyPage, context: SiteContext) -> AgencyPage:
    """Analyse one agency's reports and write its pages; returns it without texts or diffs (all the index needs)."""
    out, generated = context.out, context.generated
    analyse_agency(agency, context.shared_keys)
    _write(out, f"agencies/{agency.id}.html", "agency.html", "../", generated=generated, agency=agency)
    for doc in agency.documents:
        _write(
            out, f"documents/{doc.id}.html", "document.html", "../", generated=generated,
            agency=agency, doc=doc, versions=doc.versions, revisions=doc.revisions,
            latest_text=doc.current.text,
        )
        for number, version in enumerate(doc.versions, 1):
            _write(
                out, f"versions/{version.id}.html", "version.html", "../", generated=generated,
                agency=agency, doc=doc, version=version, number=number,
                captures=[(c, context.replay.link(c)) for c in doc.captures.get(version.id, [])],
            )
        if doc.yoy:
            _write(
                out, f"agencies/{doc.yoy.page}", "yoy.html", "../", generated=generated,
                agency=agency, old_year=doc.yoy.old_year, new_year=doc.year,
                old_doc=doc.yoy.old_doc, new_doc=doc, diff=doc.yoy.diff, plans=doc.yoy.plans,
                analysis=doc.yoy.analysis,
            )
    agency.desk = agency_desk(agency)
    agency.findings = agency_findings(agency)
    for doc in agency.documents:
        doc.without_texts()
    agency.keys = set()
    return agency


def _search_documents(agencies: list[AgencyPage]) -> list[SearchDocument]:
    """Every version as the site search lists it (search.js orders the results)."""
    return [
        SearchDocument(agency.name, agency.region or UNKNOWN_REGION, doc.year, doc.title, f"versions/{v.id}.html",
                       number, doc.version_count, v.text)  # fmt: skip
        for agency in agencies
        for doc in agency.documents
        for number, v in enumerate(doc.versions, 1)
    ]


# Set in each worker process by _start_worker.
_WORKER: dict[str, SiteContext] = {}


def _start_worker(context: SiteContext) -> None:
    _WORKER["context"] = context


def _build_in_worker(agency: AgencyPage) -> AgencyPage:
    return _build_agency(agency, _WORKER["context"])


def _build_agencies(agencies: list[AgencyPage], context: SiteContext, workers: int) -> list[AgencyPage]:
    """Agencies are independent once the shared sentence index exists: build them on every core."""
    if workers <= 1 or len(agencies) < PARALLEL_FROM:
        return [_build_agency(a, context) for a in agencies]
    _words("预热")  # load jieba's dictionary once, before the workers fork
    mp_context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    try:
        pool = ProcessPoolExecutor(workers, mp_context=mp_context, initializer=_start_worker, initargs=(context,))
    except (OSError, NotImplementedError):  # no semaphores (some sandboxes): build in this process
        return [_build_agency(a, context) for a in agencies]
    with pool:
        return list(pool.map(_build_in_worker, agencies, chunksize=8))


def _write_search(out: Path, agencies: list[AgencyPage], generated: str | None) -> None:
    searchable = _search_documents(agencies)
    write_search_index(out, searchable)
    (out / "search.js").write_text(script("search.js"), encoding="utf-8")
    _write(out, "search.html", "search.html", "", generated=generated, count=len(searchable))


def _write_across_agencies(
    out: Path, agencies: list[AgencyPage], unread: list[CaptureRecord], generated: str | None
) -> None:
    """What reads every agency at once: the index and its desk, the feed, the findings, the summary."""
    documents = [d for a in agencies for d in a.documents]
    totals = Totals(len(agencies), len(documents), sum(d.version_count for d in documents),
                    sum(d.revised for d in documents))  # fmt: skip
    desk = Desk.gather([a.desk for a in agencies if a.desk], unread)
    _write(out, "index.html", "index.html", "", generated=generated, regions=_group_by_region(agencies),
           totals=totals, desk=desk)  # fmt: skip
    write_feed(out / FEED_NAME, feed_entries(agencies, desk), generated, os.environ.get(SITE_URL_ENV))
    findings = {table: [row for a in agencies for row in a.findings.get(table, [])] for table in FINDING_TABLES}
    findings["compliance"] += unread_compliance_rows(unread)
    write_findings_db(out / FINDINGS_DB, findings, FINDING_TABLES)
    write_summary(out, desk, totals)


def build_report_site(
    db_path: str | Path, out_dir: str | Path, workers: int | None = None, replay_url: str | None = None
) -> Path:
    """Write the site for the archive at ``db_path`` into ``out_dir``; returns out_dir/index.html.

    ``workers`` processes build the agency pages (default: one per CPU, for large archives only).
    ``replay_url`` (default: the ``FAZHI_REPLAY_URL`` environment variable) is the template of a link
    to replay each capture (report.evidence.ReplayLinks).
    """
    out = Path(out_dir)
    replay = ReplayLinks(replay_url if replay_url is not None else os.environ.get(REPLAY_ENV))
    with ArchiveReader(db_path) as reader:
        agencies = load_agencies(reader)
        unread, generated = reader.unreadable_report_urls(), reader.last_seen()
    for folder in ("agencies", "documents", "versions"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(stylesheet(), encoding="utf-8")
    (out / "desk.js").write_text(script("desk.js"), encoding="utf-8")
    _write_search(out, agencies, generated)
    context = SiteContext(out, generated, shared_sentence_keys(agencies), replay)
    agencies = _build_agencies(agencies, context, workers or os.cpu_count() or 1)
    _write_across_agencies(out, agencies, unread, generated)
    return out / "index.html"
