"""One report structure (extraction.sections, read by diffing): headings, parts and every plan shape.

The texts are short reports written for these tests in the style of real ones.
"""

from __future__ import annotations

import pytest

from diffing.outline import commitments, split_enumeration
from diffing.sections import as_report, problem_items, report_parts
from extraction.report import Report, Section
from extraction.sections import classify_part, is_stock_pledge, parse_sections, unmarked_heading

RESULTS = "一、主要工作\n全年审核合同80件，审查规范性文件6件。\n"


def plans_of(text: str) -> list[str]:
    return [c.text for c in commitments(text)]


@pytest.mark.parametrize(
    ("heading", "year", "part"),
    [
        ("四、下一步工作打算", None, "plans"),
        ("四、下一年度主要安排", None, "plans"),
        ("四、2022年工作计划", 2021, "plans"),
        ("三、工作思路", None, "plans"),
        ("三、努力方向", None, "plans"),
        ("五、工作展望", None, "plans"),
        ("一、2021年工作开展情况", 2021, "achievements"),
        ("一、2021年重点工作完成情况", 2021, "achievements"),
        ("一、2020年重点工作推进情况", 2020, "achievements"),
        ("三、存在的不足和原因", None, "shortcomings"),
        ("二、党政主要负责人履行推进法治建设第一责任人职责情况", None, "leadership"),
        ("五、其他需要报告的情况", None, "other"),
    ],
)
def test_heading_vocabulary(heading: str, year: int | None, part: str) -> None:
    assert classify_part(heading[2:], year) == part


def test_solving_problems_is_no_shortcomings_heading() -> None:
    assert classify_part("着力解决群众反映强烈的突出问题") != "shortcomings"


def test_a_years_own_work_is_not_next_years_plan() -> None:
    # "2021年重点工作" in the report on 2021 reports work done; in the report on 2020 it is next year's plan
    assert classify_part("2021年重点工作", 2021) != "plans"
    assert classify_part("2021年重点工作", 2020) == "plans"


def test_numbered_items() -> None:
    text = RESULTS + "二、下一步工作打算\n(一)推进合法性审查全覆盖。\n(二)开展执法人员轮训。\n"
    assert plans_of(text) == ["(一)推进合法性审查全覆盖。", "(二)开展执法人员轮训。"]


@pytest.mark.parametrize(
    ("paragraph", "markers"),
    [
        ("一是加强学法；二是推进审查全覆盖；三是深化普法。", ["一是", "二是", "三是"]),
        ("一是要加强学法，提高能力。二要规范执法。三要深化普法。", ["一是要", "二要", "三要"]),
        ("首先，加强学法；其次，规范执法；同时，深化普法；最后，完善审查。", ["首先，", "其次，", "同时，", "最后，"]),
        ("第一，加强学法；第二，规范执法。", ["第一，", "第二，"]),
        # one more item after the enumeration's last piece: 同时， or 同时要 opening a sentence, not 还要 in one
        ("一是加强学法。二是规范执法，还要加强培训。同时，深化普法。", ["一是", "二是", "同时，"]),
        ("一是加强学法。二是规范执法。同时要做好年度报告公开工作。", ["一是", "二是", "同时要"]),
        ("一是加强学法。二是规范执法。还要完善审查机制。", ["一是", "二是", "还要"]),
    ],
)
def test_prose_enumerations(paragraph: str, markers: list[str]) -> None:
    text = RESULTS + "二、下一步工作打算\n2022年，我局将重点做好以下工作：" + paragraph + "\n"
    found = commitments(text)
    assert [c.marker for c in found] == markers
    assert not any("重点做好以下工作" in c.text for c in found)  # the lead-in is not a plan


def test_a_field_heading_with_a_comma_opens_a_sequence() -> None:
    """"在基层治理方面，同时要…。此外要…。最后要…": the field's three items; a comma inside an item is not one."""
    pieces = split_enumeration("在基层治理方面，同时要开展物业服务质量第三方测评，推动提质。此外要深化民主法治示范社区创建。"
                               "最后要开展《民法典》进小区宣传。")
    assert [marker for marker, _text in pieces] == ["同时要", "此外要", "最后"]
    assert split_enumeration("加强执法监督，同时要开展培训。此外要深化普法。") == [
        ("", "加强执法监督，同时要开展培训。此外要深化普法。")]


