"""OCR on scans harder than the portal's own, in two sets: a tuning set to fix the reader against and
a sealed set (other reports, other seeds, and feature combinations the tuning set never shows) that
is only ever measured, never looked into while tuning.

Each variant is a sample-portal report drawn by ``sample_portal.scan_variants`` (red 红头 and 文号,
two-line title, centred headings, ruled tables, 附件 page, running header, page numbers, seal, grey
paper, 150–200 dpi, heavy JPEG, skew up to 2°), saved as an image-only PDF and read back through
``extraction.documents.pdf_text`` (the path a crawled scan takes). Printed per variant: character F1
(NFKC, whitespace ignored), paragraph F1 (a paragraph counts when one read paragraph matches it at
fuzz.ratio ≥ 90: joins and splits both cost), and seconds a page.

    nice -n 10 .venv/bin/python -m benchmarks.scan_variants [--set tuning|sealed|both|corpus] [--only NAME]

``--set corpus`` draws a real report text of ``../shared/corpus`` (read there, never copied into the
repository) with the sealed set's hardest features; it is skipped, saying so, when ../shared is missing.
"""

from __future__ import annotations

import argparse
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from benchmarks.extraction import char_scores
from sample_portal.agencies import AGENCY_BY_KEY, report_title
from sample_portal.document import printed
from sample_portal.report_text import compose_report
from sample_portal.scan_variants import Features, Scan, draw_scan, scanned_pdf

PARAGRAPH_MATCH = 90
SHARED_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


@dataclass(frozen=True)
class Variant:
    name: str
    agency: str
    year: int
    features: Features
    seed: str
    paragraphs: int = 14  # report lines kept: two to three pages a variant keeps the run short
    corpus_file: str = ""  # a real text in ../shared/corpus instead of the sample portal's report
    title: str = ""


TUNING = (
    Variant("t-plain", "qh-sfj", 2022, Features(dpi=150, skew=0.5, jpeg_quality=70, paper=242), "t1"),
    Variant("t-redhead-table", "qh-gov", 2023, Features(dpi=150, skew=0.8, jpeg_quality=55, paper=236,
            red_header=True, table=True), "t2"),  # fmt: skip
    Variant("t-title2-centred", "yl-sthj", 2021, Features(dpi=200, skew=1.5, jpeg_quality=45, paper=226,
            two_line_title=True, centered_headings=True, page_number="-{n}-"), "t3"),  # fmt: skip
    Variant("t-skew2-grey", "qh-liuxi", 2023, Features(dpi=150, skew=2.0, jpeg_quality=50, paper=220,
            red_header=True, two_line_title=True, table=True), "t4"),  # fmt: skip
    Variant("t-attachment-heads", "yl-jtys", 2022, Features(dpi=200, skew=1.0, jpeg_quality=40, paper=230,
            running_header=True, attachment=True), "t5"),  # fmt: skip
)
SEALED = (  # red header + centred headings + 附件, and running header + table, occur only here
    Variant("s-redhead-centred-attach", "sq-gov", 2024, Features(dpi=200, skew=1.8, jpeg_quality=45, paper=222,
            red_header=True, centered_headings=True, table=True, attachment=True), "s1"),  # fmt: skip
    Variant("s-heads-table-q35", "yl-baisha", 2023, Features(dpi=150, skew=1.2, jpeg_quality=35, paper=218,
            two_line_title=True, running_header=True, table=True), "s2"),  # fmt: skip
    Variant("s-175dpi-all-heads", "sq-longquan", 2022, Features(dpi=175, skew=2.0, jpeg_quality=55, paper=228,
            red_header=True, two_line_title=True, centered_headings=True, running_header=True,
            page_number="-{n}-"), "s3"),  # fmt: skip
    Variant("s-attach-table", "qh-scjg", 2024, Features(dpi=150, skew=0.7, jpeg_quality=65, paper=235,
            attachment=True, table=True), "s4"),  # fmt: skip
)

CORPUS = (
    Variant("c-zhishan", "鹤山市址山镇人民政府", 2020, Features(dpi=150, skew=1.6, jpeg_quality=45, paper=224,
            red_header=True, centered_headings=True, running_header=True, table=True), "c1", paragraphs=12,
            corpus_file="zhishan-2020-report.txt", title="址山镇2020年法治政府建设情况报告"),  # fmt: skip
)


