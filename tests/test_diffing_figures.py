"""Figure extraction rules that real report wording justifies (diffing.figures)."""

from diffing.figures import extract_figures


def _figures(sentence: str) -> list[tuple[str, str]]:
    return [(f.label, f.text) for f in extract_figures(sentence)]


def test_yue_ending_a_word_is_not_an_approximation() -> None:
    # 签约 / 履约 / 特约: the 约 belongs to the word before the number, and stays in the label
    assert _figures("全年依法完成房屋征收签约426户，签约率97.3%") == [("依法完成房屋征收签约", "426户"), ("签约率", "97.3%")]
    assert _figures("识别合同履约风险5个") == [("识别合同履约风险", "5个")]
    assert _figures("聘请特约审计员6名") == [("聘请特约审计员", "6名")]


def test_yue_before_a_number_is_still_an_approximation() -> None:
    assert _figures("送法下乡受教育群众约3000人次") == [("送法下乡受教育群众", "约3000人次")]


def test_months_are_a_deadline_not_a_count() -> None:
    assert _figures("对承诺主体在取证后3个月内全部开展核查") == []
    assert [f.text for f in extract_figures("对实行告知承诺的5项事项，在许可后3个月内组织核查")] == ["5项"]


def test_kinds_and_data_volumes_are_measured() -> None:
    assert _figures("国家组织集采药品落地390种") == [("国家组织集采药品落地", "390种")]
    assert _figures("归集业务数据1.2TB") == [("归集业务数据", "1.2TB")]


def test_yu_after_the_scale_word_keeps_the_measure() -> None:
    # 35万余人次 and 30余万人次 are one kind of figure; before, 35万余人次 was cut to 35万
    figures = extract_figures("覆盖群众30余万人次，全年解答纳税人咨询1.8万余次")
    assert [(f.text, f.unit, f.value) for f in figures] == [("30余万人次", "万人次", "30"), ("1.8万余次", "万次", "1.8")]


def test_a_starting_value_is_not_the_measure() -> None:
    # 由45天压缩至20天: 20天 is this year's figure, labelled by what moved; 45天 is where it started
    assert _figures("简易注销公告时间由45天压缩至20天，全年办理简易注销企业4120户。") == [
        ("简易注销公告时间", "20天"),
        ("全年办理简易注销企业", "4120户"),
    ]
    assert _figures("全区校外培训机构由2021年的312家压减至128家") == [("全区校外培训机构", "128家")]


def test_two_values_joined_by_zhi_without_you_are_both_figures() -> None:
    assert [f.text for f in extract_figures("审查合同12件至15件")] == ["12件", "15件"]


def test_a_document_name_is_left_out_of_the_label() -> None:
    # the count is of the study sessions: the label keeps the action around the law's name
    sentence = "组织局党组理论学习中心组专题学习《中华人民共和国水法》《中华人民共和国长江保护法》等法律法规3次"
    assert _figures(sentence) == [("专题学习等法律法规", "3次")]
    assert _figures("在局党组理论学习中心组专题讲授《优化营商环境条例》1次") == [("学习中心组专题讲授", "1次")]


def test_joining_words_leave_the_label_before_it_is_cut_to_length() -> None:
    # 增加到 goes whole (not 到 alone, leaving 增加), and the ten characters go to what is counted
    assert _figures("聘请法律顾问的中小学增加到86所") == [("聘请法律顾问的中小学", "86所")]
    assert _figures("全年空气质量优良天数比例达到88.2%") == [("空气质量优良天数比例", "88.2%")]


def test_values_after_fenbie_take_the_measures_of_the_list_in_order() -> None:
    # the second value is the death toll, not a measure called 和
    assert _figures("全市生产安全事故起数、死亡人数同比分别下降9.7%和8.3%，连续两年未发生较大事故") == [
        ("全市生产安全事故起数", "9.7%"),
        ("死亡人数", "8.3%"),
    ]


def test_values_after_fenbie_share_the_label_when_the_list_is_elsewhere() -> None:
    figures = _figures("全年排查一般隐患2.6万项、重大事故隐患63项，整改率分别达到98.7%和100%")
    assert figures[2:] == [("整改率分别", "98.7%"), ("整改率分别", "100%")]


def test_values_joined_by_he_without_fenbie_keep_their_own_labels() -> None:
    assert _figures("受理投诉12件和举报10件") == [("受理投诉", "12件"), ("和举报", "10件")]


def test_a_place_in_a_ranking_is_a_figure() -> None:
    figures = extract_figures("区政府在全市法治政府建设考核中位列第三名。")
    assert [(f.text, f.value, f.unit) for f in figures] == [("第三名", "3", "名次")]
    assert [(f.text, f.value) for f in extract_figures("营商环境评价居全市第5位")] == [("第5位", "5")]


def test_other_ordinals_are_not_figures() -> None:
    assert [f.text for f in extract_figures("公布第三批示范村3个")] == ["3个"]
    assert extract_figures("始终把群众利益放在第一位") == []


def test_jishilv_is_one_measure_not_a_list_sharing_a_value() -> None:
    # the 及 of 及时率 joins nothing; a real list (和 / 、) still shares its value
    assert _figures("“双公示”信息上报及时率96%") == [("双公示信息上报及时率", "96%")]
    assert _figures("参考率和合格率均达100%") == []


def test_class_hours_and_inspections_of_machines_are_measures() -> None:
    assert _figures("组织执法人员参加网络培训40学时") == [("执法人员参加网络培训", "40学时")]
    assert [f.unit for f in extract_figures("检查建筑起重机械1260台次")] == ["台次"]


def test_less_common_measure_words_are_measures() -> None:
    sentence = "埋设界桩1860根，发射人雨弹420发、火箭弹96枚，视频监控联网2600路，开展经常性督导1800余校次"
    assert [f.text for f in extract_figures(sentence)] == ["1860根", "420发", "96枚", "2600路", "1800余校次"]


def test_a_value_joined_to_the_last_one_without_words_of_its_own_takes_its_label() -> None:
    # the same electronic licences counted in kinds and in items
    assert _figures("推行电子证照应用，全区已归集电子证照186类、620万条。") == [
        ("全区已归集电子证照", "186类"),
        ("全区已归集电子证照", "620万条"),
    ]
    assert _figures("全年办理案件12件，和解3件") == [("全年办理案件", "12件"), ("和解", "3件")]


def test_a_bound_picking_out_what_is_counted_is_not_a_figure() -> None:
    sentence = "完成全县流域面积50平方公里以上的23条河流管理范围划界，埋设界桩1860根"
    assert [f.text for f in extract_figures(sentence)] == ["23条", "1860根"]
    # a level reached (以内 / 以上 with no 的 after it) is still the figure
    assert [f.text for f in extract_figures("政府投资项目审批时间压缩至80个工作日以内")] == ["80个工作日"]
