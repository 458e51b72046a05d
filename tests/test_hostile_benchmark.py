"""benchmarks/hostile.py runs at a small size, crawling both of its sites whole (it prints; nothing here is timed)."""

from __future__ import annotations

import pytest

from benchmarks import hostile


def test_the_twin_sites_differ_only_in_the_hostile_page() -> None:
    bad, good = hostile.site_pages(3, 5000, hostile=True), hostile.site_pages(3, 5000, hostile=False)
    assert bad.keys() == good.keys()
    different = [path for path in bad if bad[path] != good[path]]
    assert len(different) == 1
    assert bad[different[0]] == b"<" * 5000 and len(good[different[0]]) == 5000


@pytest.mark.slow
def test_benchmark_at_small_size(capsys) -> None:
    numbers = hostile.main(["--size", "20000", "--pages", "3", "--repeat", "1"])
    assert numbers["hostile"] > 0 and numbers["ordinary"] > 0
    out = capsys.readouterr().out
    assert "hostile / ordinary crawl time:" in out and "20,000 bytes of '<'" in out
