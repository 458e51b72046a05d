"""HTTP validators (ETag, Last-Modified) of the last good fetch of a URL, for conditional re-fetches.

Kept in the archive's own capture headers rather than a local HTTP cache folder, so a re-run on
another machine with only the archive file still asks "changed since?" instead of downloading again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.store import capture_body


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


class ValidatorStore:
    """Read-only lookups against an archive that another connection (the pipeline) writes."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None and self.path.is_file():
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return self._conn

    def validators(self, url: str) -> Validators:
        """ETag and Last-Modified of the latest 200 capture of ``url`` (none before the first crawl)."""
        conn = self._connection()
        if conn is None:
            return Validators()
        try:
            row = conn.execute(
                "SELECT headers FROM capture_records WHERE url = ? AND status = 200 AND outcome = 'ok' "
                "ORDER BY id DESC LIMIT 1",
                [url],
            ).fetchone()
        except sqlite3.OperationalError:  # an archive without the tables yet (or of an older schema)
            return Validators()
        if not row or not row[0]:
            return Validators()
        headers = {k.lower(): v for k, v in json.loads(row[0]).items()}
        return Validators(etag=headers.get("etag"), last_modified=headers.get("last-modified"))

    def last_body(self, url: str) -> bytes | None:
        """The body of the latest 200 capture of ``url``: what a 304 says is still being served."""
        conn = self._connection()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT id FROM capture_records WHERE url = ? AND status = 200 AND outcome = 'ok' "
                "ORDER BY id DESC LIMIT 1",
                [url],
            ).fetchone()
            return capture_body(conn, row[0]) if row else None  # type: ignore[arg-type]
        except (sqlite3.OperationalError, KeyError):
            return None

    def known_report_urls(self, url_prefixes: list[str], min_report_year: int) -> list[tuple[str, str]]:
        """(URL, title) of archived reports under these prefixes, for re-checking silent edits.

        Reports for ``min_report_year`` and later only: the window in which agencies still revise them.
        Removed reports are asked about too (they may come back).
        """
        conn = self._connection()
        if conn is None:
            return []
        try:
            rows = conn.execute(
                "SELECT u.url, coalesce(d.title, '') FROM document_urls u JOIN documents d ON d.id = u.document_id "
                "WHERE d.report_year >= ? ORDER BY u.url",
                [min_report_year],
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [(url, title) for url, title in rows if any(url.startswith(p) for p in url_prefixes)]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
