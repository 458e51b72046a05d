"""Why the archive could not record something, as one line a cron mail or a log can carry.

A write that fails must stop the crawl loudly (the crawler closes with reason ``archive_failed``
and exits 1) rather than drop the item and carry on: the archive is evidence, and a gap nobody
was told about is worse than a crawl that has to be run again.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class ArchiveWriteError(Exception):
    """A write to the archive that could not be made; nothing half-written was left behind."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the cause said


class ArchiveLocked(ArchiveWriteError):
    """Another process is writing this archive (it holds ``<db>.lock``)."""


class ArchiveBusy(ArchiveWriteError):
    """SQLite stayed busy (another connection's write) longer than the busy timeout."""


class ArchiveFull(ArchiveWriteError):
    """No space left for the database or the WARC files (or a file-size or quota limit)."""


def is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock; the transaction may be retried."""
    return isinstance(exc, sqlite3.OperationalError) and (
        (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
        or "database is locked" in str(exc)
    )


def write_error(exc: BaseException, path: str | Path) -> ArchiveWriteError:
    """The ArchiveWriteError that says what ``exc`` (from SQLite or a file write) means for the archive at ``path``."""
    if isinstance(exc, ArchiveWriteError):
        return exc
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        where = exc.filename or path
        return ArchiveFull(f"archive {path}: no space to write {where} ({exc.strerror})")
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_FULL:
            return ArchiveFull(f"archive {path}: the database is full ({exc}); free space and run again")
        if is_busy(exc):
            return ArchiveBusy(f"archive {path}: still locked by another connection after the busy timeout ({exc})")
        return ArchiveWriteError(f"archive {path}: database write failed ({getattr(exc, 'sqlite_errorname', '')} {exc})")
    return ArchiveWriteError(f"archive {path}: write failed ({exc.__class__.__name__}: {exc})")
