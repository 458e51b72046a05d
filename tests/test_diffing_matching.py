"""Many-to-many commitment matching on meaning, figures across unit variants, and compliance findings.

Items and reports are short texts written for these tests in the style of real plans.
"""

from __future__ import annotations

from diffing.actions import action_of, ends_other, object_head, stage_clash, stages_of
from diffing.commitments import match_commitments, same_wording
from diffing.figures import extract_figures, unit_family
from diffing.meaning import gist, similarity
from diffing.outline import Commitment, commitment_id, commitments
from diffing.yoy import compare_years, missing_parts, missing_years, pair_figures, published_late
from extraction.report import Report


def items(*texts: str) -> list[Commitment]:
    return [Commitment(commitment_id(t), str(k), "", t.split("，")[0].split("。")[0], t) for k, t in enumerate(texts, 1)]


def statuses(matches: list) -> list[tuple[str, list[str], list[str]]]:  # noqa: ANN001
    return [(m.status, [c.text[:6] for c in m.previous_items], [c.text[:6] for c in m.current_items]) for m in matches]


def assert_dropped_and_added(old_plan: str, new_plan: str) -> None:
    """Beside a plan kept word for word, ``old_plan`` is dropped and ``new_plan`` added, not paired."""
    kept = "深入开展普法宣传，落实谁执法谁普法责任制。"
    found = statuses(match_commitments(items(old_plan, kept), items(new_plan, kept)))
    assert ("dropped", [old_plan[:6]], []) in found and ("added", [], [new_plan[:6]]) in found


def test_shared_domain_words_are_not_one_promise() -> None:
    a, b = gist("深入推进法治政府建设示范创建，争创省级示范县。"), gist("认真做好法治政府建设督察和年度报告工作。")
    assert similarity(a, b) < 0.1  # 法治政府建设 is in every item: it says nothing
    [dropped, added] = match_commitments(items("深入推进法治政府建设示范创建，争创省级示范县。"),
                                         items("认真做好法治政府建设督察和年度报告工作。"))  # fmt: skip
    assert (dropped.status, added.status) == ("dropped", "added")


def test_what_a_heading_does_is_read_past_its_frame_words() -> None:
    assert action_of("全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度") == ""  # 审核 is its object
    assert action_of("进一步规范执法行为") == "build" and action_of("开展合同清理") == "carry_out"
    assert action_of("向乡镇委托安全生产执法事项") == "hand_over"
    assert action_of("对乡镇承接不了的委托执法事项按程序收回") == "end"  # ends it, whatever it opens with
    assert action_of("全面禁止干流河道采砂") == "end" and action_of("深入推进法治政府建设示范创建") == ""
    assert object_head("建立证明事项告知承诺制度") != "" and object_head("推进法治政府建设") == ""


def test_ending_what_the_other_keeps_is_never_one_promise() -> None:
    old = items("建立行政执法证件年审制度，每年审验一次。", "深入开展普法宣传，落实谁执法谁普法责任制。")
    new = items("取消行政执法证件年审，改为日常抽查。", "深入开展普法宣传，落实谁执法谁普法责任制。")
    assert ends_other("建立行政执法证件年审制度", "取消行政执法证件年审")
    found = statuses(match_commitments(old, new))
    assert ("dropped", ["建立行政执法"], []) in found and ("added", [], ["取消行政执法"]) in found
    same = statuses(match_commitments(items("健全行政执法证件年审制度，每年审验一次。"),
                                      items("完善行政执法证件年审制度，年审结果向社会公开。")))  # fmt: skip
    assert [f[0] for f in same] == ["changed"]  # 健全 / 完善: one action, one promise


def test_another_piece_of_work_on_one_object_is_another_promise() -> None:
    # FORMAT.md's own example: last year's clean-up of the documents, this year's evaluation of them
    assert stages_of("开展规范性文件清理工作") == {"clear"} and stages_of("落实规范性文件备案审查") == {"file", "review"}
    assert stage_clash("开展规范性文件清理工作", "开展规范性文件实施后评估")
    assert stage_clash("深化“民主法治示范社区”创建", "开展民主法治示范社区复核")
    assert stage_clash("指导各村修订完善村规民约", "开展村规民约执行情况检查")
    assert not stage_clash("健全街道合法性审查机制", "完善合法性审查工作规程")  # one piece of work, reworded
    assert not stage_clash("开展规范性文件清理", "加强行政规范性文件全链条管理")  # names none: widened
    assert_dropped_and_added("开展规范性文件清理工作，对与上位法不一致的规范性文件及时修改或废止。",
                             "开展规范性文件实施后评估，选取规范性文件开展评估，评估结果作为修改、废止的依据。")  # fmt: skip
    reworded = statuses(match_commitments(items("开展规范性文件清理工作，对不一致的文件及时修改或废止。"),
                                          items("开展规范性文件全面清理，清理结果向社会公布。")))  # fmt: skip
    assert [f[0] for f in reworded] == ["changed"]


