"""Raw captures also land in standard WARC files beside the database, indexed in captures."""

from __future__ import annotations

import base64
import gzip
import sqlite3

from test_archive_fixtures import QINGHE_2023, make_capture, make_report
from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from archive.check import check_archive
from archive.warc import read_warc_record, warc_dir_for


def _archive(tmp_path):
    db = tmp_path / "archive.db"
    report = make_report()
    edited = make_report(QINGHE_2023.replace("审结74件", "审结75件"))
    with Archive(db, warc=True) as arc:
        first = arc.ingest(make_capture(report), report)
        again = arc.ingest(make_capture(report, fetched_at="2024-05-01T00:00:00Z"), report)
        changed = arc.ingest(make_capture(edited, fetched_at="2024-06-01T00:00:00Z"), edited)
        blocked = arc.ingest(make_capture(None, url=report.url, outcome="blocked", status=412,
                                          body=b"<script>$_ts=1</script>", fetched_at="2024-07-01T00:00:00Z"), None)  # fmt: skip
        gone = arc.ingest(make_capture(None, url=report.url, outcome="error", status=None, body=b"",
                                       fetched_at="2024-08-01T00:00:00Z", error="DNS lookup failed"), None)  # fmt: skip
    return db, report, [first, again, changed, blocked, gone]


def test_every_response_is_a_warc_record_at_its_indexed_offset(tmp_path):
    db, report, results = _archive(tmp_path)
    folder = warc_dir_for(db)
    assert folder == tmp_path / "archive.warcs"
    rows = (
        sqlite3.connect(db)
        .execute("SELECT id, warc_file, warc_offset FROM capture_records ORDER BY id")
        .fetchall()
    )
    assert [r[1] is not None for r in rows] == [True, True, True, True, False]  # no response, no record
    first = read_warc_record(folder, rows[0][1], rows[0][2])
    assert (first.record_type, first.url, first.status) == ("response", report.url, 200)
    assert first.body == make_capture(report).body
    assert first.headers["ETag"] == '"65f3a1-2c1"'
    blocked = read_warc_record(folder, rows[3][1], rows[3][2])
    assert (blocked.status, blocked.body) == (412, b"<script>$_ts=1</script>")


def test_an_unchanged_body_is_a_revisit_record(tmp_path):
    db, report, _ = _archive(tmp_path)
    folder = warc_dir_for(db)
    (name,) = [p.name for p in folder.iterdir()]
    with (folder / name).open("rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Date")) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["response", "revisit", "response", "response"]
    assert records[1][1] == "2024-05-01T00:00:00Z"
    with gzip.open(folder / name) as fh:  # standard gzip, readable with zcat too
        assert fh.read().count(b"WARC/1.") == 4


def test_check_reads_the_warcs_and_finds_damage(tmp_path):
    db, _, _ = _archive(tmp_path)
    assert check_archive(db) == []
    conn = sqlite3.connect(db)
    conn.execute("UPDATE captures SET warc_offset = warc_offset + 7 WHERE id = 3")
    conn.commit()
    problems = check_archive(db)
    assert len(problems) == 1 and problems[0].startswith("capture 3: WARC")


def test_warc_can_be_turned_off(tmp_path):
    report = make_report()
    with Archive(tmp_path / "plain.db", warc=False) as arc:
        arc.ingest(make_capture(report), report)
    assert not warc_dir_for(tmp_path / "plain.db").exists()
    assert check_archive(tmp_path / "plain.db") == []


def test_the_replay_tools_indexer_finds_every_record_where_the_archive_says(tmp_path):
    """cdxj-indexer is what pywb (and ReplayWeb.page's WACZ) index WARCs with: if it reads every record at
    the offset the archive recorded, with its status and digest, the crawl replays."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    db, report, _ = _archive(tmp_path)
    folder = warc_dir_for(db)
    indexer = Path(sys.executable).with_name("cdxj-indexer")
    lines = subprocess.run([str(indexer), *map(str, sorted(folder.iterdir()))], capture_output=True, text=True,
                           check=True).stdout.splitlines()  # fmt: skip
    index = {}
    for line in lines:
        surt, timestamp, fields = line.split(" ", 2)
        fields = json.loads(fields)
        index[(fields["filename"], int(fields["offset"]))] = (timestamp, fields)
    rows = sqlite3.connect(db).execute(
        "SELECT id, url, status, sha256, warc_file, warc_offset, fetched_at FROM capture_records "
        "WHERE warc_file IS NOT NULL ORDER BY id"
    ).fetchall()
    assert len(rows) == 4 and len(index) == 4
    for _id, url, status, sha256, warc_file, offset, fetched_at in rows:
        timestamp, fields = index[(warc_file, offset)]
        assert fields["url"] == url
        assert timestamp == fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
        assert fields["digest"].removeprefix("sha256:") == base64.b32encode(bytes.fromhex(sha256)).decode()
        if fields.get("mime") == "warc/revisit":  # the unchanged recapture points at the first one
            assert status == 200
        else:
            assert int(fields["status"]) == status
    assert [f.get("mime") for _, f in index.values()].count("warc/revisit") == 1


def test_a_304_is_a_server_not_modified_revisit_of_the_last_200(tmp_path):
    """A replay tool must show the page a 304 confirmed, not an empty 304: WARC's server-not-modified profile."""
    db = tmp_path / "archive.db"
    report = make_report()
    with Archive(db, warc=True) as arc:
        arc.ingest(make_capture(report, fetched_at="2024-04-01T08:00:00Z"), report)
        not_modified = arc.ingest(make_capture(report, status=304, outcome="not_modified", body=b"",
                                               fetched_at="2024-05-01T08:00:00Z"), None)  # fmt: skip
    folder, file, offset = warc_dir_for(db), *sqlite3.connect(db).execute(
        "SELECT warc_file, warc_offset FROM capture_records WHERE id = ?", [not_modified.capture_id]).fetchone()  # fmt: skip
    with (folder / file).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "revisit"
        assert record.rec_headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
        assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == report.url
        assert record.rec_headers.get_header("WARC-Refers-To-Date") == "2024-04-01T08:00:00Z"
        # Header-less: pywb replays a revisit that carries a 3xx status line as an empty 3xx
        # (tests/test_replay_pywb.py replays it for real); the 304's headers are in the capture row.
        assert record.http_headers is None and record.content_stream().read() == b""
    assert check_archive(db) == []