def draw(variant: Variant) -> Scan:
    date = f"{variant.year + 1}年1月{10 + variant.year % 15}日"
    if variant.corpus_file:
        text = printed((SHARED_CORPUS / variant.corpus_file).read_text(encoding="utf-8"))
        lines = [x.strip() for x in text.split("\n") if x.strip()][: variant.paragraphs]
        return draw_scan(variant.title, "\n".join(lines), variant.agency, date, variant.features,
                         f"scan-variant:{variant.seed}")  # fmt: skip
    agency = AGENCY_BY_KEY[variant.agency]
    lines = printed(compose_report(variant.agency, variant.year)).split("\n")[: variant.paragraphs]
    return draw_scan(report_title(agency, variant.year), "\n".join(lines), agency.name, date, variant.features,
                     f"scan-variant:{variant.seed}")  # fmt: skip


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def paragraph_f1(read: list[str], gold: list[str]) -> float:
    """Paragraphs matched one to one (fuzz.ratio ≥ 90 on squashed NFKC text), as an F1."""
    left = [_squash(p) for p in read if p.strip()]
    matched = 0
    for want in (_squash(p) for p in gold if p.strip()):
        hit = next((i for i, got in enumerate(left) if fuzz.ratio(got, want) >= PARAGRAPH_MATCH), None)
        if hit is not None:
            matched += 1
            left.pop(hit)
    read_n, gold_n = len([p for p in read if p.strip()]), len([p for p in gold if p.strip()])
    if not read_n or not gold_n:
        return float(read_n == gold_n)
    precision, recall = matched / read_n, matched / gold_n
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def measure(variant: Variant, show: bool = False) -> tuple[float, float, int, float]:
    """(character F1, paragraph F1, pages, seconds a page) of one variant read through the PDF path."""
    from extraction.documents import pdf_text

    scan = draw(variant)
    pdf = scanned_pdf(scan)
    started = time.perf_counter()
    read = pdf_text(pdf).lines
    seconds = time.perf_counter() - started
    text = "\n".join(read)
    char = char_scores(unicodedata.normalize("NFKC", text), unicodedata.normalize("NFKC", scan.gold))[2]
    para = paragraph_f1(read, scan.gold.split("\n"))
    if show:
        for line in read:
            print("   |", line)
    return char, para, len(scan.pages), seconds / len(scan.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("tuning", "sealed", "both", "corpus"), default="both")
    parser.add_argument("--only", help="one variant by name")
    parser.add_argument("--show", action="store_true", help="print what was read (tuning variants only)")
    args = parser.parse_args()
    chosen = {"tuning": TUNING, "sealed": SEALED, "both": TUNING + SEALED, "corpus": CORPUS}[args.set]
    if args.set == "corpus" and not all((SHARED_CORPUS / v.corpus_file).is_file() for v in CORPUS):
        print(f"skipped: the real texts are read from ../shared/corpus ({SHARED_CORPUS.resolve()}), not here")
        return
    print(f"{'set':7} {'variant':26} {'features':62} {'pages':>5} {'charF1':>7} {'paraF1':>7} {'s/page':>7}")
    totals: dict[str, list[tuple[float, float, int, float]]] = {}
    for variant in chosen:
        if args.only and variant.name != args.only:
            continue
        which = "tuning" if variant in TUNING else "corpus" if variant in CORPUS else "sealed"
        char, para, pages, per_page = measure(variant, show=args.show and which == "tuning")
        totals.setdefault(which, []).append((char, para, pages, per_page))
        print(f"{which:7} {variant.name:26} {variant.features.label():62} {pages:5d} {char:7.4f} {para:7.4f} "
              f"{per_page:7.2f}", flush=True)  # fmt: skip
    for which, rows in totals.items():
        pages = sum(r[2] for r in rows)
        print(f"{which}: mean charF1 {sum(r[0] for r in rows) / len(rows):.4f}, min {min(r[0] for r in rows):.4f}; "
              f"mean paraF1 {sum(r[1] for r in rows) / len(rows):.4f}, min {min(r[1] for r in rows):.4f}; "
              f"{sum(r[3] * r[2] for r in rows) / pages:.2f} s a page over {pages} pages")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
