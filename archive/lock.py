"""One writer at a time: an advisory lock file beside the database (``archive.db`` → ``archive.db.lock``).

Two crawls writing one archive at once (an overlapping cron run) would each be slowed by the
other's transactions and, past SQLite's busy timeout, lose captures. So a writer takes an
exclusive ``flock`` on the lock file for as long as it writes, and a second writer either waits
for it (bounded: ``wait`` seconds) or refuses at once with one line naming the holder. The kernel
drops the lock when its process ends, however it ends (SIGKILL included), so a lock file left by
a killed writer is harmless; a writer that closes removes it. Readers take no lock: SQLite's WAL
lets them read while one writes. Re-entrant within a process (``scrapy crawl`` takes it before
the crawl starts, the pipeline's Archive again).
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from archive.errors import ArchiveLocked

_POLL_SECONDS = 0.2
_held: dict[Path, list[int]] = {}  # lock file → [fd, how many holders in this process]
_guard = threading.Lock()


def lock_path_for(db_path: str | Path) -> Path:
    """The lock file of the archive at ``db_path``: archive.db → archive.db.lock."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def _holder(fd: int) -> str:
    """What the holder wrote into the lock file (pid, since when, command), for the refusal message."""
    try:
        return os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "another process"
    except OSError:
        return "another process"


def _same_file(fd: int, path: Path) -> bool:
    """Is ``fd`` still the file at ``path``? (A releasing writer unlinks the lock file before unlocking.)"""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


class WriterLock:
    """The exclusive writer lock of one archive; ``release()`` (or leaving ``with``) gives it back."""

    def __init__(self, db_path: str | Path, wait: float = 0.0) -> None:
        self.path = lock_path_for(db_path).resolve()
        self.released = False
        with _guard:
            if self.path in _held:
                _held[self.path][1] += 1
                return
            fd = self._acquire(wait)
            _held[self.path] = [fd, 1]

    def _acquire(self, wait: float) -> int:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    os.close(fd)
                    waited = f" after waiting {wait:g} s" if wait > 0 else ""
                    raise ArchiveLocked(
                        f"archive {self.path.with_suffix('')} is being written by {holder}{waited}: not starting "
                        "(run again later, or wait for it with -s ARCHIVE_LOCK_WAIT=SECONDS)"
                    ) from None
                os.close(fd)
                time.sleep(_POLL_SECONDS)
                continue
            if _same_file(fd, self.path):
                break
            os.close(fd)  # its holder removed it as we opened it: lock the file that is there now
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))[:60]
        note = f"pid {os.getpid()} since {stamp} ({command})\n".encode()
        try:  # only a courtesy for the next writer's message: a full disk must not stop us here
            os.ftruncate(fd, 0)
            os.pwrite(fd, note, 0)
        except OSError:
            pass
        return fd

    def release(self) -> None:
        with _guard:
            if self.released:
                return
            self.released = True
            entry = _held[self.path]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[self.path]
                try:  # removed while still locked, so a writer waiting on it re-opens the path (see _acquire)
                    os.unlink(self.path)
                except OSError:
                    pass
                os.close(entry[0])  # closing the descriptor drops the flock

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
