"""Wrong invocations of ``fazhi``: one sentence on stderr, exit 2 (usage) or 1 (runtime), no traceback.

The table runs through ``fazhi.cli.main`` in this process (an exception escaping it fails the test, as
a traceback would show); a few cases also run as ``python -m fazhi.cli``, as a user's shell would.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import Ran, run_fazhi

ROOT = Path(__file__).resolve().parents[1]


def fazhi(*argv: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip


class NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def places(tmp_path_factory, small_archive):
    """Files and ports the wrong invocations point at: each exists (or is busy) for real."""
    tmp = tmp_path_factory.mktemp("wrong")
    foreign = tmp / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE birds (name TEXT)")
    conn.execute("INSERT INTO birds VALUES ('crane')")
    conn.commit()
    conn.close()
    (tmp / "empty.db").write_bytes(b"")
    (tmp / "full").mkdir()
    (tmp / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp / "a dir").mkdir()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    not_found = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=not_found.serve_forever, daemon=True).start()
    yield {
        "archive": str(small_archive),
        "foreign": str(foreign),
        "empty": str(tmp / "empty.db"),
        "missing": str(tmp / "missing.db"),
        "full": str(tmp / "full"),
        "dir": str(tmp / "a dir"),
        "new": str(tmp / "new-output"),
        "busy": str(busy.getsockname()[1]),
        "closed": str(closed.getsockname()[1]),
        "not_found": f"http://127.0.0.1:{not_found.server_address[1]}/report.html",
        "tmp": str(tmp),
    }
    not_found.shutdown()
    not_found.server_close()
    busy.close()
    closed.close()


# (argv with {placeholders}, exit status, a word the message must contain)
CASES = [
    ([], 2, "required"),
    (["nosuch"], 2, "invalid choice"),
    (["stats"], 2, "--db"),
    (["stats", "--db", "{missing}"], 1, "no archive"),
    (["stats", "--db", "README.md"], 1, "not an SQLite database"),
    (["stats", "--db", "{empty}"], 1, "empty file"),
    (["stats", "--db", "{foreign}"], 1, "not a fazhi archive"),
    (["stats", "--db", "{dir}"], 1, "directory"),
    (["stats", "--db", "{archive}", "--format", "yaml"], 2, "invalid choice"),
    (["search", "复议", "--db", "{foreign}"], 1, "birds"),
    (["search", "复议", "--db", "{archive}", "--limit", "0"], 2, "at least 1"),
    (["search", "复议", "--db", "{archive}", "--year", "last"], 2, "invalid int"),
    (["export", "--db", "{archive}", "--out", "{dir}"], 1, "directory"),
    (["export", "--db", "{archive}", "--out", "{missing}/x/reports.csv"], 1, "no directory"),
    (["export", "--db", "{archive}", "--format", "xlsx", "--out", "{new}.xlsx"], 2, "invalid choice"),
    (["export", "--db", "README.md", "--out", "{new}.jsonl"], 1, "not an SQLite database"),
    (["report", "--db", "{archive}", "--out", "{full}"], 1, "not empty"),
    (["report", "--db", "{archive}", "--out", "README.md"], 1, "is a file"),
    (["report", "--db", "{archive}", "--out", "-"], 2, "directory"),
    (["report", "--db", "{empty}", "--out", "{new}"], 1, "empty file"),
    (["check", "--db", "{foreign}"], 1, "not a fazhi archive"),
    (["check", "--db", "README.md"], 1, "not an SQLite database"),
    (["check", "--db", "{missing}"], 1, "no archive"),
    (["diff", "{missing}", "{missing}"], 1, "no such file"),
    (["diff", "{dir}", "{dir}"], 1, "directory"),
    (["diff", "1", "2", "--db", "{foreign}"], 1, "not a fazhi archive"),
    (["diff", "1", "999", "--db", "{archive}"], 1, "999"),
    (["extract", "{missing}"], 1, "no such file"),
    (["extract", "{dir}"], 1, "directory"),
    (["extract", "http://127.0.0.1:{closed}/report.html"], 1, "cannot fetch"),
    (["extract", "{not_found}"], 1, "HTTP 404"),
    (["extract", "ftp://127.0.0.1/report.html"], 2, "http"),
    (["extract", "README.md", "--format", "xml"], 2, "invalid choice"),
    (["portal", "--port", "99999"], 2, "out of range"),
    (["portal", "--port", "http"], 2, "not a port"),
    (["portal", "--port", "{busy}"], 1, "in use"),
    (["portal", "--host", "no-such-host.invalid", "--port", "0"], 1, "cannot listen"),
    (["portal", "--as-of", "2024-13-01"], 2, "not a date"),
    (["portal", "--faults", "meteor_strike=1"], 2, "--faults"),
    (["ingest", "--from-redis", "redis://127.0.0.1:{closed}/0", "--db", "{new}.db"], 1, "cannot reach Redis"),
    (["ingest", "--from-redis", "http://127.0.0.1:6379", "--db", "{new}.db"], 2, "not a Redis URL"),
    (["ingest", "--from-redis", "redis://127.0.0.1:{closed}/0", "--db", "README.md"], 1, "not an SQLite"),
    (["ingest", "--from-redis", "redis://127.0.0.1:{closed}/0", "--db", "{missing}/x/a.db"], 1, "no directory"),
    (["ingest", "--db", "{new}.db"], 2, "--from-redis"),
    (["migrate", "--db", "{foreign}"], 1, "not a fazhi archive"),
    (["migrate", "--db", "{missing}"], 1, "no archive"),
    (["portals", "list", "--registry", "{missing}"], 1, "missing.db"),
    (["portals", "validate", "--registry", "README.md"], 1, ""),
    (["portals", "show"], 2, "invalid choice"),
    (["demo", "--out", "{full}"], 1, "not empty"),
    (["demo", "--out", "."], 1, "not empty"),
    (["demo", "--out", "-"], 2, "directory"),
    (["datasette", "--db", "{foreign}"], 1, "not a fazhi archive"),
    (["datasette", "--db", "{archive}", "--port", "{busy}"], 1, "in use"),
    (["datasette", "--db", "{archive}", "--port", "70000"], 2, "out of range"),
]


@pytest.fixture(scope="module")
def answers(places) -> dict[int, Ran]:
    """Every case run once, in order (the last test checks what they left behind)."""
    return {n: run_fazhi(*[arg.format(**places) for arg in argv], cwd=ROOT) for n, (argv, _, _) in enumerate(CASES)}


@pytest.mark.parametrize("case", range(len(CASES)), ids=[" ".join(c[0]) or "(nothing)" for c in CASES])
def test_a_wrong_invocation_is_one_sentence_and_an_exit_status(answers, case):
    _, status, says = CASES[case]
    done = answers[case]
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == status, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("fazhi"), lines
    assert says.lower() in lines[0].lower(), lines[0]


def test_nothing_is_left_behind_by_a_refused_command(places, answers):
    """A refused write created nothing: no archive for an unreachable Redis, no output in a full folder."""
    assert not Path(places["new"] + ".db").exists()
    assert not Path(places["new"]).exists()
    assert sorted(p.name for p in Path(places["full"]).iterdir()) == ["notes.txt"]
    assert (Path(places["full"]) / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "argv", [[], ["stats", "--db", "README.md"], ["extract", "{missing}"], ["portal", "--port", "{busy}"]],
    ids=["nothing", "stats-readme", "extract-missing", "portal-busy"],
)
def test_the_real_entry_point_says_the_same(places, argv):
    done = fazhi(*[arg.format(**places) for arg in argv])
    assert "Traceback" not in done.stderr and done.returncode in (1, 2), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_debug_shows_the_traceback(places):
    done = fazhi("--debug", "stats", "--db", "README.md")
    assert done.returncode == 1 and "Traceback" in done.stderr and "NotAnArchive" in done.stderr
    done = fazhi("stats", "--db", "README.md", "--debug")  # after the command too
    assert done.returncode == 1 and "Traceback" in done.stderr
