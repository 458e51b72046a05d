"""The static HTML report site built from the archive database.

Reads the archive tables directly (schema in docs/CONTRACTS.md §3) so the site needs nothing but
the DB file. Pages are plain HTML with one stylesheet: no JavaScript, no external resources, so the
site works offline and from a file:// URL. All scraped text is escaped by Jinja2 autoescape.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.versions import report_from_json
from diffing.chart import ChartPoint, commitments_chart
from diffing.compare import revision_edits
from diffing.render import stylesheet, template_environment
from diffing.sections import as_report
from diffing.textdiff import TextDiff, _words, diff_texts
from diffing.yoy import (
    ComplianceFinding,
    YearOverYear,
    compare_years,
    missing_parts,
    missing_years,
    published_late,
    sentence_keys,
)
from extraction.report import Report

LEVEL_LABELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "district": "区级",
    "township": "乡镇",
    "subdistrict": "街道",
    "department": "部门",
}
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


@dataclass
class VersionRow:
    id: int
    text: str
    first_seen: str | None
    last_seen: str | None
    seen_count: int | None
    published: str | None
    report: Report | None = None  # as extraction made it (sections included), read from versions.report


@dataclass
class DocumentPage:
    id: int
    year: int
    title: str
    url: str | None
    first_seen: str | None
    last_seen: str | None
    removed_at: str | None
    versions: list[VersionRow]
    revisions: list[dict[str, Any]] = field(default_factory=list)
    yoy: dict[str, Any] | None = None
    compliance: list[ComplianceFinding] = field(default_factory=list)  # late, a required part missing

    @property
    def version_count(self) -> int:
        return len(self.versions)

    @property
    def revised(self) -> bool:
        return len(self.versions) > 1


class OtherAgencies:
    """Sentence keys used by at least one agency other than this one (template reuse), without an O(n²) scan.

    ``counts`` holds, for every sentence key, how many agencies' reports use it; an agency's own
    keys count once, so a key is someone else's when its count exceeds its own share.
    """

    def __init__(self, counts: Counter[str], own: set[str]) -> None:
        self.counts, self.own = counts, own

    def __contains__(self, key: object) -> bool:
        return self.counts.get(key, 0) > (1 if key in self.own else 0)  # type: ignore[arg-type]


@dataclass
class AgencyPage:
    id: int
    name: str
    level: str | None
    region: str | None
    documents: list[DocumentPage]
    score: float = 0.0
    keys: set[str] = field(default_factory=set)  # sentence keys of its reports, for template-reuse detection

    @property
    def chart(self) -> Any:
        points = [ChartPoint(f"{d.yoy['old_year']}→{d.year}", d.yoy["analysis"].counts) for d in self.documents if d.yoy]
        return commitments_chart(points)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level or "", self.level or "未知层级")


def _rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[sqlite3.Row]:
    return list(conn.execute(sql, params))


def _version_report(row: sqlite3.Row, document: sqlite3.Row, agency: str) -> Report:
    """The version's Report as stored (its sections are the report's structure), with the document's facts
    filling what it lacks (archives written by older versions, or by other tools, may have no report)."""
    report = report_from_json(row["report"], row["text"] or "", row["normalized"] or "")
    report.title = report.title or document["title"] or ""
    report.report_year = report.report_year or document["report_year"]
    report.agency = report.agency or agency
    report.published = report.published or row["published"]
    return report


def load_agencies(conn: sqlite3.Connection) -> list[AgencyPage]:
    """Agencies with their reports (one per year) and each report's versions, oldest first."""
    agencies = []
    for a in _rows(conn, "SELECT id, name, level, region FROM agencies ORDER BY id"):
        documents = []
        for d in _rows(
            conn,
            "SELECT id, report_year, title, url, first_seen, last_seen, removed_at FROM documents "
            "WHERE agency_id = ? AND report_year IS NOT NULL ORDER BY report_year, id",
            a["id"],
        ):
            versions = [
                VersionRow(v["id"], v["text"] or "", v["first_seen"], v["last_seen"], v["seen_count"], v["published"],
                           _version_report(v, d, a["name"]))  # fmt: skip
                for v in _rows(
                    conn,
                    "SELECT id, text, coalesce(text_normalized, text) AS normalized, report, first_seen, last_seen, "
                    "seen_count, published FROM versions WHERE document_id = ? ORDER BY first_seen, id",
                    d["id"],
                )
            ]
            if versions:
                documents.append(
                    DocumentPage(
                        d["id"], d["report_year"], d["title"] or f"{d['report_year']}年度报告", d["url"],
                        d["first_seen"], d["last_seen"], d["removed_at"], versions,
                    )
                )
        if documents:
            agencies.append(AgencyPage(a["id"], a["name"], a["level"], a["region"], documents))
    return agencies


