"""Where commands write: never over what they did not make, never a half-written file under the real name.

``fazhi report --out DIR`` and ``fazhi demo --out DIR`` write into a directory they create, an empty
one, or one a fazhi command made before (it holds ``.fazhi-output.json``, naming the command and every
entry it wrote). Anything else — a checkout, a home directory, a folder with a user's file in it — is
refused, and nothing in it is touched. A re-run builds the new output beside the old under a temporary
name and swaps it in, so what is left is exactly what this run wrote (nothing stale), and a run killed
half-way leaves the previous output whole (``fazhi export`` does the same for its file:
archive.export).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

MARKER = ".fazhi-output.json"
T = TypeVar("T")


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _as_if_created(path: Path, directory: bool) -> None:
    """tempfile makes private (0600/0700) entries; give the result the modes a plain open/mkdir would."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


class OutputRefused(Exception):
    """The output path holds something a fazhi command did not write; the message says what and why."""


def _manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_output_directory(path: str | Path, command: str) -> None:
    """OutputRefused unless ``path`` is absent, an empty directory, or one ``command`` wrote before.

    A directory marked by ``command`` is refused too when it holds entries the marker does not list
    (somebody put a file there since): those would be lost in the swap.
    """
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputRefused(f"{path} is a file, not a directory: give a new or empty directory")
    entries = {entry.name for entry in path.iterdir()}
    if not entries:
        return
    manifest = _manifest(path)
    if manifest is None:
        shown = ", ".join(sorted(entries)[:3]) + (" …" if len(entries) > 3 else "")
        raise OutputRefused(
            f"{path} is not empty ({shown}) and was not written by `fazhi {command}`: "
            "give a new or empty directory (nothing was changed)"
        )
    if manifest.get("command") != command:
        raise OutputRefused(
            f"{path} was written by `fazhi {manifest.get('command')}`, not `fazhi {command}`: give another directory"
        )
    patterns = [*manifest.get("entries", []), MARKER]
    foreign = {name for name in entries if not any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)}
    if foreign:
        raise OutputRefused(
            f"{path} holds {', '.join(sorted(foreign)[:3])} that `fazhi {command}` did not write: "
            "move it away or give another directory (nothing was changed)"
        )


def replace_directory(path: str | Path, command: str, build: Callable[[Path], T]) -> T:
    """Run ``build(tmp_dir)`` into a fresh directory beside ``path``, then put it in ``path``'s place.

    ``path`` must pass ``check_output_directory``. The new directory gets the marker listing what
    ``build`` wrote; the old one (ours by then) is removed only after the new one is in place.
    """
    path = Path(path).absolute()
    check_output_directory(path, command)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    _as_if_created(fresh, directory=True)
    try:
        result = build(fresh)
        entries = sorted(entry.name for entry in fresh.iterdir())
        (fresh / MARKER).write_text(
            json.dumps({"command": command, "entries": entries}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(fresh, path)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return result


def prepare_directory(path: str | Path, command: str, will_write: list[str]) -> Path:
    """For a command that writes step by step into ``path`` itself (the demo).

    Checks ``path`` as ``check_output_directory`` does, removes what ``command`` wrote there before,
    and marks it with ``will_write`` (names or fnmatch patterns) before anything is written, so a run
    killed half-way leaves a directory the next run still recognises as its own.
    """
    path = Path(path)
    check_output_directory(path, command)
    path.mkdir(parents=True, exist_ok=True)
    patterns = (_manifest(path) or {}).get("entries", [])
    for entry in path.iterdir():
        if entry.name == MARKER or not any(fnmatch.fnmatchcase(entry.name, p) for p in patterns):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (path / MARKER).write_text(
        json.dumps({"command": command, "entries": will_write}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path
