"""benchmarks.report_memory reads a real process tree's memory from /proc."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.report_memory import Peaks, main_thread_frames, process_tree, tree_memory

# Touches 64 MB, forks a child that shares them, says the child's pid and waits for its stdin to close.
HOLDER = """
import os, sys
block = bytearray(64 << 20)
block[::4096] = b"\\1" * len(block[::4096])
child = os.fork()
if child == 0:
    sys.stdin.read()
    os._exit(0)
print(child, flush=True)
sys.stdin.read()
os.waitpid(child, 0)
"""


def test_the_tree_of_a_process_and_its_child_and_their_shared_pages() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        child = int(proc.stdout.readline())  # the block is touched and the child forked
        assert sorted(process_tree(proc.pid)) == sorted([proc.pid, child])
        sample = tree_memory(proc.pid)
        assert set(sample) == {proc.pid, child}
        # the child maps its parent's pages
        assert sample[proc.pid].rss_mb >= 64 and sample[child].rss_mb >= 64
        total_pss, total_rss = sum(p.pss_mb for p in sample.values()), sum(p.rss_mb for p in sample.values())
        assert 64 <= total_pss < total_rss - 48  # PSS counts the shared block once, RSS once a process
        peaks = Peaks(proc.pid)
        peaks.observe(sample, 1.0)
        peaks.observe({proc.pid: sample[proc.pid]}, 2.0)  # the child gone: the peaks stay
        assert peaks.total_pss_mb == total_pss and peaks.total_at_s == 1.0
        assert peaks.largest_process_mb == max(p.rss_mb for p in sample.values())
    finally:
        proc.communicate("")
    assert proc.returncode == 0 and tree_memory(proc.pid) == {}


DUMP = """Process 14986: python -m fazhi.cli report --db scale.db --out site50 --rebuild
Python v3.11.7 (/usr/bin/python3.11)

Thread 14986 (active+gil): "MainThread"
    SearchIndexWriter._shard_script (report/search_index.py:304)
    SearchIndexWriter.finish (report/search_index.py:330)
    build_report_site (report/site.py:332)
    _run_code (<frozen runpy>:88)
Thread 15015 (idle): "Thread-1"
    _PollLikeSelector.select (selectors.py:415)
"""


def test_the_main_threads_frames_of_a_py_spy_dump() -> None:
    assert main_thread_frames(DUMP) == [
        "SearchIndexWriter._shard_script (report/search_index.py:304)",
        "SearchIndexWriter.finish (report/search_index.py:330)",
        "build_report_site (report/site.py:332)",
    ]
