"""The real report texts and pages in ../shared, for the tests that need them.

A fresh clone has no ../shared beside it: a test that reads it skips, with a reason naming it,
whether or not CI=true (CI lays ../shared beside its clone, so there they run). Read it only
inside a test or fixture, never at import, so collection never fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(relative: str) -> Path:
    """``../shared/<relative>``, or skip the calling test when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} (the real corpus laid beside the checkout; absent here)")
    return path


def shared_text(relative: str) -> str:
    """The UTF-8 text of ``../shared/<relative>``, or skip the calling test."""
    return shared_path(relative).read_text(encoding="utf-8")


def has_shared(relative: str = "corpus") -> bool:
    return (SHARED / relative).exists()
