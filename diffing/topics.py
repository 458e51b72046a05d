"""Subjects of rule-of-law reporting, as data: the words that name one line of work in any wording.

Agencies reword a promise so thoroughly from one year to the next (全面落实行政执法公示、执法全过程
记录、重大执法决定法制审核制度 → 巩固行政执法“三项制度”成果) that few words survive; what survives is
the subject. The subjects are the lines of work every report is organised by: the required parts of
the report (the leaders' duties; measures and results; shortcomings; plans) follow the chapters of
the national 法治政府建设实施纲要 — government functions, the rules system, decision-making, law
enforcement, emergencies, disputes, oversight, digital government, organisation and study — plus
普法 and public legal services. Each chapter is cut into subjects fine enough that two different
promises of one chapter (示范创建 / 督察 / 年度报告) are told apart. Each entry: a subject and terms
that name it.
"""

from __future__ import annotations

from functools import lru_cache

# chapter → subject → terms
CHAPTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "政府职能": {
        "权责清单": ("权责清单", "权力清单", "责任清单"),
        "放管服": ("放管服", "简政放权", "证明事项", "告知承诺"),
        "营商环境": ("营商环境", "市场主体", "涉企"),
        "政务服务": ("政务服务", "一窗受理", "集成服务", "跨省通办", "一次办", "马上办", "就近办", "审批时限", "行政审批"),
        "市场监管": ("双随机", "信用监管", "事中事后监管"),
    },
    "制度体系": {
        "规范性文件": ("规范性文件", "备案审查", "文件清理", "清理文件"),
        "合法性审查": ("合法性审查", "合法性审核", "法制审核", "合法性把关"),
        "立法": ("立法", "地方性法规", "政府规章", "立法项目"),
        "村规民约": ("村规民约", "居民公约", "自治章程"),
        "合同管理": ("合同审查", "合同审核", "合同管理", "审查合同", "审核合同"),
    },
    "行政决策": {
        "重大行政决策": ("重大行政决策", "决策程序", "决策事项目录", "集体讨论", "风险评估", "专家论证", "公众参与", "决策后评估"),
        "法律顾问": ("法律顾问", "公职律师"),
    },
    "行政执法": {
        "执法三项制度": ("三项制度", "执法公示", "全过程记录", "执法记录仪"),
        "综合执法改革": ("综合执法", "综合行政执法", "执法体制", "执法权限下放", "赋权"),
        "执法队伍": ("执法人员", "执法资格", "执法证", "执法队伍", "持证", "执法力量", "执法大练兵"),
        "裁量基准": ("裁量基准", "裁量权"),
        "包容审慎监管": ("包容审慎", "轻微违法", "不予处罚", "免罚清单", "首违不罚", "轻微免罚", "柔性执法", "说理式执法"),
        "执法案卷": ("案卷", "卷宗", "案卷评查"),
        "执法平台": ("执法平台", "执法信息平台", "两平台", "执法监督平台", "非现场执法"),
        "重点领域执法": ("专项整治", "专项执法", "违法建设", "违法建筑", "违法用地", "违法占地", "食品安全", "生态环境执法"),
    },
    "突发事件": {
        "应急": ("突发事件", "应急预案", "应急管理", "疫情防控", "应急处置"),
        "安全生产": ("安全生产", "安全隐患", "隐患排查"),
    },
    "矛盾纠纷": {
        "行政复议": ("行政复议", "复议机关", "复议案件办理"),
        "行政应诉": ("出庭应诉", "行政应诉", "出庭出声", "负责人出庭", "行政诉讼", "败诉"),
        "调解": ("人民调解", "行政调解", "调解员", "调委会", "调解组织", "调解室"),
        "信访": ("信访", "上访", "12345"),
        "矛盾纠纷": ("矛盾纠纷", "枫桥经验", "多元化解", "综治中心", "网格"),
        "行政裁决": ("行政裁决",),
    },
    "权力监督": {
        "政务公开": ("政务公开", "政府信息公开", "主动公开", "依申请公开", "村务公开"),
        "执法监督": ("执法监督", "执法检查", "执法评议", "行政执法监督"),
        "人大政协监督": ("人大代表建议", "政协委员提案", "建议提案", "人大监督", "民主监督"),
        "审计监督": ("审计",),
        "政务诚信": ("政务诚信", "失信", "诚信建设"),
    },
    "数字政府": {
        "数字政府": ("互联网+", "数字政府", "电子证照", "电子签章", "一网通办", "信息化", "数字化", "智慧"),
    },
    "组织保障": {
        "第一责任人": ("第一责任人", "主要负责人", "党政主要负责人", "履行推进法治建设"),
        "述法": ("述法", "年终述法"),
        "领导学法": ("学法", "理论学习中心组", "中心组", "法治讲座", "旁听庭审", "法治思想", "专题学习"),
        "干部培训考试": ("法治培训", "学法考试", "法律知识考试", "干部培训", "法治素养"),
        "考核": ("绩效考核", "考核", "考评", "指标"),
        "督察": ("督察", "督查", "督促检查"),
        "年度报告": ("年度报告", "报告工作", "公开报告"),
        "示范创建": ("示范创建", "法治政府建设示范", "示范县", "示范市", "示范区", "示范项目"),
        "法治建设领导": ("领导小组", "委员会办公室", "依法治县", "依法治区", "依法治市", "依法治镇", "统筹协调"),
    },
    "普法": {
        "普法": ("普法", "八五", "七五", "法治宣传", "以案释法", "谁执法谁普法", "宪法宣传", "民法典"),
        "法治文化": ("法治文化", "法治广场", "法治公园", "法治长廊", "宣传阵地"),
        "青少年普法": ("青少年", "法治副校长", "校园"),
    },
    "法律服务": {
        "公共法律服务": ("公共法律服务", "法律服务站", "法律服务工作站", "法律服务中心", "法律服务室"),
        "法律援助": ("法律援助",),
        "法律明白人": ("法律明白人", "法治带头人", "学法用法示范户"),
        "民主法治村": ("民主法治示范村", "民主法治村", "法治村居", "示范村"),
        "村居法律顾问": ("村居法律顾问", "村(社区)法律顾问", "一村(社区)一法律顾问", "一村一法律顾问"),
        "公证": ("公证",),
        "社区矫正": ("社区矫正", "安置帮教", "特殊人群"),
    },
}
TOPICS: dict[str, tuple[str, ...]] = {subject: terms for chapter in CHAPTERS.values() for subject, terms in chapter.items()}
CHAPTER_OF: dict[str, str] = {subject: chapter for chapter, subjects in CHAPTERS.items() for subject in subjects}


