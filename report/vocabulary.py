"""The words (and colours) a reader sees for what the analysis found, in one place.

The analysis (``diffing``) names its findings with plain status keys — ``kept``, ``dropped``,
``recurring`` …; every page, the chart, the feed, the exports and ``fazhi diff``'s text views show
them with the labels here, so a word is chosen once and a new finding (``split``, ``merged``) gets
its label in one edit. ``tests/test_report_vocabulary.py`` checks every status the analysis can
produce has a label.
"""

from __future__ import annotations

from typing import Any

# A plan of year N's report, looked for in year N+1's (diffing.commitments.MATCH_STATUSES).
PLAN_LABELS = {
    "kept": "延续",
    "changed": "调整",
    "dropped": "未再提及",
    "added": "新增",
    "split": "拆分",
    "merged": "合并",
}
# The same statuses between two versions of one report (a silent edit): a plan is taken out, not "not mentioned".
REVISION_PLAN_LABELS = {"changed": "调整", "split": "拆分", "merged": "合并", "dropped": "删去", "added": "新增"}
# The chart's series: the four outcomes every year pair has, each with its colour.
CHART_SERIES = (
    ("kept", PLAN_LABELS["kept"], "#4c78a8"),
    ("changed", PLAN_LABELS["changed"], "#f2a93b"),
    ("dropped", PLAN_LABELS["dropped"], "#d6504b"),
    ("added", PLAN_LABELS["added"], "#59a14f"),
)
# A shortcoming of year N in year N+1 (diffing.yoy.ProblemMatch.status).
PROBLEM_LABELS = {"recurring": "反复出现", "resolved": "不再提及", "new": "新出现"}
# A sentence in a text diff (diffing.textdiff.SentenceOp.op).
SENTENCE_LABELS = {"changed": "修改", "inserted": "新增", "deleted": "删除", "equal": "相同"}
# A plan of year N and what year N+1 reports on it (diffing.yoy.FollowThrough.status).
FOLLOW_THROUGH_LABELS = {"reported": "有落实表述", "not reported": "未见落实表述"}
# A version that is the report as another portal republished it (archive.copies), not a revision.
COPY_LABEL = "转载副本"
COPY_NOTE = "另一网站转载的同一份报告，不算发布后修改"
# Where a report falls short of the rule (diffing.yoy.ComplianceFinding.kind), and what a crawl found at its URL.
COMPLIANCE_LABELS = {
    "late": "逾期公开",
    "missing_part": "缺少法定内容",
    "missing_year": "年度报告缺失",
    "unavailable": "最近一次抓取无法访问",
}
# What the last capture at a report's URL said, when it could not read the report.
OUTCOME_LABELS = {
    "ok": "正常",
    "not_modified": "未变化",
    "blocked": "被拦截",
    "soft_404": "页面不存在",
    "error": "抓取出错",
}
LEVEL_LABELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "district": "区级",
    "township": "乡镇",
    "subdistrict": "街道",
    "department": "部门",
}
UNKNOWN_LEVEL = "未知层级"
UNKNOWN_REGION = "未知地区"
UNREAD_AGENCY = "（未能读取的报告页）"


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", level or UNKNOWN_LEVEL)


def _percent(share: float) -> str:
    return "%.0f" % (share * 100)  # noqa: UP031 - the site's rounding since the first release


def analysis_summary(analysis: Any) -> str:
    """The one sentence that sums up a comparison: for a year pair (``diffing.yoy.YearOverYear``) the
    plans, their follow-through, problems and copied text; for a revision (``diffing.compare.Revision``)
    the plans edited. Split and merged plans are named only when there are some."""
    if not hasattr(analysis, "follow_through"):
        n = {s: len(analysis.commitments_with(s)) for s in PLAN_LABELS}
        regrouped = "".join(f"，{PLAN_LABELS[s]} {n[s]} 项" for s in ("split", "merged") if n[s])
        return (f"修订：工作计划改写 {n['changed']} 项{regrouped}，{REVISION_PLAN_LABELS['dropped']} {n['dropped']} 项，"
                f"{REVISION_PLAN_LABELS['added']} {n['added']} 项")  # fmt: skip
    c, b = analysis.counts, analysis.boilerplate
    regrouped = "".join(f"，{PLAN_LABELS[s]} {c[s]} 项" for s in ("split", "merged") if c.get(s))
    return (
        f"工作计划：延续 {c['kept']} 项，调整 {c['changed']} 项{regrouped}，未再提及 {c['dropped']} 项，新增 {c['added']} 项"
        f"；上年计划在本年报告中有落实表述的 {c['followed_through']} / {len(analysis.follow_through)} 项；"
        f"问题：反复出现 {c['problems_recurring']} 项，已解决 {c['problems_resolved']} 项，新出现 {c['problems_new']} 项；"
        f"本年报告 {_percent(b.previous_share)}% 的句子沿用上年原文，{_percent(b.others_share)}% 与其他单位报告相同。"
    )


def template_globals() -> dict[str, Any]:
    """What every template may use: the label tables and the summary sentence."""
    return {
        "PLAN_LABELS": PLAN_LABELS,
        "REVISION_PLAN_LABELS": REVISION_PLAN_LABELS,
        "PROBLEM_LABELS": PROBLEM_LABELS,
        "OP_LABELS": SENTENCE_LABELS,
        "FOLLOW_THROUGH_LABELS": FOLLOW_THROUGH_LABELS,
        "COMPLIANCE_LABELS": COMPLIANCE_LABELS,
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "COPY_LABEL": COPY_LABEL,
        "COPY_NOTE": COPY_NOTE,
        "analysis_summary": analysis_summary,
    }
