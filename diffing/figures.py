"""Figures in report sentences (审核合同80件) and which of them changed between two versions or two years.

A silent edit that changes a count is the most telling kind, so the diff lists changed figures
first. A figure is a number with its unit, the words before it in its clause (the label) and the
noun right after a measure word (37个网格单元). Not figures: years (2020年, 2021—2025), dates
(9月, 7月1日, 12.4), document numbers (〔2021〕3号), article numbers (第24条), numbers inside a
document's name (《…2021年度…目录》) or a quoted name (“六个百分之百”), outline numbers (1.) and
numbers with no unit (12345热线).
Approximations (余, 多, 约) and unit variants (人 / 人次 / 名) of one count are told apart from the
value, so 174余条 and 203条 are one figure that moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Chinese measure words (量词) and units a count or an amount is written with, the compound ones first;
# any of them may carry a scale word before it (1.07万项, 5.1万件套, 3千人). Time words (年, 月, 日, 周)
# are not among them: they make dates.
_MEASURES = (
    "微克/立方米|毫克/升|立方米|平方公里|平方米|公顷|公里|千米|公斤|千克|个工作日|工作日|个百分点|百分点|小时|学时|课时|"
    "人次|场次|件次|家次|户次|批次|车次|架次|项次|台次|校次|件套|TB|GB|"
    "件|次|场|人|个|项|份|家|起|条|篇|期|名|户|宗|部|批|辆|台|处|所|座|村|类|本|册|张|卷|天|亩|倍|吨|分|支|"
    "对|轮|笔|岁|例|栋|幢|套|组|间|块|棵|株|头|只|艘|架|趟|封|袋|箱|瓶|剂|床|位|元|米|克|升|种|根|枚|发|路|%|％"
)
_UNITS = rf"(?:万|亿|千)?(?:{_MEASURES})|万|亿"
# 约 ends many words (签约426户, 履约风险5个, 特约审计员6名, 村规民约74份): there it is no approximation.
_YUE_WORD_HEADS = "签违履节制预合条公民契续解特集邀守失誓相爽毁婚"
# 余 / 多 stand before or after the scale word: 30余万人次 and 35万余人次 are both about 300 thousand visits.
_FIGURE = re.compile(
    rf"(?P<approx>(?<![{_YUE_WORD_HEADS}])约|近|逾)?(?P<num>\d+(?:\.\d+)?)(?P<more>余|多)?"
    rf"(?:(?P<scale>万|亿|千)(?P<more_after>余|多)?)?(?P<measure>{_MEASURES})?"
)
# Chinese-numeral counts with a measure word (四个村, 十三个村); 一个 is an article, not a count
_CN_FIGURE = re.compile(r"(?<![一二两三四五六七八九十百第])(?P<num>[二两三四五六七八九十][一二三四五六七八九十]*)(?P<unit>个|名|家|所)")
# A place in a ranking (区政府在全市法治政府建设考核中位列第三名): reported each year like a count; other
# ordinals (第三批, 第十二条) name a thing and are not figures.
_RANK = re.compile(
    r"(?:(?<=位列)|(?<=位居)|(?<=排名)|(?<=排在)|(?<=名列)|(?<=居全[省市县区])|(?<=列全[省市县区]))"
    r"第(?P<num>[一二三四五六七八九十]+|\d{1,3})(?P<unit>名|位)"
)
_RANK_UNIT = "名次"
_CN_VALUE = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 1. / (2) / 3、 opening a sentence; "1.2020年…" is item 1 about the year 2020, not 1.2020.
_OUTLINE = re.compile(r"^\s*[（(]?\d{1,2}(?:[)）、]|[.．](?!\d)|[.．](?=(?:19|20)\d\d年))")
# Clause boundaries: the label of a figure never reaches across these.
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?、（）()“”\"《》.．\s]")
_LABEL_CHARS = 10
_AFTER_CHARS = 6
# Words that join a label to its number (共办理…, …达, …约) but are not part of the label.
_LABEL_PREFIXES = ("其中", "共计", "累计", "合计", "共")
_LABEL_SUFFIXES = (
    "达到", "超过", "共计", "累计", "分别为", "为", "达", "约", "共", "近", "逾", "了", "至", "到", "提升至", "下降至", "均",
    "增加到", "增加至", "扩大到", "扩大至", "增长到", "提高到", "提高至", "降至", "下降到", "增至", "减少到", "减少至",
    "压减至", "压减到", "减至", "保持", "仅有", "只有", "仅", "已达", "均为", "的",
)  # fmt: skip
# Spans that hold numbers but no measures: document numbers, names of documents, dates, articles.
_NOT_FIGURES = (
    re.compile(r"[〔\[【﹝（(]\s*(?:19|20)\d\d\s*[〕\]】﹞）)]\s*\d*号?"),  # 〔2021〕3号
    re.compile(r"(?:19|20)\d\d\s*[〕\]】﹞]\s*\d*号?"),  # 铜府办2021﹞47号 (bracket lost)
    re.compile(r"\d+号"),
    re.compile(r"\d+\s*个月"),  # 取证后3个月内, 2个月以上: a deadline or a duration, not a count
    # 流域面积50平方公里以上的河流, 35岁以下的干部: a bound that picks out what is counted, not a measure
    re.compile(rf"\d+(?:\.\d+)?\s*(?:{_UNITS})?(?:以上|以下|以内)的"),
    re.compile(r"《[^》]*》"),
    re.compile(r"“[^“”]{1,12}”"),  # a name in quotes: “八五”普法, “六个百分之百”, “三项制度”
    re.compile(r"第\s*\d+\s*(?:条|款|项|章|节|届|次会议|批次)"),
    re.compile(r"(?:19|20)\d\d\s*[-—–~至到]\s*(?:19|20)\d\d"),
    re.compile(r"\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号])?(?:[-—至到]\s*\d{1,2}\s*月?(?:\d{1,2}\s*[日号])?)?"),
    re.compile(rf"\d{{1,2}}[.．·]\d{{1,2}}(?!\d|余|多|{_UNITS})"),  # 12.4 / 4·22 (dates: no unit after them)
)


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Measure words that count things named right after them (37个网格单元, 8名律师, 5项事项).
_ENTITY_UNITS = ("个", "名", "家", "所", "项")
_QUOTES = re.compile(r"[“”\"‘’]")
# 专题学习《中华人民共和国水法》等法律法规3次: the figure counts the studying, not the law; a document's name
# (or its tail, when a year inside it set the label floor) is left out of the label instead of ending it
_NAMED_DOCUMENT = re.compile(r"《[^《》]*》|^[^《》]*》")
_PARENTHESIS = re.compile(r"[（(][^（）()]{0,8}[）)]$")
# "参考率和合格率均达100%", "报备率、及时率、规范率均达100%": one value for several measures, none of them alone
# (the 及 of 及时率 joins nothing: "上报及时率96%" is one measure)
_SHARED_VALUE = re.compile(r"均(?:达到?|为|在)?$|(?:[和与、]|及(?!时率))\S{1,8}率\S{0,2}$")


@dataclass
class Figure:
    label: str
    value: str
    unit: str
    start: int = 0  # where the figure is written in its sentence
    text: str = ""  # as written: 约160余人, 174余条, 四个
    after: str = ""  # the noun after a measure word: 37个网格单元 → 网格单元


@dataclass
class ChangedFigure:
    """A figure whose value differs between the two versions of a sentence."""

    label: str
    old: str
    new: str
    unit: str
    old_sentence: str
    new_sentence: str


# Scale words before a unit: 3.2万元 and 28000元 are sums of money both.
_SCALES = {"万": 10_000.0, "亿": 100_000_000.0, "千": 1_000.0}


def unit_scale(unit: str) -> tuple[str, float]:
    """(the unit without its scale word, the scale): 万元 → (元, 10000), 万人次 → (人次, 10000)."""
    if len(unit) > 1 and unit[0] in _SCALES:
        return unit[1:], _SCALES[unit[0]]
    return unit, 1.0


def unit_family(unit: str) -> str:
    """Units that count the same thing: 人 / 人次 / 名 (people), 场 / 场次, 件 / 件次, 元 / 万元 …"""
    unit = unit_scale(unit.removeprefix("余"))[0]
    if unit in ("人", "人次", "名", "位"):
        return "人"
    if unit == "幢":
        return "栋"
    if unit.endswith("次") and len(unit) == 2:
        unit = unit[0]
    if unit == "户":  # households and businesses: 企业1574户 / 企业1692家
        return "家"
    return "%" if unit == "％" else unit


def figure_amount(value: str, unit: str) -> float:
    """The value in the family's base unit: 1.2万人次 → 12000."""
    try:
        return float(value) * unit_scale(unit)[1]
    except ValueError:
        return float("nan")