def _compute_diffs(agency: AgencyPage, shared_keys: Counter[str]) -> None:
    """Fill each report's revision diffs, year-over-year analysis and compliance, and the agency's score."""
    score = 0.0
    previous: DocumentPage | None = None
    others = OtherAgencies(shared_keys, agency.keys)
    for doc in agency.documents:
        for k in range(1, len(doc.versions)):
            old, new = doc.versions[k - 1], doc.versions[k]
            # renumbering or a year named differently is not an edit (as in `fazhi diff`)
            diff = diff_texts(old.text, new.text, ignore_numbering=True, ignore_years=True)
            # a silent edit to a promise is shown next to the changed figures, before the word diff
            # (after publication any rewording of a promise counts, even one too small to be "changed" year to year)
            plans = revision_edits(_report(old), _report(new)).commitments
            doc.revisions.append(
                {"old": old, "new": new, "old_index": k, "new_index": k + 1, "diff": diff, "plans": plans}
            )
            score += REVISION_WEIGHT * change_score(diff)
        latest = _report(doc.versions[-1])
        late = published_late(latest)
        doc.compliance = ([late] if late else []) + missing_parts(latest)
        if previous is not None:
            old_report = _report(previous.versions[-1])
            diff = diff_texts(old_report.text, latest.text, ignore_numbering=True, ignore_years=True)
            analysis: YearOverYear = compare_years(old_report, latest, other_keys=others, agency=agency.name)
            doc.yoy = {
                "old_year": previous.year,
                "old_doc": previous,
                "diff": diff,
                "stats": diff.stats,
                "page": f"{agency.id}-{previous.year}-{doc.year}.html",
                "analysis": analysis,
                "plans": analysis.commitments,
                "missing_years": missing_years(old_report, latest),
            }
            score += change_score(diff) / 10 + DROPPED_WEIGHT * analysis.counts["dropped"] / 10
        previous = doc
    agency.score = score


def _report(version: VersionRow) -> Report:
    return version.report if version.report is not None else as_report(version.text)


def _shared_sentence_keys(agencies: list[AgencyPage]) -> Counter[str]:
    """How many agencies use each sentence key: one pass over the archive, not a pass per pair of agencies."""
    counts: Counter[str] = Counter()
    for agency in agencies:
        agency.keys = set().union(*(sentence_keys(d.versions[-1].text) for d in agency.documents))
        counts.update(agency.keys)
    return counts


def _group_by_region(agencies: list[AgencyPage]) -> list[dict[str, Any]]:
    regions: dict[str, list[AgencyPage]] = {}
    for a in sorted(agencies, key=lambda a: (-a.score, a.name)):
        regions.setdefault(a.region or "未知地区", []).append(a)
    ordered = sorted(regions.items(), key=lambda item: (-item[1][0].score, item[0]))
    return [{"name": name, "agencies": members} for name, members in ordered]


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
                out, f"agencies/{doc.yoy['page']}", "yoy.html", "../", generated=generated,
                agency=agency, old_year=doc.yoy["old_year"], new_year=doc.year,
                old_doc=doc.yoy["old_doc"], new_doc=doc, diff=doc.yoy["diff"], plans=doc.yoy["plans"],
                analysis=doc.yoy["analysis"],
            )
    for doc in agency.documents:
        doc.versions = [VersionRow(v.id, "", v.first_seen, v.last_seen, v.seen_count, v.published) for v in doc.versions]
        doc.revisions, doc.yoy = [], None
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
    db_path, out = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise FileNotFoundError(db_path)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        agencies = load_agencies(conn)
        generated = conn.execute("SELECT max(last_seen) FROM versions").fetchone()[0]
    finally:
        conn.close()
    (out / "agencies").mkdir(parents=True, exist_ok=True)
    (out / "documents").mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(stylesheet(), encoding="utf-8")
    shared_keys = _shared_sentence_keys(agencies)
    agencies = _build_agencies(agencies, shared_keys, out, generated, workers or os.cpu_count() or 1)

    documents = [d for a in agencies for d in a.documents]
    totals = {
        "agencies": len(agencies),
        "documents": len(documents),
        "versions": sum(d.version_count for d in documents),
        "revised": sum(d.revised for d in documents),
    }
    _write(out, "index.html", "index.html", "", generated=generated, regions=_group_by_region(agencies), totals=totals)
    return out / "index.html"
