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
from pathlib import Path
from typing import Any

from archive.readmodel import ArchiveReader, VersionRecord
from diffing.commitments import match_commitments
from diffing.outline import commitments
from diffing.textdiff import TextDiff, _words, diff_texts
from diffing.yoy import YearOverYear, compare_years, sentence_keys
from extraction.report import Report
from extraction.sections import parse_sections
from report.pages import (
    AgencyPage,
    DocumentPage,
    OtherAgencies,
    Region,
    Revision,
    RevisionPlan,
    Totals,
    YearPair,
)  # fmt: skip
from report.render import stylesheet, template_environment
from report.vocabulary import UNKNOWN_REGION

# A silent edit after publication says more than the normal drift between two years' reports.
REVISION_WEIGHT = 10.0
FIGURE_WEIGHT = 3.0
# Below this many agencies, starting worker processes costs more than it saves.
PARALLEL_FROM = 32
# A promise that silently disappears is worth a changed figure.
DROPPED_WEIGHT = 3.0


def change_score(diff: TextDiff) -> float:
    """How much a diff matters: changed figures count most, then changed/inserted/deleted sentences."""
    s = diff.stats
    return FIGURE_WEIGHT * len(diff.figures) + s["changed"] + s["inserted"] + s["deleted"]


def load_agencies(reader: ArchiveReader) -> list[AgencyPage]:
    """Agencies with their reports (one per year) and each report's versions, oldest first."""
    versions = reader.versions(with_report=True)
    documents: dict[int, list[DocumentPage]] = {}
    for d in reader.documents():
        if versions.get(d.id):
            documents.setdefault(d.agency_id, []).append(DocumentPage.of(d, versions[d.id]))
    return [AgencyPage.of(a, documents[a.id]) for a in reader.agencies() if documents.get(a.id)]


def _analysable(version: VersionRecord, agency: str) -> Report:
    """The version's stored Report; one stored without sections (older archives) gets them from its text."""
    report = version.report(agency)
    if not report.sections:
        report.sections = parse_sections(report.text, report.report_year)
    return report


def _compute_diffs(agency: AgencyPage, shared_keys: Counter[str]) -> None:
    """Fill each report's revision diffs and year-over-year analysis, and the agency's score."""
    score = 0.0
    previous: DocumentPage | None = None
    others = OtherAgencies(shared_keys, agency.keys)
    for doc in agency.documents:
        for k in range(1, len(doc.versions)):
            old, new = doc.versions[k - 1], doc.versions[k]
            diff = diff_texts(old.text, new.text)
            # a silent edit to a promise is shown next to the changed figures, before the word diff
            # (after publication any rewording of a promise counts, even one too small to be "changed" year to year)
            plans = [
                RevisionPlan("changed" if m.status == "kept" else m.status, m.previous, m.current)
                for m in match_commitments(commitments(old.text), commitments(new.text))
                if m.status != "kept" or m.tokens
            ]
            doc.revisions.append(Revision(old, new, k, k + 1, diff, plans))
            score += REVISION_WEIGHT * change_score(diff)
        if previous is not None:
            old, new = previous.versions[-1], doc.versions[-1]
            diff = diff_texts(old.text, new.text)
            analysis: YearOverYear = compare_years(
                _analysable(old, agency.name), _analysable(new, agency.name), other_keys=others, agency=agency.name
            )
            doc.yoy = YearPair(previous.year, previous, diff, f"{agency.id}-{previous.year}-{doc.year}.html", analysis)
            score += change_score(diff) / 10 + DROPPED_WEIGHT * analysis.counts["dropped"] / 10
        previous = doc
    agency.score = score


def _shared_sentence_keys(agencies: list[AgencyPage]) -> Counter[str]:
    """How many agencies use each sentence key: one pass over the archive, not a pass per pair of agencies."""
    counts: Counter[str] = Counter()
    for agency in agencies:
        agency.keys = set().union(*(sentence_keys(d.versions[-1].text) for d in agency.documents))
        counts.update(agency.keys)
    return counts


