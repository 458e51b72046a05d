"""Sentence-aligned, word-level diff of two report texts.

A line diff is useless on Chinese reports: a paragraph is one line, so one changed figure marks the
whole paragraph. We align sentences instead, pair reworded sentences by similarity (so they show as
``changed`` rather than a delete plus an insert), and diff jieba words inside each changed pair.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import LCSseq

from diffing.figures import ChangedFigure, changed_figures
from diffing.sentences import split_sentences

# Below this character similarity two sentences are different sentences, not one reworded.
PAIRING_THRESHOLD = 0.45
# How much a kept shorter sentence counts towards similarity (see _similarity).
COVERAGE_WEIGHT = 0.75
SENTENCE_OPS = ("equal", "changed", "inserted", "deleted")


@dataclass
class TokenOp:
    """One run of words inside a changed sentence: ``equal``, ``replace``, ``delete`` or ``insert``."""

    op: str
    old: str
    new: str


@dataclass
class SentenceOp:
    """One step of the alignment; ``old``/``new`` are None where the sentence does not exist."""

    op: str
    old: str | None
    new: str | None
    old_index: int | None = None
    new_index: int | None = None
    similarity: float = 1.0
    tokens: list[TokenOp] = field(default_factory=list)


@dataclass
class TextDiff:
    """The whole diff; renderers and the JSON export read only this."""

    ops: list[SentenceOp]
    figures: list[ChangedFigure] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, int]:
        counts = dict.fromkeys(SENTENCE_OPS, 0)
        for op in self.ops:
            counts[op.op] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(op.op != "equal" for op in self.ops)

    @property
    def changes(self) -> list[SentenceOp]:
        return [op for op in self.ops if op.op != "equal"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stats": self.stats,
            "has_changes": self.has_changes,
            "changed_figures": [asdict(f) for f in self.figures],
            "ops": [asdict(op) for op in self.ops],
        }


@lru_cache(maxsize=4096)
def _words(sentence: str) -> tuple[str, ...]:
    """jieba words; punctuation comes out as its own token, so it acts as a boundary."""
    import jieba

    from diffing.topics import teach_jieba

    jieba.setLogLevel(logging.WARNING)
    teach_jieba()
    return tuple(jieba.lcut(sentence, HMM=False))


def diff_words(old: str, new: str) -> list[TokenOp]:
    """Word-level diff of two sentences, adjacent runs merged."""
    a, b = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        TokenOp(tag, "".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def _similarity(a: str, b: str) -> float:
    """Character similarity, lifted when the shorter sentence is mostly kept inside the longer one.

    A sentence that gains a clause (审核合同80件。→ 审核合同95件,涉及金额500万元。) has a low plain
    ratio but is still the same sentence. The matched characters are the longest common
    subsequence (rapidfuzz, in C++): this runs for every pair of sentences in a replaced block.
    """
    total, shorter = len(a) + len(b), max(1, min(len(a), len(b)))
    matched = LCSseq.similarity(a, b)
    return max(2 * matched / total, COVERAGE_WEIGHT * matched / shorter)


def _pair_block(old: list[str], new: list[str]) -> list[tuple[int, int, float]]:
    """Order-preserving pairing of replaced sentences maximising total similarity (small DP)."""
    n, m = len(old), len(new)
    sim = [[_similarity(a, b) for b in new] for a in old]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = sim[i - 1][j - 1]
            diag = best[i - 1][j - 1] + s if s >= PAIRING_THRESHOLD else -1.0
            best[i][j] = max(best[i - 1][j], best[i][j - 1], diag)
    pairs: list[tuple[int, int, float]] = []
    i, j = n, m
    while i > 0 and j > 0:
        s = sim[i - 1][j - 1]
        if s >= PAIRING_THRESHOLD and best[i][j] == best[i - 1][j - 1] + s:
            pairs.append((i - 1, j - 1, s))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    return pairs


def _replace_ops(old: list[str], new: list[str], o0: int, n0: int) -> list[SentenceOp]:
    ops: list[SentenceOp] = []
    i = j = 0
    for pi, pj, score in [*_pair_block(old, new), (len(old), len(new), 0.0)]:
        ops += [SentenceOp("deleted", old[k], None, o0 + k, None, 0.0) for k in range(i, pi)]
        ops += [SentenceOp("inserted", None, new[k], None, n0 + k, 0.0) for k in range(j, pj)]
        if pi < len(old):
            a, b = old[pi], new[pj]
            ops.append(SentenceOp("changed", a, b, o0 + pi, n0 + pj, round(score, 3), diff_words(a, b)))
        i, j = pi + 1, pj + 1
    return ops


_YEAR_NUMBER = re.compile(r"(?:19|20)\d\d(?=\s*年)")


def _unnumbered(sentence: str) -> str:
    """A sentence without its outline marker: (二)加强… and (一)加强… say the same."""
    from extraction.sections import match_marker

    found = match_marker(sentence)
    return found[2] if found else sentence


def sentence_identity(sentence: str, numbering: bool = False, years: bool = False) -> str:
    """What makes two sentences the same sentence: with ``numbering``, renumbering ((二)→(一)) is no
    change; with ``years``, neither is the year named (2022年 → 2023年)."""
    if numbering:
        sentence = _unnumbered(sentence)
    if years:
        sentence = _YEAR_NUMBER.sub("YYYY", sentence)
    return sentence


def diff_texts(old: str, new: str, ignore_numbering: bool = False, ignore_years: bool = False) -> TextDiff:
    """Diff two report texts sentence by sentence, words inside reworded sentences.

    ``ignore_numbering`` and ``ignore_years`` make a sentence that only changed its outline number
    or its year an ``equal`` one (with both texts kept): a renumbered item or a year bump is not a 修改.
    """
    a, b = split_sentences(old), split_sentences(new)
    ops: list[SentenceOp] = []
    keys_a = [sentence_identity(x, ignore_numbering, ignore_years) for x in a]
    keys_b = [sentence_identity(x, ignore_numbering, ignore_years) for x in b]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops += [SentenceOp("equal", a[i1 + k], b[j1 + k], i1 + k, j1 + k) for k in range(i2 - i1)]
        elif tag == "delete":
            ops += [SentenceOp("deleted", a[k], None, k, None, 0.0) for k in range(i1, i2)]
        elif tag == "insert":
            ops += [SentenceOp("inserted", None, b[k], None, k, 0.0) for k in range(j1, j2)]
        else:
            ops += _replace_ops(a[i1:i2], b[j1:j2], i1, j1)
    figures = [f for op in ops if op.op == "changed" for f in changed_figures(op.old or "", op.new or "")]
    return TextDiff(ops, figures)
