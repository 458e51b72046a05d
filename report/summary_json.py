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
        return self.classes[name](*members)

    def _unmarked(self, value: dict[str, Any]) -> Any:
        """An object :meth:`plain` never writes (a subclass may allow some, where a field keeps plain rows)."""
        raise SummaryError(f"not a summary this program wrote: an object with fields {sorted(value)[:8]}")

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


# An agency's desk rows: in its summary, and alone in a build's temporary file of desks (report.site).
DESK_CLASSES = (AgencyDesk, RevisionRow, VersionStamp, FigureChange, PlanChangeRow, PlanItem, ComplianceRow, RemovedRow)
_AGENCY = DataclassJson((AgencyPage, DocumentPage, VersionRecord, CaptureRecord, ComplianceFinding, *DESK_CLASSES))


def dumps(agency: AgencyPage) -> str:
    """The agency as JSON (call after its texts are dropped: ``DocumentPage.without_texts``), without its findings
    rows: findings.db keeps those (an agency is copied from the last build only where that file holds its rows)."""
    return _AGENCY.dumps(dataclasses.replace(agency, findings={}))


def loads(text: str | bytes) -> AgencyPage:
    """The agency :func:`dumps` wrote; :class:`SummaryError` for anything else."""
    agency = _AGENCY.loads(text)
    if not isinstance(agency, AgencyPage) or agency.findings:
        raise SummaryError("not an agency summary")
    return agency