# Words of the field jieba's dictionary splits (述法 → 述 / 法), taught to it.
FIELD_WORDS = ("述法", "学法", "普法", "用法", "守法", "尊法", "合法性审查", "合法性审核", "执法记录仪", "法治副校长", "以案释法")


@lru_cache(maxsize=1)
def teach_jieba() -> None:
    """Add the field's words to jieba's dictionary once, before anything is segmented with it."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for term in FIELD_WORDS:
        if len(term) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in term):
            jieba.add_word(term, freq=None, tag="n")


_TERM_TOPICS: dict[str, set[str]] = {}
for _topic, _terms in TOPICS.items():
    for _term in _terms:
        _TERM_TOPICS.setdefault(_term, set()).add(_topic)


@lru_cache(maxsize=8192)
def topics_of(text: str) -> frozenset[str]:
    """The subjects a text names."""
    found: set[str] = set()
    for start in range(len(text)):
        for term in _terms_at(text, start):
            found |= _TERM_TOPICS[term]
    return frozenset(found)


def _terms_at(text: str, start: int) -> list[str]:
    """Every term that starts at ``start`` (a shorter one may hide inside a longer one: 行政复议 / 复议机关)."""
    return [t for t in _TERMS_BY_CHAR.get(text[start], ()) if text.startswith(t, start)]


_TERMS_BY_CHAR: dict[str, list[str]] = {}
for _term in _TERM_TOPICS:
    _TERMS_BY_CHAR.setdefault(_term[0], []).append(_term)


def chapters_of(text: str) -> frozenset[str]:
    """The chapters of the framework a text's subjects belong to."""
    return frozenset(CHAPTER_OF[t] for t in topics_of(text))
