"""The findings as data: commitments, figures, problems and compliance as flat tables for analysts.

What the site shows as HTML an analyst wants in pandas, R or a spreadsheet: one row per commitment
(per figure, per problem) per pair of consecutive years, one row per compliance finding. The rows
are computed from the archive when asked (``fazhi export --table``, streamed a batch of agencies at
a time), by the same analysis the site runs (``report.analysis``), so an export and the site never disagree; ``fazhi report`` also
writes them into ``DIR/findings.db`` for Datasette (canned queries in datasette/findings.json).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from archive.readmodel import ArchiveReader, CaptureRecord
from diffing.yoy import YearOverYear
from report.analysis import analyse_agency, load_agencies, own_sentence_keys, streamed_sentence_keys
from report.pages import AgencyPage, DocumentPage, YearPair
from report.vocabulary import (
    COMPLIANCE_LABELS,
    OUTCOME_LABELS,
    PLAN_LABELS,
    PROBLEM_LABELS,
    UNKNOWN_REGION,
)

_PAIR = ("agency", "region", "level", "previous_year", "report_year")
TABLES: dict[str, tuple[str, ...]] = {
    "commitments": (*_PAIR, "status", "status_label", "previous_text", "text", "score",
                    "previous_version_id", "version_id"),  # fmt: skip
    "figures": (*_PAIR, "label", "previous_value", "value", "unit", "changed", "previous_written", "written",
                "previous_sentence", "sentence", "previous_version_id", "version_id"),  # fmt: skip
    "problems": (*_PAIR, "status", "status_label", "previous_text", "text", "score",
                 "previous_version_id", "version_id"),  # fmt: skip
    "compliance": ("agency", "region", "level", "report_year", "kind", "kind_label", "detail", "part", "url",
                   "document_id"),  # fmt: skip
}
_NUMBER = re.compile(r"[\d.]+|[〇零一二两三四五六七八九十百千万]+")


def value_and_unit(written: str) -> tuple[str, str]:
    """``约160余人`` → (``160``, ``人``): the number and the unit after it, as written."""
    m = _NUMBER.search(written)
    if not m:
        return written, ""
    return m.group(0), written[m.end() :].lstrip("余多")


def _pair_fields(agency: AgencyPage, doc: DocumentPage, yoy: YearPair) -> dict[str, Any]:
    return {
        "agency": agency.name, "region": agency.region or UNKNOWN_REGION, "level": agency.level,
        "previous_year": yoy.old_year, "report_year": doc.year,
        "previous_version_id": yoy.old_doc.current.id, "version_id": doc.current.id,
    }  # fmt: skip


def commitment_rows(base: dict[str, Any], analysis: YearOverYear) -> Iterator[dict[str, Any]]:
    """One row per commitment: a split plan is a row per new item, merged plans a row per old one."""
    for m in analysis.commitments:
        label = {"status": m.status, "status_label": PLAN_LABELS[m.status], "score": round(m.score, 1)}
        for old in m.previous_items or [None]:
            for new in m.current_items or [None]:
                yield {**base, **label, "previous_text": old.text if old else None, "text": new.text if new else None}


def figure_rows(base: dict[str, Any], analysis: YearOverYear) -> Iterator[dict[str, Any]]:
    for f in analysis.figures:
        (old_value, old_unit), (new_value, new_unit) = value_and_unit(f.before), value_and_unit(f.after)
        yield {
            **base, "label": f.label, "previous_value": old_value, "value": new_value, "unit": new_unit or old_unit,
            "changed": f.changed, "previous_written": f.before, "written": f.after,
            "previous_sentence": f.before_sentence, "sentence": f.after_sentence,
        }  # fmt: skip


def problem_rows(base: dict[str, Any], analysis: YearOverYear) -> Iterator[dict[str, Any]]:
    for p in analysis.problems:
        yield {**base, "status": p.status, "status_label": PROBLEM_LABELS[p.status],
               "previous_text": p.previous, "text": p.current, "score": round(p.score, 1)}  # fmt: skip


def compliance_rows(agency: AgencyPage, doc: DocumentPage) -> Iterator[dict[str, Any]]:
    base = {"agency": agency.name, "region": agency.region or UNKNOWN_REGION, "level": agency.level}
    for f in doc.compliance:
        yield {**base, "report_year": f.year, "kind": f.kind, "kind_label": COMPLIANCE_LABELS[f.kind],
               "detail": f.detail, "part": f.part, "url": None,
               "document_id": doc.id if f.kind != "missing_year" else None}  # fmt: skip
    for c in doc.unavailable:
        yield {**base, "report_year": doc.year, "kind": "unavailable", "kind_label": COMPLIANCE_LABELS["unavailable"],
               "detail": f"{c.fetched_at} {OUTCOME_LABELS.get(c.outcome, c.outcome)}" + (f"：{c.reason}" if c.reason else ""),
               "part": None, "url": c.url, "document_id": doc.id}  # fmt: skip


_PAIR_ROWS: dict[str, Callable[[dict[str, Any], YearOverYear], Iterator[dict[str, Any]]]] = {
    "commitments": commitment_rows, "figures": figure_rows, "problems": problem_rows,
}  # fmt: skip


def document_rows(table: str, agency: AgencyPage, doc: DocumentPage) -> Iterator[dict[str, Any]]:
    """One document's rows of ``table``: its compliance findings, or what its year pair found."""
    if table == "compliance":
        return compliance_rows(agency, doc)
    if doc.yoy is None:
        return iter(())
    return _PAIR_ROWS[table](_pair_fields(agency, doc, doc.yoy), doc.yoy.analysis)