def test_reaching_every_unit_and_what_the_thing_then_does_are_two_promises() -> None:
    # last year every village was to get a legal adviser; this year the advisers are to review village
    # decisions or be evaluated: the same object, another piece of work
    assert stage_clash("实现村（社区）法律顾问全覆盖", "推动村（社区）法律顾问参与村级重大事项合法性审查")
    assert stage_clash("实现村（社区）法律顾问全覆盖", "建立村（社区）法律顾问履职评价机制")
    assert stage_clash("完成“法律明白人”培养全覆盖", "建立“法律明白人”参与矛盾纠纷排查机制")
    assert not stage_clash("推进村（社区）法律顾问全覆盖", "巩固村（社区）法律顾问全覆盖成果")  # the same job
    assert not stage_clash("实现村（社区）法律顾问全覆盖", "深化村（社区）法律顾问制度")  # names none: widened
    assert_dropped_and_added("实现村（社区）法律顾问全覆盖，每个村（社区）配备1名法律顾问。",
                             "推动村（社区）法律顾问参与村级重大事项合法性审查，村级集体经济合同均经法律顾问审核。")  # fmt: skip


def test_an_item_left_alone_is_split_from_its_own_likeliest_partner() -> None:
    # a new item's likeliest old partner, sharing nothing with it, is no split's first piece: the old
    # item grows a split only from the new item it is likeliest to continue
    from diffing.commitments import piece_candidates
    from diffing.meaning import Weights
    from diffing.pairing import PairScorer, item_view, load_model

    old = [item_view(t) for t in ("开展政府合同履约情况专项检查，防范合同法律风险。", "深入开展普法宣传。")]
    new = [item_view(t) for t in ("开展涉企行政执法专项监督，重点纠治多头检查。", "推进行政复议规范化建设。",
                                  "建成县公共法律服务智慧平台。")]  # fmt: skip
    scorer = PairScorer(old, new, Weights([v.whole for v in old + new]), load_model("plans"))
    splits = {grown for core, grown, _left in piece_candidates(scorer, [], 2, 3) if len(grown[1]) == 2}
    firsts = {(core[0][0], core[1][0]) for core, grown, _left in piece_candidates(scorer, [], 2, 3)
              if len(grown[1]) == 2}  # fmt: skip
    for i in range(2):
        likeliest = max(range(3), key=lambda j: scorer.log_odds((i,), (j,)))
        assert {j for k, j in firsts if k == i} == {likeliest}
    assert splits


def test_an_item_cut_in_two_is_split() -> None:
    old = items("落实第一责任人职责，开展领导班子集体学法；严格依法决策，落实法律顾问制度和重大决策合法性审查制度。",
                "深入开展普法宣传，落实谁执法谁普法责任制。")  # fmt: skip
    new = items("落实第一责任人职责，扎实开展领导班子集体学法，落实年终述法。",
                "严格落实重大决策合法性审查制度，健全法律顾问工作规则。",
                "深入开展普法宣传，落实谁执法谁普法责任制。")  # fmt: skip
    found = statuses(match_commitments(old, new))
    assert found[0] == ("split", ["落实第一责任"], ["落实第一责任", "严格落实重大"])
    assert found[1][0] == "kept" and len(found) == 2


def test_two_items_folded_together_are_merged() -> None:
    old = items("落实党政主要负责人年终述法制度，将述法情况纳入考核。",
                "完善中心组学法制度，每季度开展一次法治专题学习。",
                "加强网络交易监管，配备电子取证设备。")  # fmt: skip
    new = items("压实法治建设责任，落实党政主要负责人年终述法制度和中心组学法制度，开展法治专题学习。",
                "加强网络交易监管，配备电子取证设备。")  # fmt: skip
    found = statuses(match_commitments(old, new))
    assert found[0] == ("merged", ["落实党政主要", "完善中心组学"], ["压实法治建设"])
    assert [f[0] for f in found] == ["merged", "kept"]


def test_a_list_numbered_1_paren_is_no_part_of_the_promise() -> None:
    # 1) 2) … numbers the plans (extraction.sections.match_marker): renumbered （一）, an item is kept, 1 no target
    old = commitments("一、主要工作\n审核合同80件。\n二、下一步工作思路\n1)加强医疗纠纷预防和处理。发挥调解委员会作用。\n"
                      "2)深化“放管服”改革。全面推广电子证照。\n")  # fmt: skip
    new = commitments("一、主要工作\n审核合同95件。\n二、下一步工作思路\n（一）加强医疗纠纷预防和处理。发挥调解委员会作用。\n")
    assert [c.marker for c in old] == ["1)", "2)"]
    assert [m.status for m in match_commitments(old, new)] == ["kept", "dropped"]


