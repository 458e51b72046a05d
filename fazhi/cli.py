"""``fazhi``: the command line, a thin layer over the library.

Every command parses its arguments and calls one library function, as sqlite-utils' CLI mirrors its
library; nothing here decides anything a Python caller could not decide the same way.

Errors are one line on stderr, ``fazhi COMMAND: what is wrong``: exit 2 when the invocation itself is
wrong (argparse's errors, an impossible value), 1 when the files, ports or servers it names are not as
needed. ``fazhi --debug COMMAND …`` shows the traceback instead. Commands that only read (stats,
search, export, report, check, diff --db, datasette) open the archive read-only and refuse a file that
is not one; commands that write (migrate, ingest, demo) migrate an older archive first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import socket
import sqlite3
import sys
import urllib.error
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from extraction.report import Report


class CommandError(Exception):
    """Something the user can fix, printed as one line: exit 1 (the files, ports or servers are not as needed)."""

    status = 1


class UsageError(CommandError):
    """The invocation itself is wrong (an option's value, a combination): exit 2, as argparse's errors."""

    status = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (what is wrong, and where the help is), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (0–65535; 0 picks a free one)")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {number}")
    return number


def _archive_to_read(path: str) -> Path:
    """The archive at ``path``, checked to be one this code reads (read-only; nothing is written)."""
    from archive.readonly import open_for_reading

    open_for_reading(path).close()
    return Path(path)


def _archive_to_write(path: str) -> Path:
    """``path`` for a command that writes: absent (it will be created) or already a fazhi archive."""
    from archive.readonly import connect_readonly

    db = Path(path)
    if db.exists():
        connect_readonly(db).close()  # refuses what is not an archive; any schema (writers migrate)
    elif not db.parent.is_dir():
        raise CommandError(f"no directory {db.parent} to create the archive {db.name} in")
    return db


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _listen_error(exc: OSError, host: str, port: int, hint: str) -> CommandError:
    if exc.errno == errno.EADDRINUSE:
        return CommandError(f"port {port} on {host} is in use (by another server?): {hint}")
    if exc.errno == errno.EACCES:
        return CommandError(f"not allowed to listen on port {port} (ports below 1024 need root): {hint}")
    return CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def cmd_portal(args: argparse.Namespace) -> int:
    from sample_portal.faults import FaultPlan
    from sample_portal.server import serve

    try:
        faults = FaultPlan.parse(args.faults) if args.faults else None
    except ValueError as exc:
        raise UsageError(f"--faults: {exc}") from exc
    try:
        serve(
            port=args.port, as_of=args.as_of, host=args.host, faults=faults,
            multipage=args.multipage, gkmlpt=args.gkmlpt, scans=args.scans,
        )  # fmt: skip
    except socket.gaierror as exc:
        raise CommandError(f"cannot listen on {args.host}: {exc.strerror or exc}") from exc
    except OSError as exc:
        raise _listen_error(exc, args.host, args.port, "choose another with --port") from exc
    return 0


def _extract(source: str):  # noqa: ANN202 - extraction.report.Report, imported late
    from extraction import extract_file

    if source.startswith(("http://", "https://")):
        try:
            return extract_file(source)
        except urllib.error.HTTPError as exc:
            raise CommandError(f"{source} answered HTTP {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise CommandError(f"cannot fetch {source}: {exc.reason}") from exc
        except (TimeoutError, ConnectionError) as exc:
            raise CommandError(f"cannot fetch {source}: {exc}") from exc
    if "://" in source or source.lower().startswith(("file:", "data:", "ftp:")):
        raise UsageError(f"only http:// and https:// URLs are fetched, not {source}")
    path = Path(source)
    if not path.exists():
        raise CommandError(f"no such file: {source}")
    if path.is_dir():
        raise CommandError(f"{source} is a directory: give a page or attachment file")
    return extract_file(source)


def cmd_extract(args: argparse.Namespace) -> int:
    from extraction import ExtractionLimit
    from extraction.extract import unreadable

    source = args.source
    try:
        report = _extract(source)
    except ExtractionLimit as exc:  # a file past a limit of extraction.limits: one line, why
        raise CommandError(f"{source}: {exc}") from exc
    if problem := unreadable(report):  # a damaged, empty or binary file, a challenge page: not a text
        raise CommandError(f"{source}: {problem}")
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if not report.is_report:
            print(f"note: not an annual rule-of-law report: {report.reason}", file=sys.stderr)
        print(report.text)
    return 0


def _diff_side(value: str, db: str | None) -> tuple[str, Report]:
    """A diff operand: an archive version id (with --db) or a file of any format extraction reads."""
    if db and value.isdigit():
        from archive.versions import version_report

        try:
            return f"version {value}", version_report(_archive_to_read(db), int(value))
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
    path = Path(value)
    if not path.exists():
        raise CommandError(
            f"no such file: {value}" + ("" if db else " (give --db to diff archive version ids)")
        )
    if path.is_dir():
        raise CommandError(f"{value} is a directory: give a report file (or, with --db, a version id)")
    if path.suffix.lower() in (".txt", ".md"):
        from diffing.sections import as_report
        from extraction.decoding import decode_text

        return value, as_report(decode_text(path.read_bytes()))
    from extraction import extract_file

    return value, extract_file(value)


def cmd_diff(args: argparse.Namespace) -> int:
    from diffing.compare import compare_reports
    from report.render import render_comparison

    old_name, old = _diff_side(args.old, args.db)
    new_name, new = _diff_side(args.new, args.db)
    same = None
    if args.db and args.old.isdigit() and args.new.isdigit():
        from archive.versions import same_document

        same = same_document(_archive_to_read(args.db), int(args.old), int(args.new))
    # two versions of one report: a revision diff; two years: the year-over-year analysis
    print(render_comparison(compare_reports(old, new, same_document=same), args.format, old_name, new_name))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from fazhi.outputs import replace_directory
    from report.site import LAST_BUILD, build_report_site

    if args.out == "-":
        raise UsageError("the report is a directory of pages: give --out DIR, not -")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers takes a number of processes, 1 or more")
    db = _archive_to_read(args.db)
    out = Path(args.out)
    previous = out if out.is_dir() else None  # replace_directory checks it is ours
    replace_directory(out, "report", lambda fresh: build_report_site(
        db, fresh, workers=args.workers, previous=previous, reuse_pages=not args.rebuild))  # fmt: skip
    print(f"wrote {out / 'index.html'} ({LAST_BUILD.get('agencies', 0)} agencies, "
          f"{LAST_BUILD.get('reused', 0)} unchanged since the last report; "
          f"{LAST_BUILD.get('pairs_analysed', 0)} pairs of texts analysed, "
          f"{LAST_BUILD.get('pairs_kept', 0)} taken from the last report's analyses)")  # fmt: skip
    return 0


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def stats_text(stats: dict[str, Any]) -> str:
    """``fazhi stats`` for a person: one line per thing counted, with what qualifies it."""
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(stats["outcomes"].items(), key=lambda kv: -kv[1]))
    lines = [
        ("documents", stats["documents"], f"{stats['revised_documents']} revised after publication, "
                                          f"{stats['removed_documents']} no longer on their portal"),
        ("versions", stats["versions"], "distinct texts of those documents"
                                        + (f", {stats['copies']} of them copies on another portal (转载)"
                                           if stats.get("copies") else "")),
        ("captures", stats["captures"], outcomes or "no fetches yet"),
        ("agencies", stats["agencies"], ""),
        ("bodies", stats["bodies"], f"distinct raw bodies: {_size(stats['fetched_body_bytes'])} fetched, "
                                    f"{_size(stats['stored_body_bytes'])} stored in the database, "
                                    f"{stats['bodies_in_warc']} kept in WARC records only"),
    ]  # fmt: skip
    width = max(len(str(n)) for _, n, _ in lines)
    return "\n".join(f"{name:<10} {n:>{width}}" + (f"  ({note})" if note else "") for name, n, note in lines)


def cmd_stats(args: argparse.Namespace) -> int:
    from archive.readonly import read_stats

    stats = read_stats(args.db)
    if args.format == "json":
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(stats_text(stats))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from archive.search import search_with_total

    hits, total = search_with_total(args.db, args.query, agency=args.agency, year=args.year, limit=args.limit)
    if args.format == "json":
        print(json.dumps(hits, ensure_ascii=False, indent=2))
    else:
        for hit in hits:
            print(f"{hit.get('agency') or ''} {hit.get('report_year') or ''} · {hit.get('title') or ''}")
            if hit.get("snippet"):
                print(f"    {hit['snippet']}")
    if not hits:
        print("no matches", file=sys.stderr)
    elif total > len(hits):
        print(f"{len(hits)} of {total} matches (use --limit {total} to see all)", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    to_stdout = args.out == "-"
    if args.format == "wacz":  # the raw captures for replay (archive.wacz); reports and findings are tables
        if args.table:
            raise UsageError("--table writes a findings table as jsonl, csv or parquet, not wacz")
        if to_stdout:
            raise UsageError("a WACZ is a zip file: give --out FILE, not -")
        from archive.wacz import export_wacz

        rows, what = export_wacz(_archive_to_read(args.db), Path(args.out)), "pages"
    elif args.table:
        from report.findings import export_findings

        target = sys.stdout.buffer if to_stdout else Path(args.out)
        rows, what = export_findings(_archive_to_read(args.db), args.table, args.format, target), f"{args.table} rows"
    else:
        from archive.export import export_reports

        target = sys.stdout.buffer if to_stdout else Path(args.out)
        rows, what = export_reports(args.db, args.format, target, all_versions=args.all_versions), "rows"
    if to_stdout:
        print(f"wrote {rows} {what} to standard output", file=sys.stderr)
    else:
        print(f"wrote {rows} {what} to {args.out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from archive.check import check_archive

    problems = check_archive(args.db)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("archive OK")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from archive.readonly import connect_readonly, schema_of
    from archive.schema import recorded_version
    from archive.search import update_search_index
    from archive.store import open_database

    path = Path(args.db)
    conn = connect_readonly(path)  # refuses a file that is not a fazhi archive, before writing anything
    try:
        before = schema_of(conn)
    finally:
        conn.close()
    with closing(open_database(path)) as db:  # opening an archive migrates it, in one transaction
        update_search_index(db)
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
    import redis

    from crawler.distributed.ingest import ingest_from_redis
    from report.notify import parse_targets

    if not args.from_redis.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"not a Redis URL: {args.from_redis!r} (e.g. redis://127.0.0.1:6379/0)")
    db = _archive_to_write(args.db)
    idle = None if args.idle <= 0 else args.idle
    try:
        with closing(redis.Redis.from_url(args.from_redis, socket_connect_timeout=5)) as server:
            server.ping()  # before the archive is created or opened
        counts = ingest_from_redis(
            args.from_redis, str(db), stop_when_idle=idle, notify=parse_targets(args.notify),
            **({"key": args.key} if args.key else {}),
        )  # fmt: skip
    except redis.exceptions.ConnectionError as exc:
        raise CommandError(f"cannot reach Redis at {args.from_redis}: {exc}") from exc
    print(json.dumps(counts, ensure_ascii=False, indent=2))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from fazhi.demo import run_demo

    if args.out == "-":
        raise UsageError("the demo writes a directory: give --out DIR, not -")
    return run_demo(Path(args.out))


def cmd_datasette(args: argparse.Namespace) -> int:
    from archive.readmodel import ArchiveReader
    from fazhi import datasette

    db = _archive_to_read(args.db)
    with ArchiveReader(db) as reader:
        has_index, current = reader.search_index_state()
    if args.metadata:
        print(json.dumps(datasette.metadata_for(db, has_index), ensure_ascii=False, indent=2))
        return 0
    if not has_index:
        print(f"fazhi datasette: the search index of {db} is missing: "
              f"`fazhi migrate --db {db}` brings it up to date", file=sys.stderr)  # fmt: skip
    with socket.socket() as probe:  # Datasette would say it in a traceback of its own
        try:
            probe.bind((args.host, args.port))
        except socket.gaierror as exc:
            raise CommandError(f"cannot listen on {args.host}: {exc.strerror or exc}") from exc
        except OSError as exc:
            raise _listen_error(exc, args.host, args.port, "choose another with --port") from exc
    return datasette.serve(db, host=args.host, port=args.port, has_index=has_index)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="fazhi", description="Crawl, archive and diff annual rule-of-law government reports."
    )
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[debug])
        p.set_defaults(func=func)
        return p

    p = add("portal", cmd_portal, "serve the sample government portal network on 127.0.0.1")
    p.add_argument("--port", type=_port, default=8800)
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
    p.add_argument("--out", required=True, help="a new or empty directory, or one fazhi report wrote before")
    p.add_argument("--workers", type=int, default=None,
                   help="processes analysing agencies (default: one per CPU; 1: this process only, the least memory)")
    p.add_argument("--rebuild", action="store_true",
                   help="draw every agency's pages again (default: copy the pages of agencies unchanged since the last "
                        "report); the analyses of pairs of texts whose inputs are unchanged are still taken from it")  # fmt: skip

    p = add("stats", cmd_stats, "count what the archive holds")
    p.add_argument("--db", required=True)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("search", cmd_search, "full-text search over the latest version of every report")
    p.add_argument("query")
    p.add_argument("--db", required=True)
    p.add_argument("--agency")
    p.add_argument("--year", type=int)
    p.add_argument("--limit", type=_positive, default=20, help="show at most this many reports (default 20)")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("export", cmd_export, "export reports, findings tables or a WACZ of the captures for other tools")
    p.add_argument("--db", required=True)
    p.add_argument("--format", choices=["jsonl", "csv", "parquet", "wacz"], default="jsonl")
    p.add_argument("--out", required=True, help="a file, or - for standard output")
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest")
    p.add_argument(
        "--table", choices=["commitments", "figures", "problems", "compliance"],
        help="a findings table (one row per commitment, figure, problem per pair of years; compliance findings)",
    )  # fmt: skip

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
    p.add_argument(
        "--notify", default=os.environ.get("FAZHI_NOTIFY"), metavar="URL[,URL…]",
        help="apprise URLs told once per crawl what it archived that is new (default: $FAZHI_NOTIFY)",
    )  # fmt: skip

    p = add("demo", cmd_demo, "serve the sample portals, crawl them twice, write the reports")
    p.add_argument("--out", default="demo-output", help="a new or empty directory, or one the demo wrote before")

    p = add("datasette", cmd_datasette, "browse an archive in Datasette (read-only), whatever its file name")
    p.add_argument("--db", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8001)
    p.add_argument("--metadata", action="store_true", help="print the Datasette metadata for this archive instead")
    return parser


def describe_error(exc: BaseException) -> tuple[str, int]:
    """One sentence and an exit status for an error a command let through (never a traceback)."""
    from archive.readonly import NotAnArchive
    from fazhi.outputs import OutputRefused

    if isinstance(exc, CommandError):
        return str(exc), exc.status
    if isinstance(exc, NotAnArchive | OutputRefused):
        return str(exc), 1
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.strerror}: {exc.filename}", 1
    if isinstance(exc, OSError | ValueError | sqlite3.Error | RuntimeError) and str(exc):
        return str(exc), 1
    return f"{type(exc).__name__}: {exc} (fazhi --debug … shows where)", 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fazhi portals list | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except Exception as exc:
        if args.debug:
            raise
        message, status = describe_error(exc)
        print(f"fazhi {args.command}: " + " ".join(message.split()), file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main())
