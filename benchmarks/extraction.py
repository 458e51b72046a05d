"""Extraction against the gold pages, beside trafilatura's default and GNE (GeneralNewsExtractor).

Prints, per page, character F1 (whitespace ignored, by longest common subsequence), the chrome
strings left in the text and our metadata mismatches; then, per extractor and for all pages and the
real ones apart, mean and minimum F1, chrome left and metadata fields right. The gold pages are
tests/fixtures/pages (those that wrap the real corpus read it from ../shared/corpus) and the real
pages of tests/fixtures/real-pages/manifest.json found in their cache (``benchmarks.real_pages``).
GNE is a dev extra; without it the run says so and leaves it out.

    .venv/bin/python -m benchmarks.extraction [--ocr]

``--ocr`` adds the sample portal's scanned PDF, picture report and OFD: F1 and seconds a page.
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
    real: bool = False  # a real portal's page (not written for the project)
    half: str = ""  # of a real page: "tuning" (looked at while fixing extraction) or "sealed" (never)


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
        cases.append(Case(name, body, meta.get("url", ""), gold, meta.get("expect", {}), meta.get("style", ""),
                          real=bool(meta.get("real_page"))))
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
    """Scores of one page for ours, trafilatura's default and GNE (None when GNE is not installed)."""

    name: str
    ours: tuple[float, float, float]
    ours_chrome: list[str]
    base: tuple[float, float, float]
    base_chrome: list[str]
    meta_errors: list[str]
    ms: float = 0.0
    meta_fields: int = 0  # expected metadata fields
    base_meta_right: int = 0  # of title and published, what trafilatura got right
    gne: tuple[float, float, float] | None = None
    gne_chrome: list[str] = field(default_factory=list)
    gne_meta_right: int = 0
    baseline_meta_fields: int = 0  # title and published, where the gold has them
    real: bool = False
    half: str = ""


def _gne():  # noqa: ANN202 - GeneralNewsExtractor, a dev extra
    try:
        from gne import GeneralNewsExtractor
    except ImportError:
        return None
    return GeneralNewsExtractor()


def _baseline_meta(title: str | None, date: str | None, expect: dict) -> int:
    """How many of title and published date a baseline got right (dates compared as YYYY-MM-DD)."""
    from extraction.dates import parse_date

    right = 0
    if "title" in expect and (title or "").strip() == (expect["title"] or ""):
        right += 1
    if "published" in expect and parse_date(date or "") == expect["published"]:
        right += 1
    return right


def _decoded(case: Case) -> str:
    from extraction.decoding import decode_html

    return decode_html(case.body)


def run(cases: list[Case] | None = None) -> list[Row]:
    """Score every case with every extractor."""
    rows = []
    gne = _gne()
    for case in cases if cases is not None else load_cases():
        started = time.perf_counter()
        report = extract_report(case.body, url=case.url)
        ms = (time.perf_counter() - started) * 1000
        base = trafilatura.bare_extraction(case.body, with_metadata=True)
        base_text = (base.text if base is not None else "") or ""
        baseline_fields = sum(1 for k in ("title", "published") if k in case.expect)
        row = Row(case.name, char_scores(report.text, case.gold), chrome_left(report.text, case.gold),
                  char_scores(base_text, case.gold), chrome_left(base_text, case.gold),
                  metadata_errors(report.to_dict(), case.expect), ms, meta_fields=len(case.expect),
                  base_meta_right=_baseline_meta(base.title if base else None, base.date if base else None,
                                                 case.expect),
                  baseline_meta_fields=baseline_fields, real=case.real, half=case.half)  # fmt: skip
        if gne is not None:
            try:
                got = gne.extract(_decoded(case))
            except Exception:  # noqa: BLE001 - a baseline that fails on a page scores zero there
                got = {}
            gne_text = got.get("content") or ""
            row.gne, row.gne_chrome = char_scores(gne_text, case.gold), chrome_left(gne_text, case.gold)
            row.gne_meta_right = _baseline_meta(got.get("title"), got.get("publish_time"), case.expect)
        rows.append(row)
    return rows


def _summary(label: str, f1: list[float], chrome: int, right: int, fields: int) -> str:
    if not f1:
        return f"{label:26} (no pages)"
    return (f"{label:26} mean F1 {sum(f1) / len(f1):.3f}  min F1 {min(f1):.3f}  chrome left {chrome:3d}  "
            f"metadata {right}/{fields} fields right")


def print_table(rows: list[Row]) -> None:
    """Per page, then per extractor: mean and minimum F1, chrome strings left, metadata fields right."""
    has_gne = any(r.gne is not None for r in rows)
    head = f"{'page':28} {'ours F1':>7} chrome | {'traf F1':>7} chrome"
    print(head + (f" | {'GNE F1':>7} chrome" if has_gne else "") + " | metadata")
    for r in rows:
        line = f"{r.name:28} {r.ours[2]:7.3f} {len(r.ours_chrome):6d} | {r.base[2]:7.3f} {len(r.base_chrome):6d}"
        if has_gne:
            line += f" | {r.gne[2]:7.3f} {len(r.gne_chrome):6d}" if r.gne else " |       -      -"
        print(line + f" | {'ok' if not r.meta_errors else '; '.join(r.meta_errors)}")
        if r.ours_chrome:
            print(f"{'':28} chrome left: {', '.join(r.ours_chrome)}")
    real = [r for r in rows if r.real]
    for title, subset in (("all pages", rows), ("real pages", real),
                          ("real pages, tuning half", [r for r in real if r.half == "tuning"]),
                          ("real pages, sealed half (never tuned on)", [r for r in real if r.half == "sealed"])):
        if not subset:
            continue
        print(f"\n{title} ({len(subset)}):")
        ours_right = sum(r.meta_fields - len(r.meta_errors) for r in subset)
        print(_summary("extract_report", [r.ours[2] for r in subset], sum(len(r.ours_chrome) for r in subset),
                       ours_right, sum(r.meta_fields for r in subset)))
        baseline_fields = sum(r.baseline_meta_fields for r in subset)
        print(_summary("trafilatura (default)", [r.base[2] for r in subset], sum(len(r.base_chrome) for r in subset),
                       sum(r.base_meta_right for r in subset), baseline_fields))
        if has_gne:
            print(_summary("GNE (GeneralNewsExtractor)", [r.gne[2] for r in subset if r.gne],
                           sum(len(r.gne_chrome) for r in subset), sum(r.gne_meta_right for r in subset),
                           baseline_fields))
    if not has_gne:
        print("GNE: not installed (pip install gne, in the dev extras): left out of this run")
    print("metadata: ours over every expected field; the baselines over title and published date, which they give")
    print(f"extract_report: {sum(r.ms for r in rows) / (len(rows) or 1):.1f} ms per page on average")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ocr", action="store_true",
                        help="also read the sample portal's scanned PDF, picture report and OFD: F1 and seconds a page")
    args = parser.parse_args(argv)
    from benchmarks.real_pages import load_real_cases, missing  # it builds on this module

    print_table(run(load_cases() + load_real_cases()))
    if note := missing():
        print(f"real pages: {note}")
    if args.ocr:
        from benchmarks.ocr_forms import print_forms

        print()
        print_forms()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
