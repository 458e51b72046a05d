"""Extraction against the gold pages in tests/fixtures/pages, beside trafilatura's default.

Prints, per page, character-level precision / recall / F1 (whitespace ignored, by longest common
subsequence) and the chrome strings left in the text, for ``extract_report`` and for plain
``trafilatura.extract``; then the means and metadata mismatches. Pages that wrap the real corpus read
it from ../shared/corpus (the texts are not copied into the repository).

    .venv/bin/python benchmarks/extraction.py
"""

from __future__ import annotations

import html
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from rapidfuzz.distance import LCSseq  # noqa: E402

from extraction import extract_report  # noqa: E402
from extraction.patterns import CHROME_MARKERS  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
SHARED = ROOT / ".." / "shared"
CHROME_STRINGS = CHROME_MARKERS  # checked only where the gold text does not itself contain it
META_FIELDS = ("title", "publisher", "index_no", "doc_no", "written", "published", "report_year", "agency",
               "region", "is_report")


@dataclass
class Case:
    """One gold page: its bytes, the text it must give, the fields it must give."""

    name: str
    body: bytes
    url: str
    gold: str
    expect: dict = field(default_factory=dict)
    style: str = ""


def _corpus_lines(meta: dict) -> tuple[list[str], list[str]]:
    """(lines for the page body, gold lines) from the corpus file named in ``meta``."""
    text = (SHARED / "corpus" / meta["corpus"]).read_text("utf-8")
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    start = next(i for i, x in enumerate(lines) if meta.get("corpus_from", lines[0][:8]) in x)
    end = next((i for i, x in enumerate(lines) if meta["corpus_to"] in x), len(lines) - 1) \
        if meta.get("corpus_to") else len(lines) - 1
    gold = lines[start:end + 1]
    body = lines[start:] if meta.get("corpus_chrome_tail") else gold
    return body, gold


def load_cases(pages: Path = PAGES) -> list[Case]:
    """Every NAME.meta.json in the fixtures, with its page and gold text assembled."""
    cases = []
    for meta_path in sorted(pages.glob("*.meta.json")):
        name = meta_path.name.removesuffix(".meta.json")
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("real_page"):
            body = (SHARED / "real-pages" / meta["real_page"]).read_bytes()
            gold = (pages / f"{name}.gold.txt").read_text("utf-8")
        else:
            template = (pages / f"{name}.html").read_text("utf-8")
            if meta.get("corpus"):
                body_lines, gold_lines = _corpus_lines(meta)
                para = meta.get("paragraph", "<p>{}</p>")
                body_html = "\n".join(para.format(html.escape(x, quote=False)) for x in body_lines)
                template = template.replace("{{BODY}}", body_html)
                gold = "\n".join(gold_lines)
            else:
                gold = (pages / f"{name}.gold.txt").read_text("utf-8")
            body = template.encode(meta.get("encoding", "utf-8"))
        cases.append(Case(name, body, meta.get("url", ""), gold, meta.get("expect", {}), meta.get("style", "")))
    return cases


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def char_scores(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall, F1 over characters, whitespace ignored (LCS alignment)."""
    p, g = _squash(predicted), _squash(gold)
    if not p and not g:
        return 1.0, 1.0, 1.0
    common = LCSseq.similarity(p, g)
    precision = common / len(p) if p else 0.0
    recall = common / len(g) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def chrome_left(predicted: str, gold: str) -> list[str]:
    """Chrome strings in the prediction that the gold text does not contain."""
    return [s for s in CHROME_STRINGS if s in predicted and s not in gold]


def metadata_errors(report_dict: dict, expect: dict) -> list[str]:
    """``field: got != want`` for each expected field that differs."""
    return [f"{k}: {report_dict.get(k)!r} != {v!r}" for k, v in expect.items() if report_dict.get(k) != v]


@dataclass
class Row:
    """Scores of one page for ours and for trafilatura's default."""

    name: str
    ours: tuple[float, float, float]
    ours_chrome: list[str]
    base: tuple[float, float, float]
    base_chrome: list[str]
    meta_errors: list[str]
    ms: float = 0.0


def run(cases: list[Case] | None = None) -> list[Row]:
    """Score every case."""
    rows = []
    for case in cases if cases is not None else load_cases():
        started = time.perf_counter()
        report = extract_report(case.body, url=case.url)
        ms = (time.perf_counter() - started) * 1000
        base_text = trafilatura.extract(case.body) or ""
        rows.append(Row(case.name, char_scores(report.text, case.gold), chrome_left(report.text, case.gold),
                        char_scores(base_text, case.gold), chrome_left(base_text, case.gold),
                        metadata_errors(report.to_dict(), case.expect), ms))
    return rows


def main() -> int:
    rows = run()
    print(f"{'page':28} {'P':>6} {'R':>6} {'F1':>6} chrome | {'traf P':>6} {'R':>6} {'F1':>6} chrome | meta")
    for r in rows:
        print(f"{r.name:28} {r.ours[0]:6.3f} {r.ours[1]:6.3f} {r.ours[2]:6.3f} {len(r.ours_chrome):6d} | "
              f"{r.base[0]:6.3f} {r.base[1]:6.3f} {r.base[2]:6.3f} {len(r.base_chrome):6d} | "
              f"{'ok' if not r.meta_errors else '; '.join(r.meta_errors)}")
        if r.ours_chrome:
            print(f"{'':28} chrome left: {', '.join(r.ours_chrome)}")
    n = len(rows) or 1
    mean = [sum(r.ours[i] for r in rows) / n for i in range(3)]
    base = [sum(r.base[i] for r in rows) / n for i in range(3)]
    print(f"{'MEAN':28} {mean[0]:6.3f} {mean[1]:6.3f} {mean[2]:6.3f} {sum(len(r.ours_chrome) for r in rows):6d} | "
          f"{base[0]:6.3f} {base[1]:6.3f} {base[2]:6.3f} {sum(len(r.base_chrome) for r in rows):6d} | "
          f"{sum(1 for r in rows if not r.meta_errors)}/{len(rows)} metadata right")
    print(f"extract_report: {sum(r.ms for r in rows) / n:.1f} ms per page on average")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
