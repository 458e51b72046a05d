"""Bytes → text for portal pages, which come in UTF-8, GB2312/GBK (often mislabelled) and with BOMs."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# GB2312 and GBK are subsets of GB18030; decoding with the superset never loses characters.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "gb_2312-80"}
# The codecs a web page may be declared in (those of the WHATWG Encoding Standard, by Python's
# names, plus latin-1, ascii and utf-32). A page cannot choose unicode-escape, idna, punycode, utf-7,
# rot13 or base64: those turn bytes into text that the page never contained.
TEXT_CODECS = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "gb18030", "gbk",
    "big5", "big5hkscs", "cp950", "euc_jp", "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949",
    "ascii", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874",
    *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)),
    *(f"cp{n}" for n in range(1250, 1259)),
})


def _canonical(name: str) -> str | None:
    """Python's name for a declared charset, or None when it is not a text codec a page may use."""
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    return info.name if info.name in TEXT_CODECS else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _decodes_mostly(data: bytes, encoding: str) -> bool:
    """Decodes cleanly, or with a handful of bad bytes (a body cut mid-character, one stray byte):
    a page in another encoding gives hundreds."""
    if _decodes(data, encoding):
        return True
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return False
    return text.count("\ufffd") <= max(3, len(text) // 2000)


def declared_charsets(data: bytes, content_type: str | None = None) -> list[str]:
    """Charsets named by the HTTP header and the page's meta tags, in that order."""
    found: list[str] = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m and (enc := _canonical(m.group(1))):
            found.append(enc)
    for m in _META_CHARSET.finditer(data[:4096]):
        enc = _canonical(m.group(1).decode("ascii", "ignore"))
        if enc and enc not in found:
            found.append(enc)
    return found


def _header_charset(content_type: str | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type or "")
    return _canonical(m.group(1)) if m else None


def _reads_as_markup(text: str) -> bool:
    """Decoded text that is a page: it opens with markup and has (almost) no control characters,
    which a binary file read as UTF-16 is full of."""
    head = text[:4096].lstrip()
    controls = sum(1 for ch in head if ch < " " and ch not in "\t\r\n")
    return head.startswith("<") and controls <= len(head) // 200


def utf16_without_bom(data: bytes, content_type: str | None) -> str | None:
    """``utf-16-le``/``-be`` for a body without a BOM that the HTTP header declares UTF-16 and that reads
    as markup in it (the byte order from where the NULs of its ASCII markup fall); else None."""
    declared = _header_charset(content_type)
    if declared not in ("utf-16", "utf-16-le", "utf-16-be") or any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    order = "utf-16-le" if odd >= even else "utf-16-be"
    if declared != "utf-16" and declared != order:
        return None  # the bytes contradict the header: not the page it claims to be
    size = len(data) - len(data) % 2
    try:
        text = data[:size].decode(order)
    except UnicodeDecodeError:
        return None
    return order if _reads_as_markup(text) else None


def detect_encoding(data: bytes, content_type: str | None = None) -> str:
    """The encoding to read ``data`` with: BOM, UTF-16 the header declares, valid UTF-8, a declared charset the bytes (mostly)
    decode with, UTF-8 with a few bad bytes, gb18030, then charset-normalizer's guess."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc + "-sig" if enc == "utf-8" else enc
    if utf16 := utf16_without_bom(data, content_type):
        return utf16
    if not data.isascii() and _decodes(data, "utf-8"):
        return "utf-8"  # valid multi-byte UTF-8 is never GBK by accident, whatever the page declares
    for enc in declared_charsets(data, content_type):
        if _decodes_mostly(data, enc):
            return enc
    if _decodes_mostly(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "gb18030"):
        return "gb18030"
    best = from_bytes(data[:200_000]).best()
    if best is not None and (enc := _canonical(best.encoding)):
        return enc
    return "gb18030"


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """Decode a page body; undecodable bytes become U+FFFD instead of failing."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    enc = detect_encoding(data, content_type)
    if enc.startswith("utf-16") or enc.startswith("utf-32"):
        text = data[len(_bom_for(data)):].decode(enc, errors="replace")
    else:
        text = data.decode(enc, errors="replace")
    return text.lstrip("\ufeff")


def _bom_for(data: bytes) -> bytes:
    for bom, _enc in _BOMS:
        if data.startswith(bom):
            return bom
    return b""


def decode_text(data: bytes | str) -> str:
    """Decode a plain text file (used by the CLI for .txt diffs)."""
    return decode_html(data)
