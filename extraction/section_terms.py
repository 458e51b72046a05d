"""The vocabulary of a report's structure, as data: outline markers, the words that name each part.

Extraction (``extraction.sections``) and diffing read the outline with these and nothing else, so a
heading style or a part's wording is added in one place. The parts are the ones the rule requires
(《法治政府建设与责任落实督察工作规定》 art. 24): last year's measures and results, the principal
leaders' 第一责任人 duties, shortcomings, next year's plans, and other matters.
"""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十百零〇"
_CN = CN_DIGITS

# (pattern, level) in the order tried; the marker is group 1. Broken markers such as "三)" and a
# lone ")" are the (二) of copies that lost a bracket (双山镇's report has both).
MARKERS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^(第[{_CN}]+[篇章部分])[:：、\s]*"), 1),
    (re.compile(rf"^([{_CN}]+[、．.])\s*"), 1),
    (re.compile(rf"^([（(][{_CN}]+[）)])\s*"), 2),
    (re.compile(rf"^([{_CN}]{{1,3}}[）)])\s*"), 2),
    (re.compile(r"^([）)])\s*(?=\S)"), 2),
    # 1. / 1、 / 1．, but not 1.5 (a number); "1.2020年…" is item 1 about the year 2020
    (re.compile(r"^(\d{1,2}(?:[.．](?!\d)|[.．](?=(?:19|20)\d\d年)|、))\s*"), 3),
    (re.compile(r"^([（(]\d{1,2}[）)])\s*"), 4),
    (re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩])\s*"), 5),
    (re.compile(rf"^([{_CN}]{{1,3}}是)[，,：:]?\s*"), 4),  # 一是 opening a line: one below its heading
)

# Where one item starts inside a paragraph: 一是…二是…, 一要…二要…, 一是要…二要…, 首先…其次…最后,
# 第一，…第二，…, ①…②…, （一）…（二）…. Each entry is (kind, pattern, numbered): pieces of one kind make an
# enumeration when there are two or more of them (numbered ones counting up from 一).
_BOUNDARY = r"(?:^|(?<=[。；;，,：:！!？?\s]))"
ENUMERATIONS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("是", re.compile(rf"{_BOUNDARY}([{_CN}]{{1,3}}(?:是要?|要)(?![求点素件])[，,：:]?)"), True),
    ("第", re.compile(rf"{_BOUNDARY}(第[{_CN}]{{1,3}}[，,、：:])"), True),
    # 首先 opens it; 同时/此外/另外 with their comma are items of it too (首先…其次…同时，…此外，…最后), and so
    # are 同时要/此外要/另外要/还要 opening a sentence or following a field heading (在…方面，同时要…), not 还要
    # after another comma: that goes on with its sentence
    ("序", re.compile(
        rf"{_BOUNDARY}((?:首先|其次|再次|然后|最后)[，,、：:]?|(?:同时|此外|另外)[，,]"
        r"|(?:(?<=[。；;])|(?<=方面[，,]))(?:同时|此外|另外|还)要)"
    ), False),
    ("圈", re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩])"), False),
    # (一)…(二)… run on inside one paragraph (下一步，我局将重点做好以下工作：（一）…。（二）…)
    ("括", re.compile(rf"{_BOUNDARY}([（(][{_CN}]{{1,3}}[）)])"), True),
)
# "在依法行政方面。" / "法治乡村建设方面：" / "在基层治理方面，同时要…": a heading naming the field of the
# items run on after it.
FIELD_HEADING = re.compile(r"在?[^。；;，,：:]{1,16}方面[。：:，,]")
# "同时，六是…" / "此外，七要…": a connective alone before a numbered piece, so the count goes on from
# the paragraph before (a drafter's second paragraph of 一是…五是).
CONNECTIVE_LEAD = re.compile(r"(?:与此同时|同时|此外|另外|其次|再次|另一方面)[，,]?")
# "同时，…" / "此外，…" / "同时要…" / "还要…" opening a sentence after the last piece of an enumeration:
# one more item.
ENUMERATION_TAIL = re.compile(r"(?<=[。；;！!])\s*((?:同时|此外|另外)[，,]|(?:同时|此外|另外|还)要)")