def _is_year(num: str, unit: str, after: str) -> bool:
    return len(num) == 4 and num[:2] in ("19", "20") and (unit in ("年", "年度", "") and after[:1] in "年-—至" or unit == "年")


def _trim_label(clause: str) -> str:
    """The last words of the clause, up to _LABEL_CHARS characters, cut at a jieba word boundary.

    The joining words before the number (增加到, 达到, 为) go first, the longest first, so that the
    label's characters are spent on what is counted (聘请法律顾问的中小学增加到86所 → 聘请法律顾问的中小学).
    """
    clause = _without_joining_words(clause)
    if len(clause) > _LABEL_CHARS:
        import jieba

        words = jieba.lcut(clause, HMM=False)
        kept = ""
        for word in reversed(words):
            if len(kept) + len(word) > _LABEL_CHARS:
                break
            kept = word + kept
        clause = kept or clause[-_LABEL_CHARS:]
    label = clause
    for prefix in _LABEL_PREFIXES:
        if label.startswith(prefix) and len(label) > len(prefix):
            label = label[len(prefix) :]
            break
    return _without_joining_words(label)


_SUFFIXES_LONGEST_FIRST = sorted(_LABEL_SUFFIXES, key=len, reverse=True)


def _without_joining_words(label: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES_LONGEST_FIRST:
            if suffix == "约" and len(label) > 1 and label[-2] in _YUE_WORD_HEADS:
                continue  # 签约426户: the label is 签约
            if label.endswith(suffix) and len(label) > len(suffix):
                label, changed = label[: -len(suffix)], True
                break
    return label


def _first_noun(run: str) -> str:
    """The thing a measure word counts: the first word after it (7项问题已完成 → 问题; 37个网格单元 → 网格单元)."""
    import jieba

    words = jieba.lcut(run[: _AFTER_CHARS + 2], HMM=False)
    noun = ""
    for word in words:
        if len(noun) + len(word) > _AFTER_CHARS:
            break
        noun += word
        if len(noun) >= 2 and len(word) >= 2:
            break
    return noun or run[:_AFTER_CHARS]


def _masked(sentence: str) -> list[tuple[int, int]]:
    return [m.span() for pattern in _NOT_FIGURES for m in pattern.finditer(sentence)]


def extract_figures(sentence: str) -> list[Figure]:
    """Numbers with their label and unit, in order of appearance."""
    return list(_extract_figures(sentence))


@lru_cache(maxsize=16384)
def _extract_figures(sentence: str) -> tuple[Figure, ...]:
    """Cached: a site build meets each report's sentences twice (as year N+1, then as year N)."""
    figures: list[Figure] = []
    outline = _OUTLINE.match(sentence)
    floor = outline.end() if outline else 0
    masked = _masked(sentence)
    found = [(m.start(), m, False) for m in _FIGURE.finditer(sentence, floor) if m.group("num")]
    found += [(m.start(), m, True) for m in _CN_FIGURE.finditer(sentence, floor)]
    found += [(m.start(), m, True) for m in _RANK.finditer(sentence, floor)]
    label_floor = floor
    for start, m, chinese in sorted(found, key=lambda t: t[0]):
        num, unit = m.group("num"), m.group("unit") if chinese else (m.group("scale") or "") + (m.group("measure") or "")
        if m.re is _RANK:
            unit = _RANK_UNIT
        if start < label_floor:
            continue
        after = sentence[m.end("num") :]
        if not chinese and _is_year(num, unit, after):
            label_floor = m.end() + (1 if after[:1] == "年" else 0)
            continue
        if any(a <= m.start("num") < b for a, b in masked) or not unit:
            continue
        if _SHARED_VALUE.search(sentence[max(label_floor, start - 16) : start]):
            label_floor = m.end()
            continue
        value = num if not chinese or num.isdigit() else str(_cn_number(num))
        # quotes and a parenthesis right before the number (示范村（社区）3个) do not end the label
        before = _QUOTES.sub("", _PARENTHESIS.sub("", sentence[label_floor : start]))
        before = _NAMED_DOCUMENT.sub("", before)
        before = _last_clause(before)
        following = _CJK_RUN.match(sentence[m.end():])
        noun = _first_noun(following.group(0)) if following and unit in _ENTITY_UNITS else ""
        text = sentence[start : m.end()]
        label = _trim_label(before.strip())
        moved_from = _moved_from(sentence, figures[-1], start) if figures else None
        if moved_from is not None:  # 由45天压缩至20天: 45天 is where the measure started, 20天 is the figure
            figures.pop()
            label = moved_from
        if not label and not noun and figures and _joined_to(sentence, figures[-1], start):
            label = figures[-1].label  # 电子证照186类、620万条: the same thing counted in another unit
        figures.append(Figure(label, value, unit, start, text, noun))
        label_floor = m.end()
    return tuple(_respectively_labelled(sentence, figures))


def _last_clause(text: str, breaks: re.Pattern[str] | None = None) -> str:
    """What follows the last clause break of ``text`` (all of it when it has none)."""
    found = list((breaks or _CLAUSE_BREAK).finditer(text))
    return text[found[-1].end() :] if found else text


def _gap(sentence: str, previous: Figure, start: int) -> str:
    """The text between ``previous`` and a figure starting at ``start``."""
    return sentence[previous.start + len(previous.text) : start]


def _joined_to(sentence: str, previous: Figure, start: int) -> bool:
    return _gap(sentence, previous, start) in _JOINED


# 起数、死亡人数同比分别下降9.7%和8.3%: values joined by 和 / 、 after 分别 are one measure each of a list
_JOINED = ("和", "、", "及", "与")
_LIST_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?（）()“”\"《》.．\s]")
_LIST_TAIL = re.compile(r"(?:同比|比上年|较上年)?分别[^分]*$")


