"""``DIR/findings.db``: the report's findings as SQLite tables beside the site, for Datasette.

The findings come from the analysis, not from crawling, so they are not written into the archive
(which only the crawl writes, and the report reads read-only): ``fazhi report`` writes them into a
database of their own each time, a batch of agencies at a time, under a temporary name and renamed
when whole, so Datasette never sees half a file. ``datasette DIR/findings.db -m datasette/findings.json`` serves it with canned
queries over these tables.

Each row carries its agency's id (``agency_id``; NULL for a page no fetch could read), and the table
``agency_inputs`` the digest of each agency's inputs. A rebuild given the last build's file copies an
unchanged agency's rows from it in SQL (same digest, same code: ``version``) instead of encoding them
again from Python, and inserts only the changed agencies' rows; agencies come in the archive's order
either way, so the file holds the same rows in the same order as one written from nothing.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import jsonify_if_needed

# Column types where they are not text (sqlite-utils would guess from the rows, but an empty table has none).
TYPES: dict[str, type] = {
    "previous_year": int, "report_year": int, "previous_version_id": int, "version_id": int,
    "document_id": int, "score": float, "changed": int, "agency_id": int,
}  # fmt: skip
# Values SQLite takes as they are (anything else is written as JSON).
_PLAIN = frozenset((str, int, float, bool, type(None)))
# Columns readers filter by.
INDEXED = ("agency", "report_year", "status", "kind", "agency_id")
AGENCY = "agency_id"  # the column the writer adds to every table
INPUTS = "agency_inputs"  # agency id → digest of its inputs
BUILD = "findings_build"  # the code and columns the rows were made by (one row)
FORMAT = 1
log = logging.getLogger(__name__)


class FindingsDbWriter:
    """``findings.db`` written a batch of rows at a time (``fazhi report`` streams agency by agency):
    under a temporary name beside ``path``, indexed and renamed by :meth:`finish`, removed by
    :meth:`abort`, so Datasette never sees half a file. ``previous``: the last build's file, whose
    unchanged agencies' rows are copied (``version`` names the code that made the rows)."""

    def __init__(self, path: str | Path, columns: Mapping[str, Sequence[str]], previous: str | Path | None = None,
                 version: str = "") -> None:  # fmt: skip
        self.path, self.columns = Path(path), {table: (*names, AGENCY) for table, names in columns.items()}
        self.version = json.dumps([FORMAT, version, self.columns])
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        os.close(fd)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(self._tmp, 0o666 & ~mask)  # the mode a plain open() gives, not mkstemp's 0600
        self._db = Database(sqlite3.connect(Path(self._tmp).resolve().as_uri(), uri=True))
        # A file no one reads until it is renamed whole: no journal, no sync per batch (a crash leaves a .part).
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        with self._db.conn:
            for table, names in self.columns.items():
                self._db[table].create({name: TYPES.get(name, str) for name in names})
            self._db[INPUTS].create({AGENCY: int, "digest": str}, pk=AGENCY)
            self._db[BUILD].insert({"version": self.version})
        self._kept = self._attach(Path(previous)) if previous is not None else {}
        self._copy: list[int] = []  # unchanged agencies whose rows are still to be copied, in order
        self.copied = self.written = 0  # agencies

    def _attach(self, previous: Path) -> dict[int, str]:
        """The last build's file (read-only) and its agencies' digests, if the same code wrote it."""
        if not previous.is_file():
            return {}
        try:
            self._db.execute("ATTACH DATABASE ? AS old", [previous.resolve().as_uri() + "?mode=ro"])
            if not self._db.execute("SELECT 1 FROM old.sqlite_master WHERE name = ?", [BUILD]).fetchall():
                self._db.execute("DETACH DATABASE old")  # an older program's file: its rows are written again
                return {}
            [(version,)] = self._db.execute(f"SELECT version FROM old.[{BUILD}]").fetchall()  # noqa: S608 (our names)
            if version != self.version:
                self._db.execute("DETACH DATABASE old")
                return {}
            return dict(self._db.execute(f"SELECT [{AGENCY}], digest FROM old.[{INPUTS}]").fetchall())  # noqa: S608
        except (sqlite3.DatabaseError, ValueError) as exc:
            log.warning(
                "%s is not a findings.db this program wrote (%s): its rows are not kept", previous, exc
            )
            if any(name == "old" for _, name, _ in self._db.execute("PRAGMA database_list").fetchall()):
                self._db.execute("DETACH DATABASE old")
            return {}

    def keeps(self, agency_id: int, digest: str) -> bool:
        """Whether the last build's file holds this agency's rows for these inputs (:meth:`add` copies them from
        there, its ``tables`` unread: the caller need not make them)."""
        return self._kept.get(agency_id) == digest

    def add(self, tables: Mapping[str, Iterable[dict[str, Any]]], agency_id: int | None = None,
            digest: str | None = None) -> None:  # fmt: skip
        """Append one agency's rows (``agency_id`` None: rows of no agency) to their tables, or, when the
        last build's file has this agency with the same ``digest``, its rows from there (``tables`` unread).
        One transaction; one prepared statement a table, not sqlite-utils' per-row look-ups: a report of a
        national archive writes millions of rows."""
        unchanged = agency_id is not None and digest is not None and self._kept.get(agency_id) == digest
        if not unchanged:
            self._copy_kept()  # the waiting agencies' rows first: the file keeps the archive's order
        with self._db.conn:
            if unchanged:
                self._copy.append(agency_id)
            else:
                for table, rows in tables.items():
                    names = self.columns[table]
                    columns = ", ".join(f"[{n}]" for n in names)
                    self._db.conn.executemany(
                        f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' for _ in names)})",  # noqa: S608 (our names)
                        ([*(v if type(v) in _PLAIN else jsonify_if_needed(v) for v in map(row.get, names[:-1])), agency_id]
                         for row in rows),
                    )  # fmt: skip
                self.written += agency_id is not None
            if agency_id is not None:
                self._db.conn.execute(f"INSERT OR REPLACE INTO [{INPUTS}] VALUES (?, ?)", [agency_id, digest])  # noqa: S608

    def _copy_kept(self) -> None:
        """Copy the waiting unchanged agencies' rows from the last build's file, in its order (the archive's)."""
        if not self._copy:
            return
        with self._db.conn:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS copying (id INTEGER PRIMARY KEY)")
            self._db.execute("DELETE FROM copying")
            self._db.conn.executemany("INSERT INTO copying VALUES (?)", ((i,) for i in self._copy))
            for table, names in self.columns.items():
                columns = ", ".join(f"[{n}]" for n in names)
                self._db.execute(f"INSERT INTO [{table}] ({columns}) SELECT {columns} FROM old.[{table}] "  # noqa: S608
                                 f"WHERE [{AGENCY}] IN (SELECT id FROM copying) ORDER BY rowid")  # fmt: skip
        self.copied += len(self._copy)
        self._copy = []

    def finish(self) -> Path:
        self._copy_kept()
        with self._db.conn:
            for table, names in self.columns.items():
                for column in INDEXED:
                    if column in names:
                        self._db[table].create_index([column])
        if self._kept:
            self._db.execute("DETACH DATABASE old")
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
