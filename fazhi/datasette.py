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
import signal
import subprocess
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from archive.bigrams import INDEX_TABLE

TEMPLATE = Path(__file__).with_name("datasette.json")


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database in a file: its stem."""
    return Path(db_path).stem


def metadata_for(db_path: str | Path, has_index: bool = True) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path``: descriptions and canned queries.

    ``has_index`` False (an archive whose search index was dropped): the search query matches by
    LIKE alone, so every page still works.
    """
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    tables, queries = template.pop("tables"), template.pop("queries")
    if not has_index:
        tables.pop(INDEX_TABLE, None)
        sql = queries["search_reports"]["sql"]
        assert INDEX_CLAUSE in sql and SHORT_ONLY in sql, "fazhi/datasette.json's search query changed"
        queries["search_reports"]["sql"] = sql.replace(INDEX_CLAUSE, "0").replace(SHORT_ONLY, "")
    return {**template, "databases": {database_name(db_path): {"tables": tables, "queries": queries}}}


# The search query's index branch (every two-character run of :q AND-ed in the index, then the text
# checked), and the guard that keeps its LIKE branch to one character: without an index, the LIKE
# branch answers for every length.
SHORT_ONLY = "length(:q) < 2 and "
INDEX_CLAUSE = (
    f"(length(:q) >= 2 and versions.id in (select rowid from {INDEX_TABLE} where {INDEX_TABLE} match "
    "(with recursive s(n) as (select 1 union all select n + 1 from s where n < length(:q) - 1) "
    "select group_concat('\"' || replace(substr(:q, n, 2), '\"', '\"\"') || '\"', ' AND ') from s)) "
    "and instr(coalesce(versions.text_normalized, versions.text) || ' ' || coalesce(versions.title, ''), :q) > 0)"
)


def serve_command(db_path: str | Path, metadata_path: str | Path, host: str, port: int) -> list[str]:
    """The ``datasette serve`` invocation: the archive immutable, on ``host:port``."""
    return [sys.executable, "-m", "datasette", "serve", "-i", str(db_path), "-m", str(metadata_path),
            "--host", host, "--port", str(port)]  # fmt: skip


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, has_index: bool = True) -> int:
    """Run Datasette on the archive until it exits (Ctrl-C, or SIGTERM passed on); returns its exit status."""
    if find_spec("datasette") is None:
        raise RuntimeError("Datasette is not installed: .venv/bin/pip install datasette (it is in the dev extra)")
    with tempfile.TemporaryDirectory(prefix="fazhi-datasette-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(db_path, has_index), ensure_ascii=False), encoding="utf-8")
        print(f"Datasette on http://{host}:{port}/{database_name(db_path)} (Ctrl-C stops it)", file=sys.stderr)
        server = subprocess.Popen(serve_command(db_path, metadata, host, port))
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: server.send_signal(signum))
        try:
            return server.wait()
        except KeyboardInterrupt:  # the terminal sent SIGINT to both: let Datasette finish its own shutdown
            return server.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
