"""``fazhi export``: the reports as one flat table, for people who never open SQLite.

Researchers read archives in pandas, R or a spreadsheet. One row per document (its latest
version) by default, or one per version with ``all_versions`` to study silent edits.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archive.readonly import connect_readonly

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
_LATEST_ONLY = "WHERE v.id = (SELECT max(id) FROM versions l WHERE l.document_id = v.document_id)"


def _rows(path: str | Path, all_versions: bool) -> Iterator[dict[str, Any]]:
    conn = connect_readonly(path)
    try:
        for row in conn.execute(_QUERY.format(where="" if all_versions else _LATEST_ONLY)):
            yield {name: row[name] for name in COLUMNS}
    finally:
        conn.close()


# OWASP's CSV injection rule: a spreadsheet runs a cell that begins with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], fmt: str, out: str | Path) -> int:
    """Write ``rows`` (dicts with ``columns``) to ``out`` as jsonl, csv (UTF-8 with BOM, spreadsheet-safe cells)
    or parquet; returns the number of rows. Parquet needs pyarrow; without it a RuntimeError says so."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    out = Path(out)
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise RuntimeError("parquet export needs pyarrow: pip install pyarrow (or use jsonl/csv)") from exc
        listed = [{name: row.get(name) for name in columns} for row in rows]
        table = pa.Table.from_pylist(listed) if listed else pa.table({c: pa.array([], pa.string()) for c in columns})
        pq.write_table(table, out)
        return len(listed)
    count = 0
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False) + "\n")
                count += 1
        return count
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: neutralise_formula(row.get(name)) for name in columns})
            count += 1
    return count


def export_reports(path: str | Path, fmt: str, out: str | Path, all_versions: bool = False) -> int:
    """Write the archive's reports to ``out`` as jsonl, csv (UTF-8 with BOM, for Excel) or parquet.

    Returns the number of rows written. Parquet needs pyarrow; without it a RuntimeError says so.
    """
    return write_table(_rows(path, all_versions), COLUMNS, fmt, out)
