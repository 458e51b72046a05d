"""``fazhi datasette --db PATH``: browse any archive in Datasette, whatever its file name.

Datasette keys its metadata (table descriptions, canned queries, the versions table's full-text
search) by database name, which it takes from the file name: metadata written for ``archive.db``
says nothing about ``check.db``. So the metadata is kept without a name (``fazhi/datasette.json``)
and generated for the file being served. The archive is served immutable (read-only): Datasette never
writes to it. ``datasette/metadata.json`` is the same metadata for an ``archive.db``, for people who
run Datasette themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("datasette.json")


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database in a file: its stem."""
    return Path(db_path).stem


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path``: descriptions, FTS link, canned queries."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    tables, queries = template.pop("tables"), template.pop("queries")
    return {**template, "databases": {database_name(db_path): {"tables": tables, "queries": queries}}}


def serve_command(db_path: str | Path, metadata_path: str | Path, host: str, port: int) -> list[str]:
    """The ``datasette serve`` invocation: the archive immutable, on ``host:port``."""
    return [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "-m", str(metadata_path),
            "--host", host, "--port", str(port)]  # fmt: skip


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette on the archive until it exits (Ctrl-C); returns its exit status."""
    if find_spec("datasette") is None:
        raise RuntimeError("Datasette is not installed: .venv/bin/pip install datasette (it is in the dev extra)")
    with tempfile.TemporaryDirectory(prefix="fazhi-datasette-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
        print(f"Datasette on http://{host}:{port}/{database_name(db_path)} (Ctrl-C stops it)", file=sys.stderr)
        try:
            return subprocess.call(serve_command(db_path, metadata, host, port))
        except KeyboardInterrupt:
            return 0