def test_a_lead_in_ending_with_a_full_stop_and_a_closing_pledge_are_no_plans() -> None:
    """"…扎实做好以下工作。" announces the items; "…为建设法治梅岭提供坚实保障。" closes them: neither is a plan."""
    text = RESULTS + (
        "二、2025年工作计划\n2025年，区司法局将紧扣“八五”普法和示范创建两项重点，扎实做好以下工作。\n"
        "一是开展法治督察，推动法治建设责任落实。\n二是推进行政复议规范化建设，建成行政复议听证室。\n"
        "2025年，梅岭街道将以更高标准推进法治建设，为建设法治梅岭、平安梅岭提供坚实保障。\n"
    )
    assert [c.text[:6] for c in commitments(text)] == ["一是开展法治", "二是推进行政"]
    # a plan that names the support it gives is still a plan
    plan = RESULTS + "二、2025年工作计划\n(一)组建律师服务团，为全县重点项目提供坚实保障，全年开展法治体检50家。\n"
    assert len(commitments(plan)) == 1


def test_one_item_is_no_enumeration() -> None:
    assert split_enumeration("统一要求，开展培训。") == [("", "统一要求，开展培训。")]
    assert len(split_enumeration("一是加强学法。三是规范执法。")) == 1  # no 二是: not counting up


def test_a_sequence_goes_on_under_a_heading_run_into_its_items() -> None:
    """"（三）在…方面。同时要…此外要…还要…最后要…": the heading's items, five of them, not one."""
    text = RESULTS + (
        "二、下一步工作打算\n（一）在依法履职方面。首先要压实法治建设责任。其次要健全合法性审查机制。\n"
        "（二）在法治乡村方面。同时要深化普法，培育法律明白人。此外要推进民主法治示范村创建。"
        "另外要开展村规民约执行情况检查。还要提升公共法律服务工作站效能。最后要规范农村集体三资管理。\n"
    )
    markers = [c.marker for c in commitments(text)]
    assert markers == ["首先", "其次", "同时要", "此外要", "另外要", "还要", "最后"]
    # 还要 after a comma goes on with its sentence; a sentence naming no field is no heading run into items
    assert len(split_enumeration("加强执法培训，还要提高执法水平。同时要规范执法。")) == 1
    assert split_enumeration("我镇将围绕法治乡村建设持续用力。同时要深化普法。此外要推进创建。")[0][0] == ""


