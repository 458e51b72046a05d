"""An agency's reports as the reviewer reads them: the archive's records analysed into page models.

The site (``report.site``) and the findings exports (``report.findings``) start from the same
place: every agency with its reports and their versions (``load_agencies``, through the read
model), each revision diffed, each pair of consecutive years compared and each report checked
against the rule (``analyse_agency``).
"""

from __future__ import annotations

from collections import Counter

from archive.readmodel import ArchiveReader, CaptureRecord, VersionRecord
from diffing.commitments import match_commitments
from diffing.outline import commitments
from diffing.textdiff import diff_texts
from diffing.yoy import (
    YearOverYear,
    compare_years,
    missing_parts,
    missing_years,
    published_late,
    sentence_keys,
)
from extraction.report import Report
from extraction.sections import parse_sections
from report.pages import AgencyPage, DocumentPage, OtherAgencies, Revision, RevisionPlan, YearPair


def load_agencies(reader: ArchiveReader) -> list[AgencyPage]:
    """Agencies with their reports (one per year), each report's versions (oldest first) and their captures."""
    versions = reader.versions(with_report=True)
    captures = reader.version_captures()
    unavailable: dict[int, list[CaptureRecord]] = {}
    for document_id, capture in reader.unavailable_documents():
        unavailable.setdefault(document_id, []).append(capture)
    documents: dict[int, list[DocumentPage]] = {}
    for d in reader.documents():
        if versions.get(d.id):
            page = DocumentPage.of(d, versions[d.id])
            page.captures = {v.id: captures.get(v.id, []) for v in page.versions}
            page.unavailable = unavailable.get(d.id, [])
            documents.setdefault(d.agency_id, []).append(page)
    return [AgencyPage.of(a, documents[a.id]) for a in reader.agencies() if documents.get(a.id)]


def _analysable(version: VersionRecord, agency: str) -> Report:
    """The version's stored Report; one stored without sections (older archives) gets them from its text."""
    report = version.report(agency)
    if not report.sections:
        report.sections = parse_sections(report.text, report.report_year)
    return report


def analyse_agency(agency: AgencyPage, shared_keys: Counter[str]) -> None:
    """Fill each report's revision diffs, year-over-year analysis and compliance findings."""
    previous: DocumentPage | None = None
    previous_report: Report | None = None
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
        report = _analysable(doc.versions[-1], agency.name)
        late = published_late(report)
        doc.compliance = ([late] if late else []) + missing_parts(report)
        if previous is not None and previous_report is not None:
            doc.compliance = missing_years(previous_report, report) + doc.compliance
            diff = diff_texts(previous.versions[-1].text, doc.versions[-1].text)
            analysis: YearOverYear = compare_years(previous_report, report, other_keys=others, agency=agency.name)
            doc.yoy = YearPair(previous.year, previous, diff, f"{agency.id}-{previous.year}-{doc.year}.html", analysis)
        previous, previous_report = doc, report
    agency.revised_count = sum(d.revised for d in agency.documents)
    agency.dropped_count = sum(d.yoy.analysis.counts.get("dropped", 0) for d in agency.documents if d.yoy)


def shared_sentence_keys(agencies: list[AgencyPage]) -> Counter[str]:
    """How many agencies use each sentence key: one pass over the archive, not a pass per pair of agencies."""
    counts: Counter[str] = Counter()
    for agency in agencies:
        agency.keys = set().union(*(sentence_keys(d.versions[-1].text) for d in agency.documents))
        counts.update(agency.keys)
    return counts
