"""Time diff_texts on two ~10,000-character reports beside difflib on the same texts.

Usage: python -m benchmarks.diffing [--old FILE --new FILE] [--repeat N]
       python -m benchmarks.diffing --quality [--fixtures DIR] [--split all|tuning|held-out]
       python -m benchmarks.diffing --site [--agencies 1000 --years 6]
--quality scores diffing.yoy.compare_years against the labelled year-over-year pairs in
tests/fixtures/yoy (precision and recall per category); --site times build_report_site on a
generated archive of fictional agencies written through sqlite-utils to archive/schema.py.
Without files it takes the real 址山镇 2020 report from ../shared/corpus (a development checkout),
about 5,000 characters, followed by copies of it about neighbouring townships and years (so no
sentence repeats), cut to 10,000 characters; then it makes an edited copy (figures changed, sentences reworded,
removed and added every few sentences), so the diff has real work to do.
"""

from __future__ import annotations

import argparse
import difflib
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from diffing.sentences import split_sentences
from diffing.textdiff import _words, diff_texts
from diffing.yoy import YearOverYear, compare_years

ROOT = Path(__file__).resolve().parents[1]
SHARED_REPORT = ROOT / ".." / "shared" / "corpus" / "zhishan-2020-report.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "yoy"
CATEGORIES = (
    "commitments_kept", "commitments_changed", "commitments_dropped", "commitments_added",
    "follow_through", "problems_recurring", "problems_resolved", "problems_new", "figures",
)
LENGTH = 10_000


def ten_thousand_characters(report: str) -> str:
    copies = [report]
    for town, year in (("双桥", 2019), ("龙口", 2018)):
        copies.append(report.replace("址山", town).replace("2021", str(year + 1)).replace("2020", str(year)))
    return "\n".join(copies)[:LENGTH]


def edited_copy(text: str) -> str:
    """A deterministic revision: every 5th sentence gets a figure bumped or a clause added, every 11th goes."""
    out = []
    for n, sentence in enumerate(split_sentences(text)):
        if n % 11 == 10:
            continue
        if n % 5 == 4:
            bumped = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in sentence)
            sentence = bumped if bumped != sentence else sentence.replace("。", ",并持续跟踪落实。", 1)
        out.append(sentence)
        if n % 13 == 12:
            out.append("新增内容：进一步完善行政规范性文件合法性审核机制。")
    return "\n".join(out)