def test_an_enumeration_goes_on_in_the_next_paragraph_past_ten() -> None:
    text = RESULTS + (
        "二、下一步工作打算\n2024年，我镇将重点做好以下工作：" + "".join(f"{n}是开展第{n}项工作；" for n in "一二三四五六")
        + "\n" + "".join(f"{n}是推进第{n}项工作；" for n in ("七", "八", "九", "十", "十一", "十二")) + "\n"
    )  # fmt: skip
    markers = [c.marker for c in commitments(text)]
    assert markers == [f"{n}是" for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")]
    assert split_enumeration("开展工作：七是加强学法；八是规范执法。")[0][0] == ""  # not opening the paragraph: from 一 only


def test_an_enumeration_goes_on_after_a_connective_opening_the_next_paragraph() -> None:
    text = RESULTS + (
        "二、2025年工作打算\n我局将着力抓好以下工作：一是深化执法检查。二是推进信用监管，完善企业信用档案。三是加强普法。\n"
        "同时，四是组织应急预案宣贯培训，提升预案执行能力。五是落实行政执法“三项制度”。六是推进数字化转型。\n"
    )
    markers = [c.marker for c in commitments(text)]
    assert markers == ["一是", "二是", "三是", "四是", "五是", "六是"]
    assert split_enumeration("此外，七要加强学法；八要规范执法。")[0] == ("七要", "七要加强学法；")
    assert split_enumeration("开展培训，七是加强学法；八是规范执法。")[0][0] == ""  # a clause is no connective


def test_nested_items_under_a_heading_item_are_the_plans() -> None:
    text = RESULTS + (
        "二、2022年工作计划\n（一）加强组织保障\n1.落实年终述法制度。\n2.完善中心组学法制度。\n"
        "（二）深化普法宣传，开展以案释法。\n"
    )
    assert plans_of(text) == ["1.落实年终述法制度。", "2.完善中心组学法制度。", "（二）深化普法宣传，开展以案释法。"]


def test_unnumbered_lines_continue_the_item_above() -> None:
    text = RESULTS + "二、下一步工作打算\n（一）深化普法。创新宣传形式；\n继续抓好青少年法治教育；\n（二）规范执法。\n"
    found = commitments(text)
    assert len(found) == 2 and "青少年法治教育" in found[0].text


def test_combined_section_with_sub_headings() -> None:
    text = RESULTS + "二、存在问题及下一步打算\n（一）存在问题\n1.执法力量薄弱。\n（二）下一步打算\n1.充实执法力量。\n"
    parts = report_parts(text)
    assert problem_items(parts.problems) == ["1.执法力量薄弱。"]
    assert plans_of(text) == ["1.充实执法力量。"]


def test_a_numbered_part_heading_run_into_its_list_gives_a_problem_per_entry() -> None:
    line = ("（一）存在问题。一是执法力量薄弱，执法人员仅有9名；二是宣传覆盖面不广，群众护水意识有待提高；"
            "三是违法行为隐蔽性强，取证难。")  # fmt: skip
    assert problem_items([line]) == [
        "一是执法力量薄弱，执法人员仅有9名；", "二是宣传覆盖面不广，群众护水意识有待提高；", "三是违法行为隐蔽性强，取证难。"]
    # a numbered problem explained in entries of its own stays one problem
    one = "（一）执法力量薄弱。一是人员少，仅有9名；二是专业背景弱。"
    assert problem_items([one]) == [one]


def test_measures_numbered_under_each_problem_are_the_plans() -> None:
    text = RESULTS + (
        "二、存在问题及改进措施\n（一）执法力量仍然薄弱。派出所法制员配备不足。\n1.配齐配强派出所法制员。分两批配齐。\n"
        "2.开展执法突出问题专项整治。重点整治趋利性执法。\n（二）执法监督不够完善。事后考评多。\n"
        "3.推行执法全过程实时监督。\n2025年，我局将以更高标准推进法治建设。\n"
    )
    assert [p[:4] for p in problem_items(report_parts(text).problems)] == ["（一）执", "（二）执"]
    assert [c.marker for c in commitments(text)] == ["1.", "2.", "3."]
    # a problem's numbered parts that name weaknesses stay the problem's
    parts = RESULTS + "二、存在问题及改进措施\n（一）执法力量薄弱。\n1.人员不足。\n2.专业背景偏弱。\n"
    assert commitments(parts) == [] and "1.人员不足。" in report_parts(parts).problems


def test_combined_section_split_at_the_first_forward_paragraph() -> None:
    text = RESULTS + (
        "二、存在问题和下一步工作\n当前还存在一些问题：执法队伍专业力量不足；信用监管体系尚未建立。\n"
        "下一步，我局将重点做好以下工作：一是充实执法力量；二是建立信用监管制度。\n"
    )
    sections = parse_sections(text)
    assert [s.part for s in sections] == ["achievements", "shortcomings", "plans"]
    assert sections[-1].marker == "" and sections[-1].text.startswith("下一步")
    assert problem_items(report_parts(text).problems) == ["执法队伍专业力量不足；", "信用监管体系尚未建立。"]
    assert [c.marker for c in commitments(text)] == ["一是", "二是"]


def test_plans_in_the_closing_paragraph() -> None:
    text = RESULTS + (
        "二、存在的不足\n执法力量薄弱。\n"
        "2023年，我局将重点抓好三项工作：一是充实执法力量；二是推进政务公开；三是深化普法。\n"
    )
    assert [c.marker for c in commitments(as_report(text))] == ["一是", "二是", "三是"]
    assert problem_items(report_parts(text).problems) == ["执法力量薄弱。"]


def test_a_stock_closing_pledge_is_no_plan() -> None:
    pledge = "2023年，我乡将继续全面推进依法行政，为建设平安乡村作出新的更大贡献。"
    assert is_stock_pledge(pledge)
    text = "某乡2022年法治政府建设工作报告\n" + RESULTS + pledge + "\n"
    assert commitments(text) == [] and report_parts(text).plans == []


def test_a_plan_the_closing_pledge_runs_on_after_is_a_plan() -> None:
    text = RESULTS + (
        "二、下一步工作打算\n2024年，我镇将重点抓好以下工作。首先，持续深化“八五”普法。其次，健全学法用法制度。\n"
        "明年，我镇还将力争创建省级民主法治示范村1个，以点带面推动基层依法治理。"
        "今后，我镇将继续在县委、县政府的坚强领导下，为建设法治乡村作出新的更大贡献。\n"
    )
    found = commitments(text)
    assert [c.text[:6] for c in found] == ["首先，持续深", "其次，健全学", "明年，我镇还"]
    assert "更大贡献" not in found[-1].text
    # a pledge of two sentences is still no plan
    pledge = RESULTS + "二、下一步工作打算\n一是深化普法。二是规范执法。\n今后，我局将继续坚持依法行政。为建设法治政府作出新的更大贡献。\n"
    assert [c.marker for c in commitments(pledge)] == ["一是", "二是"]


def test_an_unnumbered_part_heading_holds_numbered_items() -> None:
    text = RESULTS + "二、加强法治宣传\n开展普法活动12场。\n2022年工作思路\n一、深化普法。\n二、规范执法。\n"
    assert unmarked_heading("2022年工作思路", 2021) == "plans"
    assert unmarked_heading("五龙乡2021年法治政府建设工作总结及2022年工作思路", 2021) is None  # a title
    assert plans_of("某乡2021年法治政府建设工作总结\n" + text) == ["一、深化普法。", "二、规范执法。"]


def test_problems_kept_whole_with_their_explanation() -> None:
    lines = [
        "一是合法性审查力量欠缺。司法所仅有工作人员2名，审查时限难以保证。",
        "二是普法形式较为传统。",
    ]
    assert problem_items(lines) == lines
    assert problem_items(["主要表现在：群众的法律意识还较薄弱，干部执法水平有待进一步提高。"]) == [
        "群众的法律意识还较薄弱", "干部执法水平有待进一步提高。"]  # two actors: two problems
    assert problem_items(["法治宣传针对性不强，群众参与度不高。"]) == ["法治宣传针对性不强，群众参与度不高。"]


def test_problems_told_in_the_plans_opening_paragraph() -> None:
    text = RESULTS + (
        "2022年工作思路\n回顾2021年，虽然取得了一定成绩，但也存在一些问题，主要表现在：普法形式单一，执法力量不足。"
        "在今后的工作中，我乡将继续努力。\n一、深化普法。\n"
    )
    parts = report_parts("某乡2021年法治政府建设工作总结\n" + text)
    assert parts.problems == ["普法形式单一，执法力量不足。"] and "shortcomings" in parts.present


def test_diffing_reads_the_stored_sections() -> None:
    """The parts come from Report.sections as extraction stored them, not from a second reading of the text."""
    text = "一、主要工作\n审核合同80件。\n二、其他需要报告的情况\n推进政务公开。\n"
    assert report_parts(text).plans == []
    stored = Report(text=text, sections=[
        Section(marker="一、", title="主要工作", level=1, part="achievements", text="一、主要工作\n审核合同80件。"),
        Section(marker="二、", title="其他需要报告的情况", level=1, part="plans", text="二、其他需要报告的情况\n推进政务公开。"),
    ])  # fmt: skip
    assert report_parts(stored).plans == ["推进政务公开。"]
    assert [c.text for c in commitments(stored)] == ["推进政务公开。"]


def test_plans_told_after_the_problems_under_their_heading() -> None:
    """"下一步，我局将…" closing the problems section (no plans heading): next year's plans, not a problem."""
    text = "某局2023年法治政府建设年度报告\n" + RESULTS + (
        "二、存在问题及下一步工作计划\n我局法治建设虽取得一定成效，但仍存在执法人员专业素质不高、普法针对性不强等问题。"
        "下一步，我局将加强执法队伍建设，深化普法宣传。\n"
    )
    parts = report_parts(text)
    assert parts.problems == ["我局法治建设虽取得一定成效，但仍存在执法人员专业素质不高、普法针对性不强等问题。"]
    assert parts.plans == ["下一步，我局将加强执法队伍建设，深化普法宣传。"]
    assert {"shortcomings", "plans"} <= parts.present
    listed = "某局2023年法治政府建设年度报告\n" + RESULTS + (
        "二、存在的问题\n执法人员专业素质不高。\n2024年，我局将重点做好以下工作：\n（一）加强执法队伍建设。\n（二）深化普法宣传。\n"
    )
    parts = report_parts(listed)
    assert parts.problems == ["执法人员专业素质不高。"] and len(parts.plans) == 3


def test_shortcomings_admitted_after_a_comma_inside_another_part() -> None:
    text = RESULTS + (
        "二、下一步工作打算\n虽然取得了一定成绩，但与上级要求相比还有差距，主要是执法人员专业素质不高。"
        "2024年我局将加强执法队伍建设。\n"
    )
    parts = report_parts("某局2023年法治政府建设年度报告\n" + text)
    assert parts.problems == ["执法人员专业素质不高。"] and "shortcomings" in parts.present


@pytest.mark.parametrize(
    "duty",
    ["局主要负责同志带头学法，亲自部署法治建设工作。", "局主要领导定期听取法治建设工作汇报。",
     "局党组书记认真履行推进法治建设第一责任人职责。"],  # fmt: skip
)
def test_the_principal_leaders_duties_however_they_are_named(duty: str) -> None:
    text = "某局2023年法治政府建设年度报告\n" + RESULTS + duty + "\n二、存在的不足\n执法力量薄弱。\n三、下一步工作打算\n深化普法。\n"
    assert "leadership" in report_parts(text).present
    assert "leadership" not in report_parts(text.replace(duty, "局机关定期组织集中学法。")).present


def test_a_counted_result_naming_a_problem_stays_a_result() -> None:
    """"5.排查纠正…问题2个" under the results reports what was done; the problems have their own part."""
    text = "某局2023年法治政府建设年度报告\n一、2023年工作情况\n（一）维护公平竞争。\n1.查处不正当竞争案件71件。\n" \
        "2.排查纠正滥用行政权力排除、限制竞争问题2个。\n二、存在的问题\n（一）基层办案水平参差不齐。\n三、2024年工作计划\n1.深化改革。\n"
    parts = report_parts(text)
    assert problem_items(parts.problems) == ["（一）基层办案水平参差不齐。"]
    assert "2.排查纠正滥用行政权力排除、限制竞争问题2个。" in parts.achievements


def test_a_forward_paragraph_under_each_problem_is_its_remedy() -> None:
    """"（二）…问题。\n下一步，一是…" after each problem of a combined section: the problems stay problems."""
    text = RESULTS + (
        "二、存在问题及下一步打算\n（一）基层依法治理还不够深入。居民参与社区事务的积极性不高。\n"
        "下一步，一是指导社区修订居规民约；二是完善三级调解网络。\n"
        "（二）执法规范化水平有待提高。执法文书制作不规范。主要原因是业务培训不够系统。\n"
        "下一步，一是动态调整执法事项目录；二是每季度开展一次案卷评查。\n"
        "此外，街道将抓好两项常态化工作：一是推进政务公开；二是开展出租房屋消防安全专项整治。\n"
    )
    parts = report_parts(text)
    assert [p[:4] for p in problem_items(parts.problems)] == ["（一）基", "（二）执"]
    assert "主要原因是业务培训不够系统。" in problem_items(parts.problems)[1]
    assert [c.text[:6] for c in commitments(text)] == [
        "一是指导社区", "二是完善三级", "一是动态调整", "二是每季度开", "一是推进政务", "二是开展出租"]
    # one forward paragraph after the first problem opens the plans half, as before
    one = RESULTS + "二、存在问题及下一步打算\n（一）执法力量薄弱。\n（二）宣传不广。\n下一步，我局将做好两项工作：一是充实力量；二是拓展宣传。\n"
    assert [c.marker for c in commitments(one)] == ["一是", "二是"]


def test_each_problems_remedy_in_its_own_paragraph_is_a_plan() -> None:
    """"…时有发生。整改措施：开展…培训。" — the remedy told in the problem's paragraph is a plan, in text order."""
    text = "某局2022年法治政府建设年度报告\n" + RESULTS + (
        "二、存在问题及整改措施\n（一）执法风险防控仍有薄弱环节。执法过错时有发生。整改措施：开展执法人员分级分类培训。\n"
        "（二）服务精细化不够。整改措施：推行远程帮办。\n下一步，我局还将重点做好以下工作：一是深化征管改革；二是开展便民办税。\n"
    )
    parts = report_parts(text)
    assert problem_items(parts.problems) == ["（一）执法风险防控仍有薄弱环节。执法过错时有发生。", "（二）服务精细化不够。"]
    assert parts.plans[:2] == ["整改措施：开展执法人员分级分类培训。", "整改措施：推行远程帮办。"]
    assert [c.text for c in commitments(as_report(text))][:2] == parts.plans[:2]
