"""What counts as "the same text" when deciding whether a refetch is a new version.

Portals re-render pages all the time: full-width vs half-width punctuation, extra blank lines,
a comma swapped for a 、. None of that is an edit of the report, so the fingerprint ignores it and
only a change in the words themselves makes a new version.
"""

from __future__ import annotations

import hashlib
import unicodedata


def fingerprint_text(text: str) -> str:
    """The text the fingerprint is taken of: NFKC, without whitespace, punctuation or control characters."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")


def fingerprint(text: str) -> str:
    """sha256 (hex) of :func:`fingerprint_text`; equal for texts differing only in layout or punctuation."""
    return hashlib.sha256(fingerprint_text(text).encode("utf-8")).hexdigest()
