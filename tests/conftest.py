"""Fixtures shared by several test modules, and which tests are slow.

``make test`` runs everything; ``make test-fast`` (``pytest -m "not slow"``) leaves out the tests that
run whole ``scrapy crawl`` processes or real servers, to stay under two minutes on a loaded 2-core
machine. Tests that read ../shared use tests/real_corpus.py and skip, naming it, where it is absent.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from sample_portal.server import start_in_thread

# Modules whose every test runs at least one whole crawl in its own process (seconds to tens of seconds).
SLOW_MODULES = frozenset({
    "test_archive_crawl_faults", "test_browser_fetch", "test_crash_safety", "test_crawl", "test_crawl_delay",
    "test_crawl_faults", "test_crawl_multipage", "test_removal_crawl", "test_spiders", "test_replay_pywb",
    "test_report_notify", "test_archive_benchmark", "test_report_screenshot", "test_extraction_doc",
    "test_diffing_fitting",
})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chinese_font() -> tuple[str, int]:
    """The CJK font the scanned sample reports are drawn with; the test skips, naming it, without one."""
    from sample_portal.scans import NoCJKFont, cjk_font

    try:
        return cjk_font()
    except NoCJKFont as exc:
        pytest.skip(f"no CJK font to draw scans with (fonts-noto-cjk): {exc}")


@pytest.fixture(scope="module")
def plain(request):
    """The sample portal with no opt-in extras, as of the requesting module's ``AS_OF``."""
    with start_in_thread(request.module.AS_OF) as portal:
        yield portal


def build_small_archive(db) -> None:
    """Three agencies, four reports, one silently edited, a 304 that confirmed a report, a WAF block."""
    from test_archive_fixtures import QINGHE_2023, ZHISHAN_2022, make_capture, make_report

    from archive import Archive

    report = make_report()
    edited = make_report(QINGHE_2023.replace("受理79件", "受理81件"))
    with Archive(db) as arc:
        arc.ingest(make_capture(report), report)
        arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        arc.ingest(make_capture(edited, fetched_at="2024-07-01T00:00:00Z", outcome="not_modified", status=304,
                                body=b""), None)  # fmt: skip
        arc.ingest(make_capture(None, outcome="blocked", status=412, error="WAF", body=b"$_ts"), None)
        for agency, year in (("青禾县司法局", 2022), ("址山镇人民政府", 2021), ("址山镇人民政府", 2023)):
            other = make_report(
                ZHISHAN_2022.replace("址山镇", agency[:3]), agency=agency, year=year,
                url=f"http://127.0.0.1:8000/{year}/{agency}.html",
            )  # fmt: skip
            arc.ingest(make_capture(other), other)


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory):
    """A small real archive (built through archive.Archive, WARC files beside it) for command tests."""
    db = tmp_path_factory.mktemp("small-archive") / "archive.db"
    build_small_archive(db)
    return db


@dataclass
class Ran:
    """What one ``fazhi`` invocation did: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


def run_fazhi(*argv: str, cwd: Path | None = None) -> Ran:
    """``fazhi ARGV…`` in this process (``fazhi.cli.main``, as the console script calls it), its output captured.

    An exception escaping ``main`` is not caught here: it fails the calling test, as a traceback would
    show on a terminal. Tests that must see the real entry point run ``python -m fazhi.cli`` instead.
    """
    from fazhi.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    err_text = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    before = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out_text), redirect_stderr(err_text):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(before)
    return Ran(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))
