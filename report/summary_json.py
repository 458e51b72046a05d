"""An agency's summary (``AgencyPage`` without its texts) as JSON, for the rebuild cache in the site directory.

The cache lives in an output directory anyone may have written to, so it is read as data, never as
code (no pickle): every object is a plain JSON value or a dataclass named in ``_CLASSES``, rebuilt
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

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (AgencyPage, DocumentPage, VersionRecord, CaptureRecord, ComplianceFinding, AgencyDesk,
                RevisionRow, VersionStamp, FigureChange, PlanChangeRow, PlanItem, ComplianceRow, RemovedRow)
}  # fmt: skip
_FIELDS = {name: {f.name for f in dataclasses.fields(cls) if f.init} for name, cls in _CLASSES.items()}


class SummaryError(ValueError):
    """A cached summary that is not one this module wrote."""


_SCALARS = (str, int, float, type(None))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS or type(value) is bool:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _CLASSES.get(name) is not type(value):
            raise TypeError(f"no JSON form for {name}")
        fields = {f: _plain(getattr(value, f)) for f in _FIELDS[name]}
        if name == "AgencyPage":
            fields["findings"] = value.findings  # rows of plain values (findings tables): JSON as they are
        return {"$": name, **fields}
    if isinstance(value, dict):
        return {"$map": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_plain(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted(_plain(v) for v in value)}
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _findings(value: Any) -> dict[str, list[dict[str, Any]]]:
    """The findings rows as JSON gave them back, if they are tables of rows of plain values."""
    if not isinstance(value, dict) or not all(
        isinstance(rows, list) and all(isinstance(r, dict) and all(type(v) in _SCALARS or type(v) is bool
                                                                   for v in r.values()) for r in rows)
        for rows in value.values()
    ):  # fmt: skip
        raise SummaryError("not an agency summary: findings are not rows of plain values")
    return value


def _typed(value: Any) -> Any:
    if type(value) in _SCALARS or type(value) is bool:
        return value
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if "$map" in value and len(value) == 1:
        return {_typed(k): _typed(v) for k, v in value["$map"]}
    if "$tuple" in value and len(value) == 1:
        return tuple(_typed(v) for v in value["$tuple"])
    if "$set" in value and len(value) == 1:
        return {_typed(v) for v in value["$set"]}
    name = value.get("$")
    if name not in _CLASSES or set(value) - {"$"} != _FIELDS[name]:
        raise SummaryError(f"not an agency summary: {str(name)[:40]!r} with fields {sorted(value)[:8]}")
    if name == "AgencyPage":
        return AgencyPage(**{k: _findings(v) if k == "findings" else _typed(v) for k, v in value.items() if k != "$"})
    return _CLASSES[name](**{k: _typed(v) for k, v in value.items() if k != "$"})


def dumps(agency: AgencyPage) -> str:
    """The agency as JSON (call after its texts are dropped: ``DocumentPage.without_texts``)."""
    return json.dumps(_plain(agency), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> AgencyPage:
    """The agency :func:`dumps` wrote; :class:`SummaryError` for anything else."""
    try:
        agency = _typed(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise SummaryError(f"unreadable agency summary: {exc}") from exc
    if not isinstance(agency, AgencyPage):
        raise SummaryError("not an agency summary")
    return agency
