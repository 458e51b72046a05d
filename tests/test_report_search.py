"""The site search in a real browser: type a word, read the results (headless Chromium, file:// URLs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.capture import Capture
from extraction.report import Report
from report import search_index
from report.search_index import SHARDS, bigrams, shard_of
from report.site import build_report_site
from tests.site_browser import browser_page

HOSTILE = '复议<img src=x onerror="document.title=\'pwned\'">机关'
TEXTS = {
    ("青禾县司法局", 2022): "一、主要工作\n全年办理行政复议案件12件,纠错3件。\n二、存在不足\n普法形式单一。\n",
    ("青禾县司法局", 2023): "一、主要工作\n推进行政复议体制改革,办理行政复议案件15件。\n二、存在不足\n队伍力量不足。\n",
    ("云岭市交通运输局", 2023): f"一、主要工作\n作为{HOSTILE}的被申请人参加复议2次。\n二、存在不足\n执法不够规范。\n",
    ("石桥县人民政府", 2023): "一、主要工作\n全年审核规范性文件6件。\n二、存在不足\n宣传不足。\n",
}


def archive_of(root: Path) -> Path:
    with Archive(root / "archive.db") as archive:
        for n, ((agency, year), text) in enumerate(TEXTS.items()):
            url = f"http://127.0.0.1:8000/r{n}.html"
            report = Report(title=f"{agency}{year}年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                            report_year=year, agency=agency, published=f"{year + 1}-03-01", is_report=True)  # fmt: skip
            body = f"<html><body><div class='TRS_Editor'>{text}</div></body></html>".encode()
            archive.ingest(Capture(url=url, fetched_at=f"{year + 1}-03-05T08:00:00Z", status=200, outcome="ok",
                                   body=body, content_type="text/html; charset=utf-8"), report)  # fmt: skip
    return root / "archive.db"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    return build_report_site(archive_of(root), root / "out").parent


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site with a shard's postings capped at two: as a large archive, many more than SHARDS files."""
    root = tmp_path_factory.mktemp("sharded")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_POSTINGS", 2)
        return build_report_site(archive_of(root), root / "out").parent


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[Any, list[str]]]:
    with browser_page() as opened:
        yield opened


@pytest.fixture(params=["site", "sharded"])
def search(
    request: pytest.FixtureRequest, browser: tuple[Any, list[str]]
) -> Callable[[str], tuple[str, list[str], list[str]]]:
    """Search the site, or the same site written as many shards."""
    page, errors = browser
    site = request.getfixturevalue(request.param)

    def run(query: str) -> tuple[str, list[str], list[str]]:
        """Open search.html, type ``query``, press Enter; the status line, each result's text, script errors."""
        errors.clear()
        page.goto((site / "search.html").resolve().as_uri())
        page.fill("#search-query", query)
        page.press("#search-query", "Enter")
        page.wait_for_selector("#search-status[data-count]")
        results = [li.inner_text() for li in page.query_selector_all("#search-results li")]
        assert page.title() != "pwned" and not page.query_selector("#search-results img")
        return page.inner_text("#search-status"), results, list(errors)

    return run


def expected(word: str) -> set[tuple[str, int]]:
    return {key for key, text in TEXTS.items() if word in text}


def test_index_files_cover_every_bigram(site: Path) -> None:
    assert len(list((site / "search").glob("index-*.js"))) == SHARDS
    shard = (site / "search" / f"index-{shard_of('复议')}.js").read_text(encoding="utf-8")
    assert '"复议":[' in shard and "<img" in (site / "search" / "text-0.js").read_text(encoding="utf-8")
    assert "</" not in (site / "search" / "text-0.js").read_text(encoding="utf-8")  # cannot close a <script>
    assert {"复议", "行政"} <= bigrams("行政复议") and "政 复" not in bigrams("行政\n复议")


