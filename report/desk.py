"""The reviewer's desk: what changed across all agencies, as the index lists it above the regions.

A journalist or an oversight officer comes with four questions — who edited a published report and
when, who dropped (or reworded, or added) commitments, who is late or missing something, what was
taken down — and each gets one list here, newest first, every row counted in words a reader
checks against the linked page (no score). Rows are made per agency while its pages are built
(``agency_desk``) and gathered for the index (``Desk.gather``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.readmodel import CaptureRecord
from report.pages import AgencyPage, DocumentPage
from report.vocabulary import COMPLIANCE_LABELS, OUTCOME_LABELS, UNKNOWN_REGION, UNREAD_AGENCY


@dataclass
class VersionStamp:
    """One version of a revised report: when the archive first saw it, and what date the server gave it."""

    number: int
    version_id: int
    first_seen: str | None
    last_modified: str | None


@dataclass
class FigureChange:
    label: str
    old: str
    new: str


@dataclass
class ReportRow:
    """One agency's report of one year, as a row of a list (filtered by region and year)."""

    agency_id: int
    agency: str
    region: str
    year: int
    document_id: int
    title: str


@dataclass
class RevisionRow(ReportRow):
    versions: list[VersionStamp]
    figures: list[FigureChange]
    plans: int  # plans taken out, added or reworded by the edits

    @property
    def latest(self) -> str:
        return self.versions[-1].first_seen or ""


@dataclass
class PlanItem:
    id: str  # diffing.outline.commitment_id: stable while its words are
    text: str


@dataclass
class PlanChangeRow:
    """One agency's plans of year N looked for in its report of year N+1."""

    agency_id: int
    agency: str
    region: str
    old_year: int
    year: int
    page: str
    first_seen: str | None  # when the archive first saw the year-N+1 report
    counts: dict[str, int]
    dropped: list[PlanItem]
    changed: list[tuple[str, str]]
    added: list[PlanItem]


@dataclass
class ComplianceRow:
    agency_id: int | None  # None: a report page whose agency the archive could never read
    agency: str
    region: str
    year: int | None
    kind: str
    detail: str
    document_id: int | None

    @property
    def label(self) -> str:
        return COMPLIANCE_LABELS[self.kind]


@dataclass
class RemovedRow(ReportRow):
    removed_at: str


@dataclass
class AgencyDesk:
    revisions: list[RevisionRow] = field(default_factory=list)
    plans: list[PlanChangeRow] = field(default_factory=list)
    compliance: list[ComplianceRow] = field(default_factory=list)
    removed: list[RemovedRow] = field(default_factory=list)


def _revision_row(agency: AgencyPage, doc: DocumentPage, region: str) -> RevisionRow:
    stamps = [
        VersionStamp(n, v.id, v.first_seen, doc.last_modified(v)) for n, v in enumerate(doc.versions, 1)
        if not v.copy  # another portal's copy is not one of the report's editions (archive.copies)
    ]
    figures = [FigureChange(f.label, f.old + f.unit, f.new + f.unit) for r in doc.revisions for f in r.diff.figures]
    plans = sum(len(r.plans) for r in doc.revisions)
    return RevisionRow(agency.id, agency.name, region, doc.year, doc.id, doc.title, stamps, figures, plans)


def _plan_row(agency: AgencyPage, doc: DocumentPage, region: str) -> PlanChangeRow:
    assert doc.yoy is not None
    analysis = doc.yoy.analysis
    dropped = [PlanItem(m.previous.id, m.previous.text) for m in analysis.commitments_with("dropped") if m.previous]
    changed = [(m.previous.text, m.current.text) for m in analysis.commitments_with("changed") if m.previous and m.current]
    added = [PlanItem(m.current.id, m.current.text) for m in analysis.commitments_with("added") if m.current]
    return PlanChangeRow(
        agency.id, agency.name, region, doc.yoy.old_year, doc.year, f"agencies/{doc.yoy.page}",
        doc.versions[0].first_seen, dict(analysis.counts), dropped, changed, added,
    )  # fmt: skip


def _unreadable(capture: CaptureRecord) -> str:
    reason = f"（{capture.reason}）" if capture.reason else ""
    return f"{capture.fetched_at[:10]} 抓取 {capture.url}：{OUTCOME_LABELS.get(capture.outcome, capture.outcome)}{reason}"


