"""Documents that sit in the same lists as the reports but are not reports.

A crawler must reject these: each government's 政府信息公开工作年度报告 (a different annual
report), 预决算公开 notices, and news items — some of which mention 法治政府建设 in their titles.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from sample_portal.agencies import AGENCIES, REPORT_YEARS, Agency


@dataclass(frozen=True)
class OtherDocument:
    key: str
    kind: str  # gov_info_report | budget | news
    agency_key: str
    year: int
    column: str
    title: str
    published: dt.date
    text: str


_NEWS = (
    (
        "{short}召开法治政府建设工作推进会",
        "会议传达学习上级关于法治政府建设的部署要求,通报{year}年法治政府建设重点任务推进情况,对下一阶段工作作出安排。",
    ),
    (
        "{short}开展“宪法宣传周”主题宣传活动",
        "活动现场设置法律咨询台,工作人员向过往群众发放宪法读本和宣传资料,解答群众法律咨询。",
    ),
    (
        "{short}组织开展行政执法人员业务培训",
        "培训邀请律师围绕行政处罚法、行政许可法等内容进行专题授课,参训人员现场参加闭卷考试。",
    ),
    (
        "{short}举办领导干部学法讲座",
        "讲座结合典型案例,深入解读了依法决策、依法行政的基本要求,班子成员和中层干部参加学习。",
    ),
)


def _gov_info_text(name: str, year: int, rng: random.Random) -> str:
    return "\n".join((
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制,内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年,{name}认真贯彻落实政府信息公开工作要求,全年主动公开政府信息{rng.randrange(300, 2000)}条,"
        f"受理依申请公开{rng.randrange(5, 60)}件,均在法定期限内予以答复。",
        "二、主动公开政府信息情况",
        "(略,详见统计表。)",
        "三、存在的主要问题及改进情况",
        "公开内容的完整性和及时性有待加强,下一步将进一步规范公开流程。",
    ))  # fmt: skip


def other_documents(agencies: Iterable[Agency] = AGENCIES) -> list[OtherDocument]:
    """The non-report documents of the network (or of ``agencies``), deterministic."""
    out: list[OtherDocument] = []
    for agency in agencies:
        for year in REPORT_YEARS:
            rng = random.Random(f"other:{agency.key}:{year}")
            if agency.level in ("county", "city") or agency.key in ("qh-sfj", "yl-sthj"):
                out.append(OtherDocument(
                    f"{agency.key}:{year}:info", "gov_info_report", agency.key, year, "main",
                    f"{agency.name}{year}年政府信息公开工作年度报告",
                    dt.date(year + 1, 1, 10) + dt.timedelta(days=rng.randrange(40)),
                    _gov_info_text(agency.name, year, rng),
                ))  # fmt: skip
            if agency.level == "department":
                out.append(OtherDocument(
                    f"{agency.key}:{year}:budget", "budget", agency.key, year, "main",
                    f"{agency.name}{year + 1}年部门预算公开",
                    dt.date(year + 1, 2, 1) + dt.timedelta(days=rng.randrange(25)),
                    f"根据预算法和财政部门要求,现将{agency.name}{year + 1}年部门预算公开如下:\n"
                    f"一、部门基本情况\n二、收支预算总表\n{year + 1}年收入预算{rng.randrange(800, 9000)}万元,"
                    f"支出预算与收入预算相等。\n三、其他重要事项的情况说明",
                ))  # fmt: skip
            title, body = _NEWS[(year + len(agency.key)) % len(_NEWS)]
            column = "main" if rng.random() < 0.5 else "news"
            out.append(OtherDocument(
                f"{agency.key}:{year}:news", "news", agency.key, year, column,
                title.format(short=agency.short),
                dt.date(year, 3, 1) + dt.timedelta(days=rng.randrange(280)),
                f"近日,{agency.short}" + body.format(year=year),
            ))  # fmt: skip
    return out
