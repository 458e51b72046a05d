"""Is a title an annual rule-of-law government report, and which year does it report on?

Used by the crawler on link text and by extraction on page titles, so it must work on short strings.
"""

from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "o": "0", "一": "1", "二": "2",
              "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)\d{2})\s*(?:年度?|年)")
_BARE_YEAR = re.compile(r"(?<![0-9])((?:19|20)\d{2})(?![0-9])")

# Kinds of rule-of-law reporting this project collects.
_TOPIC = re.compile(r"法治政府|依法行政|法治建设|法治[\s\S]{0,6}政府|法治.{0,4}建设")
_REPORT_KIND = re.compile(r"报告|工作总结|总结|情况|工作要点完成")
# Titles that look similar but are other things, with the reason given back.
# Other kinds of report: rejected whatever else the title says (a 政府信息公开 annual report names 法治 too).
_OTHER_REPORTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"信息公开.{0,6}(工作)?年度报告|政务公开.{0,4}年度报告|信息公开工作报告"), "政府信息公开工作年度报告"),
    (re.compile(r"预算|决算|预决算"), "预决算"),
    (re.compile(r"审计"), "审计报告"),
    (re.compile(r"统计公报|国民经济和社会发展"), "统计公报"),
    (re.compile(r"政府工作报告"), "政府工作报告"),
)
# Documents on the topic that are not the year's report — plans, notices, news — unless the title
# says 报告 or 总结 ("…开展法治政府建设情况的报告" is one).
_NOT_REPORTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(工作)?要点|实施方案|工作计划|通知|意见|办法|规定|方案$"), "计划或文件，不是年度报告"),
    (re.compile(r"会议|召开|举办|开展|调研|培训|座谈|部署|观摩|督察组|检查组|来我|赴"), "新闻"),
)


def _cn_year(text: str) -> str:
    return "".join(_CN_DIGITS.get(ch, ch) for ch in text)


def report_year(title: str) -> int | None:
    """The year a report covers: the first year in the title ("2020年…及2021年工作思路" → 2020).

    Chinese-numeral years (二〇二〇年) count. Returns None when no plausible year is named.
    """
    if not title:
        return None
    outside = re.sub(r"《[^》]*》|[（(][^）)]*[）)]", "", title)  # years inside quoted document names don't count
    if outside != title and (year := _first_year(outside)) is not None:
        return year
    return _first_year(title)


def _first_year(title: str) -> int | None:
    candidates: list[tuple[int, int]] = []
    for m in _YEAR.finditer(title):
        candidates.append((m.start(), int(m.group(1))))
    for m in _CN_YEAR.finditer(title):
        digits = _cn_year(m.group(1))
        if digits.isdigit():
            candidates.append((m.start(), int(digits)))
    if not candidates:
        for m in _BARE_YEAR.finditer(title):
            candidates.append((m.start(), int(m.group(1))))
    plausible = [(pos, year) for pos, year in candidates if 1990 <= year <= 2100]
    if not plausible:
        return None
    return min(plausible)[1]


def classify_title(title: str) -> tuple[bool, str]:
    """``(True, kind)`` for an annual rule-of-law government report title, else ``(False, reason)``."""
    t = _T2S.convert(unicodedata.normalize("NFKC", re.sub(r"\s+", "", title or "")))
    if not t:
        return False, "空标题"
    for pattern, reason in _OTHER_REPORTS:
        if pattern.search(t):
            return False, reason
    if not _TOPIC.search(t):
        return False, "不是法治政府建设报告"
    for pattern, reason in _NOT_REPORTS:
        if pattern.search(t) and not re.search(r"报告|总结", t):
            return False, reason
    if not _REPORT_KIND.search(t):
        return False, "不是报告或总结"
    if re.search(r"解读|图解", t):
        return False, "解读"
    if re.search(r"新闻|发布会", t):
        return False, "新闻"
    kind = next((k for k in ("年度报告", "工作报告", "情况报告", "依法行政工作总结", "工作总结", "报告", "总结")
                 if k in t), "报告")
    return True, f"法治政府建设{kind}" if not kind.startswith("依法") else kind
