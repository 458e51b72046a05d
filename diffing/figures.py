"""Figures in report sentences (审核合同80件) and which of them changed between two versions.

A silent edit that changes a count is the most telling kind, so the diff lists changed figures
first. A figure is a number with the words before it in its clause (the label) and its unit.
Years (2020年) and outline numbers (1.) are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_UNITS = (
    "万元|亿元|千元|元|万人次|人次|场次|余件|余次|余人|件次|家次|件|次|场|人|个|项|份|家|起|条|篇|期|名|户|宗|部|批|辆|台|处|"
    "所|座|村|类|本|册|张|小时|天|日|月|年度|万|亿|%|％|倍|公里|亩|平方米"
)
_FIGURE = re.compile(rf"(?P<num>\d+(?:\.\d+)?)(?P<unit>{_UNITS})?")
# 1. / (2) / 3、 opening a sentence; "1.2020年…" is item 1 about the year 2020, not 1.2020.
_OUTLINE = re.compile(r"^\s*[（(]?\d{1,2}(?:[)）、]|[.．](?!\d)|[.．](?=(?:19|20)\d\d年))")
# Clause boundaries: the label of a figure never reaches across these.
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?、（）()“”\"《》.．\s]")
_LABEL_CHARS = 10
# Words that join a label to its number (共办理…, …达, …约) but are not part of the label.
_LABEL_PREFIXES = ("其中", "共计", "累计", "合计", "共")
_LABEL_SUFFIXES = ("达到", "超过", "共计", "累计", "分别为", "为", "达", "约", "共", "近", "逾", "了")


@dataclass
class Figure:
    label: str
    value: str
    unit: str


@dataclass
class ChangedFigure:
    """A figure whose value differs between the two versions of a sentence."""

    label: str
    old: str
    new: str
    unit: str
    old_sentence: str
    new_sentence: str


def _is_year(num: str, unit: str, after: str) -> bool:
    return len(num) == 4 and num[:2] in ("19", "20") and (unit in ("年", "年度") or after[:1] in "年-—至")


def _trim_label(clause: str) -> str:
    """The last words of the clause, up to _LABEL_CHARS characters, cut at a jieba word boundary."""
    if len(clause) > _LABEL_CHARS:
        import jieba

        words = jieba.lcut(clause, HMM=False)
        kept = ""
        for word in reversed(words):
            if len(kept) + len(word) > _LABEL_CHARS:
                break
            kept = word + kept
        clause = kept or clause[-_LABEL_CHARS:]
    label = clause
    for prefix in _LABEL_PREFIXES:
        if label.startswith(prefix) and len(label) > len(prefix):
            label = label[len(prefix) :]
            break
    changed = True
    while changed:
        changed = False
        for suffix in _LABEL_SUFFIXES:
            if label.endswith(suffix) and len(label) > len(suffix):
                label, changed = label[: -len(suffix)], True
    return label


def extract_figures(sentence: str) -> list[Figure]:
    """Numbers with their label and unit, in order of appearance."""
    return list(_extract_figures(sentence))


@lru_cache(maxsize=16384)
def _extract_figures(sentence: str) -> tuple[Figure, ...]:
    """Cached: a site build meets each report's sentences twice (as year N+1, then as year N)."""
    figures: list[Figure] = []
    outline = _OUTLINE.match(sentence)
    label_floor = outline.end() if outline else 0
    for m in _FIGURE.finditer(sentence, label_floor):
        num, unit = m.group("num"), m.group("unit") or ""
        after = sentence[m.end("num") :]
        if _is_year(num, unit, after):
            label_floor = m.end() + (1 if after[:1] == "年" else 0)
            continue
        before = sentence[label_floor : m.start()]
        breaks = list(_CLAUSE_BREAK.finditer(before))
        if breaks:
            before = before[breaks[-1].end() :]
        label = _trim_label(before.strip())
        figures.append(Figure(label, num, unit))
        label_floor = m.end()
    return tuple(figures)


def changed_figures(old: str, new: str) -> list[ChangedFigure]:
    """Figures of ``old`` and ``new`` paired by label and unit (then by order) whose values differ."""
    a, b = extract_figures(old), extract_figures(new)
    unmatched_b = list(range(len(b)))
    pairs: list[tuple[Figure, Figure]] = []
    unmatched_a: list[Figure] = []
    for fa in a:
        hit = next((k for k in unmatched_b if b[k].label == fa.label and b[k].unit == fa.unit), None)
        if hit is None:
            unmatched_a.append(fa)
        else:
            unmatched_b.remove(hit)
            pairs.append((fa, b[hit]))
    # Left-over figures with the same unit, in order: the label itself was reworded.
    for fa in unmatched_a:
        hit = next((k for k in unmatched_b if b[k].unit == fa.unit), None)
        if hit is not None:
            unmatched_b.remove(hit)
            pairs.append((fa, b[hit]))
    return [
        ChangedFigure(fb.label or fa.label, fa.value, fb.value, fb.unit, old, new)
        for fa, fb in pairs
        if fa.value != fb.value
    ]
