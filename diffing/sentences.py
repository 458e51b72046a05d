"""Splitting report text into sentences, the unit the diff aligns.

Reports are one paragraph a line; sentences end in 。！？； (full or half width). Outline markers
(一、 / (一) / 1.) begin a sentence, so they stay attached to the sentence they number.
"""

from __future__ import annotations

import re

# A sentence runs up to and including its terminator (and any closing quote/bracket after it).
_SENTENCE = re.compile(r"[^。！？；;!?]*[。！？；;!?]+[”’」』)）]*|[^。！？；;!?]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order, stripped, empty ones dropped."""
    sentences: list[str] = []
    for line in text.splitlines():
        for piece in _SENTENCE.findall(line):
            piece = piece.strip()
            if piece:
                sentences.append(piece)
    return sentences
