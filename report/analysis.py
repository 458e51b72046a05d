"""An agency's reports as the reviewer reads them: the archive's records analysed into page models.

The site (``report.site``) and the findings exports (``report.findings``) start from the same
place: every agency with its reports and their versions (``load_agencies``, through the read
model), each revision diffed, each pair of consecutive years compared and each report checked
against the rule (``analyse_agency``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from archive.readmodel import ArchiveReader, CaptureRecord, VersionRecord
from diffing.commitments import CommitmentMatch
from diffing.compare import revision_edits
from diffing.textdiff import TextDiff, diff_texts
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
from report.analysis_cache import PairAnalyses
from report.pages import AgencyPage, DocumentPage, OtherAgencies, Revision, SentenceCounts, YearPair


def load_agencies(reader: ArchiveReader, agency_ids: Sequence[int] | None = None) -> list[AgencyPage]:
    """Agencies with their reports (one per year), each report's versions (oldest first) and their captures.

    ``agency_ids``: only those agencies (a batch of a streamed build); None: every agency.
    """
    versions = reader.versions(with_report=True, agency_ids=agency_ids)
    captures = reader.version_captures(agency_ids)
    unavailable: dict[int, list[CaptureRecord]] = {}
    for document_id, capture in reader.unavailable_documents(agency_ids):
        unavailable.setdefault(document_id, []).append(capture)
    documents: dict[int, list[DocumentPage]] = {}
    for d in reader.documents(agency_ids):
        if versions.get(d.id):
            page = DocumentPage.of(d, versions[d.id])
            page.captures = {v.id: captures.get(v.id, []) for v in page.versions}
            page.unavailable = unavailable.get(d.id, [])
            documents.setdefault(d.agency_id, []).append(page)
    return [AgencyPage.of(a, documents[a.id]) for a in reader.agencies(agency_ids) if documents.get(a.id)]


def _analysable(version: VersionRecord, doc: DocumentPage, agency: str) -> Report:
    """The version's Report as extraction stored it (its sections are the report's structure), with the
    document's facts filling what it lacks; one stored without sections (older archives, other tools)
    gets them from its text."""
    report = version.report(agency)
    report.title = report.title or version.title or doc.title
    report.report_year = report.report_year or doc.year
    report.published = report.published or version.published
    if not report.sections:
        report.sections = parse_sections(report.text, report.report_year)
    return report


def _inputs(version: VersionRecord, doc: DocumentPage, agency: str) -> tuple[str | int | None, ...]:
    """Everything :func:`_analysable` makes a version's Report from (its code is in the analysis digest): the
    key of a pair's analysis, hashed as it is stored, not as the Report's repr (a third of a warm pair's cost)."""
    return (version.report_data, version.text, version.text_normalized, version.title, version.published,
            doc.title, doc.year, agency)  # fmt: skip


def _revision(old: Report, new: Report) -> tuple[TextDiff, list[CommitmentMatch]]:
    diff = diff_texts(old.text, new.text, ignore_numbering=True, ignore_years=True)
    return diff, revision_edits(old, new).commitments


def _year_pair(old: Report, new: Report, others: OtherAgencies, agency: str) -> tuple[TextDiff, YearOverYear]:
    diff = diff_texts(old.text, new.text, ignore_numbering=True, ignore_years=True)
    return diff, compare_years(old, new, other_keys=others, agency=agency)


def _is_revision(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], TextDiff)
            and isinstance(value[1], list) and all(isinstance(m, CommitmentMatch) for m in value[1]))  # fmt: skip


def _is_year_pair(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], TextDiff) and isinstance(
        value[1], YearOverYear)  # fmt: skip


def analyse_agency(agency: AgencyPage, shared_keys: SentenceCounts, analyses: PairAnalyses | None = None) -> None:
    """Fill each report's revision diffs, year-over-year analysis and compliance findings.

    As ``fazhi diff`` does, a sentence that only changed its outline number or the year it names is
    not an edit; after publication any rewording of a plan counts (``diffing.compare.revision_edits``).
    ``analyses``: the pairs kept from the last build (``report.analysis_cache``), taken instead of analysed.
    """
    previous: DocumentPage | None = None
    previous_report: Report | None = None
    previous_inputs: tuple[str | int | None, ...] | None = None
    others = OtherAgencies(shared_keys, agency.keys)
    for doc in agency.documents:
        reports = [_analysable(v, doc, agency.name) for v in doc.versions]
        for k in range(1, len(doc.versions)):
            new = doc.versions[k]
            if new.copy:  # another portal's copy of the report: not an edit of it (archive.copies)
                continue
            # what this portal carried before: a copy elsewhere in between is not what was edited
            j = max((i for i in range(k) if doc.versions[i].place == new.place), default=k - 1)
            old = doc.versions[j]
            if analyses is None:
                diff, plans = _revision(reports[j], reports[k])
            else:
                key = analyses.key("revision", *_inputs(old, doc, agency.name), *_inputs(new, doc, agency.name))
                diff, plans = analyses.get_or_make(key, partial(_revision, reports[j], reports[k]), _is_revision)
            doc.revisions.append(Revision(old, new, j + 1, k + 1, diff, plans))
        report = reports[doc.current_number - 1]  # what the report says now
        late = published_late(report)
        doc.compliance = ([late] if late else []) + missing_parts(report)
        if previous is not None and previous_report is not None and previous_inputs is not None:
            doc.compliance = missing_years(previous_report, report) + doc.compliance
            old_report = previous_report
            if analyses is None:
                diff, analysis = _year_pair(old_report, report, others, agency.name)
            else:  # what the pair reads of the others: which of its sentences they use too
                shared = sorted(k for k in sentence_keys(report.text) if k in others)
                key = analyses.key("year-pair", *previous_inputs, *_inputs(doc.current, doc, agency.name), shared)
                make = partial(_year_pair, old_report, report, others, agency.name)
                diff, analysis = analyses.get_or_make(key, make, _is_year_pair)
            doc.yoy = YearPair(previous.year, previous, diff, f"{agency.id}-{previous.year}-{doc.year}.html", analysis)
        previous, previous_report, previous_inputs = doc, report, _inputs(doc.current, doc, agency.name)
    agency.revised_count = sum(d.revised for d in agency.documents)
    agency.dropped_count = sum(d.yoy.analysis.counts.get("dropped", 0) for d in agency.documents if d.yoy)


def shared_sentence_keys(agencies: list[AgencyPage]) -> SentenceCounts:
    """How many agencies use each sentence key: one pass over the archive, not a pass per pair of agencies."""
    counts = SentenceCounts()
    for agency in agencies:
        agency.keys = set().union(*(sentence_keys(d.current.text) for d in agency.documents))
        counts.add(agency.keys)
    return counts


def streamed_sentence_keys(current_texts: Iterable[tuple[int, str]]) -> SentenceCounts:
    """:func:`shared_sentence_keys` from (agency id, current text) pairs grouped by agency
    (``ArchiveReader.current_texts``): the texts pass through once, only the counts stay."""
    counts = SentenceCounts()
    agency: int | None = None
    keys: set[str] = set()
    for agency_id, text in current_texts:
        if agency_id != agency:
            counts.add(keys)
            agency, keys = agency_id, set()
        keys |= sentence_keys(text)
    counts.add(keys)
    counts.merge()  # before workers fork: they only read it
    return counts