def agency_findings(agency: AgencyPage) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows for one analysed agency (``report.analysis.analyse_agency`` done)."""
    return {table: [row for doc in agency.documents for row in document_rows(table, agency, doc)] for table in TABLES}


def unread_compliance_rows(captures: list[CaptureRecord]) -> list[dict[str, Any]]:
    """A compliance row for each report page no fetch could read (its agency and year are not known)."""
    return [{"agency": None, "region": None, "level": None, "report_year": None, "kind": "unavailable",
             "kind_label": COMPLIANCE_LABELS["unavailable"],
             "detail": f"{c.fetched_at} {OUTCOME_LABELS.get(c.outcome, c.outcome)}" + (f"：{c.reason}" if c.reason else ""),
             "part": None, "url": c.url, "document_id": None} for c in captures]  # fmt: skip


# Agencies analysed together when the rows stream out: memory holds one batch's texts.
BATCH_AGENCIES = 64


def analysed_agencies(db: str | Path) -> Iterator[AgencyPage]:
    """The archive's agencies, each analysed as the site analyses them, a batch at a time."""
    with ArchiveReader(db) as reader:
        counts = streamed_sentence_keys(reader.current_texts())  # template reuse counts over the whole archive
        ids = reader.reporting_agency_ids()
        for start in range(0, len(ids), BATCH_AGENCIES):
            agencies = load_agencies(reader, ids[start : start + BATCH_AGENCIES])
            own_sentence_keys(agencies)  # each agency's own keys
            for agency in agencies:
                analyse_agency(agency, counts)
                yield agency


def finding_rows(db: str | Path, table: str) -> Iterator[dict[str, Any]]:
    """The rows of one findings table for the archive at ``db``, as they are computed (a generator)."""
    if table not in TABLES:
        raise ValueError(f"unknown findings table {table!r}; expected one of {', '.join(TABLES)}")
    for agency in analysed_agencies(db):
        for doc in agency.documents:
            yield from document_rows(table, agency, doc)
    if table == "compliance":
        with ArchiveReader(db) as reader:
            yield from unread_compliance_rows(reader.unreadable_report_urls())


def export_findings(db: str | Path, table: str, fmt: str, out: str | Path | IO[bytes]) -> int:
    """``fazhi export --table TABLE``: write one findings table as jsonl, csv or parquet; returns the row count."""
    from archive.export import write_table

    if table not in TABLES:
        raise ValueError(f"unknown findings table {table!r}; expected one of {', '.join(TABLES)}")
    return write_table(finding_rows(db, table), TABLES[table], fmt, out)
