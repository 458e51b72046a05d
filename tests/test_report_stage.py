"""The stages keep to their rooms: only archive/ touches the database, diffing/ is pure analysis,
and every finding the analysis can produce has a label in report.vocabulary."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from diffing.commitments import MATCH_STATUSES
from report import vocabulary

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("fazhi", "crawler", "extraction", "diffing", "report", "sample_portal")
# Modules that open databases. sqlite3 itself may be imported for its exception classes (the CLI and the
# recording service name sqlite3.Error among the failures they report); connecting is what counts.
DATABASE_MODULES = {"sqlite_utils", "apsw"}


def connects(path: Path) -> list[int]:
    """Lines where a file calls ``sqlite3.connect``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "sqlite3"
    ]  # fmt: skip


def sql_calls(path: Path) -> list[int]:
    """Lines where a file calls ``.execute``/``.executemany``/``.executescript`` (SQL run on a connection)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"execute", "executemany", "executescript"}
    ]  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_the_scans_see_a_database_import_and_a_connect(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import sqlite3\ndef f():\n    from sqlite_utils import Database\n    return sqlite3.connect('x')\n",
                      encoding="utf-8")  # fmt: skip
    assert "sqlite_utils" in imported_modules(module) and connects(module) == [4]


@pytest.mark.parametrize("package", PRODUCT)
def test_only_the_archive_opens_the_database(package: str) -> None:
    for path in sources(package):
        relative = path.relative_to(ROOT).as_posix()
        found = imported_modules(path) & DATABASE_MODULES
        assert not found, f"{relative} imports {found}: read the archive through archive.readmodel"
        assert not connects(path), f"{relative} connects to a database at lines {connects(path)}"


def test_the_sql_scan_sees_an_execute(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(conn):\n    return conn.execute('SELECT 1')\n", encoding="utf-8")
    assert sql_calls(module) == [2]


@pytest.mark.parametrize("package", PRODUCT)
def test_only_the_archive_runs_sql(package: str) -> None:
    for path in sources(package):
        assert not sql_calls(path), f"{path.relative_to(ROOT)} runs SQL at lines {sql_calls(path)}"


# Benchmarks of the archive's own storage (archive.py: a jieba FTS table beside the trigram one) and the
# generator of a large synthetic archive (diffing.py, sqlite-utils inserts) work on the database as such.
STORAGE_BENCHMARKS = {"archive.py", "diffing.py"}


def test_benchmarks_read_the_archive_through_the_read_model() -> None:
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        if path.name not in STORAGE_BENCHMARKS:
            assert not sql_calls(path) and not connects(path) and not imported_modules(path) & DATABASE_MODULES, path.name


def test_diffing_is_pure_analysis() -> None:
    for path in sources("diffing"):
        found = imported_modules(path) & {"archive", "scrapy", "crawler", "report", "jinja2", "markupsafe"}
        assert not found, f"{path.relative_to(ROOT)} imports {found}"


def test_every_status_the_analysis_names_has_a_label() -> None:
    assert set(MATCH_STATUSES) <= set(vocabulary.PLAN_LABELS)
    assert set(MATCH_STATUSES) - {"kept"} == set(vocabulary.REVISION_PLAN_LABELS)
    assert {key for key, _, _ in vocabulary.CHART_SERIES} <= set(vocabulary.PLAN_LABELS)
    assert {"recurring", "resolved", "new"} == set(vocabulary.PROBLEM_LABELS)
    assert {"reported", "not reported"} == set(vocabulary.FOLLOW_THROUGH_LABELS)
    assert {"late", "missing_part", "missing_year"} <= set(vocabulary.COMPLIANCE_LABELS)


def test_labels_are_typed_once_in_the_templates() -> None:
    """No template spells out a status label: they come from report.vocabulary."""
    templates = ROOT / "report" / "templates"
    for page in templates.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for label in ("未再提及", "反复出现", "不再提及", "删去"):
            assert label not in html, f"{page.name} types {label!r}"
        assert not re.search(r"{%\s*set\s+\w*LABELS", html), f"{page.name} defines its own labels"
