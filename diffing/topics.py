"""Subjects of rule-of-law reporting, as data: the words that name one line of work in any wording.

Agencies reword a promise so thoroughly from one year to the next (全面落实行政执法公示、执法全过程
记录、重大执法决定法制审核制度 → 巩固行政执法“三项制度”成果) that few words survive; what survives is
the subject. Two unmatched items on the same subject — one dropped, one added — are one promise
reworded. Each entry: a subject and the terms that name it.
"""

from __future__ import annotations

TOPICS: dict[str, tuple[str, ...]] = {
    "行政复议": ("行政复议",),
    "行政应诉": ("出庭应诉", "行政应诉", "出庭出声", "负责人出庭", "行政诉讼"),
    "重大行政决策": ("重大行政决策", "决策程序", "决策事项目录"),
    "规范性文件": ("规范性文件",),
    "法律顾问": ("法律顾问", "公职律师"),
    "政务公开": ("政务公开", "政府信息公开", "主动公开", "依申请公开"),
    "执法三项制度": ("三项制度", "执法公示", "全过程记录", "法制审核"),
    "数字政务": ("互联网+政务服务", "数字政府", "电子证照", "电子签章", "一网通办", "审批信息化"),
    "普法": ("普法", "法治宣传", "以案释法", "八五"),
    "执法监督": ("执法监督", "监督平台"),
    "包容审慎监管": ("包容审慎", "轻微违法", "不予处罚", "免罚清单", "首违不罚", "轻微免罚"),
    "矛盾纠纷化解": ("矛盾纠纷", "人民调解", "信访", "枫桥"),
    "领导学法述法": ("学法", "述法", "第一责任人"),
    "执法队伍": ("执法人员", "执法资格", "执法证件", "执法队伍"),
    "权责清单": ("权责清单", "权力清单", "责任清单"),
    "营商环境": ("营商环境",),
    "综合执法改革": ("综合执法", "综合行政执法"),
    "公共法律服务": ("公共法律服务", "法律援助"),
}


def topics_of(text: str) -> frozenset[str]:
    """The subjects a text names."""
    return frozenset(topic for topic, terms in TOPICS.items() if any(term in text for term in terms))
