"""``DIR/findings.db``: the report's findings as SQLite tables beside the site, for Datasette.

The findings come from the analysis, not from crawling, so they are not written into the archive
(which only the crawl writes, and the report reads read-only): ``fazhi report`` writes them into a
database of their own each time, whole, under a temporary name and renamed, so Datasette never
sees half a file. ``datasette DIR/findings.db -m datasette/findings.json`` serves it with canned
queries over these tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

# Column types where they are not text (sqlite-utils would guess from the rows, but an empty table has none).
TYPES: dict[str, type] = {
    "previous_year": int, "report_year": int, "previous_version_id": int, "version_id": int,
    "document_id": int, "score": float, "changed": int,
}  # fmt: skip
# Columns readers filter by.
INDEXED = ("agency", "report_year", "status", "kind")


def write_findings_db(path: str | Path, tables: Mapping[str, Sequence[dict[str, Any]]],
                      columns: Mapping[str, Sequence[str]]) -> Path:  # fmt: skip
    """Write every findings table (``columns`` names each table's columns, in order) to a new ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # the mode a plain open() gives, not mkstemp's 0600
    try:
        db = Database(tmp)
        try:
            with db.conn:
                for table, names in columns.items():
                    db[table].create({name: TYPES.get(name, str) for name in names})
                    db[table].insert_all(({n: row.get(n) for n in names} for row in tables.get(table, ())),
                                         batch_size=500)  # fmt: skip
                    for column in INDEXED:
                        if column in names:
                            db[table].create_index([column])
        finally:
            db.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
