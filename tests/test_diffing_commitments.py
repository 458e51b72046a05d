"""Plans-section commitments (diffing.outline) and their year-to-year matching (diffing.commitments)."""

from __future__ import annotations

import pytest
from real_corpus import shared_text

from diffing.commitments import compare_plans, match_commitments
from diffing.outline import commitment_id, commitments, parse_outline, plans_section

PLANS_HEADING = "六、2021年法治政府建设工作计划"


@pytest.fixture(scope="module")
def zhishan() -> str:
    return shared_text("corpus/zhishan-2020-report.txt")


@pytest.fixture(scope="module")
def next_year(zhishan: str) -> str:
    """The 2021 report as a township would write it: plans reordered, one reworded, one cut, one new."""
    head, plans = zhishan.split(PLANS_HEADING)
    items = [line for line in plans.strip().splitlines() if line.startswith("(")]
    assert len(items) == 5
    reordered = [
        items[2].replace("(三)", "(一)").replace("2021-2025", "2021—2025年"),
        items[0].replace("(一)", "(二)").replace("深化落实", "全面落实"),
        items[1].replace("(二)", "(三)")[:40] + "。",
        "(四)加强执法队伍学习培训,推动行政执法“两平台”全覆盖。",
    ]
    return head.replace("2020年", "2021年") + "六、2022年法治政府建设工作计划\n" + "\n".join(reordered) + "\n附件:\n"


def test_outline_levels(zhishan: str) -> None:
    items = parse_outline(zhishan)
    assert items[0].marker == "一、" and items[0].level == 1
    assert any(i.marker == "(一)" and i.level == 2 for i in items)
    assert any(i.marker == "1." and i.level == 3 for i in items)
    assert [i.marker for i in items if i.level == 1][-1] == "六、"


def test_plans_section_and_commitments(zhishan: str) -> None:
    heading, body = plans_section(zhishan)
    assert heading.text == PLANS_HEADING
    found = commitments(zhishan)
    assert [c.marker for c in found] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    assert found[2].title == "严格落实国家机关“谁执法谁普法”普法责任制"
    assert all("附件" not in c.text and "相关稿件" not in c.text for c in found)
    assert len({c.id for c in found}) == 5


def test_ids_are_stable_across_punctuation_and_spacing() -> None:
    assert commitment_id("(一)加强队伍建设,提升执法水平。") == commitment_id("(一) 加强队伍建设，提升执法水平 。")
    assert commitment_id("(一)加强队伍建设。") != commitment_id("(一)加强普法宣传。")


def test_enumerated_plans_in_one_paragraph() -> None:
    text = "一、工作成效\n全年审核合同80件。\n二、下一步工作打算\n一是加强队伍建设,提升执法水平;二是推进合法性审查全覆盖;三是深化普法宣传。\n"
    found = commitments(text)
    assert [(c.marker, c.title) for c in found] == [
        ("一是", "加强队伍建设"),
        ("二是", "推进合法性审查全覆盖"),
        ("三是", "深化普法宣传"),
    ]
    assert commitments("一、工作成效\n全年审核合同80件。\n") == []


def test_year_n_plans_matched_to_year_n_plus_1(zhishan: str, next_year: str) -> None:
    matches = compare_plans(zhishan, next_year)
    by_title = {(m.previous or m.current).title: m for m in matches}
    assert by_title["完善法治政府建设工作制度建设"].status == "kept"  # renumbered, one word changed
    changed_words = [(t.old, t.new) for t in by_title["完善法治政府建设工作制度建设"].tokens if t.op != "equal"]
    assert changed_words == [("深化落实", "全面落实")]  # the renumbering is not a change
    assert by_title["严格落实国家机关“谁执法谁普法”普法责任制"].status == "kept"  # moved to first place
    assert by_title["深入推进法治政府建设示范创建"].status == "changed"  # cut down to its first clause
    assert by_title["深化镇公共法律服务中心工作站(室)建设"].status == "dropped"
    # the same promise (执法队伍 learning, the 两平台) said in a sentence
    assert by_title["加强学习培训和队伍建设"].status == "changed"
    assert by_title["加强学习培训和队伍建设"].current.title == "加强执法队伍学习培训"
    assert [m.status for m in matches].count("added") == 0


def test_identical_plans_are_all_kept(zhishan: str) -> None:
    found = commitments(zhishan)
    matches = match_commitments(found, found)
    assert [m.status for m in matches] == ["kept"] * 5 and all(not m.tokens for m in matches)
    assert [m.status for m in match_commitments(found, [])] == ["dropped"] * 5


def test_a_lead_in_line_before_yishi_items_is_not_a_commitment():
    """Found on the sample portal: "重点做好以下工作:" came out as a commitment of its own, kept year after year."""
    text = (
        "四、2024年法治政府建设工作安排\n"
        "2024年,柳溪镇将继续深入推进依法行政,重点做好以下工作:\n"
        "一是认真贯彻新修订的《中华人民共和国行政复议法》,发挥行政复议化解行政争议主渠道作用。\n"
        "二是健全法律顾问、公职律师参与重大决策、重大合同审核的工作机制。\n"
    )
    items = commitments(text)
    assert [c.text[:2] for c in items] == ["一是", "二是"]


_PLANS_OLD = (
    "一、2022年工作成效\n全年审核合同80件。\n二、存在的不足\n执法力量薄弱。\n三、2023年工作计划\n"
    "（一）强化粮食收购监管。落实粮食收购企业备案制度，在夏秋两季收购期间开展粮食收购专项检查，"
    "严厉查处压级压价、拖欠售粮款等违法违规行为，维护种粮农民利益。\n"
    "（二）深化“八五”普法。落实谁执法谁普法普法责任制。\n（三）加强粮食储备安全管理。开展储备粮库存检查。\n"
    "（四）推进依法行政制度建设。\n"
)
_PLANS_NEW = (
    "一、2023年工作成效\n全年审核合同95件。\n二、存在的不足\n执法力量依然薄弱。\n三、2024年工作计划\n"
    "（一）落实粮食收购企业备案制度，对新备案企业开展现场核查。\n"
    "（二）深化“八五”普法，落实谁执法谁普法普法责任制。\n（三）加强粮食储备安全管理，开展储备粮库存检查。\n"
    "（四）夏秋两季收购期间开展粮食收购专项检查，每季检查收购企业不少于30家次。\n"
    "（五）推进依法行政制度建设。\n"
    "（六）畅通售粮农民投诉举报渠道，依法查处压级压价、拖欠售粮款等损害种粮农民利益的行为。\n"
)


def test_one_plan_split_in_three_far_apart() -> None:
    """(一) cut into 备案, 专项检查 and 查处 pieces, the last two items further down: one split of three."""
    found = {m.previous.title: m for m in compare_plans(_PLANS_OLD, _PLANS_NEW) if m.previous}
    split = found["强化粮食收购监管"]
    assert split.status == "split"
    assert [c.title for c in split.current_items] == [
        "落实粮食收购企业备案制度", "夏秋两季收购期间开展粮食收购专项检查", "畅通售粮农民投诉举报渠道"]


def test_a_plan_of_only_common_words_written_again_is_kept() -> None:
    """推进依法行政制度建设 holds only words every plan holds, so nothing tells it apart; repeated word for word,
    it is the same plan, not one dropped and one added."""
    found = {m.previous.title: m.status for m in compare_plans(_PLANS_OLD, _PLANS_NEW) if m.previous}
    assert found["推进依法行政制度建设"] == "kept"
