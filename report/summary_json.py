"""An agency's summary (``AgencyPage`` without its texts) as JSON, for the rebuild cache in the site directory.

The cache lives in an output directory anyone may have written to, so it is read as data, never as
code (no pickle): every object is a plain JSON value or a dataclass of the closed set :class:`DataclassJson` is given, rebuilt
through its constructor from its declared fields. Anything else — a class not listed, a field it
does not have, a file cut short — raises :class:`SummaryError` and the agency is built again.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from archive.readmodel import CaptureRecord, VersionRecord
from diffing.yoy import ComplianceFinding
from report.desk import (
    AgencyDesk,
    ComplianceRow,
    FigureChange,
    PlanChangeRow,
    PlanItem,
    RemovedRow,
    RevisionRow,
    VersionStamp,
)
from report.pages import AgencyPage, DocumentPage


class SummaryError(ValueError):
    """A cached summary that is not one this module wrote."""


_SCALARS = (str, int, float, type(None))


class DataclassJson:
    """JSON for a closed set of dataclasses: each rebuilt through its constructor from its declared fields.

    A dataclass is ``{"ClassName": [its init fields' values, in declared order]}`` (no field names: the
    cache of a national archive holds millions of these objects, and parsing their names was most of
    reading it). Lists, dicts (``$map``), tuples and sets of them and of plain values; anything else is
    a :class:`SummaryError` when read back (and a ``TypeError`` when written).
    """

    # Classes some of whose fields a subclass writes or reads in its own way (plain_field, typed_field).
    own_fields: frozenset[str] = frozenset()

    def __init__(self, classes: tuple[type, ...]) -> None:
        self.classes: dict[str, type] = {cls.__name__: cls for cls in classes}
        self.fields: dict[str, tuple[str, ...]] = {}
        for name, cls in self.classes.items():
            fields = [f for f in dataclasses.fields(cls) if f.init]
            if any(f.kw_only for f in fields) or name.startswith("$"):
                raise TypeError(f"{name} cannot be written positionally")
            self.fields[name] = tuple(f.name for f in fields)
        self.names: dict[type, str] = {cls: name for name, cls in self.classes.items()}

    def plain(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS or kind is bool:
            return value
        if kind is list:
            return [self.plain(v) for v in value]
        name = self.names.get(kind)
        if name is not None:
            if name in self.own_fields:
                return {name: [self.plain_field(name, f, getattr(value, f)) for f in self.fields[name]]}
            return {name: [self.plain(getattr(value, f)) for f in self.fields[name]]}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            raise TypeError(f"no JSON form for {kind.__name__}")
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        if isinstance(value, dict):
            return {"$map": [[self.plain(k), self.plain(v)] for k, v in value.items()]}
        if isinstance(value, tuple):
            return {"$tuple": [self.plain(v) for v in value]}
        if isinstance(value, (set, frozenset)):
            return {"$set": sorted(self.plain(v) for v in value)}
        raise TypeError(f"no JSON form for {type(value).__name__}")

    def _object(self, value: dict[str, Any]) -> Any:
        """One JSON object as ``json.loads`` meets it (innermost first, so its members are typed already):
        one call an object, not one a value — the cache of a national archive holds millions of them."""
        if len(value) != 1:
            return self._unmarked(value)
        ((name, members),) = value.items()
        if name == "$map":
            return dict(members)
        if name == "$tuple":
            return tuple(members)
        if name == "$set":
            return set(members)
        fields = self.fields.get(name)
        if fields is None or type(members) is not list or len(members) != len(fields):
            raise SummaryError(f"not a summary this program wrote: {str(name)[:40]!r}")
        if name in self.own_fields:
            members = [self.typed_field(name, f, v) for f, v in zip(fields, members, strict=True)]
        return self.classes[name](*members)

    def _unmarked(self, value: dict[str, Any]) -> Any:
        """An object :meth:`plain` never writes (a subclass may allow some, where a field keeps plain rows)."""
        raise SummaryError(f"not a summary this program wrote: an object with fields {sorted(value)[:8]}")

    def plain_field(self, cls: str, name: str, value: Any) -> Any:
        """One field's JSON form (a subclass may keep a field as the plain value it already is)."""
        return self.plain(value)

    def typed_field(self, cls: str, name: str, value: Any) -> Any:
        """One field's value as read (its members are typed already); a subclass may check it."""
        return value

    def dumps(self, value: Any) -> str:
        return json.dumps(self.plain(value), ensure_ascii=False, separators=(",", ":"))

    def _loads(self, text: str | bytes) -> Any:
        return json.loads(text, object_hook=self._object)

    def loads(self, text: str | bytes) -> Any:
        """What :meth:`dumps` wrote; :class:`SummaryError` for anything else."""
        try:
            return self._loads(text)
        except SummaryError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            raise SummaryError(f"unreadable summary: {exc}") from exc


def _scalar(value: Any) -> bool:
    return type(value) in _SCALARS or type(value) is bool


def _findings_chunks(findings: dict[str, list[dict[str, Any]]]) -> list[list[Any]]:
    """An agency's findings as [table, columns, rows of values]: each column named once a run of rows
    with the same columns, not once a row (an agency's summary is mostly its findings rows)."""
    chunks: list[list[Any]] = []
    for table, rows in findings.items():
        if not rows:
            chunks.append([table, [], []])
        for row in rows:
            columns = list(row)
            if not chunks or chunks[-1][0] != table or chunks[-1][1] != columns:
                chunks.append([table, columns, []])
            chunks[-1][2].append(list(row.values()))
    return chunks


def _findings(chunks: Any) -> dict[str, list[dict[str, Any]]]:
    """The findings rows :func:`_findings_chunks` wrote, if they are tables of rows of plain values."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(chunks, list):
        raise SummaryError("not an agency summary: findings are not rows of plain values")
    for chunk in chunks:
        if not (isinstance(chunk, list) and len(chunk) == 3 and isinstance(chunk[0], str)
                and isinstance(chunk[1], list) and all(isinstance(c, str) for c in chunk[1])
                and isinstance(chunk[2], list)):  # fmt: skip
            raise SummaryError("not an agency summary: findings are not rows of plain values")
        table, columns, rows = chunk
        width = len(columns)
        if not all(isinstance(r, list) and len(r) == width and all(map(_scalar, r)) for r in rows):
            raise SummaryError("not an agency summary: findings are not rows of plain values")
        found.setdefault(table, []).extend(dict(zip(columns, r, strict=True)) for r in rows)
    return found


class _AgencyJson(DataclassJson):
    """An agency's findings are rows of plain values (findings tables): JSON as columns and rows of values."""

    own_fields = frozenset({"AgencyPage"})

    def __init__(self, classes: tuple[type, ...]) -> None:
        super().__init__(classes)
        self._findings_read = 0  # findings objects read by this loads and not yet taken by an agency

    def plain_field(self, cls: str, name: str, value: Any) -> Any:
        if (cls, name) == ("AgencyPage", "findings"):
            return {"$rows": _findings_chunks(value)}
        return self.plain(value)

    def _object(self, value: dict[str, Any]) -> Any:
        if len(value) == 1 and "$rows" in value:
            self._findings_read += 1
            return _FindingsRead(_findings(value["$rows"]))
        return super()._object(value)

    def _loads(self, text: str | bytes) -> Any:
        self._findings_read = 0
        value = super()._loads(text)
        if self._findings_read:
            raise SummaryError("not a summary this program wrote: findings outside an agency")
        return value

    def typed_field(self, cls: str, name: str, value: Any) -> Any:
        if (cls, name) != ("AgencyPage", "findings"):
            return value
        if type(value) is not _FindingsRead:
            raise SummaryError("not an agency summary: findings are not rows of plain values")
        self._findings_read -= 1
        return dict(value)


class _FindingsRead(dict):
    """Findings as read, until the agency they belong to takes them (anywhere else they are refused)."""


_AGENCY = _AgencyJson((AgencyPage, DocumentPage, VersionRecord, CaptureRecord, ComplianceFinding, AgencyDesk,
                       RevisionRow, VersionStamp, FigureChange, PlanChangeRow, PlanItem, ComplianceRow, RemovedRow))


def dumps(agency: AgencyPage) -> str:
    """The agency as JSON (call after its texts are dropped: ``DocumentPage.without_texts``)."""
    return _AGENCY.dumps(agency)


def loads(text: str | bytes) -> AgencyPage:
    """The agency :func:`dumps` wrote; :class:`SummaryError` for anything else."""
    agency = _AGENCY.loads(text)
    if not isinstance(agency, AgencyPage):
        raise SummaryError("not an agency summary")
    return agency
