"""Watching real processes from a test: the ones a process started, and whether one has ended."""

from __future__ import annotations

import os
import select
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` and by them (extraction workers, their fork server)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def ended(pid: int, within: float) -> bool:
    """Has process ``pid`` ended (waited for on its pidfd, at most ``within`` seconds)?"""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], within)[0])
    finally:
        os.close(fd)
