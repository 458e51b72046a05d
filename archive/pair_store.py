"""The site's store of pair analyses (``report.analysis_cache``): a table of opaque entries by key.

The site's own database beside its pages (like findings.db), not the archive: rows are
(key, body, checksum); what a body means and whether to trust it is the report stage's business.
Readers open the previous build's file read-only (one connection a process: forked workers open
their own); the writer fills a new file with the entries a build made and those it used.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

Entry = tuple[str, bytes, bytes]  # key, body, checksum


@dataclass(frozen=True)
class StoreLabel:
    """What a store's entries are and what its user does again without them, for its warnings: "its
    {entries} are {redone}" when the last build's file is unreadable, "its {entries} are not kept"."""

    entries: str
    redone: str


PAIRS = StoreLabel("pairs", "analysed again")  # report.analysis_cache's store


class PairStoreReader:
    """Entries of a file a build wrote before; an unreadable file reads as empty (with one warning)."""

    def __init__(self, path: Path | None, label: StoreLabel = PAIRS) -> None:
        self.path = path if path is not None and path.is_file() else None
        self.label = label
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def get(self, key: str) -> tuple[object, object] | None:
        """(body, checksum) as stored under ``key`` (unchecked: the caller checks), or None."""
        if self.path is None:
            return None
        try:
            if self._conn is None or self._pid != os.getpid():
                self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
                self._pid = os.getpid()
            row = self._conn.execute("SELECT body, checksum FROM pairs WHERE key = ?", [key]).fetchone()
        except sqlite3.DatabaseError as exc:
            log.warning(
                "%s is unreadable (%s): its %s are %s", self.path, exc, self.label.entries, self.label.redone
            )
            self.path = None
            return None
        return None if row is None else (row[0], row[1])


class PairStoreWriter:
    """A new file: the entries made by this build, then those it used from the previous file."""

    def __init__(self, path: Path, previous: Path | None, label: StoreLabel = PAIRS) -> None:
        self.path, self.previous = path, previous if previous is not None and previous.is_file() else None
        self.label = label
        path.unlink(missing_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None)
        # A file of a site being built (``fazhi report`` builds into a directory that replaces the last site
        # only when whole): no journal, no sync a transaction. A file cut short by a crash is refused by
        # its readers (unreadable, or entries failing their checksums) and its entries are made again.
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute(
            "CREATE TABLE pairs (key TEXT PRIMARY KEY, body BLOB NOT NULL, checksum BLOB NOT NULL)"
        )
        self.conn.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")

    def add(self, used: Iterable[str], made: Iterable[Entry]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)", made)
        self.conn.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in used))
        self.conn.execute("COMMIT")

    def finish(self) -> None:
        """Copy the used entries from the previous file (as they were read and checked), and close."""
        if self.previous is not None:
            try:
                self.conn.execute("ATTACH DATABASE ? AS old", [str(self.previous)])
                self.conn.execute("INSERT OR IGNORE INTO pairs SELECT p.key, p.body, p.checksum FROM old.pairs p "
                                  "JOIN used u ON u.key = p.key")  # fmt: skip
                self.conn.execute("DETACH DATABASE old")
            except sqlite3.DatabaseError as exc:
                log.warning(
                    "%s is unreadable (%s): its %s are not kept", self.previous, exc, self.label.entries
                )
        self.conn.close()

    def abort(self) -> None:
        self.conn.close()