def test_a_large_index_has_more_shards_and_docs_js_says_how_many(sharded: Path) -> None:
    shards = len(list((sharded / "search").glob("index-*.js")))
    assert shards > SHARDS and shards % SHARDS == 0
    assert f'"shards":{shards},' in (sharded / "search" / "docs.js").read_text(encoding="utf-8")
    shard = (sharded / "search" / f"index-{shard_of('复议', shards)}.js").read_text(encoding="utf-8")
    assert '"复议":[' in shard


@pytest.mark.parametrize("word", ["复议", "行政复议"])
def test_typing_a_word_finds_every_version_that_has_it(search: Callable, word: str) -> None:
    status, results, errors = search(word)
    assert not errors
    found = {(key[0], key[1]) for key in TEXTS if any(key[0] in r and f"{key[1]} 年度" in r for r in results)}
    assert found == expected(word) and len(results) == len(expected(word)), results
    assert status == f"找到 {len(results)} 个版本"
    assert all(word in r for r in results)  # the snippet shows the word


def test_a_word_in_no_report_finds_nothing_and_hostile_text_stays_text(search: Callable) -> None:
    status, results, errors = search("信访")
    assert results == [] and "没有找到" in status and not errors
    _, hostile, _ = search("复议机关")
    assert len(hostile) == 0  # the tag sits between 复议 and 机关 in the text
    _, with_tag, _ = search("onerror")
    assert len(with_tag) == 1 and "onerror" in with_tag[0]


def test_the_index_lists_sort_and_filter_in_the_browser(site: Path, browser: tuple[Any, list[str]]) -> None:
    """desk.js: choosing a region or a year hides the other rows; a header click sorts, a second reverses."""
    page, errors = browser
    errors.clear()
    page.goto((site / "index.html").resolve().as_uri())
    assert page.is_visible("#desk-filters")
    rows = "#desk-compliance tbody tr"

    def visible(attribute: str) -> list[str]:
        return page.eval_on_selector_all(
            rows, f"rs => rs.filter(r => !r.hidden).map(r => r.getAttribute('{attribute}'))"
        )

    everything = visible("data-region")
    assert len(set(everything)) == 3, everything
    page.select_option("#filter-region", "云岭市")
    assert visible("data-region") == ["云岭市"] * everything.count("云岭市")
    page.select_option("#filter-region", "")
    page.select_option("#filter-year", "2022")
    assert set(visible("data-year")) == {"2022"}
    page.select_option("#filter-year", "")
    assert len(visible("data-year")) == len(everything)
    year_header = "#desk-compliance thead th:nth-child(3) button.sort"
    page.click(year_header)
    ascending = [int(y) for y in visible("data-year")]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    page.click(year_header)
    assert [int(y) for y in visible("data-year")] == sorted(ascending, reverse=True)
    assert not errors


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sixty reports that all name 行政复议: more than one page of results."""
    root = tmp_path_factory.mktemp("many")
    with Archive(root / "archive.db") as archive:
        for n in range(60):
            agency, url = f"第{n}镇人民政府", f"http://127.0.0.1:8000/m{n}.html"
            text = f"一、主要工作\n办理行政复议案件{n}件。\n二、存在不足\n队伍不足。\n"
            report = Report(title=f"{agency}2023年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                            report_year=2023, agency=agency, published="2024-03-01", is_report=True)  # fmt: skip
            archive.ingest(Capture(url=url, fetched_at="2024-03-05T08:00:00Z", status=200, outcome="ok",
                                   body=text.encode(), content_type="text/plain; charset=utf-8"), report)  # fmt: skip
    return build_report_site(root / "archive.db", root / "out").parent


def test_a_word_in_every_report_shows_one_page_and_says_how_many(many: Path, browser: tuple[Any, list[str]]) -> None:
    page, errors = browser
    errors.clear()
    for query, status in (("复议", "找到 60 个版本，显示前 50 个"), ("行政复议", "显示前 50 个版本（另有最多")):
        page.goto((many / "search.html").resolve().as_uri())
        page.fill("#search-query", query)
        page.press("#search-query", "Enter")
        page.wait_for_selector("#search-status[data-count]")
        assert page.inner_text("#search-status").startswith(status)
        assert len(page.query_selector_all("#search-results li")) == 50
    assert not errors
