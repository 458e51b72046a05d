"""``fazhi export``: the reports as one flat table, for people who never open SQLite.

Researchers read archives in pandas, R or a spreadsheet. One row per document (its current
version) by default, or one per version with ``all_versions`` to study silent edits. Every format
streams: rows are read a chunk at a time and written as they come (parquet in row groups), so an
export of a national archive takes the memory of one chunk, not of the table.
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

# The order of the rows, and each version's place among its document's versions: small columns only
# (window functions over versions.document_id), so sorting never carries the texts.
_ORDER = """
SELECT k.id, k.version_number, k.versions_total FROM (
    SELECT v.id, v.document_id, row_number() OVER (PARTITION BY v.document_id ORDER BY v.id) AS version_number,
           count(*) OVER (PARTITION BY v.document_id) AS versions_total
    FROM versions v
) k JOIN documents d ON d.id = k.document_id LEFT JOIN agencies a ON a.id = d.agency_id
{where}
ORDER BY a.name, d.report_year, d.id, k.id
"""
_LATEST_ONLY = "WHERE k.id = d.current_version_id"  # the text the document's URLs carry now
# The rows themselves, a chunk of version ids at a time.
_ROWS = """
SELECT v.id AS version_id, d.id AS document_id, a.name AS agency, a.level AS level, a.region AS region,
       d.report_year AS report_year, v.title AS title, d.url AS url, v.published AS published,
       v.first_seen AS first_seen, v.last_seen AS last_seen, v.seen_count AS seen_count,
       d.removed_at AS removed_at, v.fingerprint AS fingerprint, v.text AS text
FROM versions v JOIN documents d ON d.id = v.document_id LEFT JOIN agencies a ON a.id = d.agency_id
WHERE v.id IN ({ids})
"""
CHUNK_ROWS = 500


def _rows(path: str | Path, all_versions: bool) -> Iterator[dict[str, Any]]:
    """Every exported row in order, read a chunk at a time: memory holds the order (three integers a row)
    and one chunk, never the whole table."""
    conn = open_for_reading(path)
    try:
        order = conn.execute(_ORDER.format(where="" if all_versions else _LATEST_ONLY)).fetchall()
        for start in range(0, len(order), CHUNK_ROWS):
            chunk = order[start : start + CHUNK_ROWS]
            found = {
                row["version_id"]: row
                for row in conn.execute(_ROWS.format(ids=", ".join("?" * len(chunk))), [k[0] for k in chunk])
            }
            for version_id, number, total in chunk:
                row = dict(found[version_id]) | {"version_number": number, "versions_total": total}
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


# Parquet column types of the reports table (text unless listed): an empty export has the same schema.
_INTEGER_COLUMNS = ("version_id", "document_id", "version_number", "versions_total", "report_year", "seen_count")
# A row group is written when it holds this many rows or this many bytes of text, whichever first:
# memory holds one group, whatever the archive's size (benchmarks/archive.py measures the peak).
ROW_GROUP_ROWS = 2000
ROW_GROUP_TEXT_BYTES = 16 << 20


def _parquet_schema(pa: Any, columns: Sequence[str], group: list[dict[str, Any]], integers: Sequence[str]) -> Any:
    """Integers where named, otherwise the types of the first group's values (a column with none yet: text)."""
    inferred = pa.Table.from_pylist(group).schema if group else None
    fields = []
    for name in columns:
        if name in integers:
            kind = pa.int64()
        elif inferred is not None and name in inferred.names and not pa.types.is_null(inferred.field(name).type):
            kind = inferred.field(name).type
        else:
            kind = pa.string()
        fields.append((name, kind))
    return pa.schema(fields)


def _write_parquet(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], fh: IO[bytes], integers: Sequence[str] = ()
) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise RuntimeError("parquet export needs pyarrow: pip install pyarrow (or use jsonl/csv)") from exc
    count = 0
    writer = None
    group: list[dict[str, Any]] = []
    text_bytes = 0
    try:  # streams: row groups as they fill, the footer at the end
        for row in rows:
            group.append({name: row.get(name) for name in columns})
            text_bytes += sum(len(v) for v in group[-1].values() if isinstance(v, str)) * 3
            if len(group) >= ROW_GROUP_ROWS or text_bytes >= ROW_GROUP_TEXT_BYTES:
                if writer is None:
                    writer = pq.ParquetWriter(fh, _parquet_schema(pa, columns, group, integers))
                writer.write_table(pa.Table.from_pylist(group, schema=writer.schema))
                count += len(group)
                group, text_bytes = [], 0
        if writer is None:
            writer = pq.ParquetWriter(fh, _parquet_schema(pa, columns, group, integers))
        if group or not count:
            writer.write_table(pa.Table.from_pylist(group, schema=writer.schema))
            count += len(group)
    finally:
        if writer is not None:
            writer.close()
    return count


def write_table(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    out: str | Path | IO[bytes],
    integers: Sequence[str] = (),
) -> int:
    """Write ``rows`` (dicts; ``columns`` in this order) as jsonl, csv (UTF-8; with a BOM in files, for
    Excel) or parquet; returns the number of rows. ``rows`` may be a generator: every format writes as it
    reads (parquet in row groups typed by ``integers`` and the first group's values).

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
        return _write_parquet(rows, columns, fh, integers)

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
    return write_table(_rows(path, all_versions), COLUMNS, fmt, out, integers=_INTEGER_COLUMNS)