def _respectively_labelled(sentence: str, figures: list[Figure]) -> list[Figure]:
    """Values after 分别 take their labels from the list before it, in order (a label of its own,
    not 和); when the list does not name one measure per value, they share the first value's label."""
    k = 0
    while k < len(figures):
        head = figures[k]
        clause = _last_clause(_QUOTES.sub("", sentence[: head.start]), _LIST_CLAUSE_BREAK)
        tail = _LIST_TAIL.search(clause)
        run = [k]
        while tail and run[-1] + 1 < len(figures):
            if not _joined_to(sentence, figures[run[-1]], figures[run[-1] + 1].start):
                break
            run.append(run[-1] + 1)
        if tail and len(run) > 1:
            subjects = [x for x in re.split(r"、|和(?![解谐])", clause[: tail.start()]) if x]
            for n, index in enumerate(run):
                if len(subjects) == len(run):
                    figures[index].label = _trim_label(subjects[n]) or head.label
                else:
                    figures[index].label = head.label
        k = run[-1] + 1
    return figures


# 由45天压缩至20天, 从28家压减到3家: the first value is the starting point, not this year's measure
_MOVED_TO = re.compile(r"^(?:压减|压缩|缩减|缩短|减少|降低|下降|降|增加|增长|提高|提升|上升|扩大|扩充|扩展)?[至到]$")
_MOVED_FROM = re.compile(r"(?:由|从)[^由从]*$")


