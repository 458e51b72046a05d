"""Raw captures as standard WARC files beside the database (``archive.db`` → ``archive.warcs/``).

WARC (ISO 28500) is what web archives exchange: pywb, replayweb.page and the Internet Archive's
tools read it, so the raw fetches outlive this project's database layout. Each capture with an HTTP
status becomes a ``response`` record; a body already written (same sha256) becomes a small
``revisit`` record pointing at the first one, as WARC's identical-payload-digest profile allows, and a
304 answer to a conditional request a ``revisit`` with the server-not-modified profile pointing at the
URL's last 200, without HTTP headers of its own (so pywb shows that page, not an empty 304).
Files are gzipped per record, so ``captures.warc_offset`` opens one record directly.

A record is written whole or not at all: it is built in memory and held there until the batch's
:meth:`WarcStore.sync`, which appends the batch's records in one write (one system call a batch, not
one a capture) and, if a write fails (a full disk), cuts the file back to where they began; the
archive commits the capture rows only after their records are whole on disk, and cuts the records
back off (or drops them unwritten) when the rows cannot be committed. :func:`scan_warc_file` finds a record cut short some other way (a writer
killed mid-write, a copy that stopped early): ``fazhi check`` names the file, and the next writer
cuts such a tail, which no capture refers to.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.capture import Capture

MAX_FILE_BYTES = 1 << 30  # start a new file past 1 GiB, as web archives customarily do
# Scrapy hands over decoded bodies: these headers would tell a WARC reader to decode them again.
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/{version}/revisit/server-not-modified"


def warc_dir_for(db_path: str | Path) -> Path:
    """Where the WARC files of the archive at ``db_path`` live: archive.db → archive.warcs/."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".warcs")


