"""Phrase banks the report texts are assembled from.

Written for this project in the register of real 法治政府建设年度报告 (not copied from any). Each
achievement theme holds sentence templates with ``{figure}`` slots filled from the per-year facts;
commitments have an original wording, a reworded variant and the sentence that reports them done.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """One (一)…(五) item of the achievements section."""

    key: str
    headings: tuple[str, str]  # the heading, and the reworded heading used from the agency's switch year
    sentences: tuple[str, ...]  # templates; {org} is the agency's short name, figures by metric key


@dataclass(frozen=True)
class CommitmentText:
    """A next-year plan as an agency writes it, reworded, and reported as done."""

    key: str
    theme: str
    wording: str
    reworded: str
    done: str


# Metrics: key → (base value at scale 1.0, yearly growth, unit is in the sentence templates)
METRICS: dict[str, tuple[float, float]] = {
    "permits": (120, 1.08),
    "online_rate": (92, 1.015),  # percent, capped at 99.8
    "power_items": (310, 1.02),
    "major_decisions": (4, 1.05),
    "normative_docs": (9, 1.04),
    "contracts": (60, 1.10),
    "counsel_opinions": (40, 1.08),
    "officers": (45, 1.03),
    "cases": (85, 1.06),
    "fines": (36, 1.07),  # 万元
    "demolitions": (12, 0.95),
    "reviews": (10, 1.07),
    "lawsuits": (7, 1.05),
    "mediations": (150, 1.04),
    "campaigns": (30, 1.09),
    "leaflets": (8000, 1.06),
    "trainings": (6, 1.05),
    "study_sessions": (4, 1.0),
    "petitions": (60, 0.96),
}

THEMES: tuple[Theme, ...] = (
    Theme(
        "functions",
        ("深化“放管服”改革,依法全面履行政府职能", "持续优化法治化营商环境,依法全面履行政府职能"),
        (
            "全面落实权责清单制度,动态调整行政权力事项{power_items}项,做到清单之外无权力。",
            "全年办理行政许可事项{permits}件,网上可办率达到{online_rate}%,群众办事“最多跑一次”覆盖面持续扩大。",
            "严格执行市场准入负面清单,清理涉及营商环境的规范性文件和政策措施,公平竞争审查实现应审尽审。",
            "推行证明事项告知承诺制,取消各类证明材料,企业和群众办事成本进一步降低。",
        ),
    ),
    Theme(
        "decisions",
        ("健全依法决策机制,提升科学民主依法决策水平", "严格落实重大行政决策程序,推进依法科学民主决策"),
        (
            "严格执行重大行政决策公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序,全年作出重大行政决策{major_decisions}项。",
            "审核规范性文件{normative_docs}件,审核合同{contracts}件,出具法律意见书{counsel_opinions}份,法律顾问覆盖率100%。",
            "规范性文件全部按规定报送备案,备案审查率、及时率均达到100%。",
            "涉及群众切身利益的决策事项均通过座谈会、网上征求意见等方式广泛听取意见,决策透明度不断提高。",
        ),
    ),
    Theme(
        "enforcement",
        ("严格规范公正文明执法,提升行政执法质效", "深化行政执法体制改革,全面推行行政执法“三项制度”"),
        (
            "全面推行行政执法公示、执法全过程记录、重大执法决定法制审核制度,现有持证执法人员{officers}人。",
            "全年办理行政处罚案件{cases}件,罚没款{fines}万元,未发生因执法不当引发的群体性事件。",
            "组织开展行政执法案卷评查,对发现的问题逐项整改,执法规范化水平稳步提升。",
            "开展违法建设专项整治行动,依法拆除违建{demolitions}起,坚决遏制新增违法建设。",
        ),
    ),
    Theme(
        "disputes",
        ("依法有效化解社会矛盾纠纷,强化行政权力监督", "完善社会矛盾纠纷多元化解机制,自觉接受各方面监督"),
        (
            "办理行政复议案件{reviews}件,应诉行政诉讼案件{lawsuits}件,行政机关负责人出庭应诉率100%。",
            "坚持和发展新时代“枫桥经验”,调处各类矛盾纠纷{mediations}起,调解成功率98%以上。",
            "依法办理信访事项{petitions}件,按期办结率100%,认真办理人大代表建议和政协委员提案。",
            "主动接受人大法律监督、政协民主监督和社会舆论监督,对审计发现的问题全部完成整改。",
        ),
    ),
    Theme(
        "publicity",
        ("加强法治宣传教育,提升干部群众法治素养", "深入实施“八五”普法规划,推进法治社会建设"),
        (
            "落实“谁执法谁普法”普法责任制,全年开展普法活动{campaigns}场,发放宣传资料{leaflets}份。",
            "组织领导干部集中学法{trainings}次,开展旁听庭审、法治讲座和网上学法考试,参考率100%。",
            "围绕宪法、民法典等重点法律法规,推动法治宣传进机关、进乡村、进社区、进学校、进企业、进单位。",
        ),
    ),
)

THEME_BY_KEY: dict[str, Theme] = {t.key: t for t in THEMES}

COMMITMENTS: tuple[CommitmentText, ...] = (
    CommitmentText(
        "decision-review",
        "decisions",
        "严格落实重大行政决策程序规定,确保重大行政决策合法性审查率达到100%。",
        "全面落实《重大行政决策程序暂行条例》,推动重大行政决策事项目录化管理,实现合法性审查全覆盖。",
        "推行重大行政决策事项目录化管理,上年确定的重大决策事项全部经过合法性审查。",
    ),
    CommitmentText(
        "counsel",
        "decisions",
        "充分发挥法律顾问和公职律师作用,提高法律顾问参与决策的深度和广度。",
        "健全法律顾问、公职律师参与重大决策、重大合同审核的工作机制。",
        "法律顾问全程参与重大合同审核和重大决策论证,实现法律顾问参与重大事项常态化。",
    ),
    CommitmentText(
        "three-systems",
        "enforcement",
        "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度。",
        "巩固行政执法“三项制度”成果,推进行政执法信息平台和执法监督平台应用。",
        "行政执法“三项制度”全面落地,执法信息均在规定时限内公示。",
    ),
    CommitmentText(
        "officer-training",
        "enforcement",
        "加强执法队伍建设,组织执法人员专题培训,持证上岗率达到100%。",
        "分层分类开展行政执法人员业务培训,全面提升执法人员能力素质。",
        "组织执法人员开展专题培训和案卷评查,执法人员持证上岗率达到100%。",
    ),
    CommitmentText(
        "inclusive-enforcement",
        "enforcement",
        "探索推行包容审慎监管,落实轻微违法行为不予处罚清单。",
        "全面推行“首违不罚”“轻微免罚”清单制度,推动柔性执法。",
        "落实轻微违法行为不予处罚清单,对首次轻微违法行为依法不予处罚并加强教育引导。",
    ),
    CommitmentText(
        "review-reform",
        "disputes",
        "稳步推进行政复议体制改革,畅通行政复议渠道。",
        "认真贯彻新修订的《中华人民共和国行政复议法》,发挥行政复议化解行政争议主渠道作用。",
        "行政复议体制改革顺利推进,行政复议申请渠道进一步畅通。",
    ),
    CommitmentText(
        "court-appearance",
        "disputes",
        "落实行政机关负责人出庭应诉制度,提高行政诉讼案件胜诉率。",
        "推动行政机关负责人出庭出声出效,加强行政应诉能力建设。",
        "行政机关负责人出庭应诉实现常态化,出庭应诉率保持100%。",
    ),
    CommitmentText(
        "grassroots-mediation",
        "disputes",
        "健全矛盾纠纷多元化解机制,推动人民调解、行政调解、司法调解衔接联动。",
        "完善“大调解”工作格局,把矛盾纠纷化解在基层、化解在萌芽状态。",
        "人民调解、行政调解、司法调解联动机制初步建立,矛盾纠纷就地化解率明显提高。",
    ),
    CommitmentText(
        "publicity-forms",
        "publicity",
        "创新普法宣传方式,运用新媒体开展以案释法,增强普法实效。",
        "丰富普法宣传形式,用好微信公众号、短视频等新媒体平台,提升群众参与度。",
        "开设普法微信专栏和短视频账号,以案释法典型案例发布实现常态化。",
    ),
    CommitmentText(
        "cadre-study",
        "publicity",
        "坚持领导干部学法制度,将学法情况纳入年度考核。",
        "健全领导干部学法用法制度,推行年终述法,把法治素养作为考核重要内容。",
        "领导干部会前学法、年终述法制度全面落实,学法情况纳入年度考核。",
    ),
    CommitmentText(
        "open-government",
        "functions",
        "深入推进政务公开,及时准确公开政府信息,保障群众知情权。",
        "推进政务公开标准化规范化,完善主动公开目录和依申请公开办理机制。",
        "政务公开标准目录全面完成编制,依申请公开事项均在法定期限内答复。",
    ),
    CommitmentText(
        "business-environment",
        "functions",
        "持续优化营商环境,压缩审批时限,提升政务服务效能。",
        "打造市场化法治化国际化营商环境,推进“一网通办”“跨省通办”。",
        "政务服务事项平均审批时限进一步压缩,“一网通办”事项范围持续扩大。",
    ),
    CommitmentText(
        "digital-government",
        "functions",
        "推进“互联网+政务服务”,提升行政审批信息化水平。",
        "加快数字政府建设,推进电子证照、电子签章在政务服务中的应用。",
        "电子证照在高频政务服务事项中实现应用,企业群众办事材料明显减少。",
    ),
    CommitmentText(
        "normative-cleanup",
        "decisions",
        "开展规范性文件清理工作,及时修改、废止不符合上位法的文件。",
        "建立规范性文件定期清理和动态调整机制,维护法制统一。",
        "完成规范性文件集中清理,对不符合上位法规定的文件及时予以修改或废止。",
    ),
)

COMMITMENT_BY_KEY: dict[str, CommitmentText] = {c.key: c for c in COMMITMENTS}

# One sentence a year that ties the report to its time (goes into the publicity item).
YEAR_EVENTS: dict[int, str] = {
    2019: "以国家宪法日为契机,集中开展宪法宣传周活动,营造尊法学法守法用法的浓厚氛围。",
    2020: "《中华人民共和国民法典》颁布后,第一时间组织专题学习,开展“民法典进万家”主题宣传活动。",
    2021: "认真总结“七五”普法工作,启动实施“八五”普法规划,结合党史学习教育开展“我为群众办实事”法律服务活动。",
    2022: "把学习宣传贯彻党的二十大精神同法治宣传教育结合起来,深入宣传全面依法治国的重大部署。",
    2023: "组织学习新修订的《中华人民共和国行政复议法》,开展“八五”普法中期评估,查漏补缺推进各项任务。",
    2024: "开展“八五”普法规划实施情况检查,推动法治文化阵地建设提档升级,法治乡村(社区)创建扎实推进。",
}

# Shortcomings: key → wording. The first is the one nearly every agency repeats year after year.
SHORTCOMINGS: dict[str, str] = {
    "publicity-single": "法治宣传形式单一,针对性和实效性不够强,群众参与度有待提高。",
    "officer-capacity": "执法队伍专业化水平不高,部分执法人员法律素养和业务能力与新形势要求还有差距。",
    "decision-awareness": "部分干部运用法治思维和法治方式解决问题的意识不强,依法决策能力有待提升。",
    "normative-quality": "规范性文件起草质量参差不齐,公众参与和专家论证环节还不够充分。",
    "grassroots-force": "基层法治工作力量薄弱,法治建设专职人员不足,经费保障有待加强。",
    "digital-gap": "行政执法信息化水平不高,执法数据共享和协同监管机制尚不完善。",
    "supervision": "行政执法监督机制还不够健全,监督的主动性和持续性有待加强。",
}

SHORTCOMING_CAUSES: tuple[str, ...] = (
    "究其原因,主要是对法治建设重要性的认识还不够到位,工作推进中重业务、轻法治的现象仍然存在。",
    "原因在于法治工作力量配备与工作任务不相匹配,培训教育的系统性和针对性不够。",
    "主要原因是统筹协调机制不够健全,部门之间信息共享和工作联动不够紧密。",
)

OTHER_MATTERS: tuple[str, ...] = (
    "本年度未发生因违法行政被追究责任的情况,未发生重大行政执法过错。",
    "本年度法治政府建设工作经费已全部纳入财政预算,保障有力。",
)