def _moved_from(sentence: str, previous: Figure, start: int) -> str | None:
    """The label of a measure written 由A…至B, when ``previous`` is A and B starts at ``start``; else None."""
    if not _MOVED_TO.match(_gap(sentence, previous, start)):
        return None
    clause = _last_clause(_QUOTES.sub("", sentence[: previous.start]))
    found = _MOVED_FROM.search(clause)
    if not found:
        return None
    return _trim_label(clause[: found.start()].strip())


def _cn_number(text: str) -> int:
    """十三 → 13, 四 → 4, 二十 → 20 (counts with a measure word are small)."""
    if text.startswith("十"):
        text = "一" + text
    total, digit = 0, 0
    for ch in text:
        if ch == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _CN_VALUE.get(ch, 1 if ch == "一" else 0)
    return total + digit


def changed_figures(old: str, new: str) -> list[ChangedFigure]:
    """Figures of ``old`` and ``new`` paired by label and unit (then by order) whose values differ."""
    a, b = extract_figures(old), extract_figures(new)
    unmatched_b = list(range(len(b)))
    pairs: list[tuple[Figure, Figure]] = []
    unmatched_a: list[Figure] = []
    for fa in a:
        hit = next((k for k in unmatched_b if b[k].label == fa.label and b[k].unit == fa.unit), None)
        if hit is None:
            unmatched_a.append(fa)
        else:
            unmatched_b.remove(hit)
            pairs.append((fa, b[hit]))
    # Left-over figures with the same unit, in order: the label itself was reworded.
    for fa in unmatched_a:
        hit = next((k for k in unmatched_b if unit_family(b[k].unit) == unit_family(fa.unit)), None)
        if hit is not None:
            unmatched_b.remove(hit)
            pairs.append((fa, b[hit]))
    return [
        ChangedFigure(fb.label or fa.label, fa.value, fb.value, fb.unit, old, new)
        for fa, fb in pairs
        if fa.value != fb.value
    ]
