"""Opening an existing archive for reading only, so reading commands can never alter a file.

``fazhi stats|search|export|report|check|diff --db`` open the file with SQLite's ``mode=ro``: they
never create tables, never migrate, never build an index. Before that, the file is checked to be a
fazhi archive, so a wrong ``--db`` (a text file, an empty file, somebody else's SQLite database) is
refused with one sentence that says what the file is, instead of being turned into an archive.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from archive.copies import later_versions
from archive.schema import SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every schema version of the archive has had: what makes an SQLite file a fazhi archive.
ARCHIVE_TABLES = frozenset({"schema_version", "documents", "versions", "captures", "agencies"})


class NotAnArchive(ValueError):
    """The file at the path is not a fazhi archive (or not one this code reads); the message says what it is."""


def _what_the_file_is(path: Path, head: bytes, size: int) -> str:
    if b"\x00" not in head[:512]:
        first_line = head.decode("utf-8", errors="replace").strip().splitlines()
        begins = (first_line[0][:40] + ("…" if len(first_line[0]) > 40 else "")) if first_line else ""
        return f"a text file of {size} bytes" + (f" beginning {begins!r}" if begins else "")
    return f"a {size}-byte file of another kind (it begins {head[:8].hex(' ')})"


def _refuse_non_sqlite(path: Path) -> None:
    if not path.exists():
        raise FileNotFoundError(
            f"no archive at {path} (crawl first: scrapy crawl reports -a start=URL -s ARCHIVE_DB={path})"
        )
    if path.is_dir():
        raise NotAnArchive(f"{path} is a directory, not an archive file (give the .db file inside it)")
    size = path.stat().st_size
    if size == 0:
        raise NotAnArchive(f"{path} is an empty file (0 bytes), not a fazhi archive")
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head.startswith(SQLITE_HEADER):
        raise NotAnArchive(f"{path} is not an SQLite database but {_what_the_file_is(path, head, size)}")


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the fazhi archive at ``path``.

    FileNotFoundError when nothing is there; NotAnArchive (one sentence naming what was found) for a
    directory, an empty file, a file that is not SQLite, or an SQLite database without the archive's
    tables. Nothing is written to the file, whatever it turns out to be.
    """
    path = Path(path)
    _refuse_non_sqlite(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise NotAnArchive(f"{path} looks like SQLite but cannot be read ({exc})") from exc
    missing = ARCHIVE_TABLES - tables
    if missing:
        conn.close()
        listed = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        found = f"with {len(tables)} table(s) of its own ({listed})" if tables else "with no tables"
        raise NotAnArchive(
            f"{path} is an SQLite database {found}, not a fazhi archive (no {', '.join(sorted(missing))} table)"
        )
    conn.row_factory = sqlite3.Row
    return conn


def require_archive_or_nothing(path: str | Path) -> None:
    """For a command that writes: nothing at ``path`` (a new archive is made there) or a fazhi archive.

    An archive of an older schema passes (the writer migrates it); anything else that is a file — a
    foreign SQLite database, an empty file, a text file — raises NotAnArchive before a byte is written,
    so a mistyped ``ARCHIVE_DB`` never has the archive's schema written into somebody else's file.
    A directory or a missing folder is left to the writer, which says what is wrong.
    """
    path = Path(path)
    if path.is_file():
        connect_readonly(path).close()


def schema_of(conn: sqlite3.Connection) -> int | None:
    """The archive's recorded schema version."""
    return conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]


def require_current_schema(conn: sqlite3.Connection, path: str | Path) -> None:
    """NotAnArchive unless the archive is at this code's schema: reading never migrates, it says how."""
    version = schema_of(conn)
    if version == SCHEMA_VERSION:
        return
    if version is not None and version > SCHEMA_VERSION:
        raise NotAnArchive(f"{path} is an archive of schema {version}, newer than this code's {SCHEMA_VERSION}")
    raise NotAnArchive(
        f"{path} is an archive of schema {version}, older than this code's {SCHEMA_VERSION}: "
        f"`fazhi migrate --db {path}` upgrades it"
    )


def open_for_reading(path: str | Path) -> sqlite3.Connection:
    """``connect_readonly`` for a command that reads the current schema's tables."""
    conn = connect_readonly(path)
    try:
        require_current_schema(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def archive_stats(conn: Any) -> dict[str, Any]:
    """Counts of what the archive holds, for the CLI and the crawl log (any sqlite3 or sqlite-utils connection)."""

    def count(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    later = later_versions(conn)
    outcomes = {
        outcome: n
        for outcome, n in conn.execute("SELECT outcome, count(*) FROM captures GROUP BY outcome ORDER BY outcome")
    }
    return {
        "documents": count("SELECT count(*) FROM documents"),
        "versions": count("SELECT count(*) FROM versions"),
        "captures": count("SELECT count(*) FROM captures"),
        "agencies": count("SELECT count(*) FROM agencies"),
        "outcomes": outcomes,
        # A later text on a portal that already carried the report; a copy on another portal is no revision.
        "revised_documents": len({document for document, copy in later if not copy}),
        "copies": sum(copy for _document, copy in later),
        "removed_documents": count("SELECT count(*) FROM documents WHERE removed_at IS NOT NULL"),
        # What deduplication and compression save: bytes fetched, distinct bodies, bytes they take.
        "fetched_body_bytes": count("SELECT coalesce(sum(b.size), 0) FROM captures c JOIN bodies b ON b.id = c.body_id"),
        "bodies": count("SELECT count(*) FROM bodies"),
        "stored_body_bytes": count("SELECT coalesce(sum(length(body)), 0) FROM bodies"),
    }


def read_stats(path: str | Path) -> dict[str, Any]:
    """``archive_stats`` of the archive at ``path``, opened read-only."""
    conn = open_for_reading(path)
    try:
        return archive_stats(conn)
    finally:
        conn.close()