def test_kept_means_a_word_or_two() -> None:
    old, new = items("（三）完善决策程序，探索开展重大行政决策后评估。"), items("（三）完善决策程序，扩大重大行政决策后评估范围。")
    assert not same_wording(old[0], new[0])  # the promise moved from exploring to widening
    assert match_commitments(old, new)[0].status == "changed"
    a, b = items("2022年深化落实第一责任人职责。"), items("2023年全面落实第一责任人职责。")
    assert same_wording(a[0], b[0]) and match_commitments(a, b)[0].status == "kept"
    target_a, target_b = items("每村培养法律明白人5名。"), items("每村培养法律明白人10名。")
    assert match_commitments(target_a, target_b)[0].status == "changed"  # a new target


def test_a_reworded_recurring_problem_pairs_by_meaning() -> None:
    old = "一、主要工作\n审核合同80件。\n二、存在的不足\n一是合法性审查专业力量较为欠缺。\n二是普法形式单一。\n"
    new = "一、主要工作\n审核合同95件。\n二、存在的不足\n一是合法性审核力量依然薄弱。\n二是物业纠纷增多。\n"
    problems = {p.status: p for p in compare_years(old, new).problems}
    assert problems["recurring"].previous.startswith("一是合法性审查") and problems["recurring"].current.startswith("一是合法性审核")
    assert problems["resolved"].previous.startswith("二是普法") and problems["new"].current.startswith("二是物业")


def test_figures_across_unit_variants_and_never_from_numbers_that_are_not_measures() -> None:
    old = ["全年主动公开政府信息共计174余条。", "公共法律服务工作站接待群众咨询约160余人。", "新登记企业1574户。"]
    new = ["全年主动公开政府信息共计203条。", "公共法律服务工作站接待群众咨询230人次。", "新登记企业1692家。"]
    found = {(f.before, f.after) for f in pair_figures(old, new)}
    assert found == {("174余条", "203条"), ("约160余人", "230人次"), ("1574户", "1692家")}
    assert unit_family("人次") == unit_family("人") == unit_family("名")
    for sentence in ("按照《鹤山市2021年法治政府建设工作要点》（鹤法办〔2021〕3号）要求。", "根据第25条的规定，自2022年7月1日起施行。",
                     "开展“12.4宪法宣誓”活动，处理12345热线工单。", "落实《纲要（2021—2025年）》。"):  # fmt: skip
        assert extract_figures(sentence) == [], sentence


def test_one_value_for_several_measures_is_not_a_figure() -> None:
    assert extract_figures("报备率、及时率、规范率均达100%。") == []
    assert [f.value for f in extract_figures("调解成功率达100%。")] == ["100"]


def test_compliance_findings() -> None:
    late = Report(report_year=2023, published="2024-04-12", text="x")
    assert published_late(late).kind == "late"
    assert published_late(Report(report_year=2023, published="2024-04-01", text="x")) is None  # 1 April is on time
    text = "一、主要举措和成效\n审核合同80件。\n二、2024年工作计划\n（一）推进政务公开。\n"
    assert {f.part for f in missing_parts(Report(report_year=2023, text=text))} == {"leadership", "shortcomings"}
    with_leader = text.replace("审核合同80件。", "局长履行推进法治建设第一责任人职责，带头述法。")
    assert {f.part for f in missing_parts(Report(report_year=2023, text=with_leader))} == {"shortcomings"}
    gap = missing_years(Report(report_year=2019), Report(report_year=2022))
    assert [(f.kind, f.year) for f in gap] == [("missing_year", 2020), ("missing_year", 2021)]
    result = compare_years(Report(report_year=2022, published="2023-03-01", text=text),
                           Report(report_year=2023, published="2024-04-12", text=text))  # fmt: skip
    assert ("late", 2023) in {(f.kind, f.year) for f in result.compliance}


