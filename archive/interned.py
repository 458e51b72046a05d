"""Values that recur across captures, stored once and referred to by id.

A crawl re-fetches the same URLs with the same headers and, mostly, the same bodies, run after run.
Keeping the URL, the body (by sha256), the stable headers, the portal and the WARC file name once
each is what keeps an unchanged recapture to a short row of integers (``benchmarks/archive.py``).
Nothing is lost: headers that change on every fetch (``Date``, cache and trace ids) stay with the
capture, and the ``capture_records`` view puts every capture back together as one flat row.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any
from urllib.parse import urlsplit

# A connection: sqlite3's, or the sqlite-utils Database around it (both have ``execute``). Plain
# statements, not sqlite-utils' ``table.insert``, which asks which tables exist on every call.
Database = Any

# Response headers whose value changes from one fetch to the next, so they would defeat sharing a
# header set between recaptures. Lower case; kept per capture in ``captures.headers_varying``.
VARYING_HEADERS = frozenset({
    "date", "expires", "age", "set-cookie", "x-request-id", "x-trace-id", "traceparent", "x-cache",
    "x-cache-hits", "x-cache-lookup", "x-served-by", "x-timer", "x-via", "via", "cf-ray", "eagleid",
    "x-swift-savetime", "x-swift-cachetime", "ali-swift-global-savetime", "x-ws-request-id",
    "x-nws-log-uuid", "x-daa-tunnel", "x-tengine-error", "server-timing", "x-response-time",
})  # fmt: skip


def _intern(db: Database, table: str, column: str, value: object, extra: dict | None = None) -> int:
    """Id of the row of ``table`` whose unique ``column`` is ``value``, inserted when missing."""
    found = db.execute(f"SELECT id FROM [{table}] WHERE [{column}] = ?", [value]).fetchone()
    if found:
        return found[0]
    row = {column: value, **(extra or {})}
    names = ", ".join(f"[{k}]" for k in row)
    return db.execute(f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values())).lastrowid


def url_id(db: Database, url: str) -> int:
    return _intern(db, "urls", "url", url)


def url_id_new(db: Database, url: str) -> tuple[int, bool]:
    """(id of ``url``, whether it was inserted now): a new URL has no captures to look at yet."""
    found = db.execute("SELECT id FROM urls WHERE url = ?", [url]).fetchone()
    if found:
        return found[0], False
    return db.execute("INSERT INTO urls (url) VALUES (?)", [url]).lastrowid, True


def optional_url_id(db: Database, url: str | None) -> int | None:
    return url_id(db, url) if url else None


def portal_id(db: Database, name: str | None) -> int | None:
    """The portal row for a crawl's portal key or start URL (its base URL filled in when it is a URL)."""
    if not name:
        return None
    parts = urlsplit(name)
    base_url = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None
    return _intern(db, "portals", "name", name, {"base_url": base_url})


def warc_file_id(db: Database, name: str | None) -> int | None:
    return _intern(db, "warc_files", "name", name) if name else None


def body_digest(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()


def find_body(db: Database, digest: bytes) -> int | None:
    found = db.execute("SELECT id FROM bodies WHERE sha256 = ?", [digest]).fetchone()
    return found[0] if found else None


def body_id(db: Database, body: bytes, url_id: int, fetched_at: str, digest: bytes | None = None) -> int:
    """The one copy of ``body`` kept in the database (zlib level 9), found by its sha256 or added as first
    fetched from ``url_id`` — for a body no WARC record holds (archive.store keeps the others there)."""
    digest = digest or body_digest(body)
    found = find_body(db, digest)
    if found is not None:
        return found
    return db.execute(
        "INSERT INTO bodies (sha256, size, body, first_url_id, first_fetched_at) VALUES (?, ?, ?, ?, ?)",
        [digest, len(body), zlib.compress(body, 9), url_id, fetched_at],
    ).lastrowid


def split_headers(headers: dict[str, str] | None) -> tuple[str | None, str | None]:
    """(stable headers, varying headers) as sorted JSON objects, None for an empty side."""
    stable = {k: v for k, v in (headers or {}).items() if k.lower() not in VARYING_HEADERS}
    varying = {k: v for k, v in (headers or {}).items() if k.lower() in VARYING_HEADERS}

    def dump(part: dict[str, str]) -> str | None:
        return json.dumps(part, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if part else None

    return dump(stable), dump(varying)


def header_set_id(db: Database, stable_json: str | None) -> int | None:
    """The header set with this JSON, found by its 8-byte digest (rows sharing a digest are told apart by text)."""
    if not stable_json:
        return None
    digest = hashlib.sha256(stable_json.encode("utf-8")).digest()[:8]
    found = db.execute("SELECT id FROM header_sets WHERE digest = ? AND headers = ?", [digest, stable_json]).fetchone()
    if found:
        return found[0]
    return db.execute("INSERT INTO header_sets (digest, headers) VALUES (?, ?)", [digest, stable_json]).lastrowid


UNKNOWN: Any = object()  # header_set_ids(last=…): not known, look it up


def header_set_ids(
    db: Database, url_id: int, stable_json: str | None, table: str = "captures", last: Any = UNKNOWN
) -> tuple[int | None, int | None]:
    """(headers_id, headers_base_id) for a capture of ``url_id`` with these stable headers.

    Most URLs have a header set of their own (their ETag, Last-Modified), and a 304 answer leaves out
    the entity headers of the 200 before it, so storing its set whole would cost every URL a second
    set. Instead a set that differs from the URL's last whole set is stored as a JSON merge patch
    against it (changed keys, removed keys as null): ``{"Content-Length":null,"Content-Type":null}``,
    one row shared by every URL. ``capture_records`` applies the patch (json_patch).
    ``last``: the URL's last whole set as (id, JSON), or None when it has none, if the caller knows.
    """
    if not stable_json:
        return None, None
    if last is UNKNOWN:
        last = db.execute(
            f"SELECT h.id, h.headers FROM [{table}] c JOIN header_sets h ON h.id = c.headers_id "
            "WHERE c.url_id = ? AND c.headers_base_id IS NULL ORDER BY c.id DESC LIMIT 1",
            [url_id],
        ).fetchone()
    if last is not None and last[1] == stable_json:
        return last[0], None
    if last is not None:
        base, new = json.loads(last[1]), json.loads(stable_json)
        patch = {k: v for k, v in new.items() if base.get(k) != v} | {k: None for k in base if k not in new}
        patch_json = json.dumps(patch, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if len(patch_json) < len(stable_json):
            return header_set_id(db, patch_json), last[0]
    return header_set_id(db, stable_json), None
