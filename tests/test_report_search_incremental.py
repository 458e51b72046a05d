"""The site search index rebuilt from kept bigrams is the same files as one built from nothing."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from report import search_index
from report.search_index import (
    KEPT,
    SHARDS,
    SearchDocument,
    SearchIndexWriter,
    bigrams,
    gram_keys,
    normalise,
    shard_count,
    shard_of,
)

# Every kind of space and line break str.split / str.splitlines know, among CJK and ASCII characters.
ALPHABET = "行政复议普法执法ＡＢab12 \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u3000\u00a0\u200b。，"


def reference_bigrams(text: str) -> set[str]:
    """What the index meant before it was vectorised: adjacent characters of each line, spaces removed."""
    found: set[str] = set()
    for line in normalise(text).splitlines():
        chars = "".join(line.split())
        found.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return found


def test_bigrams_are_those_of_each_line_without_its_spaces() -> None:
    rng = random.Random(17)
    for _ in range(500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
        assert bigrams(text) == reference_bigrams(text), repr(text)
    assert bigrams("行政\n复议") == {"行政", "复议"} and bigrams("行 政") == {"行政"}
    keys = gram_keys(normalise("乙甲丙甲乙"))
    assert keys.tolist() == sorted(set(keys.tolist()))  # sorted, each once


def documents(texts: dict[str, list[str]]) -> list[SearchDocument]:
    return [
        SearchDocument(
            agency, "青禾县", 2020 + n, f"{agency}{2020 + n}年报告", f"versions/{agency}-{n}.html", 1, 1, text
        )
        for agency, reports in texts.items()
        for n, text in enumerate(reports)
    ]


def corpus(agencies: int = 12) -> dict[str, list[str]]:
    rng = random.Random(4)
    words = [
        "行政复议",
        "普法",
        "执法监督",
        "法律顾问",
        "合法性审查",
        "矛盾纠纷",
        "府院联动",
        "Ａpp",
        "</script>",
    ]
    return {
        f"第{a}镇人民政府": [
            "\n".join(
                "".join(rng.choice(words) for _ in range(6)) + f"{rng.randrange(100)}件。" for _ in range(8)
            )
            for _ in range(3)
        ]
        for a in range(agencies)
    }


def build(out: Path, docs: list[SearchDocument], previous: Path | None) -> tuple[int, SearchIndexWriter]:
    writer = SearchIndexWriter(out, previous, out / ".report-cache" / KEPT)
    agencies = list(dict.fromkeys(d.agency for d in docs))
    for start in range(0, len(agencies), 5):  # a batch of agencies at a time, as the site streams them
        batch = set(agencies[start : start + 5])
        writer.add([d for d in docs if d.agency in batch])
    return writer.finish(), writer


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "search").iterdir())}


@pytest.mark.parametrize("edit", ["change", "add", "remove"])
def test_a_rebuild_tokenises_only_changed_agencies_and_writes_what_a_full_build_writes(
    tmp_path: Path, edit: str
) -> None:
    texts = corpus()
    build(tmp_path / "first", documents(texts), None)
    changed = dict(texts)
    if edit == "change":
        changed["第3镇人民政府"] = [
            *texts["第3镇人民政府"][:2],
            texts["第3镇人民政府"][2] + "\n新增行政复议。",
        ]
    elif edit == "add":
        changed = {"第0镇人民政府": texts["第0镇人民政府"], "新设街道": ["依法行政。"], **texts}
    else:
        del changed["第5镇人民政府"]
    distinct, again = build(
        tmp_path / "again", documents(changed), tmp_path / "first" / ".report-cache" / KEPT
    )
    full, whole = build(tmp_path / "full", documents(changed), None)
    assert files(tmp_path / "again") == files(tmp_path / "full") and distinct == full
    assert whole.kept.found == 0 and whole.kept.tokenised == len(documents(changed))
    assert again.kept.tokenised == {"change": 3, "add": 1, "remove": 0}[edit]
    assert again.kept.found == len(documents(changed)) - again.kept.tokenised
    # the new file keeps this build's agencies only: a third build finds every one
    _, third = build(tmp_path / "third", documents(changed), tmp_path / "again" / ".report-cache" / KEPT)
    assert third.kept.tokenised == 0 and files(tmp_path / "third") == files(tmp_path / "full")


def test_the_postings_name_each_version_that_has_the_bigram(tmp_path: Path) -> None:
    docs = documents(corpus(4))
    build(tmp_path / "site", docs, None)
    shards = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site" / "search").glob("index-*.js"))
    numbers = [n for n, d in enumerate(docs) if "复议" in normalise(d.text)]
    assert f'"复议":[{",".join(map(str, numbers))}]' in shards
    assert "</" not in "".join(
        p.read_text(encoding="utf-8") for p in (tmp_path / "site" / "search").glob("*.js")
    )


def test_a_damaged_kept_entry_is_tokenised_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    docs = documents(corpus(3))
    build(tmp_path / "first", docs, None)
    kept = tmp_path / "first" / ".report-cache" / KEPT
    with sqlite3.connect(kept) as conn:
        conn.execute("UPDATE pairs SET body = substr(body, 2) WHERE rowid = 1")
    conn.close()
    _, again = build(tmp_path / "again", docs, kept)
    build(tmp_path / "full", docs, None)
    assert again.kept.tokenised == 3 and "refused" in caplog.text
    assert files(tmp_path / "again") == files(tmp_path / "full")


def test_an_unreadable_kept_file_says_the_bigrams_are_found_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    docs = documents(corpus(3))
    kept = tmp_path / "garbled.sqlite"
    kept.write_bytes(b"not a database " * 100)
    _, again = build(tmp_path / "again", docs, kept)
    build(tmp_path / "full", docs, None)
    said = [r.getMessage() for r in caplog.records]
    assert any("its agencies' bigrams are found again" in m for m in said)
    assert any("its agencies' bigrams are not kept" in m for m in said)
    assert not any("pairs" in m for m in said)  # not the words of the analyses' store
    assert again.kept.tokenised == len(docs) and files(tmp_path / "again") == files(tmp_path / "full")


def _ingest(db: Path, reports: list[tuple[str, int, str]], fetched: str) -> None:
    from archive import Archive
    from archive.capture import Capture
    from extraction.report import Report

    with Archive(db) as archive:
        for agency, year, text in reports:
            url = f"http://127.0.0.1:8000/{abs(hash((agency, year)))}.html"
            report = Report(title=f"{agency}{year}年法治政府建设年度报告", text=text, text_normalized=text, url=url,
                            report_year=year, agency=agency, published=f"{year + 1}-03-01", is_report=True)  # fmt: skip
            archive.ingest(Capture(url=url, fetched_at=fetched, status=200, outcome="ok", body=text.encode(),
                                   content_type="text/plain; charset=utf-8"), report)  # fmt: skip


def test_a_site_rebuilt_after_an_edit_tokenises_that_agency_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fazhi report`` into its last site: the search files and findings.db equal a build from nothing,
    and only the edited agency's texts are tokenised."""
    import report.search_index
    from report.site import build_report_site
    from tests.test_findings_db_incremental import rows

    texts = corpus(5)
    db = tmp_path / "archive.db"
    _ingest(
        db,
        [(a, 2021 + n, t) for a, reports in texts.items() for n, t in enumerate(reports)],
        "2024-03-05T08:00:00Z",
    )
    build_report_site(db, tmp_path / "first")
    edited = "第2镇人民政府"
    _ingest(db, [(edited, 2023, texts[edited][2] + "\n年中补充：新增行政复议。")], "2024-06-05T08:00:00Z")
    tokenised: list[str] = []
    real = report.search_index.gram_keys

    def counted(normalised: str):  # the real tokeniser, counted
        tokenised.append(normalised)
        return real(normalised)

    monkeypatch.setattr(report.search_index, "gram_keys", counted)
    build_report_site(db, tmp_path / "again", previous=tmp_path / "first")
    ours = {normalise(t) for t in [*texts[edited], texts[edited][2] + "\n年中补充：新增行政复议。"]}
    assert (
        len(tokenised) == 4 and set(tokenised) == ours
    )  # the edited agency's three reports and the new version
    tokenised.clear()
    build_report_site(db, tmp_path / "full")
    assert len(tokenised) == 16
    assert files(tmp_path / "again") == files(tmp_path / "full")
    assert rows(tmp_path / "again" / "findings.db") == rows(tmp_path / "full" / "findings.db")


