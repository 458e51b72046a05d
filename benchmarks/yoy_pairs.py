"""The labelled year-over-year pairs in tests/fixtures/yoy_real, rendered and ready to score against.

The set was written blind (without the matcher's code or output) so it measures the year-over-year
analysis instead of echoing it. Pairs built on the real texts in ../shared are stored as recipes that
reference its lines (real texts never enter the repository) and are skipped, with a note naming
../shared, when it is missing. tests/fixtures/yoy_real/FORMAT.md describes the files and gold keys.

    .venv/bin/python -m benchmarks.yoy_pairs            # table of the pairs, both halves
    .venv/bin/python -m benchmarks.yoy_pairs tuning     # one half
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yoy_real"
SHARED = ROOT / ".." / "shared"
SPLITS = ("tuning", "sealed")

# {{shared:corpus/FILE:12}}  {{shared:corpus/FILE:12-18}}  {{shared:corpus/FILE:12#2}}  {{old:3#1-2}}
# with optional replacements |BEFORE=>AFTER (each BEFORE must occur in the referenced text).
REFERENCE = re.compile(
    r"\{\{(?P<kind>shared|old):(?:(?P<path>[^:{}|]+):)?(?P<first>\d+)(?:-(?P<last>\d+))?"
    r"(?:#(?P<s1>\d+)(?:-(?P<s2>\d+))?)?(?P<subs>(?:\|[^{}|]*?=>[^{}|]*?)*)\}\}"
)
# A sentence ends at 。！？!? plus any closing quotes or brackets right after it.
SENTENCE = re.compile(r"[^。！？!?]+(?:[。！？!?]+[”’」』）)]*|$)")


class SharedMissing(UserWarning):
    """Recipe pairs were skipped because ../shared is not there."""


class RecipeError(ValueError):
    """A recipe points at a line, sentence or replacement that is not there."""


@dataclass
class YoyPair:
    """One labelled pair: last year's report, this year's, and what a careful reviewer says changed."""

    id: str
    split: str
    style: str
    source: str
    old_text: str
    new_text: str
    old_meta: dict[str, Any]
    new_meta: dict[str, Any]
    gold: dict[str, Any]
    path: Path
    is_recipe: bool = False
    notes: list[str] = field(default_factory=list)

    def text(self, side: str) -> str:
        """The rendered text of ``"old"`` or ``"new"``."""
        return self.old_text if side == "old" else self.new_text

    def spans(self, key: str) -> dict[str, tuple[int, int]]:
        """Where the labelled items of ``plans_old``/``plans_new``/``problems_old``/``problems_new`` sit."""
        side = "old" if key.endswith("_old") else "new"
        return {item: self.span(side, anchor) for item, anchor in self.gold[key].items()}

    def span(self, side: str, anchor: str) -> tuple[int, int]:
        """Where ``anchor`` sits in that side's text; it must occur exactly once."""
        text = self.text(side)
        start = text.find(anchor)
        if start < 0 or text.find(anchor, start + 1) >= 0:
            raise KeyError(f"{self.id}: anchor {anchor!r} does not occur exactly once in {side}")
        return start, start + len(anchor)