def median_ms(run: Callable[[], object], repeat: int, reset: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if reset:
            reset()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _predicted(result: YearOverYear, old_items: list[str], new_items: list[str]) -> dict[str, set[Any]]:
    """The analysis as sets of comparable facts (indices into the two item lists), one set per category."""
    def index(items: list[str], text: str | None) -> int | None:
        return items.index(text) if text in items else None

    out: dict[str, set[Any]] = {c: set() for c in CATEGORIES}
    for m in result.commitments:
        i = m.previous.path if m.previous else None
        j = m.current.path if m.current else None
        if m.status in ("kept", "changed"):
            out[f"commitments_{m.status}"].add((i, j))
        else:
            out[f"commitments_{m.status}"].add(i if m.status == "dropped" else j)
    for p in result.problems:
        i, j = index(old_items, p.previous), index(new_items, p.current)
        out[f"problems_{p.status}"].add((i, j) if p.status == "recurring" else i if p.status == "resolved" else j)
    return out


def _gold(gold: dict[str, Any], old_paths: list[str], new_paths: list[str]) -> dict[str, set[Any]]:
    """Gold labels by item index, turned into the same facts as _predicted (commitment paths, problem indices)."""
    c, p = gold["commitments"], gold["problems"]

    def at(paths: list[str], k: int) -> str:  # an item the parser did not find can never be matched
        return paths[k] if k < len(paths) else f"missing-{k}"

    return {
        "commitments_kept": {(at(old_paths, i), at(new_paths, j)) for i, j in c["kept"]},
        "commitments_changed": {(at(old_paths, i), at(new_paths, j)) for i, j in c["changed"]},
        "commitments_dropped": {at(old_paths, i) for i in c["dropped"]},
        "commitments_added": {at(new_paths, j) for j in c["added"]},
        "problems_recurring": {(i, j) for i, j in p["recurring"]},
        "problems_resolved": set(p["resolved"]),
        "problems_new": set(p["new"]),
    }


def _same_label(gold: str, found: str) -> bool:
    return gold in found or found in gold or fuzz.ratio(gold, found) >= 60


def score_pair(old: str, new: str, gold: dict[str, Any]) -> dict[str, list[int]]:
    """[true positives, predicted, gold] per category for one labelled pair."""
    from diffing.outline import commitments
    from diffing.sections import problem_items, report_parts

    result = compare_years(old, new)
    old_paths = [c.path for c in commitments(old)]
    new_paths = [c.path for c in commitments(new)]
    old_items = problem_items(report_parts(old).problems)
    new_items = problem_items(report_parts(new).problems)
    counts: dict[str, list[int]] = {}
    predicted = _predicted(result, old_items, new_items)
    expected = _gold(gold, old_paths, new_paths)
    for category, gold_set in expected.items():
        counts[category] = [len(predicted[category] & gold_set), len(predicted[category]), len(gold_set)]
    # follow-through: a prediction is right when it names the sentence holding the gold phrase
    tp = n_pred = n_gold = 0
    for k, ft in enumerate(result.follow_through):
        phrase = gold["follow_through"].get(str(k))
        n_pred += ft.sentence is not None
        n_gold += phrase is not None
        tp += bool(phrase and ft.sentence and phrase in ft.sentence)
    counts["follow_through"] = [tp, n_pred, n_gold]
    found = list(result.figures)
    tp = 0
    for g in gold["figures"]:
        hit = next((f for f in found if f.before == g["before"] and f.after == g["after"]
                    and _same_label(g["label"], f.label)), None)
        if hit:
            found.remove(hit)
            tp += 1
    counts["figures"] = [tp, len(result.figures), len(gold["figures"])]
    return counts


def labelled_pairs(fixtures: Path = FIXTURES, split: str = "all") -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, old text, new text, gold) of each labelled pair; ``split`` picks tuning or held-out pairs."""
    pairs = []
    for folder in sorted(p for p in fixtures.iterdir() if (p / "gold.json").is_file()):
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        if split == "tuning" and gold.get("held_out") or split == "held-out" and not gold.get("held_out"):
            continue
        old = (folder / "old.txt").read_text(encoding="utf-8")
        new = (folder / "new.txt").read_text(encoding="utf-8")
        pairs.append((folder.name, old, new, gold))
    return pairs


def quality(fixtures: Path = FIXTURES, split: str = "all") -> dict[str, dict[str, float]]:
    """Precision and recall per category over the labelled pairs (micro-averaged)."""
    totals = {c: [0, 0, 0] for c in CATEGORIES}
    pairs = labelled_pairs(fixtures, split)
    for _, old, new, gold in pairs:
        for category, (tp, n_pred, n_gold) in score_pair(old, new, gold).items():
            totals[category][0] += tp
            totals[category][1] += n_pred
            totals[category][2] += n_gold
    return {
        c: {
            "precision": round(tp / n_pred, 3) if n_pred else 1.0,
            "recall": round(tp / n_gold, 3) if n_gold else 1.0,
            "gold": n_gold,
        }
        for c, (tp, n_pred, n_gold) in totals.items()
    } | {"pairs": {"count": len(pairs)}}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quality", action="store_true", help="precision/recall on the labelled pairs")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--split", choices=("all", "tuning", "held-out"), default="all")
    args = parser.parse_args(argv)
    if args.quality:
        scores = quality(args.fixtures, args.split)
        print(json.dumps(scores, ensure_ascii=False, indent=2))
        return scores
    if args.old and args.new:
        old, new = args.old.read_text(encoding="utf-8"), args.new.read_text(encoding="utf-8")
    else:
        old = ten_thousand_characters(SHARED_REPORT.read_text(encoding="utf-8"))
        new = edited_copy(old)
    diff_texts("预热。", "预热一下。")  # load jieba's dictionary outside the timing

    ours = median_ms(lambda: diff_texts(old, new), args.repeat, reset=_words.cache_clear)
    lines = median_ms(lambda: list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="")), args.repeat)
    chars = median_ms(
        lambda: difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), max(1, args.repeat // 2)
    )
    result = diff_texts(old, new)
    numbers = {
        "old_chars": len(old),
        "new_chars": len(new),
        "diff_texts_ms": round(ours, 1),
        "difflib_lines_ms": round(lines, 2),
        "difflib_chars_ms": round(chars, 1),
        "ratio_vs_lines": round(ours / lines, 1) if lines else float("inf"),
        "ratio_vs_chars": round(ours / chars, 2) if chars else float("inf"),
        **{f"sentences_{k}": v for k, v in result.stats.items()},
        "changed_figures": len(result.figures),
    }
    print(json.dumps(numbers, ensure_ascii=False, indent=2))
    return numbers


if __name__ == "__main__":
    main()
