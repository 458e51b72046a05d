"""Office files that are zips (DOCX, OFD), opened only after their sizes are checked.

A zip bomb declares small members and inflates them, or declares honestly and inflates to hundreds
of megabytes; both are stopped here before a parser builds a tree of them. The central directory's
declared sizes are summed first (no decompression), then every member is inflated in chunks and
counted, stopping at the first byte past the limit (``zipfile`` itself never returns more than a
member declares, and fails its CRC check when the data disagrees).
"""

from __future__ import annotations

import io
import zipfile

from extraction.limits import (
    MAX_OFFICE_MEMBERS,
    MAX_OFFICE_UNCOMPRESSED,
    MAX_OFFICE_XML,
    ExtractionLimit,
    megabytes,
    too_large,
)

_CHUNK = 1024 * 1024


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def checked_zip(body: bytes, kind: str) -> zipfile.ZipFile:
    """The zip of an office file whose members stay within the limits.

    Raises ``ExtractionLimit`` past a limit, ``zipfile.BadZipFile`` (or ``EOFError``) for a broken zip.
    """
    archive = zipfile.ZipFile(io.BytesIO(body))
    infos = archive.infolist()
    if len(infos) > MAX_OFFICE_MEMBERS:
        raise ExtractionLimit(f"too large: {kind} holds more than {MAX_OFFICE_MEMBERS} files")
    total = sum(info.file_size for info in infos)
    xml = sum(info.file_size for info in infos if _is_xml(info.filename))
    _check(kind, total, xml)
    total = xml = 0
    for info in infos:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if _is_xml(info.filename):
                    xml += len(chunk)
                _check(kind, total, xml)
    return archive


def _check(kind: str, total: int, xml: int) -> None:
    if total > MAX_OFFICE_UNCOMPRESSED:
        raise too_large(f"{kind} uncompresses to", f"more than {megabytes(MAX_OFFICE_UNCOMPRESSED)}")
    if xml > MAX_OFFICE_XML:
        raise too_large(f"{kind} text (XML) uncompresses to", f"more than {megabytes(MAX_OFFICE_XML)}")