def sentences(line: str) -> list[str]:
    """A paragraph cut after its sentence-final marks (the unit of a ``#S`` reference)."""
    return [s for s in SENTENCE.findall(line) if s.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _pick(lines: list[str], match: re.Match[str], where: str) -> str:
    first = int(match["first"])
    last = int(match["last"] or first)
    if not 1 <= first <= last <= len(lines):
        raise RecipeError(f"{where}: lines {first}-{last} out of range 1-{len(lines)}")
    if match["s1"]:
        if first != last:
            raise RecipeError(f"{where}: a sentence reference takes one line")
        parts = sentences(lines[first - 1])
        s1 = int(match["s1"])
        s2 = int(match["s2"] or s1)
        if not 1 <= s1 <= s2 <= len(parts):
            raise RecipeError(f"{where}: sentences {s1}-{s2} out of range 1-{len(parts)}")
        picked = "".join(parts[s1 - 1 : s2])
    else:
        picked = "\n".join(line for line in lines[first - 1 : last] if line)
    for sub in filter(None, (match["subs"] or "").split("|")):
        before, after = sub.split("=>", 1)
        if before not in picked:
            raise RecipeError(f"{where}: replacement {before!r} not in the referenced text")
        picked = picked.replace(before, after, 1)
    return picked


def render(template: str, shared: Path, old_text: str | None = None) -> str:
    """Expand the references of a recipe: ``{{shared:…}}`` from ../shared, ``{{old:…}}`` from old."""
    cache: dict[str, list[str]] = {}

    def expand(match: re.Match[str]) -> str:
        where = match.group(0)
        if match["kind"] == "old":
            if old_text is None:
                raise RecipeError(f"{where}: only new.txt may reference old")
            return _pick(_lines(old_text), match, where)
        rel = match["path"]
        if not rel:
            raise RecipeError(f"{where}: a shared reference needs a path")
        if rel not in cache:
            cache[rel] = _lines((shared / rel).read_text(encoding="utf-8"))
        return _pick(cache[rel], match, where)

    text = REFERENCE.sub(expand, template)
    if "{{" in text:
        raise RecipeError(f"unparsed reference near {text[text.index('{{'):][:60]!r}")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def pair_number(pair_id: str) -> int:
    """The number of a pair's id: t07-… → 7, s12-… → 12."""
    return int(pair_id[1:].split("-", 1)[0])


def is_recipe(directory: Path) -> bool:
    """Does this pair read ../shared?"""
    return any("{{shared:" in (directory / name).read_text(encoding="utf-8") for name in ("old.txt", "new.txt"))


def pair_dirs(split: str = "tuning") -> list[Path]:
    """The pair directories of one half (or ``"all"``), in id order."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"split must be tuning, sealed or all, not {split!r}")
    halves = SPLITS if split == "all" else (split,)
    return [d for half in halves for d in sorted((FIXTURES / half).iterdir()) if (d / "gold.json").is_file()]


def load_pair(directory: Path, shared: Path = SHARED) -> YoyPair:
    """Read and render one pair directory."""
    gold = json.loads((directory / "gold.json").read_text(encoding="utf-8"))
    old_text = render((directory / "old.txt").read_text(encoding="utf-8"), shared)
    new_text = render((directory / "new.txt").read_text(encoding="utf-8"), shared, old_text)
    return YoyPair(
        id=gold["id"],
        split=gold["split"],
        style=gold["style"],
        source=gold["source"],
        old_text=old_text,
        new_text=new_text,
        old_meta=gold["old"],
        new_meta=gold["new"],
        gold=gold,
        path=directory,
        is_recipe=is_recipe(directory),
    )


def load_pairs(split: str = "tuning", shared: Path | None = None) -> list[YoyPair]:
    """The pairs of ``split`` ("tuning", "sealed" or "all"); recipe pairs skipped, with a warning, without ../shared."""
    shared = SHARED if shared is None else shared
    have_shared = (shared / "corpus").is_dir()
    pairs, skipped = [], []
    for directory in pair_dirs(split):
        if not have_shared and is_recipe(directory):
            skipped.append(directory.name)
            continue
        pairs.append(load_pair(directory, shared))
    if skipped:
        warnings.warn(
            f"{len(skipped)} pairs built on the real texts skipped: ../shared not found at {shared} "
            f"({', '.join(skipped)})",
            SharedMissing,
            stacklevel=2,
        )
    return pairs


def label_counts(gold: dict[str, Any]) -> dict[str, int]:
    """How many labels of each kind a pair carries (the report's table)."""
    c = gold.get("commitments", {})
    p = gold.get("problems", {})
    follow = gold.get("follow_through", {})
    return {
        "plans_old": len(gold.get("plans_old", {})),
        "plans_new": len(gold.get("plans_new", {})),
        "kept": len(c.get("kept", [])),
        "changed": len(c.get("changed", [])),
        "split": len(c.get("split", [])),
        "merged": len(c.get("merged", [])),
        "dropped": len(c.get("dropped", [])),
        "added": len(c.get("added", [])),
        "traps": len(gold.get("traps", [])),
        "followed": sum(1 for v in follow.values() if v),
        "not_reported": sum(1 for v in follow.values() if not v),
        "recurring": len(p.get("recurring", [])),
        "resolved": len(p.get("resolved", [])),
        "new_problems": len(p.get("new", [])),
        "figures": len(gold.get("figures", [])),
        "not_figures": len(gold.get("not_figures", [])),
        "compliance": len(gold.get("compliance", [])),
    }


def main(argv: list[str]) -> int:
    split = argv[0] if argv else "all"
    pairs = load_pairs(split)
    keys = list(label_counts({}))
    short = ["po", "pn", "kept", "chg", "split", "merg", "drop", "add", "trap", "ft", "nr",
             "rec", "res", "newp", "fig", "nfig", "comp"]
    print(f"{'id':34} {'split':7} {'chars':>11} {'source':24} " + " ".join(f"{s:>4}" for s in short))
    totals = dict.fromkeys(keys, 0)
    for pair in pairs:
        counts = label_counts(pair.gold)
        for k in keys:
            totals[k] += counts[k]
        chars = f"{len(pair.old_text)}/{len(pair.new_text)}"
        source = pair.source if len(pair.source) <= 24 else pair.source[:21] + "..."
        print(f"{pair.id:34} {pair.split:7} {chars:>11} {source:24} " + " ".join(f"{counts[k]:>4}" for k in keys))
    print(f"{'total':34} {'':7} {'':>11} {len(pairs):<24} " + " ".join(f"{totals[k]:>4}" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
