"""Time diff_texts on two ~10,000-character reports beside difflib on the same texts.

Usage: python -m benchmarks.diffing [--old FILE --new FILE] [--repeat N]
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

from diffing.sentences import split_sentences
from diffing.textdiff import _words, diff_texts

SHARED_REPORT = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "zhishan-2020-report.txt"
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


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
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
