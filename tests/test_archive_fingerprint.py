"""The fingerprint's compiled character class leaves out exactly what its definition says.

Fingerprints are stored: a version made before the class replaced the per-character loop must keep
its fingerprint, so the fast path is checked against the definition on every BMP character, on
astral ones, and on generated and report-like texts.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022

from archive.fingerprint import fingerprint, fingerprint_text


def by_definition(text: str) -> str:
    """NFKC, then every character that is not whitespace nor of category P, Z or C."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")


def test_every_bmp_character_is_kept_or_left_out_as_defined():
    for start in range(0, 0x10000, 0x1000):
        block = "".join(chr(cp) for cp in range(start, start + 0x1000) if not 0xD800 <= cp < 0xE000)
        assert fingerprint_text(block) == by_definition(block), hex(start)


def test_texts_beyond_the_bmp_take_the_same_definition():
    text = "𠀀𠮷法治\U0001f600，\U000e0001政府\U0010fffd。"  # CJK ext. B, an emoji, a tag, private use
    assert fingerprint_text(text) == by_definition(text) == "𠀀𠮷法治\U0001f600政府"


def test_report_texts_and_layout_changes():
    for text in (QINGHE_2023, ZHISHAN_2022):
        assert fingerprint_text(text) == by_definition(text)
        relaid = text.replace("，", ",").replace("\n", "\n\n　　")
        assert fingerprint(relaid) == fingerprint(text)
    assert fingerprint(QINGHE_2023.replace("79件", "81件")) != fingerprint(QINGHE_2023)


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200))
def test_any_text(text):
    assert fingerprint_text(text) == by_definition(text)
