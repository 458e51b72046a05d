"""Raw captures as standard WARC files beside the database (``archive.db`` → ``archive.warcs/``).

WARC (ISO 28500) is what web archives exchange: pywb, replayweb.page and the Internet Archive's
tools read it, so the raw fetches outlive this project's database layout. Each capture with an HTTP
status becomes a ``response`` record; a body already written (same sha256) becomes a small
``revisit`` record pointing at the first one, as WARC's identical-payload-digest profile allows, and a
304 answer to a conditional request a ``revisit`` with the server-not-modified profile pointing at the
URL's last 200, without HTTP headers of its own (so pywb shows that page, not an empty 304).
Files are gzipped per record, so ``captures.warc_offset`` opens one record directly.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

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
        self._file: BinaryIO | None = None
        self._name = ""
        self._writer: WARCWriter | None = None

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._name = f"fazhi-{stamp}-{os.getpid()}.warc.gz"
        self._file = (self.folder / self._name).open("ab")
        self._writer = WARCWriter(self._file, gzip=True)

    def write(
        self, capture: Capture, first_of_body: tuple[str, str] | None, not_modified_of: tuple[str, str] | None = None
    ) -> WarcLocation | None:
        """Write ``capture``; ``first_of_body`` is (url, fetched_at) of an earlier capture of the same body,
        ``not_modified_of`` the (url, fetched_at) of the 200 a 304 capture confirms."""
        if capture.status is None:
            return None  # no response came back: nothing HTTP to record
        if self._file is None or self._file.tell() > MAX_FILE_BYTES:
            self.close()
            self._open()
        assert self._file is not None and self._writer is not None
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
            record = self._writer.create_warc_record(
                uri, "response", payload=BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict=warc_headers,
            )  # fmt: skip
        offset = self._file.tell()
        self._writer.write_record(record)
        self._file.flush()
        return WarcLocation(self._name, offset)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None


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


def payload_digest_of(body: bytes) -> str:
    """The WARC-Payload-Digest this module writes for ``body`` (sha256, base32)."""
    return _sha256_digest(body)
