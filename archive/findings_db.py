"""``DIR/findings.db``: the report's findings as SQLite tables beside the site, for Datasette.

The findings come from the analysis, not from crawling, so they are not written into the archive
(which only the crawl writes, and the report reads read-only): ``fazhi report`` writes them into a
database of their own each time, a batch of agencies at a time, under a temporary name and renamed
when whole, so Datasette never sees half a file. ``datasette DIR/findings.db -m datasette/findings.json`` serves it with canned
queries over these tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

# Column types where they are not text (sqlite-utils would guess from the rows, but an empty table has none).
TYPES: dict[str, type] = {
    "previous_year": int, "report_year": int, "previous_version_id": int, "version_id": int,
    "document_id": int, "score": float, "changed": int,
}  # fmt: skip
# Values SQLite takes as they are (anything else is written as JSON).
_PLAIN = frozenset((str, int, float, bool, type(None)))
# Columns readers filter by.
INDEXED = ("agency", "report_year", "status", "kind")


class FindingsDbWriter:
    """``findings.db`` written a batch of rows at a time (``fazhi report`` streams agency by agency):
    under a temporary name beside ``path``, indexed and renamed by :meth:`finish`, removed by
    :meth:`abort`, so Datasette never sees half a file."""

    def __init__(self, path: str | Path, columns: Mapping[str, Sequence[str]]) -> None:
        self.path, self.columns = Path(path), columns
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        os.close(fd)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(self._tmp, 0o666 & ~mask)  # the mode a plain open() gives, not mkstemp's 0600
        self._db = Database(self._tmp)
        # A file no one reads until it is renamed whole: no journal, no sync per batch (a crash leaves a .part).
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        with self._db.conn:
            for table, names in columns.items():
                self._db[table].create({name: TYPES.get(name, str) for name in names})

    def add(self, tables: Mapping[str, Iterable[dict[str, Any]]]) -> None:
        """Append rows to their tables (one transaction; one prepared statement a table, not sqlite-utils'
        per-row look-ups: a report of a national archive writes millions of rows)."""
        with self._db.conn:
            for table, rows in tables.items():
                names = self.columns[table]
                columns = ", ".join(f"[{n}]" for n in names)
                self._db.conn.executemany(
                    f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' for _ in names)})",  # noqa: S608 (our names)
                    ([v if type(v) in _PLAIN else jsonify_if_needed(v) for v in map(row.get, names)] for row in rows),
                )

    def finish(self) -> Path:
        with self._db.conn:
            for table, names in self.columns.items():
                for column in INDEXED:
                    if column in names:
                        self._db[table].create_index([column])
        self._db.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._db.close()
        Path(self._tmp).unlink(missing_ok=True)


def write_findings_db(path: str | Path, tables: Mapping[str, Sequence[dict[str, Any]]],
                      columns: Mapping[str, Sequence[str]]) -> Path:  # fmt: skip
    """Write every findings table (``columns`` names each table's columns, in order) to a new ``path``."""
    writer = FindingsDbWriter(path, columns)
    try:
        writer.add({table: tables.get(table, ()) for table in columns})
        return writer.finish()
    except BaseException:
        writer.abort()
        raise
