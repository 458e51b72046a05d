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

    Lists, dicts (``$map``), tuples and sets of them and of plain values; anything else is a
    :class:`SummaryError` when read back (and a ``TypeError`` when written).
    """

    def __init__(self, classes: tuple[type, ...]) -> None:
        self.classes: dict[str, type] = {cls.__name__: cls for cls in classes}
        self.fields = {name: {f.name for f in dataclasses.fields(cls) if f.init} for name, cls in self.classes.items()}

    def plain(self, value: Any) -> Any:
        if type(value) in _SCALARS or type(value) is bool:
            return value
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            name = type(value).__name__
            if self.classes.get(name) is not type(value):
                raise TypeError(f"no JSON form for {name}")
            return {"$": name, **{f: self.plain_field(name, f, getattr(value, f)) for f in self.fields[name]}}
        if isinstance(value, dict):
            return {"$map": [[self.plain(k), self.plain(v)] for k, v in value.items()]}
        if isinstance(value, tuple):
            return {"$tuple": [self.plain(v) for v in value]}
        if isinstance(value, (set, frozenset)):
            return {"$set": sorted(self.plain(v) for v in value)}
        raise TypeError(f"no JSON form for {type(value).__name__}")

    def typed(self, value: Any) -> Any:
        if type(value) in _SCALARS or type(value) is bool:
            return value
        if isinstance(value, list):
            return [self.typed(v) for v in value]
        if "$map" in value and len(value) == 1:
            return {self.typed(k): self.typed(v) for k, v in value["$map"]}
        if "$tuple" in value and len(value) == 1:
            return tuple(self.typed(v) for v in value["$tuple"])
        if "$set" in value and len(value) == 1:
            return {self.typed(v) for v in value["$set"]}
        name = value.get("$")
        if name not in self.classes or set(value) - {"$"} != self.fields[name]:
            raise SummaryError(f"not a summary this program wrote: {str(name)[:40]!r} with fields {sorted(value)[:8]}")
        return self.classes[name](**{k: self.typed_field(name, k, v) for k, v in value.items() if k != "$"})

    def plain_field(self, cls: str, name: str, value: Any) -> Any:
        """One field's JSON form (a subclass may keep a field as the plain value it already is)."""
        return self.plain(value)

    def typed_field(self, cls: str, name: str, value: Any) -> Any:
        return self.typed(value)

    def dumps(self, value: Any) -> str:
        return json.dumps(self.plain(value), ensure_ascii=False, separators=(",", ":"))

    def loads(self, text: str | bytes) -> Any:
        """What :meth:`dumps` wrote; :class:`SummaryError` for anything else."""
        try:
            return self.typed(json.loads(text))
        except SummaryError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            raise SummaryError(f"unreadable summary: {exc}") from exc


def _findings(value: Any) -> dict[str, list[dict[str, Any]]]:
    """The findings rows as JSON gave them back, if they are tables of rows of plain values."""
    if not isinstance(value, dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) and all(type(v) in _SCALARS or type(v) is bool
                                                                   for v in r.values()) for r in rows)
        for rows in value.values()
    ):  # fmt: skip
        raise SummaryError("not an agency summary: findings are not rows of plain values")
    return value


class _AgencyJson(DataclassJson):
    """An agency's findings are rows of plain values (findings tables): JSON as they are."""

    def plain_field(self, cls: str, name: str, value: Any) -> Any:
        return value if (cls, name) == ("AgencyPage", "findings") else self.plain(value)

    def typed_field(self, cls: str, name: str, value: Any) -> Any:
        return _findings(value) if (cls, name) == ("AgencyPage", "findings") else self.typed(value)


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