def unattributed_rows(captures: list[CaptureRecord]) -> list[ComplianceRow]:
    """Report pages never read (blocked or failing from the first fetch on): no agency, no year, only the URL."""
    return [ComplianceRow(None, UNREAD_AGENCY, UNKNOWN_REGION, None, "unavailable", _unreadable(c), None)
            for c in captures]  # fmt: skip


def _compliance_rows(agency: AgencyPage, doc: DocumentPage, region: str) -> list[ComplianceRow]:
    rows = [
        ComplianceRow(agency.id, agency.name, region, f.year, f.kind, f.detail,
                      doc.id if f.kind != "missing_year" else None)  # fmt: skip
        for f in doc.compliance
    ]
    rows += [ComplianceRow(agency.id, agency.name, region, doc.year, "unavailable", _unreadable(c), doc.id)
             for c in doc.unavailable]  # fmt: skip
    return rows


def agency_desk(agency: AgencyPage) -> AgencyDesk:
    """The agency's rows of each list; call after its diffs are computed, before its texts are dropped."""
    region = agency.region or UNKNOWN_REGION
    desk = AgencyDesk()
    for doc in agency.documents:
        if doc.revised:
            desk.revisions.append(_revision_row(agency, doc, region))
        if doc.yoy and any(doc.yoy.analysis.counts.get(s) for s in ("dropped", "changed", "added", "split", "merged")):
            desk.plans.append(_plan_row(agency, doc, region))
        desk.compliance += _compliance_rows(agency, doc, region)
        if doc.removed_at:
            desk.removed.append(RemovedRow(agency.id, agency.name, region, doc.year, doc.id, doc.title, doc.removed_at))
    return desk


@dataclass
class Desk:
    """Every agency's rows, newest first; the regions and years a reader can filter by."""

    revisions: list[RevisionRow]
    plans: list[PlanChangeRow]
    compliance: list[ComplianceRow]
    removed: list[RemovedRow]

    @classmethod
    def gather(cls, desks: list[AgencyDesk], unread: list[CaptureRecord] | None = None) -> Desk:
        """Every agency's rows, and a row for each report page that could never be read (``unread``)."""
        compliance = [r for d in desks for r in d.compliance] + unattributed_rows(unread or [])
        return cls(
            sorted((r for d in desks for r in d.revisions), key=lambda r: (r.latest, r.year, r.agency), reverse=True),
            sorted((r for d in desks for r in d.plans),
                   key=lambda r: (-r.year, -r.counts.get("dropped", 0), r.agency)),  # fmt: skip
            sorted(compliance, key=lambda r: (r.year is None, -(r.year or 0), r.agency, r.kind, r.detail)),
            sorted((r for d in desks for r in d.removed), key=lambda r: (r.removed_at, r.agency), reverse=True),
        )

    @property
    def regions(self) -> list[str]:
        rows = [*self.revisions, *self.plans, *self.compliance, *self.removed]
        return sorted({r.region for r in rows})

    @property
    def years(self) -> list[int]:
        rows = [*self.revisions, *self.plans, *self.compliance, *self.removed]
        return sorted({r.year for r in rows if r.year is not None}, reverse=True)

    def dropped_by_pair(self) -> list[tuple[str, int, int]]:
        """(``2023→2024``, plans dropped, agencies that dropped any) for each year pair, newest first."""
        pairs: dict[tuple[int, int], list[int]] = {}
        for row in self.plans:
            dropped = row.counts.get("dropped", 0)
            pair = pairs.setdefault((row.old_year, row.year), [0, 0])
            pair[0] += dropped
            pair[1] += 1 if dropped else 0
        return [(f"{a}→{b}", n, agencies) for (a, b), (n, agencies) in sorted(pairs.items(), reverse=True)]

    def plan_totals(self) -> dict[str, int]:
        """Plans dropped, reworded, added … over every listed year pair."""
        totals: dict[str, int] = {}
        for row in self.plans:
            for status in ("dropped", "changed", "added", "split", "merged"):
                totals[status] = totals.get(status, 0) + row.counts.get(status, 0)
        return totals
