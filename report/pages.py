"""What each page of the site shows, as typed models the templates read (no loose dicts).

The site builder fills these from the archive's records (``archive.readmodel``) and the analysis
(``diffing``); templates only lay them out.
"""

from __future__ import annotations

import email.utils
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

from archive.readmodel import AgencyRecord, CaptureRecord, DocumentRecord, VersionRecord
from diffing.commitments import CommitmentMatch
from diffing.textdiff import TextDiff
from diffing.yoy import ComplianceFinding, YearOverYear
from report.chart import ChartPoint, commitments_chart
from report.vocabulary import level_label

if TYPE_CHECKING:
    from report.desk import AgencyDesk


def server_date(http_date: str | None) -> str | None:
    """An HTTP date (``Mon, 20 May 2024 09:00:00 GMT``) as the ISO date a reader compares; None if unreadable."""
    if not http_date:
        return None
    try:
        return email.utils.parsedate_to_datetime(http_date).date().isoformat()
    except (TypeError, ValueError):
        return None


@dataclass
class Revision:
    """Version ``old_index`` of a report against the next one: a silent edit after publication."""

    old: VersionRecord
    new: VersionRecord
    old_index: int
    new_index: int
    diff: TextDiff
    plans: list[CommitmentMatch]  # plans reworded (changed), split, merged, taken out (dropped) or added


@dataclass
class YearPair:
    """A report against the same agency's report of the year before, and where that comparison is shown."""

    old_year: int
    old_doc: DocumentPage
    diff: TextDiff
    page: str
    analysis: YearOverYear

    @property
    def stats(self) -> dict[str, int]:
        return self.diff.stats

    @property
    def plans(self) -> list[CommitmentMatch]:
        return self.analysis.commitments


@dataclass
class DocumentPage:
    id: int
    year: int
    title: str
    url: str | None
    first_seen: str | None
    last_seen: str | None
    removed_at: str | None
    versions: list[VersionRecord]
    revisions: list[Revision] = field(default_factory=list)
    yoy: YearPair | None = None
    captures: dict[int, list[CaptureRecord]] = field(default_factory=dict)  # version id → its evidence
    unavailable: list[CaptureRecord] = field(default_factory=list)  # URLs the last fetch could not read
    compliance: list[ComplianceFinding] = field(default_factory=list)
    current_version_id: int | None = None
    # its current text's sentence keys (report.analysis.document_keys), split once; not in a summary
    keys: set[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, record: DocumentRecord, versions: list[VersionRecord]) -> DocumentPage:
        title = record.title or f"{record.report_year}年度报告"
        return cls(record.id, record.report_year, title, record.url, record.first_seen, record.last_seen,
                   record.removed_at, versions, current_version_id=record.current_version_id)  # fmt: skip

    @property
    def current(self) -> VersionRecord:
        """The version the report's URLs carry now: the newest, unless an earlier text came back."""
        return next((v for v in self.versions if v.id == self.current_version_id), self.versions[-1])

    @property
    def current_number(self) -> int:
        return self.versions.index(self.current) + 1

    def last_modified(self, version: VersionRecord) -> str | None:
        """The server's Last-Modified for the capture a version came from, as a date."""
        first = self.captures.get(version.id) or []
        return server_date(first[0].last_modified) if first else None

    @property
    def version_count(self) -> int:
        return len(self.versions)

    @property
    def revised(self) -> bool:
        """Edited after publication: a later text on a portal that carried it, not a copy elsewhere."""
        return any(not v.copy for v in self.versions[1:])

    def without_texts(self) -> None:
        """Drop what only this document's own pages need (texts, diffs, the evidence beyond each version's
        first capture), keeping what the index, desk and feed list: a site of every agency holds these."""
        self.versions = [replace(v, text="", text_normalized="", report_data=None) for v in self.versions]
        self.keys = None
        self.revisions, self.yoy = [], None
        self.captures = {version: found[:1] for version, found in self.captures.items()}  # for last_modified


def version_anchor(document_id: int, version_id: int) -> str:
    """Where a version is shown, relative to the site: its section of its report's page (``report.site``
    and the feed link there; ``versions/{id}.html`` is kept only as a pointer for old links)."""
    return f"documents/{document_id}.html#v{version_id}"


# The site's folders of pages (agency, document, version): what the builder makes and a cached summary may name.
PAGE_FOLDERS = ("agencies", "documents", "versions")


