"""``fazhi export``: the reports as one flat table, for people who never open SQLite.

Researchers read archives in pandas, R or a spreadsheet. One row per document (its current
version) by default, or one per version with ``all_versions`` to study silent edits.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from archive.readonly import open_for_reading

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS = (
    "version_id", "document_id", "version_number", "versions_total", "agency", "level", "region",
    "report_year", "title", "url", "published", "first_seen", "last_seen", "seen_count", "removed_at",
    "fingerprint", "text",
)  # fmt: skip

_QUERY = """
SELECT v.id AS version_id, d.id AS document_id,
       (SELECT count(*) FROM versions p WHERE p.document_id = v.document_id AND p.id <= v.id) AS version_number,
       (SELECT count(*) FROM versions p WHERE p.document_id = v.document_id) AS versions_total,
       a.name AS agency, a.level AS level, a.region AS region, d.report_year AS report_year,
       v.title AS title, d.url AS url, v.published AS published, v.first_seen AS first_seen,
       v.last_seen AS last_seen, v.seen_count AS seen_count, d.removed_at AS removed_at,
       v.fingerprint AS fingerprint, v.text AS text
FROM versions v JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id
{where}
ORDER BY a.name, d.report_year, d.id, v.id
"""
_LATEST_ONLY = "WHERE v.id = d.current_version_id"  # the text the document's URLs carry now


def _rows(path: str | Path, all_versions: bool) -> Iterator[dict[str, Any]]:
    conn = open_for_reading(path)
    try:
        for row in conn.execute(_QUERY.format(where="" if all_versions else _LATEST_ONLY)):
            yield {name: row[name] for name in COLUMNS}
    finally:
        conn.close()


@contextmanager
def atomic_file(path: str | Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``path``, renamed to ``path`` when the block succeeds, removed otherwise."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory: give a file name (or - for standard output)")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"no directory {path.parent} to write {path.name} in")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # the mode a plain open() would give, not mkstemp's 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# OWASP's CSV injection rule: a spreadsheet runs a cell that begins with one of these as a formula
# (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…)); tab and carriage return start one in some importers too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; anything else as is.

    Scraped text is untrusted: a report title like ``=HYPERLINK("http://…")`` must open as text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_jsonl(rows: Iterable[dict[str, Any]], columns: Sequence[str], fh: IO[bytes]) -> int:
    count = 0
    for row in rows:
        fh.write((json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False) + "\n").encode("utf-8"))
        count += 1
    return count


def _write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], fh: IO[bytes], bom: bool) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True)
    try:
        writer = csv.DictWriter(text, fieldnames=list(columns))
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow({name: neutralise_formula(row.get(name)) for name in columns})
            count += 1
        text.flush()
        return count
    finally:
        text.detach()  # the caller owns the byte stream


def _write_parquet(rows: Iterable[dict[str, Any]], columns: Sequence[str], fh: IO[bytes]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RuntimeError("parquet export needs pyarrow: pip install pyarrow (or use jsonl/csv)") from exc
    table_rows = [{name: row.get(name) for name in columns} for row in rows]
    table = (
        pa.Table.from_pylist(table_rows) if table_rows else pa.table({c: pa.array([], pa.string()) for c in columns})
    )
    buffer = io.BytesIO()  # parquet writes its footer last: build it whole, then hand it over
    pq.write_table(table, buffer)
    fh.write(buffer.getvalue())
    return len(table_rows)


def write_table(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str, out: str | Path | IO[bytes]
) -> int:
    """Write ``rows`` (dicts; ``columns`` in this order) as jsonl, csv (UTF-8; with a BOM in files, for
    Excel) or parquet; returns the number of rows.

    ``out`` is a file path — written under a temporary name beside it and renamed when complete, so a
    killed export never leaves a half file under the real name — or a binary stream (standard output).
    CSV cells that a spreadsheet would run as formulas are neutralised (``neutralise_formula``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")

    def write(fh: IO[bytes], to_file: bool) -> int:
        if fmt == "jsonl":
            return _write_jsonl(rows, columns, fh)
        if fmt == "csv":
            return _write_csv(rows, columns, fh, bom=to_file)
        return _write_parquet(rows, columns, fh)

    if not isinstance(out, str | Path):
        count = write(out, to_file=False)
        out.flush()
        return count
    with atomic_file(out) as fh:
        return write(fh, to_file=True)


def export_reports(
    path: str | Path, fmt: str, out: str | Path | IO[bytes], all_versions: bool = False
) -> int:
    """Write the archive's reports as jsonl, csv or parquet (``write_table``); the archive is opened read-only.

    Returns the number of rows written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    conn = open_for_reading(path)  # fail on a non-archive before creating any output
    conn.close()
    return write_table(_rows(path, all_versions), COLUMNS, fmt, out)
