"""What counts as "the same text" when deciding whether a refetch is a new version.

Portals re-render pages all the time: full-width vs half-width punctuation, extra blank lines,
a comma swapped for a 、. None of that is an edit of the report, so the fingerprint ignores it and
only a change in the words themselves makes a new version.

The characters left out are those of Unicode categories P (punctuation), Z (separators) and C
(control, format, unassigned …), whitespace included. Both steps run in C (``unicodedata`` and one
compiled character class), so fingerprinting every version of a large archive (``fazhi check``)
costs what reading it costs; a text with characters beyond the Basic Multilingual Plane, which the
class does not cover, takes the per-character path, with the same result.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_BMP_END = 0x10000
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _left_out(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PZC"


@functools.cache
def _left_out_class() -> re.Pattern[str]:
    """One character class of every left-out character of the BMP (built once, ~15 ms)."""
    ranges: list[list[int]] = []
    for cp in range(_BMP_END):
        if _left_out(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    parts = (re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile("[" + "".join(parts) + "]+")


def fingerprint_text(text: str) -> str:
    """The text the fingerprint is taken of: NFKC, without whitespace, punctuation or control characters."""
    folded = unicodedata.normalize("NFKC", text or "")
    if _ASTRAL.search(folded):
        return "".join(ch for ch in folded if not _left_out(ch))
    return _left_out_class().sub("", folded)


def fingerprint(text: str) -> str:
    """sha256 (hex) of :func:`fingerprint_text`; equal for texts differing only in layout or punctuation."""
    return fingerprint_of(fingerprint_text(text))


def fingerprint_of(words: str) -> str:
    """The fingerprint of a text whose :func:`fingerprint_text` is ``words`` (taken once, used twice)."""
    return hashlib.sha256(words.encode("utf-8")).hexdigest()
