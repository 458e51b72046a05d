"""``fazhi check``: is the archive still what it claims to be?

An archive kept for years meets bit rot, hand edits and half-copied files. Every stored body is
re-hashed against its sha256 (the database's copy, or the WARC record that holds it), every
version's fingerprint is recomputed, and rows that point at nothing (or versions with no capture
behind them) are reported, so damage is found before it is relied on. Every WARC file is walked
once, record by record — a record cut short (a writer killed mid-write, a copy that stopped early)
is named with its file even when no capture points at it — and each record's digests, read in
that pass, are held against the captures and bodies that point at it. All of it runs at the speed
of zlib, hashlib and SQLite (archive.fingerprint is C-speed too).
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

from archive.fingerprint import fingerprint
from archive.readonly import connect_readonly
from archive.schema import SCHEMA_VERSION
from archive.versions import normalized_text

# (what is wrong, query returning the offending ids)
_ORPHANS = (
    ("document_urls row points at missing document", "SELECT u.url FROM document_urls u "
     "LEFT JOIN documents d ON d.id = u.document_id WHERE d.id IS NULL"),
    ("document points at missing agency", "SELECT d.id FROM documents d LEFT JOIN agencies a "
     "ON a.id = d.agency_id WHERE d.agency_id IS NOT NULL AND a.id IS NULL"),
    ("version points at missing document", "SELECT v.id FROM versions v LEFT JOIN documents d "
     "ON d.id = v.document_id WHERE d.id IS NULL"),
    ("version without a capture", "SELECT v.id FROM versions v LEFT JOIN captures c "
     "ON c.id = v.capture_id WHERE c.id IS NULL"),
    ("version made from a capture that was not ok", "SELECT v.id FROM versions v JOIN captures c "
     "ON c.id = v.capture_id WHERE c.outcome != 'ok'"),
    ("document without any version", "SELECT d.id FROM documents d LEFT JOIN versions v "
     "ON v.document_id = d.id WHERE v.id IS NULL"),
    ("attachment points at missing document", "SELECT t.id FROM attachments t LEFT JOIN documents d "
     "ON d.id = t.document_id WHERE d.id IS NULL"),
    ("capture points at missing URL or body", "SELECT c.id FROM captures c LEFT JOIN urls u ON u.id = c.url_id "
     "LEFT JOIN bodies b ON b.id = c.body_id WHERE u.id IS NULL OR b.id IS NULL"),
    ("stored body that no capture refers to", "SELECT b.id FROM bodies b LEFT JOIN "
     "(SELECT DISTINCT body_id FROM captures) c ON c.body_id = b.id WHERE c.body_id IS NULL"),
    ("document's current version is missing or another document's", "SELECT d.id FROM documents d "
     "LEFT JOIN versions v ON v.id = d.current_version_id WHERE v.id IS NULL OR v.document_id != d.id"),
    ("version not carried by any URL (version_urls)", "SELECT v.id FROM versions v LEFT JOIN "
     "(SELECT DISTINCT version_id FROM version_urls) u ON u.version_id = v.id WHERE u.version_id IS NULL"),
    ("version_urls row points at missing version or URL", "SELECT u.version_id FROM version_urls u "
     "LEFT JOIN versions v ON v.id = u.version_id LEFT JOIN urls l ON l.id = u.url_id "
     "WHERE v.id IS NULL OR l.id IS NULL"),
    ("attachment points at missing capture", "SELECT t.id FROM attachments t LEFT JOIN captures c "
     "ON c.id = t.capture_id WHERE t.capture_id IS NOT NULL AND c.id IS NULL"),
)  # fmt: skip


def _check_bodies(conn: sqlite3.Connection) -> list[str]:
    """The database's own copies of bodies, re-hashed; bodies kept nowhere. (WARC-held ones: _check_warcs.)"""
    problems = []
    for row in conn.execute("SELECT id, sha256, size, body, warc_offset FROM bodies"):
        where = f"body {row['id']} ({row['sha256'].hex()[:12]}…)"
        if row["body"] is None:
            if row["size"] and row["warc_offset"] is None:
                users = [
                    r[0]
                    for r in conn.execute("SELECT id FROM captures WHERE body_id = ? LIMIT 5", [row["id"]])
                ]
                problems.append(f"{where}: is stored nowhere in the archive (captures {users})")
            continue
        try:
            raw = zlib.decompress(row["body"])
        except zlib.error as exc:
            problems.append(f"{where}: stored body does not decompress ({exc})")
            continue
        actual = hashlib.sha256(raw).digest()
        if actual != row["sha256"]:
            problems.append(f"{where}: body sha256 {actual.hex()[:12]}… != recorded")
        elif len(raw) != row["size"]:
            problems.append(f"{where}: body is {len(raw)} bytes, recorded {row['size']}")
    return problems