def postings(out: Path) -> tuple[int, dict[str, list[int]]]:
    """docs.js's shard count, and every bigram's versions as its shard lists them (each in its right shard)."""
    folder = out / "search"
    docs = (folder / "docs.js").read_text(encoding="utf-8")
    shards = json.loads(docs[len("FAZHI_SEARCH.documents(") : docs.index("},[") + 1])["shards"]
    found: dict[str, list[int]] = {}
    for k in range(shards):
        script = (folder / f"index-{k}.js").read_text(encoding="utf-8")
        head = f"FAZHI_SEARCH.shard({k},"
        assert script.startswith(head) and script.endswith(");\n")
        lists = json.loads(script[len(head) : -3].replace("<\\/", "</"))
        assert list(lists) == sorted(lists) and all(shard_of(g, shards) == k for g in lists)
        found |= lists
    return shards, found


def test_an_index_of_many_postings_is_split_into_more_shards_holding_the_same_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = documents(corpus(6))
    build(tmp_path / "whole", docs, None)
    monkeypatch.setattr(search_index, "SHARD_POSTINGS", 5)
    monkeypatch.setattr(search_index, "SPILL_EVERY", 50)  # split in blocks
    monkeypatch.setattr(search_index, "PIECE", 3)  # written in pieces
    distinct, _ = build(tmp_path / "split", docs, None)
    (shards, split), (whole_shards, whole) = postings(tmp_path / "split"), postings(tmp_path / "whole")
    assert whole_shards == SHARDS and shards == shard_count(sum(map(len, whole.values()))) > SHARDS
    assert split == whole and distinct == len(whole)
    texts = {n for n in files(tmp_path / "whole") if not n.startswith(("index-", "docs"))}
    assert all(files(tmp_path / "split")[n] == files(tmp_path / "whole")[n] for n in texts)
