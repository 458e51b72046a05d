"""``fazhi export``: the reports as one flat table, for people who never open SQLite.

Researchers read archives in pandas, R or a spreadsheet. One row per document (its current
version) by default, or one per version with ``all_versions`` to study silent edits.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
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
_LATEST_ONLY = "WHERE v.id = d.current_version_id"  # the text the document's URLs carry now


def _rows(path: str | Path, all_versions: bool) -> Iterator[dict[str, Any]]:
    conn = connect_readonly(path)
    try:
        for row in conn.execute(_QUERY.format(where="" if all_versions else _LATEST_ONLY)):
            yield {name: row[name] for name in COLUMNS}
    finally:
        conn.close()


def export_reports(path: str | Path, fmt: str, out: str | Path, all_versions: bool = False) -> int:
    """Write the archive's reports to ``out`` as jsonl, csv (UTF-8 with BOM, for Excel) or parquet.

    Returns the number of rows written. Parquet needs pyarrow; without it a RuntimeError says so.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    out = Path(out)
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise RuntimeError("parquet export needs pyarrow: pip install pyarrow (or use jsonl/csv)") from exc
        rows = list(_rows(path, all_versions))
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([], pa.string()) for c in COLUMNS})
        pq.write_table(table, out)
        return len(rows)
    count = 0
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in _rows(path, all_versions):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        return count
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in _rows(path, all_versions):
            writer.writerow(row)
            count += 1
    return count