def _sentence_digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class SentenceCounts:
    """How many agencies use each sentence key, as far as template reuse asks: none, one, or more.

    A national archive holds millions of distinct sentences; each is kept as a 64-bit digest in one of
    two sorted numpy arrays (8 bytes a sentence, and one object each: forked workers share the pages,
    where a set's million int objects are copied into each worker as their reference counts are
    touched). Two sentences with the same digest would be counted as one (about one chance in 10^7 at
    a million sentences).
    """

    MERGE_EVERY = 1 << 20  # digests added before they are merged into the arrays (bounds the buffer)

    def __init__(self) -> None:
        self.once = np.empty(0, dtype=np.uint64)  # every key some agency uses
        self.more = np.empty(0, dtype=np.uint64)  # the keys more than one agency uses
        self._added = array("Q")

    def add(self, keys: Iterable[str]) -> None:
        """One agency's distinct keys."""
        self._added.extend(_sentence_digest(key) for key in keys)
        if len(self._added) >= self.MERGE_EVERY:
            self.merge()

    def merge(self) -> None:
        """Fold the keys added into the arrays (a key in ``once`` counts one agency, in ``more`` one more)."""
        if self._added:
            added = np.frombuffer(self._added, dtype=np.uint64)
            keys, counts = np.unique(np.concatenate([self.once, self.more, added]), return_counts=True)
            self.once, self.more, self._added = keys, keys[counts > 1], array("Q")

    def get(self, key: str, default: int = 0) -> int:
        """How many agencies use ``key``, up to 2 (more than one)."""
        self.merge()
        h = np.uint64(_sentence_digest(key))
        return 2 if _holds(self.more, h) else 1 if _holds(self.once, h) else default

    def shared(self, keys: Iterable[str]) -> set[str]:
        """The ``keys`` more than one agency uses: one sorted-array lookup for all of an agency's keys (a
        ``get`` a key cost tens of microseconds of numpy scalars, a hundred thousand times a build)."""
        self.merge()
        keys = list(keys)
        if not keys or not len(self.more):
            return set()
        digests = np.fromiter((_sentence_digest(k) for k in keys), dtype=np.uint64, count=len(keys))
        at = np.minimum(np.searchsorted(self.more, digests), len(self.more) - 1)
        return {key for key, found in zip(keys, (self.more[at] == digests).tolist(), strict=True) if found}

    def combine(self, other: SentenceCounts) -> None:
        """Add ``other``'s counts, made over other agencies (a part of the archive counted in another process): a
        key is in ``more`` if either counted it more than once, or each counted it once."""
        self.merge()
        other.merge()
        both = np.intersect1d(self.once, other.once, assume_unique=True)
        self.more = np.union1d(np.union1d(self.more, other.more), both)
        self.once = np.union1d(self.once, other.once)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SentenceCounts):
            return False
        self.merge()
        other.merge()
        return np.array_equal(self.once, other.once) and np.array_equal(self.more, other.more)

    __hash__ = None  # type: ignore[assignment]


def shared_keys_of(agency: AgencyPage, counts: SentenceCounts) -> set[str]:
    """``counts.shared(agency.keys)``, looked up once an agency (call after its ``keys`` are set): the parent's
    digest of its inputs and the worker's analysis of its year pairs both read it."""
    if agency.shared_keys is None:
        agency.shared_keys = counts.shared(agency.keys)
    return agency.shared_keys


def _holds(keys: np.ndarray, h: np.uint64) -> bool:
    i = int(np.searchsorted(keys, h))
    return i < len(keys) and keys[i] == h


class OtherAgencies:
    """Sentence keys used by at least one agency other than this one (template reuse), without an O(n²) scan.

    ``counts`` holds, for every sentence key, how many agencies' reports use it; an agency's own
    keys count once, so a key is someone else's when its count exceeds its own share.
    """

    def __init__(self, counts: SentenceCounts, own: set[str], shared_own: set[str] | None = None) -> None:
        self.counts, self.own = counts, own
        # its own keys someone else uses too: looked up once, together (``shared_own``: already looked up)
        self.shared_own = counts.shared(own) if shared_own is None else shared_own

    def __contains__(self, key: object) -> bool:
        if key in self.own:
            return key in self.shared_own
        return self.counts.get(key, 0) > 0  # type: ignore[arg-type]


@dataclass
class AgencyPage:
    id: int
    name: str
    level: str | None
    region: str | None
    documents: list[DocumentPage]
    keys: set[str] = field(default_factory=set)  # sentence keys of its reports, for template-reuse detection
    revised_count: int = 0  # reports revised after publication
    dropped_count: int = 0  # plans of one year not found in the next year's report, over all its year pairs
    desk: AgencyDesk | None = None  # its rows of the index's cross-agency lists
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # its rows of each findings table
    findings_kept: bool = False  # the last build's findings.db holds its rows for these inputs: not made again
    pages: list[str] = field(default_factory=list)  # the files its build wrote, relative to the site
    # its keys other agencies use too (shared_keys_of), looked up once for its digest and its analysis; not in a summary
    shared_keys: set[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, record: AgencyRecord, documents: list[DocumentPage]) -> AgencyPage:
        return cls(record.id, record.name, record.level, record.region, documents)

    @property
    def chart(self) -> Markup:
        points = [ChartPoint(f"{d.yoy.old_year}→{d.year}", d.yoy.analysis.counts) for d in self.documents if d.yoy]
        return commitments_chart(points)

    @property
    def level_label(self) -> str:
        return level_label(self.level)


@dataclass(frozen=True)
class DocumentLine:
    """A report as the index lists it under its agency."""

    id: int
    year: int
    version_count: int
    revised: bool
    removed_at: str | None


@dataclass(frozen=True)
class AgencyLine:
    """An agency as the index lists it: what the whole-archive pages keep of each agency (no documents' pages)."""

    id: int
    name: str
    level_label: str
    region: str | None
    revised_count: int
    dropped_count: int
    documents: tuple[DocumentLine, ...]

    @classmethod
    def of(cls, agency: AgencyPage) -> AgencyLine:
        documents = tuple(DocumentLine(d.id, d.year, d.version_count, d.revised, d.removed_at) for d in agency.documents)
        return cls(agency.id, agency.name, agency.level_label, agency.region, agency.revised_count,
                   agency.dropped_count, documents)  # fmt: skip


@dataclass
class Region:
    name: str
    agencies: list[AgencyLine]


@dataclass
class Totals:
    agencies: int
    documents: int
    versions: int
    revised: int