def _group_by_region(agencies: list[AgencyPage]) -> list[Region]:
    regions: dict[str, list[AgencyPage]] = {}
    for a in sorted(agencies, key=lambda a: (-a.score, a.name)):
        regions.setdefault(a.region or UNKNOWN_REGION, []).append(a)
    ordered = sorted(regions.items(), key=lambda item: (-item[1][0].score, item[0]))
    return [Region(name, members) for name, members in ordered]


def _write(out: Path, relative: str, template: str, root: str, **context: Any) -> None:
    html = template_environment().get_template(template).render(root=root, **context)
    (out / relative).write_text(html, encoding="utf-8")


def _build_agency(agency: AgencyPage, shared_keys: Counter[str], out: Path, generated: str | None) -> AgencyPage:
    """Analyse one agency's reports and write its pages; returns it without texts or diffs (all the index needs)."""
    _compute_diffs(agency, shared_keys)
    _write(out, f"agencies/{agency.id}.html", "agency.html", "../", generated=generated, agency=agency)
    for doc in agency.documents:
        _write(
            out, f"documents/{doc.id}.html", "document.html", "../", generated=generated,
            agency=agency, doc=doc, versions=doc.versions, revisions=doc.revisions,
            latest_text=doc.versions[-1].text,
        )
        if doc.yoy:
            _write(
                out, f"agencies/{doc.yoy.page}", "yoy.html", "../", generated=generated,
                agency=agency, old_year=doc.yoy.old_year, new_year=doc.year,
                old_doc=doc.yoy.old_doc, new_doc=doc, diff=doc.yoy.diff, plans=doc.yoy.plans,
                analysis=doc.yoy.analysis,
            )
    for doc in agency.documents:
        doc.without_texts()
    agency.keys = set()
    return agency


# Set in each worker process by _start_worker: what every agency's pages need besides the agency.
_WORKER: dict[str, Any] = {}


def _start_worker(shared_keys: Counter[str], out: Path, generated: str | None) -> None:
    _WORKER.update(shared_keys=shared_keys, out=out, generated=generated)


def _build_in_worker(agency: AgencyPage) -> AgencyPage:
    return _build_agency(agency, _WORKER["shared_keys"], _WORKER["out"], _WORKER["generated"])


def _build_agencies(
    agencies: list[AgencyPage], shared_keys: Counter[str], out: Path, generated: str | None, workers: int
) -> list[AgencyPage]:
    """Agencies are independent once the shared sentence index exists: build them on every core."""
    if workers <= 1 or len(agencies) < PARALLEL_FROM:
        return [_build_agency(a, shared_keys, out, generated) for a in agencies]
    _words("预热")  # load jieba's dictionary once, before the workers fork
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    try:
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(shared_keys, out, generated)
        )
    except (OSError, NotImplementedError):  # no semaphores (some sandboxes): build in this process
        return [_build_agency(a, shared_keys, out, generated) for a in agencies]
    with pool:
        return list(pool.map(_build_in_worker, agencies, chunksize=8))


def build_report_site(db_path: str | Path, out_dir: str | Path, workers: int | None = None) -> Path:
    """Write the site for the archive at ``db_path`` into ``out_dir``; returns out_dir/index.html.

    ``workers`` processes build the agency pages (default: one per CPU, for large archives only).
    """
    out = Path(out_dir)
    with ArchiveReader(db_path) as reader:
        agencies = load_agencies(reader)
        generated = reader.last_seen()
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    (out / "documents").mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(stylesheet(), encoding="utf-8")
    shared_keys = _shared_sentence_keys(agencies)
    agencies = _build_agencies(agencies, shared_keys, out, generated, workers or os.cpu_count() or 1)

    documents = [d for a in agencies for d in a.documents]
    totals = Totals(len(agencies), len(documents), sum(d.version_count for d in documents),
                    sum(d.revised for d in documents))  # fmt: skip
    _write(out, "index.html", "index.html", "", generated=generated, regions=_group_by_region(agencies), totals=totals)
    return out / "index.html"
