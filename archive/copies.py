"""Which versions of a report are copies: the same agency-year report as another portal republished it.

A department portal that reposts the county's report (a 转载 line above the same text) gives the
document a second text, stored as a version of its own (archive.store keeps every distinct text).
It is not a revision after publication: nobody edited the report. A version is a **copy** when it
was first seen on a portal (the capture's ``portal``) on which no earlier version of the document
had been seen; a later text on a portal that already carried one is a revision of that portal's
text. Captures with no portal recorded count as one place, so such versions are never copies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

_VERSION_PLACES = (
    "SELECT v.id, v.document_id, c.portal_id FROM versions v LEFT JOIN captures c ON c.id = v.capture_id {where}"
    "ORDER BY v.document_id, v.first_seen, v.id"
)


def _placed(
    conn: sqlite3.Connection | Any, agency_ids: Sequence[int] | None = None
) -> list[tuple[int, int, int | None, bool, bool]]:
    """(version id, document id, portal, a later version, a copy) for every version, oldest first per document.

    With ``agency_ids``, only the versions of those agencies' documents (through the index on
    ``versions(document_id)``): a report built agency by agency reads each batch's, not the archive's.
    Whether a version is a copy depends on its own document's versions only, so the answer is the same.
    """
    where, params = "", []
    if agency_ids is not None:
        marks = ", ".join("?" * len(agency_ids))
        where = f"WHERE v.document_id IN (SELECT id FROM documents WHERE agency_id IN ({marks})) "
        params = list(agency_ids)
    out = []
    document, seen = None, set()
    for version_id, document_id, place in conn.execute(_VERSION_PLACES.format(where=where), params):
        if document_id != document:
            document, seen = document_id, set()
        out.append((version_id, document_id, place, bool(seen), bool(seen) and place not in seen))
        seen.add(place)
    return out


def version_places(
    conn: sqlite3.Connection | Any, agency_ids: Sequence[int] | None = None
) -> dict[int, tuple[int | None, bool]]:
    """Version id → (the portal it was first seen on, whether it is a copy), for every version (of ``agency_ids``)."""
    return {version_id: (place, copy) for version_id, _document, place, _later, copy in _placed(conn, agency_ids)}


def copy_ids(conn: sqlite3.Connection | Any) -> set[int]:
    """The ids of the versions that are copies."""
    return {version_id for version_id, _document, _place, _later, copy in _placed(conn) if copy}


def later_versions(conn: sqlite3.Connection | Any) -> list[tuple[int, bool]]:
    """(document id, is a copy) of every version after its document's first: revisions and copies."""
    return [(document, copy) for _version, document, _place, later, copy in _placed(conn) if later]