def test_an_item_cut_short_with_nothing_added_is_kept() -> None:
    # this year's item is last year's with its last sentence left out: what is left is the same promise
    from diffing.commitments import shortened

    old = items("严格落实重大行政决策程序，编制年度重大行政决策事项目录并向社会公布，落实公众参与、专家论证和风险评估。"
                "将决策程序执行情况纳入年度法治建设考核，实行责任倒查。")  # fmt: skip
    new = items("严格落实重大行政决策程序，编制年度重大行政决策事项目录并向社会公布，落实公众参与、专家论证和风险评估。")
    assert shortened(old[0], new[0]) and match_commitments(old, new)[0].status == "kept"
    widened = items("严格落实重大行政决策程序，编制年度重大行政决策事项目录并向社会公布，探索开展重大行政决策后评估。")
    assert not shortened(old[0], widened[0])  # a clause of its own: changed, not cut short
    assert not shortened(items("开展执法案卷评查。")[0], items("开展执法案卷评查，每季度通报。")[0])
    cut_off = items("严格落实重大行政决策程序，编制年度重大行政决策事项目录并向社会公布，落实公众参与、专家。")
    assert not shortened(old[0], cut_off[0])  # cut in the middle of a clause: a fragment, not the promise
    enumerated = items("最后要严格落实重大行政决策程序，编制年度重大行政决策事项目录并向社会公布。")
    assert shortened(old[0], Commitment("x", "1", "最后", "", enumerated[0].text))  # 最后要…: 要 is the list's


def test_a_finished_task_and_the_next_job_on_its_object_are_two_promises() -> None:
    # last year the centre was to be finished; this year it is to work better: the same object, a new promise
    from diffing.actions import finished_then_other

    assert finished_then_other("完成镇综治中心规范化建设", "提升镇综治中心运行效能")
    assert finished_then_other("年内完成县级储备粮轮换", "开展县级储备粮库存大清查")
    assert not finished_then_other("完成镇综治中心规范化建设", "加快推进镇综治中心规范化建设")  # not done: carried on
    assert not finished_then_other("完成县级储备粮轮换", "全面完成县级储备粮轮换任务")
    assert not finished_then_other("推进镇综治中心规范化建设", "提升镇综治中心运行效能")  # no finish line
    assert_dropped_and_added("完成镇综治中心规范化建设，实现矛盾纠纷受理、调处、反馈“一站式”办理。",
                             "提升镇综治中心运行效能，推行矛盾纠纷“线上+线下”受理，提高调处成功率。")  # fmt: skip


def test_a_summary_naming_each_old_heading_says_its_pieces() -> None:
    # this year's item folds last year's three into one line that names each of their headings in turn
    from diffing.meaning import Weights
    from diffing.pairing import heading_said, item_view

    old = [item_view(t) for t in ("开展涉企收费专项检查，坚决制止乱收费、乱摊派。",
                                  "加强重要农产品价格监测，及时发布价格监测信息。",
                                  "规范价格认定工作，提高价格认定质量。")]  # fmt: skip
    summary = item_view("加强价格监管服务。统筹抓好涉企收费检查、重要农产品价格监测和价格认定工作。")
    other = item_view("深入开展普法宣传，落实谁执法谁普法责任制。")
    weights = Weights([v.whole for v in [*old, summary, other]])
    assert all(heading_said(piece, summary, weights) > 0.5 for piece in old)  # 专项, 规范 go unsaid
    assert heading_said(old[1], summary, weights) == 1.0
    assert heading_said(old[0], other, weights) == 0.0


def test_drafting_a_rule_and_drilling_or_checking_it_are_two_promises() -> None:
    assert stage_clash("修订《镇防汛应急预案》", "开展镇防汛应急预案演练")
    assert stage_clash("制定《便民服务中心首问负责制度》", "开展首问负责制度执行情况督查")
    assert stage_clash("开展《优化营商环境条例》宣传月活动", "开展《优化营商环境条例》执法检查")
    assert not stage_clash("开展防汛应急预案演练", "组织防汛应急预案实战演练")  # one job, reworded
    assert not stage_clash("开展《民法典》宣传", "深化《民法典》普法宣传")
    assert_dropped_and_added("修订《镇防汛应急预案》，明确各村防汛责任人和转移路线，报县防指备案。",
                             "开展镇防汛应急预案演练，组织各村开展转移避险演练不少于2次。")  # fmt: skip


def test_a_piece_that_would_pair_on_its_own_is_marked() -> None:
    # the second plan folded into this year's item would be its pair by itself, were the first not there
    from diffing.commitments import piece_candidates
    from diffing.meaning import Weights
    from diffing.pairing import PIECE_FEATURES, PairScorer, item_view, load_model, piece_features

    old = [item_view(t) for t in ("落实党政主要负责人年终述法制度，将述法情况纳入考核。",
                                  "完善中心组学法制度，每季度开展一次法治专题学习。")]  # fmt: skip
    new = [item_view("压实法治建设责任，落实党政主要负责人年终述法制度和中心组学法制度，开展法治专题学习。")]
    scorer = PairScorer(old, new, Weights([v.whole for v in old + new]), load_model("plans"))
    at = PIECE_FEATURES.index("piece_pairs")
    candidates = piece_candidates(scorer, [((0,), (0,))], 2, 1)
    assert candidates
    for core, grown, left in candidates:
        features = piece_features(scorer, core, grown, left)
        assert features[at] == float(scorer.log_odds((1,), (0,)) > 0)