# The words that name each part in a heading. A heading naming shortcomings and plans together
# (四、存在问题及下一步努力方向) is split inside (see extraction.sections).
PART_TERMS: dict[str, re.Pattern[str]] = {
    "other": re.compile(r"其他(?:需要|应当|应)?(?:报告|说明)|其他事项|其他情况"),
    # 存在的问题 / 不足 / 短板 …, but not 解决突出问题 (an achievement's heading)
    "shortcomings": re.compile(r"不足|(?<![决出])问题|短板|差距|困难|薄弱|瓶颈|存在的"),
    "plans": re.compile(
        r"计划|打算|思路|下一步|下步|下一年|展望|安排|努力方向|今后|明年|工作要点|"
        r"(?:工作重点|重点工作|重点任务)(?!.*(?:情况|成效|完成|开展|落实))|"
        r"(?:19|20)\d{2}年.{0,12}(?:工作|重点|任务|目标)(?!.*(?:情况|成效|完成|开展|总结|做法|举措|成绩))"
    ),
    "leadership": re.compile(r"第一责任人|主要负责人|党政主要|履行.{0,8}职责|组织领导|领导责任|述法"),
    # a heading naming only these (强化组织领导) is the leaders' part when its text says so (LEADERSHIP_IN_TEXT)
    "achievements": re.compile(
        r"主要(?:举措|成效|做法|工作)|开展情况|完成情况|推进情况|成效|成绩|推进|加强|完善|深化|提升|落实|健全|"
        r"规范|强化|坚持|依法|全面|提高|推动|优化"
    ),
}
PART_ORDER = ("other", "shortcomings", "plans", "leadership", "achievements")
# The parts the rule requires every report to have (compliance checks read these).
REQUIRED_PARTS = ("achievements", "leadership", "shortcomings", "plans")
WEAK_LEADERSHIP = re.compile(r"^(?:(?!第一责任人|主要负责人|党政主要|履行.{0,8}职责|述法).)*$")
# Said in the body rather than under a heading of its own, the leaders' duties are still reported.
# (主要负责同志/主要领导 with what they did: drafters name the principal leader in several ways)
LEADERSHIP_IN_TEXT = re.compile(
    r"第一责任人|主要(?:负责人|负责同志|领导)[^。；]{0,12}(?:职责|带头|亲自|主持|听取|部署|研究|督办|批示)|述法|党政主要负责|一把手"
)

# A paragraph that looks forward: where plans start in a 存在问题及下一步打算 section without
# sub-headings, or in a closing paragraph of a report with no plans heading.
FORWARD = re.compile(
    r"^(?:下一步|下步|接下来|今后|明年|下一年度?|新的一年|在(?:接下来|今后|下一步|新的一年)|"
    r"我[镇县区市局街乡委办所]将|本[镇县区市局街乡委办所]将|针对(?:上述|以上|存在的)?(?:问题|不足))"
)
# "2023年，我局将…" looks forward only when the year is after the one reported on (extraction.sections).
YEAR_OPENING = re.compile(r"^在?((?:19|20)\d\d)年(?:度)?[,，]?")
# "整改措施：…" after each problem of a 存在问题及整改措施 section: what will be done about it, a plan.
MEASURES = re.compile(r"^(?:整改措施|改进措施|整改方向|对策措施|对策建议|下一步措施|下步措施|改进方向|下一步打算|下步打算)[：:]")
# The body of a forward paragraph says what will be done.
WILL = re.compile(r"将|要|拟|计划|力争|继续|持续|一是|首先|重点")

# The formulas of a closing pledge that promises nothing in particular ("为建设平安石坪作出新的更大贡献",
# "推动…迈上新台阶"): a paragraph made of these and generic words is not a plan.
STOCK_PLEDGE = re.compile(
    r"作出(?:新的|应有的)?(?:更大的?)?贡献|贡献(?:更大的?)?力量|提供(?:更加)?(?:坚实|有力|坚强)?(?:的)?法治保障|提供(?:更加)?(?:坚实|有力|坚强)(?:的)?保障[。！!]?$|迈上新台阶|再上新台阶|"
    r"开创[^。]{0,12}新局面|谱写[^。]{0,12}新篇章|任重道远|(?:不断|努力)(?:提高|提升)[^。]{0,16}水平|以更加[^。]{0,12}的作风|"
    r"责任感和紧迫感|作出新的更大|交出[^。]{0,8}答卷|以法治护航|保驾护航"
)

# "附件:" / "相关稿件:" — page labels left under the last section, not report text.
LABEL_LINE = re.compile(r"^.{0,8}[:：]$")
