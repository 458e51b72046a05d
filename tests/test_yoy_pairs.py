"""The blind year-over-year pairs: every label points at one place in its text and every item is labelled once.

These tests check the data, not any matcher (nothing here imports diffing/): a gold file that names
an anchor twice, forgets a plan or pairs a trap would make every score computed on it meaningless.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest

from benchmarks.yoy_pairs import (
    FIXTURES,
    SHARED,
    SPLITS,
    RecipeError,
    SharedMissing,
    YoyPair,
    is_recipe,
    label_counts,
    load_pair,
    load_pairs,
    pair_dirs,
    render,
)

HAVE_SHARED = (SHARED / "corpus").is_dir()
NUMERALS = set("〇零一二两三四五六七八九十百千万")
PARTS = {"achievements", "leadership", "shortcomings", "plans"}
DIRS = pair_dirs("all")


def _load(directory: Path) -> YoyPair:
    if is_recipe(directory) and not HAVE_SHARED:
        pytest.skip(f"{directory.name} is built on ../shared/corpus, which is missing")
    return load_pair(directory)


def _once(text: str, anchor: str) -> int:
    start = text.find(anchor)
    return start if start >= 0 and text.find(anchor, start + 1) < 0 else -1


@pytest.fixture(params=DIRS, ids=[d.name for d in DIRS])
def pair(request) -> YoyPair:
    return _load(request.param)


def test_both_halves_are_big_enough_and_mixed() -> None:
    tuning, sealed = pair_dirs("tuning"), pair_dirs("sealed")
    assert len(tuning) >= 10 and len(sealed) >= 10
    recipes = [d for d in DIRS if is_recipe(d)]
    assert len(recipes) >= 6
    for half in (tuning, sealed):
        assert any(is_recipe(d) for d in half) and not all(is_recipe(d) for d in half)


def _gold(directory: Path) -> dict:
    return json.loads((directory / "gold.json").read_text("utf-8"))


def test_each_half_carries_every_label_kind() -> None:
    """Difficulties are spread over both halves, so tuning on one says something about the other."""
    for half in SPLITS:
        totals: dict[str, int] = {}
        kinds: set[str] = set()
        for directory in pair_dirs(half):
            gold = _gold(directory)
            for key, n in label_counts(gold).items():
                totals[key] = totals.get(key, 0) + n
            kinds |= {item["kind"] for item in gold["compliance"]}
        for key in ("kept", "changed", "split", "merged", "dropped", "added", "traps", "followed",
                    "not_reported", "recurring", "resolved", "new_problems", "figures", "not_figures",
                    "compliance"):
            assert totals.get(key, 0) >= 2, (half, key)
        assert kinds == {"late", "missing_part"}, half


def test_split_and_id_agree_with_the_folder(pair: YoyPair) -> None:
    assert pair.split in SPLITS
    assert pair.path.parent.name == pair.split
    assert pair.path.name == pair.id
    assert pair.id[0] == pair.split[0]
    assert pair.source == "written" or pair.source.startswith("shared:corpus/")
    assert pair.is_recipe == (pair.source != "written")


def test_texts_are_report_sized(pair: YoyPair) -> None:
    for text in (pair.old_text, pair.new_text):
        assert 1500 <= len(text) <= 14000, len(text)
        assert "{{" not in text and "}}" not in text


def test_metadata(pair: YoyPair) -> None:
    old, new = pair.old_meta, pair.new_meta
    assert new["year"] == old["year"] + 1
    for meta in (old, new):
        assert meta["agency"] and meta["title"]
        published = dt.date.fromisoformat(meta["published"])
        assert published.year in (meta["year"], meta["year"] + 1)
        assert published > dt.date(meta["year"], 12, 1) or published.year > meta["year"]


def _plan_and_problem_anchors(pair: YoyPair):
    g = pair.gold
    yield from (("old", k, a) for k, a in g["plans_old"].items())
    yield from (("new", k, a) for k, a in g["plans_new"].items())
    yield from (("old", k, a) for k, a in g["problems_old"].items())
    yield from (("new", k, a) for k, a in g["problems_new"].items())


def test_every_anchor_occurs_exactly_once(pair: YoyPair) -> None:
    for side, key, anchor in _plan_and_problem_anchors(pair):
        assert len(anchor) >= 4, (key, anchor)
        assert _once(pair.text(side), anchor) >= 0, (key, side, anchor)
    for plan, evidence in pair.gold["follow_through"].items():
        for anchor in [evidence] if isinstance(evidence, str) else evidence or []:
            assert _once(pair.new_text, anchor) >= 0, (plan, anchor)


def test_follow_through_evidence_comes_from_this_years_results(pair: YoyPair) -> None:
    """Evidence sits before this year's problems and plans (the results come first in every pair)."""
    g = pair.gold
    starts = [pair.new_text.find(a) for a in [*g["plans_new"].values(), *g["problems_new"].values()]]
    first = min(starts, default=len(pair.new_text))
    for plan, evidence in g["follow_through"].items():
        for anchor in [evidence] if isinstance(evidence, str) else evidence or []:
            assert pair.new_text.find(anchor) < first, (plan, anchor)


