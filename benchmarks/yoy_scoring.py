"""Scoring the year-over-year analysis against anchor-labelled pairs (tests/fixtures/yoy_real/FORMAT.md).

**How a prediction is mapped to a gold item.** Gold items are named by anchors: substrings that
occur once in their text. A predicted item (a plan or a problem the analysis found) *is* gold item X
when its text contains X's anchor; when it contains the anchors of several gold items it is the
first of them in the text (the others stay unfound), and when it contains none it is an item the
gold does not know (every relation it takes part in is a false positive). A follow-through is right
when the sentence given as evidence contains one of the gold anchors for that plan. A figure is
right when, in both years, the value found starts inside the gold string (or its ``context_*``
anchor) in the sentence it was found in, and its number is the gold string's. A compliance finding is right when report, kind and part
agree.

Categories (precision and recall, micro-averaged over pairs): kept, changed, split, merged,
dropped, added, follow-through, recurring, resolved, new problems, figures, compliance; plus
"traps fooled": trap pairs (old, new) paired by any relation, and values inside a ``not_figures``
string reported as figures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffing.yoy import YearOverYear, compare_years
from extraction.report import Report
from extraction.sections import parse_sections
from extraction.titles import report_year

CATEGORIES = (
    "kept", "changed", "split", "merged", "dropped", "added", "follow_through",
    "recurring", "resolved", "new_problems", "figures", "compliance",
)  # fmt: skip


@dataclass
class LabelledPair:
    """What the scorer needs of a pair: its two texts, their metadata and the gold labels."""

    id: str
    old_text: str
    new_text: str
    old_meta: dict[str, Any]
    new_meta: dict[str, Any]
    gold: dict[str, Any]

    def report(self, side: str) -> Report:
        """The Report extraction would store for that side (sections included)."""
        text, meta = (self.old_text, self.old_meta) if side == "old" else (self.new_text, self.new_meta)
        year = meta.get("year")
        return Report(
            title=meta.get("title", ""), text=text, text_normalized=text, report_year=year,
            published=meta.get("published"), agency=meta.get("agency"), is_report=True,
            sections=parse_sections(text, year),
        )  # fmt: skip


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold


@dataclass
class PairScore:
    counts: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CATEGORIES})
    traps_fooled: int = 0
    traps: int = 0
    misses: list[str] = field(default_factory=list)  # what went wrong, for reading on tuning pairs only


def _anchor_id(text: str, anchors: dict[str, str], fallback: str) -> str:
    hits = [(text.find(a), gid) for gid, a in anchors.items() if a and a in text]
    return min(hits)[1] if hits else fallback


def _set_counts(predicted: set[Any], gold: set[Any]) -> Counts:
    return Counts(len(predicted & gold), len(predicted), len(gold))


def _commitment_facts(result: YearOverYear, plans_old: dict[str, str], plans_new: dict[str, str]) -> dict[str, set[Any]]:
    def old_id(c: Any, k: int) -> str:
        return _anchor_id(c.text, plans_old, f"?old{k}")

    def new_id(c: Any, k: int) -> str:
        return _anchor_id(c.text, plans_new, f"?new{k}")

    facts: dict[str, set[Any]] = {s: set() for s in ("kept", "changed", "split", "merged", "dropped", "added")}
    for k, m in enumerate(result.commitments):
        if m.status in ("kept", "changed"):
            facts[m.status].add((old_id(m.previous, k), new_id(m.current, k)))
        elif m.status == "split":
            facts["split"].add((old_id(m.previous, k), frozenset(new_id(c, k) for c in m.current_items)))
        elif m.status == "merged":
            facts["merged"].add((frozenset(old_id(c, k) for c in m.previous_items), new_id(m.current, k)))
        elif m.status == "dropped":
            facts["dropped"].add(old_id(m.previous, k))
        else:
            facts["added"].add(new_id(m.current, k))
    return facts


def _gold_commitments(gold: dict[str, Any]) -> dict[str, set[Any]]:
    c = gold.get("commitments", {})
    return {
        "kept": {tuple(x) for x in c.get("kept", [])},
        "changed": {tuple(x) for x in c.get("changed", [])},
        "split": {(p, frozenset(qs)) for p, qs in c.get("split", [])},
        "merged": {(frozenset(ps), q) for ps, q in c.get("merged", [])},
        "dropped": set(c.get("dropped", [])),
        "added": set(c.get("added", [])),
    }


def _paired(facts: dict[str, set[Any]]) -> set[tuple[str, str]]:
    pairs = set(facts["kept"]) | set(facts["changed"])
    pairs |= {(p, q) for p, qs in facts["split"] for q in qs}
    pairs |= {(p, q) for ps, q in facts["merged"] for p in ps}
    return pairs


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], text.find(needle)
    while needle and start >= 0:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return out


def _inside(sentence: str, at: int, value: str, needles: list[str]) -> bool:
    """The value written at ``at`` lies in (or runs on from) an occurrence of one of ``needles``."""
    return any(a <= at < b for n in needles for a, b in _spans(sentence, n))


def _number(text: str) -> str:
    m = re.search(r"\d+(?:\.\d+)?|[二两三四五六七八九十]+", text)
    return m.group(0) if m else text


def _figure_counts(result: YearOverYear, gold: dict[str, Any], score: PairScore, old_text: str, new_text: str) -> None:
    found = list(result.figures)
    tp = 0
    for g in gold.get("figures", []):
        before = [g["before"]] + ([g["context_old"]] if g.get("context_old") else [])
        after = [g["after"]] + ([g["context_new"]] if g.get("context_new") else [])
        hit = next(
            (f for f in found
             if _number(f.before) in g["before"] and _number(f.after) in g["after"]
             and _inside(f.before_sentence, f.before_at, f.before, before)
             and _inside(f.after_sentence, f.after_at, f.after, after)),
            None,
        )  # fmt: skip
        if hit:
            found.remove(hit)
            tp += 1
        else:
            score.misses.append(f"figure missed: {g['label']} {g['before']} → {g['after']}")
    score.misses += [f"figure extra: {f.label} {f.before} → {f.after}" for f in found]
    score.counts["figures"] = Counts(tp, len(result.figures), len(gold.get("figures", [])))
    # values inside a not-figure string (document numbers, dates, plan names) reported as figures
    for f in result.figures:
        for value, sentence, at in ((f.before, f.before_sentence, f.before_at), (f.after, f.after_sentence, f.after_at)):
            if _inside(sentence, at, value, list(gold.get("not_figures", []))):
                score.traps_fooled += 1
                score.misses.append(f"not a figure reported: {value} in {sentence[:40]}")
    score.traps += len(gold.get("not_figures", []))


def score_pair(pair: LabelledPair) -> PairScore:
    """Counts per category for one pair, and the traps it fell into."""
    old, new = pair.report("old"), pair.report("new")
    result = compare_years(old, new)
    gold = pair.gold
    score = PairScore()
    plans_old, plans_new = gold.get("plans_old", {}), gold.get("plans_new", {})
    facts = _commitment_facts(result, plans_old, plans_new)
    expected = _gold_commitments(gold)
    for status in facts:
        score.counts[status] = _set_counts(facts[status], expected[status])
        for fact in facts[status] - expected[status]:
            score.misses.append(f"{status} extra: {fact}")
        for fact in expected[status] - facts[status]:
            score.misses.append(f"{status} missed: {fact}")
    paired = _paired(facts)
    for p, q in gold.get("traps", []):
        score.traps += 1
        if (p, q) in paired:
            score.traps_fooled += 1
            score.misses.append(f"trap fooled: {p} ~ {q}")
    # follow-through: the evidence sentence holds a gold anchor for that plan
    counts = Counts()
    follow = gold.get("follow_through", {})
    counts.gold = sum(1 for v in follow.values() if v)
    for k, f in enumerate(result.follow_through):
        gid = _anchor_id(f.commitment.text, plans_old, f"?old{k}")
        want = follow.get(gid)
        anchors = [want] if isinstance(want, str) else list(want or [])
        if f.sentence:
            counts.predicted += 1
            if any(a in f.sentence for a in anchors):
                counts.tp += 1
            else:
                score.misses.append(f"follow-through {gid}: said {f.sentence[:50]!r}, gold {anchors}")
        elif anchors:
            score.misses.append(f"follow-through {gid}: not found, gold {anchors}")
    score.counts["follow_through"] = counts
    # problems
    problems_old, problems_new = gold.get("problems_old", {}), gold.get("problems_new", {})
    got: dict[str, set[Any]] = {"recurring": set(), "resolved": set(), "new_problems": set()}
    for k, p in enumerate(result.problems):
        a = _anchor_id(p.previous, problems_old, f"?old{k}") if p.previous else None
        b = _anchor_id(p.current, problems_new, f"?new{k}") if p.current else None
        if p.status == "recurring":
            got["recurring"].add((a, b))
        elif p.status == "resolved":
            got["resolved"].add(a)
        else:
            got["new_problems"].add(b)
    gp = gold.get("problems", {})
    want_problems = {
        "recurring": {tuple(x) for x in gp.get("recurring", [])},
        "resolved": set(gp.get("resolved", [])),
        "new_problems": set(gp.get("new", [])),
    }
    for category in got:
        score.counts[category] = _set_counts(got[category], want_problems[category])
        for fact in got[category] - want_problems[category]:
            score.misses.append(f"{category} extra: {fact}")
        for fact in want_problems[category] - got[category]:
            score.misses.append(f"{category} missed: {fact}")
    _figure_counts(result, gold, score, pair.old_text, pair.new_text)
    if "compliance" in gold:
        years = {old.report_year: "old", new.report_year: "new"}
        found = {(years.get(c.year, "?"), c.kind, c.part) for c in result.compliance if c.kind != "missing_year"}
        want = {(c["report"], c["kind"], c.get("part")) for c in gold["compliance"]}
        score.counts["compliance"] = _set_counts(found, want)
        score.misses += [f"compliance extra: {x}" for x in found - want] + [f"compliance missed: {x}" for x in want - found]
    return score


def score_pairs(pairs: list[LabelledPair]) -> dict[str, Any]:
    """Precision, recall and F1 per category, micro F1 over all of them, and the traps fooled."""
    totals = {c: Counts() for c in CATEGORIES}
    fooled = traps = 0
    for pair in pairs:
        s = score_pair(pair)
        for c in CATEGORIES:
            totals[c].add(s.counts[c])
        fooled += s.traps_fooled
        traps += s.traps
    table: dict[str, Any] = {c: _prf(totals[c]) for c in CATEGORIES}
    pooled = Counts()
    for c in CATEGORIES:
        pooled.add(totals[c])
    table["micro"] = _prf(pooled)
    table["traps_fooled"] = {"fooled": fooled, "traps": traps}
    table["pairs"] = {"count": len(pairs)}
    return table


def _prf(c: Counts) -> dict[str, float | int]:
    precision = c.tp / c.predicted if c.predicted else 1.0
    recall = c.tp / c.gold if c.gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "gold": c.gold,
            "predicted": c.predicted, "tp": c.tp}  # fmt: skip


def real_pairs(split: str) -> list[LabelledPair]:
    """The blind pairs of tests/fixtures/yoy_real (``tuning`` or ``sealed``), rendered."""
    from benchmarks.yoy_pairs import load_pairs

    try:
        loaded = load_pairs(split)
    except FileNotFoundError:
        return []
    return [LabelledPair(p.id, p.old_text, p.new_text, p.old_meta, p.new_meta, p.gold) for p in loaded]


def fixture_pairs(folder: Path, split: str = "all") -> list[LabelledPair]:
    """The first labelled set (tests/fixtures/yoy): each text opens with its title line."""
    pairs = []
    for d in sorted(p for p in folder.iterdir() if (p / "gold.json").is_file()):
        gold = json.loads((d / "gold.json").read_text(encoding="utf-8"))
        if split == "tuning" and gold.get("held_out") or split == "held-out" and not gold.get("held_out"):
            continue
        old = (d / "old.txt").read_text(encoding="utf-8")
        new = (d / "new.txt").read_text(encoding="utf-8")
        metas = []
        for text in (old, new):
            title = text.splitlines()[0].strip()
            metas.append({"title": title, "year": report_year(title)})
        pairs.append(LabelledPair(d.name, old, new, metas[0], metas[1], gold))
    return pairs


def misses(pairs: list[LabelledPair]) -> dict[str, list[str]]:
    """What went wrong on each pair: for reading on the tuning half only."""
    return {p.id: score_pair(p).misses for p in pairs}

