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
    ComplianceFinding,
    YearOverYear,
    compare_years,
    missing_parts,
    missing_years,
    published_late,
    sentence_keys,
)
from extraction.report import Report
from extraction.sections import parse_sections
from report.analysis_cache import PairAnalyses, inputs_digest
from report.pages import (
    AgencyPage,
    DocumentPage,
    OtherAgencies,
    Revision,
    SentenceCounts,
    YearPair,
    shared_keys_of,
)


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


def _inputs(version: VersionRecord, doc: DocumentPage, agency: str) -> str:
    """Everything :func:`_analysable` makes a version's Report from (its code is in the analysis digest), as one
    digest: the key of a pair's analysis, hashed as it is stored, not as the Report's repr (a third of a warm
    pair's cost)."""
    return inputs_digest(version.report_data, version.text, version.text_normalized, version.title, version.published,
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


class _Reports:
    """A document's versions as Reports, each made when first asked for: a page drawn from kept analyses needs
    only its current version's text (which of its sentences others use), not every version's sections."""

    def __init__(self, doc: DocumentPage, agency: str) -> None:
        self.doc, self.agency = doc, agency
        self.made: dict[int, Report] = {}

    def __getitem__(self, index: int) -> Report:
        report = self.made.get(index)
        if report is None:
            report = self.made[index] = _analysable(self.doc.versions[index], self.doc, self.agency)
        return report

    @property
    def current(self) -> Report:
        """What the report says now."""
        return self[self.doc.current_number - 1]


def _revision_of(reports: _Reports, old: int, new: int) -> tuple[TextDiff, list[CommitmentMatch]]:
    return _revision(reports[old], reports[new])


def _year_pair_of(old: _Reports, new: _Reports, others: OtherAgencies, agency: str) -> tuple[TextDiff, YearOverYear]:
    return _year_pair(old.current, new.current, others, agency)


def _compliance(previous: _Reports | None, reports: _Reports) -> list[ComplianceFinding]:
    """Where the current report falls short of the rule on its own (late, a part missing), after the years
    missing between it and the one before."""
    report = reports.current
    late = published_late(report)
    found = ([late] if late else []) + missing_parts(report)
    return found if previous is None else missing_years(previous.current, report) + found


def _is_compliance(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(f, ComplianceFinding) for f in value)


def analyse_agency(agency: AgencyPage, shared_keys: SentenceCounts, analyses: PairAnalyses | None = None) -> None:
    """Fill each report's revision diffs, year-over-year analysis and compliance findings.

    As ``fazhi diff`` does, a sentence that only changed its outline number or the year it names is
    not an edit; after publication any rewording of a plan counts (``diffing.compare.revision_edits``).
    ``analyses``: the pairs kept from the last build (``report.analysis_cache``), taken instead of analysed,
    and each report's compliance findings (its parts found again were a tenth of a warm agency's cost).
    """
    previous: DocumentPage | None = None
    previous_reports: _Reports | None = None
    previous_inputs: tuple[str, ...] = ()
    others = OtherAgencies(shared_keys, agency.keys, shared_keys_of(agency, shared_keys))
    for doc in agency.documents:
        reports = _Reports(doc, agency.name)
        digests: dict[int, str] = {}  # each version's inputs, hashed once (a version is in up to four keys)
        for k in range(1, len(doc.versions)):
            new = doc.versions[k]
            if new.copy:  # another portal's copy of the report: not an edit of it (archive.copies)
                continue
            # what this portal carried before: a copy elsewhere in between is not what was edited
            j = max((i for i in range(k) if doc.versions[i].place == new.place), default=k - 1)
            old = doc.versions[j]
            if analyses is None:
                diff, plans = _revision_of(reports, j, k)
            else:
                key = analyses.key("revision", _digest_of(digests, j, doc, agency.name),
                                   _digest_of(digests, k, doc, agency.name))  # fmt: skip
                diff, plans = analyses.get_or_make(key, partial(_revision_of, reports, j, k), _is_revision)
            doc.revisions.append(Revision(old, new, j + 1, k + 1, diff, plans))
        inputs = (_digest_of(digests, doc.current_number - 1, doc, agency.name),) if analyses is not None else ()
        if analyses is None:
            doc.compliance = _compliance(previous_reports, reports)
        else:  # the years missing in between read the report before's inputs too
            key = analyses.key("compliance" if previous_reports is None else "compliance after", *previous_inputs, *inputs)
            doc.compliance = analyses.get_or_make(key, partial(_compliance, previous_reports, reports), _is_compliance,
                                                  pair=False)  # fmt: skip
        if previous is not None and previous_reports is not None:
            if analyses is None:
                diff, analysis = _year_pair_of(previous_reports, reports, others, agency.name)
            else:  # what the pair reads of the others: which of its sentences they use too
                shared = sorted(k for k in document_keys(doc) if k in others)
                key = analyses.key("year-pair", *previous_inputs, *inputs, shared)
                make = partial(_year_pair_of, previous_reports, reports, others, agency.name)
                diff, analysis = analyses.get_or_make(key, make, _is_year_pair)
            doc.yoy = YearPair(previous.year, previous, diff, f"{agency.id}-{previous.year}-{doc.year}.html", analysis)
        previous, previous_reports, previous_inputs = doc, reports, inputs
    agency.revised_count = sum(d.revised for d in agency.documents)
    agency.dropped_count = sum(d.yoy.analysis.counts.get("dropped", 0) for d in agency.documents if d.yoy)


def _digest_of(digests: dict[int, str], index: int, doc: DocumentPage, agency: str) -> str:
    """The digest of version ``index``'s inputs (:func:`_inputs`), made once a document."""
    found = digests.get(index)
    if found is None:
        found = digests[index] = _inputs(doc.versions[index], doc, agency)
    return found


def document_keys(doc: DocumentPage) -> set[str]:
    """The sentence keys of what the report says now (its current version's text), split once: kept on the
    document by :func:`own_sentence_keys` for the analysis of its year pair."""
    if doc.keys is None:
        doc.keys = sentence_keys(doc.current.text)
    return doc.keys


def own_sentence_keys(agencies: list[AgencyPage]) -> None:
    """Set each agency's sentence keys (and its documents', :func:`document_keys`): what a batch of a build
    needs, whose counts came from the whole archive (:func:`streamed_sentence_keys`)."""
    for agency in agencies:
        agency.keys = _agency_keys(agency)
        agency.shared_keys = None


def _agency_keys(agency: AgencyPage) -> set[str]:
    return set().union(*(document_keys(d) for d in agency.documents))


def drop_own_keys(agency: AgencyPage) -> None:
    """Forget the agency's and its documents' sentence keys (its ``shared_keys`` stay): a worker splits its texts
    again (:func:`restore_own_keys`) for less than the parent spends pickling the keys to it."""
    agency.keys = set()
    for doc in agency.documents:
        doc.keys = None


def restore_own_keys(agency: AgencyPage) -> None:
    """The agency's sentence keys again after :func:`drop_own_keys`, leaving its ``shared_keys`` (those the parent
    looked up for its digest) as they came."""
    if not agency.keys:
        agency.keys = _agency_keys(agency)


def shared_sentence_keys(agencies: list[AgencyPage]) -> SentenceCounts:
    """How many agencies use each sentence key: one pass over the archive, not a pass per pair of agencies."""
    own_sentence_keys(agencies)
    counts = SentenceCounts()
    for agency in agencies:
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


def part_sentence_keys(db_path: str, agencies: tuple[int, int]) -> SentenceCounts:
    """:func:`streamed_sentence_keys` of the agencies with ids from the first to the last of ``agencies``: a part
    of the archive counted in a process of its own (``SentenceCounts.combine`` adds the parts up)."""
    with ArchiveReader(db_path) as reader:
        return streamed_sentence_keys(reader.current_texts(agencies))


def agency_id_ranges(agency_ids: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """``parts`` runs of about as many of ``agency_ids`` (sorted) each, as (first, last) id ranges that together
    cover every id, those between and around ``agency_ids`` too."""
    parts = max(1, min(parts, len(agency_ids)))
    starts = [agency_ids[len(agency_ids) * k // parts] for k in range(1, parts)]
    lows, highs = [-(2**63), *starts], [s - 1 for s in starts] + [2**63 - 1]
    return list(zip(lows, highs, strict=True))