def test_spans_point_at_the_anchors(pair: YoyPair) -> None:
    for key in ("plans_old", "plans_new", "problems_old", "problems_new"):
        side = "old" if key.endswith("_old") else "new"
        for item, (start, end) in pair.spans(key).items():
            assert pair.text(side)[start:end] == pair.gold[key][item]


def test_labelled_items_do_not_overlap(pair: YoyPair) -> None:
    spans: dict[str, list[tuple[int, int, str]]] = {"old": [], "new": []}
    for side, key, anchor in _plan_and_problem_anchors(pair):
        start = pair.text(side).find(anchor)
        spans[side].append((start, start + len(anchor), key))
    for evidence in pair.gold["follow_through"].values():
        for anchor in [evidence] if isinstance(evidence, str) else evidence or []:
            start = pair.new_text.find(anchor)
            spans["new"].append((start, start + len(anchor), "follow:" + anchor))
    for side, items in spans.items():
        items.sort()
        for (_, end, a), (start, _, b) in zip(items, items[1:], strict=False):
            if not (a.startswith("follow:") and b.startswith("follow:")):
                assert end <= start, (side, a, b)


def test_every_plan_is_in_exactly_one_relation(pair: YoyPair) -> None:
    g = pair.gold
    c = g["commitments"]
    assert set(c) == {"kept", "changed", "split", "merged", "dropped", "added"}
    olds: list[str] = []
    news: list[str] = []
    for a, b in c["kept"] + c["changed"]:
        olds.append(a)
        news.append(b)
    for a, bs in c["split"]:
        assert len(bs) >= 2
        olds.append(a)
        news.extend(bs)
    for as_, b in c["merged"]:
        assert len(as_) >= 2
        olds.extend(as_)
        news.append(b)
    olds.extend(c["dropped"])
    news.extend(c["added"])
    assert sorted(olds) == sorted(g["plans_old"]), "old plans"
    assert sorted(news) == sorted(g["plans_new"]), "new plans"
    assert set(g["follow_through"]) == set(g["plans_old"])


def test_traps_are_real_lookalikes_that_stay_unpaired(pair: YoyPair) -> None:
    g = pair.gold
    c = g["commitments"]
    paired = {(a, b) for a, b in c["kept"] + c["changed"]}
    paired |= {(a, b) for a, bs in c["split"] for b in bs}
    paired |= {(a, b) for as_, b in c["merged"] for a in as_}
    for a, b in g["traps"]:
        assert a in g["plans_old"] and b in g["plans_new"], (a, b)
        assert (a, b) not in paired, (a, b)


def test_every_problem_is_in_exactly_one_relation(pair: YoyPair) -> None:
    g = pair.gold
    p = g["problems"]
    assert set(p) == {"recurring", "resolved", "new"}
    olds = [a for a, _ in p["recurring"]] + p["resolved"]
    news = [b for _, b in p["recurring"]] + p["new"]
    assert sorted(olds) == sorted(g["problems_old"])
    assert sorted(news) == sorted(g["problems_new"])


def test_figures_and_not_figures_are_in_the_texts(pair: YoyPair) -> None:
    for fig in pair.gold["figures"]:
        assert fig["label"] and any(ch.isdigit() or ch in NUMERALS for ch in fig["before"] + fig["after"]), fig
        assert fig["before"] in pair.old_text, fig
        assert fig["after"] in pair.new_text, fig
        for side in ("old", "new"):
            if f"context_{side}" in fig:
                context = fig[f"context_{side}"]
                assert _once(pair.text(side), context) >= 0, fig
                assert (fig["before"] if side == "old" else fig["after"]) in context, fig
    for string in pair.gold["not_figures"]:
        assert string in pair.old_text or string in pair.new_text, string


def test_compliance_agrees_with_the_metadata(pair: YoyPair) -> None:
    late = set()
    for side, meta in (("old", pair.old_meta), ("new", pair.new_meta)):
        if dt.date.fromisoformat(meta["published"]) > dt.date(meta["year"] + 1, 4, 1):
            late.add(side)
    labelled_late = set()
    for item in pair.gold["compliance"]:
        assert item["report"] in ("old", "new")
        assert item["kind"] in ("late", "missing_part"), item
        if item["kind"] == "late":
            labelled_late.add(item["report"])
        else:
            assert item["part"] in PARTS, item
    assert labelled_late == late


def test_every_pair_has_labels_of_several_kinds(pair: YoyPair) -> None:
    counts = label_counts(pair.gold)
    assert counts["plans_old"] + counts["plans_new"] >= 4
    assert counts["figures"] >= 2


def test_recipe_pairs_skip_without_shared_naming_it(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = load_pairs("all", shared=tmp_path / "no-shared")
    notes = [w for w in caught if issubclass(w.category, SharedMissing)]
    assert len(notes) == 1 and "../shared" in str(notes[0].message)
    assert {p.id for p in pairs} == {d.name for d in DIRS if not is_recipe(d)}
    assert all(not p.is_recipe for p in pairs)


@pytest.mark.skipif(not HAVE_SHARED, reason="needs ../shared/corpus")
def test_recipes_render_lines_sentences_and_replacements() -> None:
    corpus = SHARED / "corpus" / "zhishan-2020-report.txt"
    lines = [line.strip() for line in corpus.read_text("utf-8").splitlines()]
    assert render("{{shared:corpus/zhishan-2020-report.txt:2}}", SHARED) == lines[1]
    assert render("{{shared:corpus/zhishan-2020-report.txt:2-3}}", SHARED) == lines[1] + "\n" + lines[2]
    first = render("{{shared:corpus/zhishan-2020-report.txt:13#1}}", SHARED)
    assert lines[12].startswith(first) and first.endswith("。")
    changed = render("x{{shared:corpus/zhishan-2020-report.txt:13#1|174余条=>203条}}y", SHARED)
    assert "203条" in changed and "174余条" not in changed and changed.startswith("x")
    assert render("{{old:1#1}}!", SHARED, old_text="甲乙。丙丁。") == "甲乙。!"
    with pytest.raises(RecipeError):
        render("{{shared:corpus/zhishan-2020-report.txt:999}}", SHARED)
    with pytest.raises(RecipeError):
        render("{{shared:corpus/zhishan-2020-report.txt:13|不存在的字=>x}}", SHARED)


def test_loader_rejects_an_unknown_split() -> None:
    with pytest.raises(ValueError):
        load_pairs("dev")
    assert FIXTURES.is_dir()
