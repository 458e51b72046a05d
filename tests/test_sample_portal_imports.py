"""No module of the sample portal imports one that imports it back: shared pieces live below both
(``document.py`` under ``network``/``lingnan``, ``page.py`` under ``pages``/``gkmlpt_pages``)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sample_portal"


def imported_modules(path: Path) -> set[str]:
    """The sample_portal modules a module imports, anywhere in it (a function's late import too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "sample_portal":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sample_portal."):
            found.add(node.module.split(".")[1])
    return found & {p.stem for p in PACKAGE.glob("*.py")}


def test_the_sample_portals_imports_have_no_cycle():
    graph = {p.stem: imported_modules(p) for p in PACKAGE.glob("*.py")}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for dependency in sorted(graph.get(module, ())):
            if dependency in path:
                cycles.append(" → ".join([*path[path.index(dependency) :], dependency]))
            else:
                visit(dependency, [*path, dependency])

    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []
