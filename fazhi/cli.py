"""``fazhi``: the command line, a thin layer over the library.

Every command parses its arguments and calls one library function, as sqlite-utils' CLI mirrors its
library; nothing here decides anything a Python caller could not decide the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path


class CommandError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


def _existing_db(path: str) -> Path:
    db = Path(path)
    if not db.is_file():
        raise CommandError(
            f"no archive at {db} (crawl first: scrapy crawl reports -a start=URL -s ARCHIVE_DB={db})"
        )
    return db


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def cmd_portal(args: argparse.Namespace) -> int:
    from sample_portal.faults import FaultPlan
    from sample_portal.server import serve

    try:
        faults = FaultPlan.parse(args.faults) if args.faults else None
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    serve(
        port=args.port, as_of=args.as_of, host=args.host, faults=faults,
        multipage=args.multipage, gkmlpt=args.gkmlpt, scans=args.scans,
    )  # fmt: skip
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from extraction import ExtractionLimit, extract_file

    try:
        report = extract_file(args.source)
    except (ExtractionLimit, ValueError, OSError) as exc:
        raise CommandError(f"{args.source}: {exc}") from exc
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if not report.is_report:
            print(f"note: not an annual rule-of-law report: {report.reason}", file=sys.stderr)
        print(report.text)
    return 0


def _diff_side(value: str, db: str | None) -> tuple[str, str]:
    """A diff operand: an archive version id (with --db) or a file of any format extraction reads."""
    if db and value.isdigit():
        from archive.versions import version_text

        try:
            return f"version {value}", version_text(_existing_db(db), int(value))
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
    path = Path(value)
    if not path.exists():
        raise CommandError(
            f"no such file: {value}" + ("" if db else " (give --db to diff archive version ids)")
        )
    if path.suffix.lower() in (".txt", ".md"):
        from extraction.decoding import decode_text

        return value, decode_text(path.read_bytes())
    from extraction import extract_file

    return value, extract_file(value).text


def cmd_diff(args: argparse.Namespace) -> int:
    from diffing.render import render_html, render_markdown, render_text
    from diffing.textdiff import diff_texts
    from diffing.yoy import compare_years

    old_name, old = _diff_side(args.old, args.db)
    new_name, new = _diff_side(args.new, args.db)
    result = diff_texts(old, new)
    # Commitments, follow-through, problems, figures and boilerplate: the reviewer's first questions.
    analysis = compare_years(old, new)
    if args.format == "json":
        print(json.dumps({**analysis.to_dict(), "text_diff": result.to_dict()}, ensure_ascii=False, indent=2))
        return 0
    render = {"md": render_markdown, "html": render_html, "text": render_text}[args.format]
    print(render(result, old_name=old_name, new_name=new_name, analysis=analysis))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from diffing.site import build_report_site

    index = build_report_site(_existing_db(args.db), Path(args.out))
    print(f"wrote {index}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from archive import Archive

    with Archive(_existing_db(args.db)) as archive:
        stats = archive.stats()
    if args.format == "json":
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>20}: {value}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from archive.search import search

    hits = search(_existing_db(args.db), args.query, agency=args.agency, year=args.year, limit=args.limit)
    if args.format == "json":
        print(json.dumps(hits, ensure_ascii=False, indent=2))
        return 0
    for hit in hits:
        print(f"{hit.get('agency', '')} {hit.get('report_year', '')} · {hit.get('title', '')}")
        if hit.get("snippet"):
            print(f"    {hit['snippet']}")
    if not hits:
        print("no matches", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from archive.export import export_reports

    rows = export_reports(_existing_db(args.db), args.format, Path(args.out), all_versions=args.all_versions)
    print(f"wrote {rows} rows to {args.out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from archive.check import check_archive

    problems = check_archive(_existing_db(args.db))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("archive OK")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from sqlite_utils import Database

    from archive.schema import recorded_version
    from archive.store import open_database

    path = _existing_db(args.db)
    with closing(Database(path)) as db:
        before = recorded_version(db)
    with closing(open_database(path)) as db:  # opening an archive migrates it, in one transaction
        after = recorded_version(db)
    print(f"{path}: schema {before} → {after}" if before != after else f"{path}: already at schema {after}")
    return 0


def cmd_portals(args: argparse.Namespace) -> int:
    from crawler.registry import REGISTRY_PATH, load_portals, validate_portals

    path = Path(args.registry) if args.registry else REGISTRY_PATH
    try:
        portals = load_portals(path)
    except (OSError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if args.action == "validate":
        problems = validate_portals(portals)
        for problem in problems:
            print(problem)
        print(f"{len(portals)} portals, {len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    for p in portals:
        mark = "verified " + (p.verified_on or "") if p.verified else "not verified live"
        print(f"{p.key:<12} {p.region_code} {p.level:<11} {p.cms:<7} {p.name}  [{mark}]")
        for url in p.start_urls:
            print(f"{'':<12} {url}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from crawler.distributed.ingest import ingest_from_redis

    idle = None if args.idle <= 0 else args.idle
    counts = ingest_from_redis(
        args.from_redis, args.db, stop_when_idle=idle, **({"key": args.key} if args.key else {})
    )
    print(json.dumps(counts, ensure_ascii=False, indent=2))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fazhi.demo import run_demo

    return run_demo(Path(args.out))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fazhi", description="Crawl, archive and diff annual rule-of-law government reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("portal", cmd_portal, "serve the sample government portal network on 127.0.0.1")
    p.add_argument("--port", type=int, default=8800)
    p.add_argument(
        "--as-of", type=_iso_date, default=dt.date.today(), help="serve the portals as they stood that day"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--faults",
        help="misbehave on purpose, e.g. challenge_412=2,waf_200=1,soft_404=1,http_5xx_burst=3,timeout=1,"
        "reset=1,truncated=1,lying_charset=1,redirect_loop=1,huge=1,seed=7,recover_after=2025-06-01",
    )
    p.add_argument("--multipage", action="store_true", help="serve one long TRS report over several pages")
    p.add_argument("--gkmlpt", action="store_true", help="add the Guangdong gkmlpt-style portal")
    p.add_argument("--scans", action="store_true",
                   help="serve a report as a scanned PDF and one as pictures of its pages (read by OCR)")

    p = add("extract", cmd_extract, "extract a report's clean text and metadata from a page or attachment")
    p.add_argument("source", help="a file (HTML, PDF, DOCX …) or an http(s) URL")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("diff", cmd_diff, "show what changed between two reports or two versions of one")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=["text", "md", "html", "json"], default="text")
    p.add_argument("--db", help="archive, to diff version ids instead of files")

    p = add("report", cmd_report, "write the static HTML report site for an archive")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True)

    p = add("stats", cmd_stats, "count what the archive holds")
    p.add_argument("--db", required=True)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("search", cmd_search, "full-text search over the latest version of every report")
    p.add_argument("query")
    p.add_argument("--db", required=True)
    p.add_argument("--agency")
    p.add_argument("--year", type=int)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("export", cmd_export, "export reports for analysis tools")
    p.add_argument("--db", required=True)
    p.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p.add_argument("--out", required=True)
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest")

    p = add("check", cmd_check, "verify stored bodies and references; exit 1 on any problem")
    p.add_argument("--db", required=True)

    p = add("migrate", cmd_migrate, "upgrade an archive made by an older version to this code's schema")
    p.add_argument("--db", required=True)

    p = add("portals", cmd_portals, "list or validate the portal registry (crawler/portals.toml)")
    p.add_argument("action", choices=["list", "validate"])
    p.add_argument("--registry", help="another registry file")

    p = add(
        "ingest", cmd_ingest, "write captures queued in Redis by distributed crawl workers into the archive"
    )
    p.add_argument("--from-redis", required=True, metavar="URL", help="e.g. redis://127.0.0.1:6379/0")
    p.add_argument("--db", required=True)
    p.add_argument("--key", help="the Redis list the workers push to (default: reports:items)")
    p.add_argument(
        "--idle", type=float, default=5.0, help="stop after the list has been empty this long; 0 = never"
    )

    p = add("demo", cmd_demo, "serve the sample portals, crawl them twice, write the reports")
    p.add_argument("--out", default="demo-output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"fazhi {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fazhi portals list | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