def _sha256_digest(body: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode("ascii")


@dataclass(frozen=True)
class WarcLocation:
    file: str  # name inside the archive's .warcs folder
    offset: int
    record_type: str = "response"  # or "revisit": a response record holds the body itself


@dataclass(frozen=True)
class WarcRecordContent:
    url: str
    record_type: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    payload_digest: str | None
    profile: str | None = None  # of a revisit record


class WarcStore:
    """Appends captures to a WARC file of this session; one file per writer, rotated at 1 GiB."""

    def __init__(self, db_path: str | Path) -> None:
        self.folder = warc_dir_for(db_path)
        self._fd: int | None = None
        self._name = ""
        self._size = 0  # bytes in the file
        self._pending: list[bytes] = []  # records written since the last sync, not yet in the file
        self._pending_size = 0
        self._unsynced = False
        self._writer = WARCWriter(None, gzip=True)  # builds records; they are written by _append

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._name = f"fazhi-{stamp}-{os.getpid()}.warc.gz"
        self._fd = os.open(self.folder / self._name, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        self._size = os.fstat(self._fd).st_size

    def _append(self, data: bytes) -> int:
        """Append ``data`` whole, returning its offset; on any failure the file is cut back and the error raised."""
        assert self._fd is not None
        offset = self._size
        view = memoryview(data)
        try:
            while view:
                view = view[self._write_some(view) :]
        except BaseException as exc:
            os.ftruncate(self._fd, offset)
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = str(self.folder / self._name)  # say which file could not be written
            raise
        self._size = offset + len(data)
        self._unsynced = True
        return offset

    def _write_some(self, data: memoryview) -> int:
        """One ``write(2)``; it may write less than asked (a nearly full disk), and ``_append`` goes on."""
        assert self._fd is not None
        return os.write(self._fd, data)

    def _flush(self) -> None:
        """Append the records held since the last sync, in one write (cut back whole if it fails)."""
        if self._pending:
            pending, self._pending, self._pending_size = self._pending, [], 0
            self._append(b"".join(pending))

    def discard(self, location: WarcLocation) -> None:
        """Cut the file of ``location`` back to where that record began: its capture was not committed.

        archive.store cuts a failed batch back at the first of its records in each file it wrote.
        Records still held in memory from there on are dropped unwritten.
        """
        if self._fd is not None and location.file == self._name:
            if location.offset >= self._size:  # not in the file yet: drop it and what came after it
                kept, offset = [], self._size
                for record in self._pending:
                    if offset >= location.offset:
                        break
                    kept.append(record)
                    offset += len(record)
                self._pending, self._pending_size = kept, offset - self._size
                return
            self._pending, self._pending_size = [], 0
            if location.offset <= self._size:
                os.ftruncate(self._fd, location.offset)
                self._size = location.offset
            return
        path = self.folder / location.file
        if path.is_file() and location.offset <= path.stat().st_size:
            os.truncate(path, location.offset)

    def sync(self) -> None:
        """Make the records written so far durable (``fdatasync``), before the rows that point at them commit.

        The WARC record is the only copy of a body (the database keeps its sha256 and where it is), so
        a power cut must not keep a committed capture whose record was still in the page cache.
        """
        self._flush()
        if self._fd is not None and self._unsynced:
            os.fdatasync(self._fd)
            self._unsynced = False

    def write(
        self, capture: Capture, first_of_body: tuple[str, str] | None, not_modified_of: tuple[str, str] | None = None
    ) -> WarcLocation | None:
        """Write ``capture``; ``first_of_body`` is (url, fetched_at) of an earlier capture of the same body,
        ``not_modified_of`` the (url, fetched_at) of the 200 a 304 capture confirms."""
        if capture.status is None:
            return None  # no response came back: nothing HTTP to record
        if self._fd is None or self._size + self._pending_size > MAX_FILE_BYTES:
            self.sync()
            self.close()
            self._open()
        body = capture.body or b""
        try:
            reason = HTTPStatus(capture.status).phrase
        except ValueError:
            reason = ""
        headers = [(k, v) for k, v in capture.headers.items() if k.lower() not in _DROPPED_HEADERS]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{capture.status} {reason}".strip(), headers, protocol="HTTP/1.1")
        digest = _sha256_digest(body)
        warc_headers = {"WARC-Date": capture.fetched_at, "WARC-Payload-Digest": digest}
        uri = capture.final_url or capture.url
        record_type = "revisit"
        if first_of_body and body:
            record = self._writer.create_revisit_record(
                uri, digest, first_of_body[0], first_of_body[1], http_headers=http, warc_headers_dict=warc_headers
            )
        elif capture.status == 304 and not_modified_of:
            # No HTTP headers in the block: pywb replays a revisit whose own status line is a 3xx as that
            # status with an empty body (its redirect shortcut), and a header-less revisit as the record it
            # refers to — the page the 304 confirmed. The 304's own headers stay in the database row.
            record = self._writer.create_warc_record(
                uri, "revisit", payload=BytesIO(b""), length=0, warc_headers_dict={"WARC-Date": capture.fetched_at}
            )
            version = "1.1" if self._writer.warc_version == "WARC/1.1" else "1.0"
            record.rec_headers.add_header("WARC-Profile", SERVER_NOT_MODIFIED.format(version=version))
            record.rec_headers.add_header("WARC-Refers-To-Target-URI", not_modified_of[0])
            record.rec_headers.add_header("WARC-Refers-To-Date", not_modified_of[1])
        else:
            record_type = "response"
            record = self._writer.create_warc_record(
                uri, "response", payload=BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict=warc_headers,
            )  # fmt: skip
        self._writer.out = built = BytesIO()  # the whole gzip member in memory before any byte reaches the file
        self._writer.write_record(record)
        data = built.getvalue()
        offset = self._size + self._pending_size
        self._pending.append(data)  # into the file at the next sync, before any row pointing at it commits
        self._pending_size += len(data)
        return WarcLocation(self._name, offset, record_type)

    def close(self) -> None:
        """Close the file, with the records held for it written first (a caller that never synced)."""
        if self._fd is not None:
            self._flush()
            os.close(self._fd)
            self._fd = None
            self._unsynced = False


def read_warc_record(folder: str | Path, file: str, offset: int) -> WarcRecordContent:
    """The record at ``offset`` of ``folder/file``: URL, type, HTTP status and headers, body."""
    with (Path(folder) / file).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        http = record.http_headers
        body = record.content_stream().read()
        return WarcRecordContent(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            record_type=record.rec_type,
            status=int(http.get_statuscode()) if http else None,
            headers=dict(http.headers) if http else {},
            body=body if record.rec_type == "response" else b"",
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
            profile=record.rec_headers.get_header("WARC-Profile"),
        )


def read_body(folder: str | Path, file: str, offset: int) -> bytes:
    """The payload of the response record at ``offset``: a body the database keeps only the sha256 of."""
    record = read_warc_record(folder, file, offset)
    if record.record_type != "response":
        raise ValueError(f"{file}@{offset} is a {record.record_type} record, not the response holding a body")
    return record.body


def payload_digest_of_sha256(sha256: bytes) -> str:
    """The WARC-Payload-Digest of a body whose sha256 is ``sha256``."""
    return "sha256:" + base64.b32encode(sha256).decode("ascii")


@dataclass(frozen=True)
class RecordSummary:
    """One whole record as :func:`scan_warc_file` read it, for ``fazhi check`` (no second read)."""

    record_type: str
    payload_digest: str | None
    profile: str | None
    payload_sha256: bytes | None  # of a response record's HTTP payload, computed from the bytes


@dataclass(frozen=True)
class WarcScan:
    """What :func:`scan_warc_file` found: the offsets of whole records, and where a torn one begins."""

    records: list[int]
    size: int
    torn_at: int | None = None  # offset of the first record that is cut short or unreadable
    problem: str = ""
    summaries: dict[int, RecordSummary] | None = None  # offset → record, when asked for


_CHUNK = 1 << 16


def _warc_headers(head: bytes) -> tuple[dict[bytes, bytes], int] | None:
    """The WARC header fields (lower-case names) and where the block begins; None if they are cut short."""
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return None
    fields = {}
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    return fields, end + 4


def _record_problem(head: bytes, total: int, tail: bytes) -> str:
    """Why a decompressed gzip member is not one whole WARC record ("" when it is)."""
    if not head.startswith(b"WARC/1."):
        return "not a WARC record"
    parsed = _warc_headers(head)
    if parsed is None:
        return "its WARC headers are cut short"
    fields, block = parsed
    value = fields.get(b"content-length", b"")
    if not value.isdigit():
        return "no Content-Length in its WARC headers"
    expected = block + int(value) + 4
    if total != expected or tail != b"\r\n\r\n":
        return f"{total} bytes where its headers promise {expected}"
    return ""


def _summary(data: bytes) -> RecordSummary:
    fields, block = _warc_headers(data) or ({}, 0)

    def field(name: bytes) -> str | None:
        value = fields.get(name)
        return value.decode("utf-8", "replace") if value is not None else None

    record_type = field(b"warc-type") or ""
    payload_sha = None
    if record_type == "response":
        content = data[block : len(data) - 4]
        http_end = content.find(b"\r\n\r\n")
        payload_sha = hashlib.sha256(content[http_end + 4 :] if http_end >= 0 else b"").digest()
    return RecordSummary(record_type, field(b"warc-payload-digest"), field(b"warc-profile"), payload_sha)


def scan_warc_file(path: str | Path, start: int = 0, summaries: bool = False) -> WarcScan:
    """Walk the gzip members of a ``.warc.gz`` from ``start``: one whole WARC record each, or where it breaks.

    warcio's reader quietly returns what it can of a truncated record, so a file cut mid-record would
    pass unnoticed; this checks every member ends (gzip trailer) and holds as many bytes as its
    ``Content-Length`` says. With ``summaries``, each whole record's type, digests and the sha256 of
    a response's payload come back too, read in the same pass (zlib and hashlib: C speed).
    """
    records: list[int] = []
    found: dict[int, RecordSummary] | None = {} if summaries else None
    with Path(path).open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        fh.seek(start)
        offset, pending = start, b""
        while True:
            if not pending:
                pending = fh.read(_CHUNK)
                if not pending:
                    return WarcScan(records, size, summaries=found)
            member = zlib.decompressobj(wbits=31)
            consumed, head, total, tail = 0, b"", 0, b""
            parts: list[bytes] = []
            try:
                while not member.eof:
                    if not pending:
                        pending = fh.read(_CHUNK)
                        if not pending:
                            return WarcScan(records, size, offset, "the file ends inside the record", found)
                    out = member.decompress(pending)
                    used = len(pending) - len(member.unused_data)
                    consumed += used
                    pending = member.unused_data
                    if len(head) < _CHUNK:
                        head += out[: _CHUNK - len(head)]
                    if found is not None:
                        parts.append(out)
                    total += len(out)
                    tail = (tail + out)[-4:]
            except zlib.error as exc:
                return WarcScan(records, size, offset, f"gzip data is damaged ({exc})", found)
            problem = _record_problem(head, total, tail)
            if problem:
                return WarcScan(records, size, offset, problem, found)
            records.append(offset)
            if found is not None:
                found[offset] = _summary(b"".join(parts))
            offset += consumed


def cut_torn_tail(path: str | Path, start: int = 0) -> WarcScan:
    """Cut a torn last record off ``path`` (scanning from ``start``, a record known to be whole).

    Only for a writer holding the archive's lock: the record was left by a writer that died writing
    it, and no capture refers to it (a capture commits after its record is whole).
    """
    scan = scan_warc_file(path, start)
    if scan.torn_at is not None:
        os.truncate(path, scan.torn_at)
    return scan
