"""The demo's WARC files replayed by the real pywb: every capture, 304s included, shows its page.

pywb pins redis 2.x, which scrapy-redis cannot share a virtualenv with, so it gets its own, made once
under ~/.cache/fazhi-test-pywb (FAZHI_PYWB_VENV to put it elsewhere) and reused. Where it cannot be
installed the test skips naming pywb; under CI=true it fails instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from extraction import extract_report

ROOT = Path(__file__).resolve().parents[1]
PYWB = "pywb==2.10.0"
VENV = Path(os.environ.get("FAZHI_PYWB_VENV", Path.home() / ".cache" / "fazhi-test-pywb"))


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def pywb_venv() -> Path:
    """The virtualenv holding pywb, made on first use (under a lock: two test runs may start at once)."""
    stamp = VENV / "fazhi-installed.txt"

    def ready() -> bool:
        return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == PYWB

    if ready():
        return VENV
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / f".{VENV.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready():
            return VENV
        shutil.rmtree(VENV, ignore_errors=True)  # a half-made one (an install that was killed)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
            done = subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", PYWB],
                                  capture_output=True, text=True, timeout=900)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            _unavailable(f"pywb could not be installed into its own virtualenv {VENV}: {exc}")
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            _unavailable(f"pywb ({PYWB}) could not be installed into {VENV}: {last}")
        stamp.write_text(PYWB + "\n", encoding="utf-8")
    return VENV


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """``fazhi demo`` as a user runs it: two crawls a year apart (the second answers 304s), its WARC files."""
    out = tmp_path_factory.mktemp("demo") / "demo-output"
    done = subprocess.run([sys.executable, "-m", "fazhi.cli", "demo", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def wayback(demo, tmp_path_factory):
    """pywb's wayback on a free loopback port, serving a collection of the demo's WARC files."""
    venv = pywb_venv()
    home = tmp_path_factory.mktemp("pywb")
    bin_ = venv / "bin"
    subprocess.run([str(bin_ / "wb-manager"), "init", "demo"], cwd=home, check=True, capture_output=True, timeout=120)
    warcs = sorted(str(p) for p in (demo / "archive.warcs").iterdir())
    subprocess.run([str(bin_ / "wb-manager"), "add", "demo", *warcs], cwd=home, check=True, capture_output=True,
                   timeout=300)  # fmt: skip
    port = free_port()
    log = (home / "wayback.log").open("wb")
    server = subprocess.Popen([str(bin_ / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=home,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:  # readiness: until it accepts a connection (or exits, or the deadline passes)
            assert server.poll() is None, (home / "wayback.log").read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "pywb did not listen within 120 s"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/demo"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def replay(wayback: str, url: str, fetched_at: str) -> tuple[int, dict[str, str], bytes]:
    """The archived response at exactly that capture, as pywb serves it (``id_``: the bytes, unrewritten)."""
    stamp = fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")[:14]
    try:
        with urllib.request.urlopen(f"{wayback}/{stamp}id_/{url}", timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _captures(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT c.id, c.url, c.final_url, c.status, c.outcome, c.fetched_at, c.sha256, "
        "       (SELECT count(*) FROM capture_records o WHERE coalesce(o.final_url, o.url) = coalesce(c.final_url, c.url) "
        "        AND substr(o.fetched_at, 1, 19) = substr(c.fetched_at, 1, 19) AND o.warc_file IS NOT NULL) AS same_second "
        "FROM capture_records c WHERE c.warc_file IS NOT NULL AND c.status IN (200, 304) ORDER BY c.id"
    ).fetchall()
    conn.close()
    return rows


def _body_confirmed(db: Path, url: str, before: str) -> bytes:
    """The body of the URL's last 200 before ``before``: what a 304 at that time confirmed."""
    from archive.store import capture_body

    conn = sqlite3.connect(db)
    try:
        (capture_id,) = conn.execute(
            "SELECT c.id FROM captures c JOIN urls u ON u.id = coalesce(c.final_url_id, c.url_id) "
            "WHERE u.url = ? AND c.status = 200 AND c.fetched_at < ? ORDER BY c.fetched_at DESC LIMIT 1",
            [url, before],
        ).fetchone()
        return capture_body(conn, capture_id)  # from its WARC record: the database keeps no copy
    finally:
        conn.close()


def test_a_replayed_304_capture_shows_the_report(demo, wayback):
    db = demo / "archive.db"
    conn = sqlite3.connect(db)
    url, fetched_at, text = conn.execute(
        "SELECT c.url, c.fetched_at, v.text FROM capture_records c "
        "JOIN document_urls du ON du.url = c.url JOIN versions v ON v.document_id = du.document_id "
        "WHERE c.status = 304 AND c.url LIKE '%.html' ORDER BY c.id, v.id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    status, headers, body = replay(wayback, url, fetched_at)
    assert status == 200, (status, body[:300])
    # The replay is of the 304 capture itself (its date), with the page it confirmed.
    assert headers.get("Memento-Datetime", "").endswith("GMT")
    assert fetched_at[:4] in headers["Memento-Datetime"]
    replayed = extract_report(body, url=url, content_type=headers.get("Content-Type"))
    assert replayed.is_report and replayed.text == text


def test_pywb_replays_every_capture_304s_included(demo, wayback):
    db = demo / "archive.db"
    rows = [r for r in _captures(db) if r["same_second"] == 1]  # two fetches in one second share a timestamp
    assert sum(r["status"] == 304 for r in rows) >= 20 and sum(r["status"] == 200 for r in rows) >= 100
    wrong = []
    for row in rows:
        url = row["final_url"] or row["url"]
        status, _, body = replay(wayback, url, row["fetched_at"])
        if row["status"] == 304:
            expected = hashlib.sha256(_body_confirmed(db, url, row["fetched_at"])).hexdigest()
        else:
            expected = row["sha256"]
        if status != 200 or hashlib.sha256(body).hexdigest() != expected:
            wrong.append((row["id"], row["status"], url, status, len(body)))
    assert not wrong, f"{len(wrong)} of {len(rows)} captures do not replay: {wrong[:5]}"