def _check_header_sets(conn: sqlite3.Connection) -> list[str]:
    """A header set whose digest is wrong is never found again: every capture would add a new one."""
    return [
        f"header set {row['id']}: digest does not match its headers"
        for row in conn.execute("SELECT id, digest, headers FROM header_sets")
        if hashlib.sha256(row["headers"].encode("utf-8")).digest()[:8] != row["digest"]
    ]


def _check_fingerprints(conn: sqlite3.Connection) -> list[str]:
    return [
        f"version {row['id']}: text does not match its fingerprint"
        for row in conn.execute("SELECT id, fingerprint, text_normalized, text FROM versions")
        if fingerprint(normalized_text(row["text"], row["text_normalized"])) != row["fingerprint"]
    ]


def _check_warc_files(folder: Path) -> tuple[list[str], dict[str, dict[int, Any]]]:
    """Torn records in the WARC files of ``folder``, and a summary of each whole record, by file and offset."""
    from archive.warc import scan_warc_file

    problems, whole = [], {}
    for file in sorted(folder.glob("*.warc.gz")) if folder.is_dir() else []:
        scan = scan_warc_file(file, summaries=True)
        whole[file.name] = scan.summaries or {}
        if scan.torn_at is not None:
            problems.append(
                f"WARC file {file}: torn record at offset {scan.torn_at} ({scan.problem}; "
                f"{scan.size - scan.torn_at} bytes to the end of the file) — the next crawl into this archive cuts it"
            )
    return problems, whole


def _check_warcs(conn: sqlite3.Connection, path: Path) -> list[str]:
    """Every WARC file walked once (each record decompressed and hashed), then held against the rows."""
    try:
        from archive.warc import payload_digest_of_sha256, warc_dir_for
    except ImportError:
        indexed = conn.execute("SELECT count(*) FROM captures WHERE warc_file_id IS NOT NULL").fetchone()[0]
        return [f"{indexed} captures are indexed in WARC files, but warcio is not installed to check them"] if indexed else []
    problems, whole = _check_warc_files(warc_dir_for(path))
    for row in conn.execute(
        "SELECT c.id, c.status, b.sha256, w.name AS warc_file, c.warc_offset FROM captures c "
        "JOIN bodies b ON b.id = c.body_id JOIN warc_files w ON w.id = c.warc_file_id ORDER BY c.id"
    ):
        where = f"capture {row['id']}: WARC {row['warc_file']}@{row['warc_offset']}"
        record = whole.get(row["warc_file"], {}).get(row["warc_offset"])
        if record is None:
            known = row["warc_file"] in whole
            problems.append(f"{where} " + ("is not the start of a whole record in that file" if known
                                           else "cannot be read (no such file)"))  # fmt: skip
            continue
        if record.record_type == "revisit" and (record.profile or "").endswith("/server-not-modified"):
            if row["status"] != 304:  # a 304 revisit carries no payload digest of its own to compare
                problems.append(f"{where}: a not-modified revisit for a capture with status {row['status']}")
            continue
        if (record.payload_digest or "") != payload_digest_of_sha256(row["sha256"]):
            problems.append(f"{where} holds another payload ({(record.payload_digest or '')[:20]}…)")
        elif record.record_type == "response" and record.payload_sha256 != row["sha256"]:
            problems.append(f"{where}: record body does not match its sha256")
    for row in conn.execute(
        "SELECT b.id, b.sha256, w.name AS warc_file, b.warc_offset FROM bodies b JOIN warc_files w "
        "ON w.id = b.warc_file_id WHERE b.body IS NULL ORDER BY b.id"
    ):
        record = whole.get(row["warc_file"], {}).get(row["warc_offset"])
        if record is None or record.record_type != "response" or record.payload_sha256 != row["sha256"]:
            problems.append(
                f"body {row['id']} ({row['sha256'].hex()[:12]}…): its only copy, the WARC response record "
                f"{row['warc_file']}@{row['warc_offset']}, is missing or holds another body"
            )
    return problems


def check_archive(path: str | Path) -> list[str]:
    """Problems found in the archive at ``path``, one sentence each; an empty list means it is sound."""
    conn = connect_readonly(path)
    try:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            return [
                f"archive schema {version} is not this code's {SCHEMA_VERSION}: `fazhi migrate --db {path}` upgrades it"
            ]
        problems = [f"sqlite: {msg}" for (msg,) in conn.execute("PRAGMA integrity_check") if msg != "ok"]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid}: foreign key to missing {parent} row")
        for what, sql in _ORPHANS:
            problems.extend(f"{what}: {row[0]}" for row in conn.execute(sql))
        problems.extend(_check_bodies(conn))
        problems.extend(_check_header_sets(conn))
        problems.extend(_check_fingerprints(conn))
        problems.extend(_check_warcs(conn, Path(path)))
    finally:
        conn.close()
    return problems
