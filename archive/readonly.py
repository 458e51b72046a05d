"""Opening an existing archive for reading only, so checks and exports can never alter it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection; FileNotFoundError if there is no archive at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no archive at {path}")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn
