"""Year-over-year analysis (diffing.yoy): commitments, follow-through, problems, figures, boilerplate.

The labelled pairs in tests/fixtures/yoy are fictional reports written for the purpose; the real
corpus texts in ../shared check that the parts of a real report are found.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from real_corpus import shared_text

from benchmarks.yoy_pairs import pair_dirs
from diffing.followthrough import says_not_done
from diffing.outline import commitments
from diffing.sections import achievement_sentences, problem_items, report_parts
from diffing.yoy import boilerplate, compare_years, diff_reports

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yoy"

_spec = importlib.util.spec_from_file_location("benchmarks_diffing_yoy", ROOT / "benchmarks" / "diffing.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _pair(name: str) -> tuple[str, str]:
    folder = FIXTURES / name
    return (folder / "old.txt").read_text(encoding="utf-8"), (folder / "new.txt").read_text(encoding="utf-8")


def test_at_least_six_labelled_pairs_in_different_styles() -> None:
    pairs = bench.fixture_pairs(FIXTURES)
    assert len(pairs) >= 6
    assert len({p.gold["style"] for p in pairs}) == len(pairs)
    assert any(p.gold["held_out"] for p in pairs) and not all(p.gold["held_out"] for p in pairs)


def test_commitments_kept_changed_dropped_added() -> None:
    old, new = _pair("01-qingshi-sifaju")
    result = compare_years(old, new)
    assert result.counts["kept"] == 1 and result.counts["changed"] == 2
    assert result.counts["dropped"] == 2 and result.counts["added"] == 1
    [kept] = result.commitments_with("kept")
    assert "执法全过程记录" in kept.current.text and kept.previous.id == kept.current.id
    target = next(m for m in result.commitments_with("changed") if "人民调解员" in m.previous.text)
    # a changed target is a change, and the word diff shows it
    assert [(t.old, t.new) for t in target.tokens if t.op != "equal"] == [("20", "30")]
    assert {m.previous.path for m in result.commitments_with("dropped")} == {"2", "5"}


def test_follow_through_finds_the_reporting_sentence_or_none() -> None:
    old, new = _pair("02-nanxi-zhen")
    found = {f.commitment.path: f.sentence for f in compare_years(old, new).follow_through}
    assert "集体学法4次" in found["1.1"]
    assert "配备执法记录仪20台" in found["1.2"]
    assert found["1.3"] is None  # promised 到村坐班, nothing reported
    assert "大湾村" in found["1.4"]


def test_a_result_saying_a_plan_is_not_done_is_no_follow_through() -> None:
    """FORMAT.md: a sentence that names the plan to say it was not done is not follow-through; it says undone."""
    old = (
        "一、2022年主要举措和成效\n全年审核合同80件。\n"
        "二、存在的不足\n执法力量薄弱。\n"
        "三、2023年工作计划\n(一)建设县公共法律服务智慧平台。\n(二)开展行政执法人员轮训。\n"
    )
    new = (
        "一、2023年主要举措和成效\n组织全县行政执法人员轮训3期，培训420人次。\n"
        "原计划建设的县公共法律服务智慧平台因资金未落实，尚未建成。\n"
        "对尚未整改到位的3家单位下发督办函，督促落实整改责任。\n"
        "二、存在的不足\n执法力量依然薄弱。\n"
        "三、2024年工作计划\n(一)推进执法规范化建设。\n"
    )
    found = {f.commitment.title: f.sentence for f in compare_years(old, new).follow_through}
    assert found["建设县公共法律服务智慧平台"] is None
    assert "轮训3期" in found["开展行政执法人员轮训"]
    assert says_not_done("原计划建设的县公共法律服务智慧平台因资金未落实，尚未建成。")
    assert says_not_done("上年计划开展的第三方评估，因评估机构遴选工作延后，年内尚未完成。")
    assert not says_not_done("对尚未整改到位的3家单位下发督办函，督促落实整改责任。")  # an action on what is undone
    assert not says_not_done("全年调解矛盾纠纷22起，没有“民转刑”案件。")  # an achievement


def test_problems_recurring_resolved_new() -> None:
    old, new = _pair("03-yunxi-shichangjianguan")
    result = compare_years(old, new)
    recurring = result.problems_with("recurring")
    assert len(recurring) == 2 and not result.problems_with("resolved")
    [new_problem] = result.problems_with("new")
    assert new_problem.current.lstrip("0123456789.、").startswith("网络交易监管能力")  # kept with its number


def test_figures_paired_across_years_with_labels() -> None:
    old, new = _pair("02-nanxi-zhen")
    figures = {f.label: (f.before, f.after) for f in compare_years(old, new).figures}
    assert figures["全年拆除违法建筑"] == ("12起", "9起")  # the label as year N+1 words it
    assert ("3600平方米", "2100平方米") in figures.values()
    assert ("96.7%", "100%") not in figures.values()  # 调解成功率 and 参考率 are different figures


def test_combined_problems_and_plans_section_with_subheadings() -> None:
    old, _ = _pair("04-baisha-jiedao")
    parts = report_parts(old)
    assert problem_items(parts.problems) == ["1.法治宣传的覆盖面不够广,外来务工人员参与少。", "2.社区网格员法律知识欠缺。"]
    assert [c.marker for c in commitments(old)] == ["1.", "2.", "3."]
    assert all("问题" not in c.text for c in commitments(old))


def test_numbered_sub_items_are_the_plans_of_the_item_heading_them() -> None:
    old, _ = _pair("06-linjiang-shengtai")
    found = commitments(old)
    assert [c.marker for c in found] == ["(1)", "(2)", "2.", "3."]  # 1.提升执法效能 only heads (1) and (2)
    assert [c.path for c in found] == ["1.1", "1.2", "2", "3"]
    assert found[1].text == "(2)开展执法大练兵活动。"


def test_real_report_parts() -> None:
    zhishan = shared_text("corpus/zhishan-2020-report.txt")
    parts = report_parts(zhishan)
    assert len(parts.plans) == 5 and not parts.problems
    assert not any(s.startswith("附件") for s in achievement_sentences(parts))
    shuangshan = shared_text("corpus/shuangshan-2021-page-as-text.txt")
    parts = report_parts(shuangshan)
    assert problem_items(parts.problems) == ["创新力度不够,普法教育形式比较单一"]
    # the plans half of 四、存在问题及下一步努力方向: one paragraph holding 一是要… 二要…, two commitments
    found = commitments(shuangshan)
    assert [c.marker for c in found[:2]] == ["一是要", "二要"]
    assert found[0].text.startswith("一是要深入抓好领导干部学法用法") and found[1].text.startswith("二要深入推进普法教育")


def test_boilerplate_from_last_year_and_other_agencies() -> None:
    old, new = _pair("01-qingshi-sifaju")
    other = new.replace("青石县司法局", "青禾县司法局")  # another county filling in the same template
    result = compare_years(old, new, other_texts=[other])
    share = result.boilerplate
    # the opening sentence is last year's with the year changed (numbers are masked), and a kept plan
    assert share.from_previous >= 2 and 0 < share.previous_share < 0.5
    unrelated = boilerplate(old, new, {"完全无关的一句话内容在这里出现了"})
    assert unrelated.from_others == 0 and share.from_others > unrelated.from_others
    assert share.others_share > 0.5


def test_diff_reports_carries_every_key_as_json() -> None:
    old, new = _pair("05-dongping-xiang")
    report = json.loads(json.dumps(diff_reports(old, new), ensure_ascii=False))
    # backward compatible: the first version's keys are all there, new ones are added beside them
    first_keys = {"commitments", "follow_through", "problems", "figures", "boilerplate", "text_diff"}
    assert set(report) == first_keys | {"compliance", "counts"}
    assert set(report["commitments"]) == {"kept", "changed", "dropped", "added", "split", "merged"}
    assert {"commitment", "sentence", "score", "status", "evidence"} == set(report["follow_through"][0])
    assert set(report["problems"]) == {"recurring", "resolved", "new"}
    assert {"label", "before", "after"} <= set(report["figures"][0])
    assert report["text_diff"]["stats"]["changed"] > 0
    changed = report["commitments"]["changed"][0]
    assert changed["diff"] and changed["previous"]["text"] != changed["current"]["text"]


@pytest.mark.parametrize("split", ["tuning", "held-out"])
def test_quality_bar_on_the_first_labelled_set(split: str) -> None:
    scores = bench.quality(FIXTURES, split)
    for category in bench.CATEGORIES:
        if scores[category]["gold"]:
            assert scores[category]["precision"] >= 0.95, (category, scores[category])
            assert scores[category]["recall"] >= 0.95, (category, scores[category])


# The tuning pairs the bars below were set on (t01–t59); later pairs (t60+, written blind in round 8) are
# scored by benchmarks.diffing but held to no bar until a round is measured on them.
BARS_SET_THROUGH = 59


def _number(pair_id: str) -> int:
    return int(pair_id[1:].split("-", 1)[0])


def test_quality_on_the_blind_tuning_half() -> None:
    """The tuning half of tests/fixtures/yoy_real, the only blind pairs the models may be fitted on, stays
    where fitting left it. The models are fitted on t01–t48 (a refit on all 53 drops the sample portal's
    changed recall to 0.775, below its floor), so t49–t59 are unseen here. On the 59 pairs micro F1 0.934
    and 15 of 537 traps fooled (round 7: 0.932 and 17); on t54–t59 (~6,000 characters a side) 0.923 and 1
    of 62 (round 7: 0.915 and 3; round 6's code 0.881 and 6). The
    weakest category is split, F1 0.77: lowered from 0.81 on purpose when t44's plans 五是…八是 were read
    as the four items they are — the refit on t01–t48 costs split (leave-one-pair-out 0.81 → 0.77) and
    gains kept, merged and dropped (micro 0.936 → 0.937). The issue's bar of 0.85 a category is not met
    yet; the sealed half is never a test's."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pairs built on ../shared are left out where it is missing
        pairs = [p for p in bench.real_pairs("tuning") if _number(p.id) <= BARS_SET_THROUGH]
    missing = len([d for d in pair_dirs("tuning") if _number(d.name) <= BARS_SET_THROUGH]) - len(pairs)
    if missing:  # the bars below were set on the whole half: a part of it would be held to the wrong bar
        pytest.skip(f"{missing} tuning pairs are built on ../shared/corpus, which is missing")
    scores = bench.score_pairs(pairs)
    assert scores["micro"]["f1"] >= 0.933, scores["micro"]
    assert scores["traps_fooled"]["fooled"] <= 15, scores["traps_fooled"]
    assert all(scores[c]["f1"] >= 0.76 for c in bench.CATEGORIES), {c: scores[c]["f1"] for c in bench.CATEGORIES}


def test_quality_score_fails_on_wrong_labels(tmp_path: Path) -> None:
    """The benchmark can fail: swapped labels score low."""
    folder = tmp_path / "01"
    folder.mkdir()
    old, new = _pair("01-qingshi-sifaju")
    (folder / "old.txt").write_text(old, encoding="utf-8")
    (folder / "new.txt").write_text(new, encoding="utf-8")
    gold = json.loads((FIXTURES / "01-qingshi-sifaju" / "gold.json").read_text(encoding="utf-8"))
    gold["commitments"]["kept"], gold["commitments"]["changed"] = gold["commitments"]["changed"], gold["commitments"]["kept"]
    gold["figures"] = [{**f, "after": "0件"} for f in gold["figures"]]
    (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    scores = bench.quality(tmp_path)
    assert scores["kept"]["precision"] == 0.0 and scores["figures"]["recall"] == 0.0


def test_quality_prints_every_set_and_category(capsys: pytest.CaptureFixture[str]) -> None:
    sets = bench.main(["--quality"])
    out = capsys.readouterr().out
    assert {"yoy_real tuning", "yoy_real sealed"} <= set(sets)
    for category in (*bench.CATEGORIES, "micro F1", "traps fooled"):
        assert category in out


def test_renderers_show_the_analysis_first_and_escape_it() -> None:
    from diffing.textdiff import diff_texts
    from report.render import render_html, render_markdown, render_text

    old, new = _pair("01-qingshi-sifaju")
    new = new.replace("上线行政执法监督平台", "上线<script>alert(1)</script>平台")
    diff, analysis = diff_texts(old, new), compare_years(old, new)
    text = render_text(diff, old_name="2021", new_name="2022", analysis=analysis)
    assert "工作计划：延续 1 项，调整 2 项，未再提及 2 项，新增 1 项" in text
    assert text.index("工作计划") < text.index("数字变化") and "[未见落实表述]" in text
    md = render_markdown(diff, analysis=analysis)
    assert "## 年度对照" in md and "<script>" not in md
    html = render_html(diff, analysis=analysis)
    assert "<script>" not in html and "&lt;script&gt;" in html and "年度对照" in html
    assert "年度对照" not in render_html(diff)


def test_headings_that_only_sound_like_problems_or_plans() -> None:
    text = (
        "一、重点工作完成情况\n全年审核合同80件。\n"
        "二、着力解决群众反映强烈的突出问题\n化解信访积案12件。\n"
        "三、存在的不足\n执法力量薄弱。\n"
        "四、2023年工作计划\n(一)推进执法规范化建设。\n(二)开展普法宣传。\n"
    )
    parts = report_parts(text)
    assert parts.achievements == ["全年审核合同80件。", "化解信访积案12件。"]
    assert problem_items(parts.problems) == ["执法力量薄弱。"]
    assert [c.title for c in commitments(text)] == ["推进执法规范化建设", "开展普法宣传"]


def test_agency_field_words_and_title_line_do_not_make_follow_through() -> None:
    old, new = _pair("09-hexi-weijian")
    assert report_parts(new).title == "河西县卫生健康局2022年法治政府建设年度报告"
    found = {f.commitment.path: f.sentence for f in compare_years(old, new).follow_through}
    assert found["1"] is None  # 卫生监督员 hired? the report says nothing: 卫生/监督 are the bureau's own words
    assert found["4"] is None  # the title line reports nothing
    assert "专项整治行动" in found["2"]
    # without the title lines the agency's name does the same job
    untitled_old, untitled_new = old.split("\n", 1)[1], new.split("\n", 1)[1]
    again = compare_years(untitled_old, untitled_new, agency="河西县卫生健康局").follow_through
    assert again[0].sentence is None


def test_plans_heading_without_the_word_work_and_cause_lines() -> None:
    text = (
        "一、2020年主要举措和成效\n全年审核合同89件。\n"
        "二、存在的不足和原因\n(一)法治宣传形式单一。\n(二)执法队伍专业化水平不高。\n"
        "原因在于法治工作力量配备与工作任务不相匹配。\n"
        "三、2021年推进法治政府建设的主要安排\n2021年,县司法局将重点做好以下工作:\n"
        "(一)推动行政机关负责人出庭出声出效。\n(二)建立规范性文件定期清理机制。\n"
    )
    assert [c.marker for c in commitments(text)] == ["(一)", "(二)"]
    # a problem is kept whole: the cause said after the last one is its explanation, not a problem
    assert problem_items(report_parts(text).problems) == [
        "(一)法治宣传形式单一。", "(二)执法队伍专业化水平不高。原因在于法治工作力量配备与工作任务不相匹配。"]
