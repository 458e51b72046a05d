"""Compose a report's body text from an agency's evolution data, one paragraph per line.

The outline follows the rule's required parts: achievements (一、 with five items), the principal
leader's duties, shortcomings, next year's plans, and sometimes other matters. Agencies differ in
their outline markers: (一) headings, 一是/二是 runs, 1./2. items, or sloppy markers like ``三)``.
"""

from __future__ import annotations

import random

from sample_portal.agencies import Agency
from sample_portal.evolution import EVOLUTIONS, AgencyEvolution
from sample_portal.phrases import (
    OTHER_MATTERS,
    SHORTCOMING_CAUSES,
    SHORTCOMINGS,
    THEME_BY_KEY,
    THEMES,
    YEAR_EVENTS,
)

CN_NUMBERS = "一二三四五六七八九十"


def _item_marker(style: str, index: int) -> str:
    """Marker of the index-th (0-based) second-level item in an agency's style."""
    if style == "yishi":
        return f"{CN_NUMBERS[index]}是"
    if style == "arabic":
        return f"{index + 1}."
    if style == "broken" and index in (2, 4):
        return f"{CN_NUMBERS[index]})"  # the 三) of careless CMS editors
    return f"({CN_NUMBERS[index]})"


def _opening(agency: Agency, year: int) -> str:
    if year <= 2020:
        guide = "以习近平新时代中国特色社会主义思想为指导,深入贯彻习近平总书记全面依法治国新理念新思想新战略"
        outline = "全面落实《法治政府建设实施纲要(2015-2020年)》"
    else:
        guide = "以习近平法治思想为指导"
        if year >= 2022:
            guide += ",深入学习贯彻党的二十大精神"
        outline = "全面落实《法治政府建设实施纲要(2021-2025年)》"
    verb = "汇报" if agency.kind == "township" else "报告"
    return (
        f"{year}年,{agency.short}坚持{guide},{outline},在上级党委、政府的坚强领导下,"
        f"坚持把法治政府建设作为全局性、基础性工作来抓,紧紧围绕中心工作,扎实推进依法行政,法治政府建设取得新成效。现将{year}年法治政府建设工作情况{verb}如下:"
    )


def _achievement_item(evo: AgencyEvolution, year: int, index: int, theme_key: str) -> list[str]:
    theme = THEME_BY_KEY[theme_key]
    figures = evo.figures[year]
    heading = theme.headings[1 if year >= evo.heading_switch_year else 0]
    rng = random.Random(f"{evo.agency.key}:{year}:{theme_key}")
    sentences = [s.format(**figures) for s in theme.sentences]
    if theme_key == "enforcement" and evo.agency.kind not in ("township", "government"):
        sentences = sentences[:3]  # only townships and governments pull down illegal buildings
    if rng.random() < 0.3:
        del sentences[rng.randrange(1, len(sentences))]  # not every item is told in full every year
    if theme_key == "publicity":
        sentences.append(YEAR_EVENTS[year])
    sentences += [c.done_text for c in evo.done(year) if c.theme == theme_key]
    body = "".join(sentences)
    marker = _item_marker(evo.agency.outline, index)
    if evo.agency.outline == "yishi":
        return [f"{marker}{heading}。{body}"]
    return [f"{marker}{heading}", body]


def _leadership(evo: AgencyEvolution, year: int) -> str:
    f = evo.figures[year]
    chief = {"government": "政府主要负责人", "township": "党政主要负责人"}.get(
        evo.agency.kind, "局主要负责人"
    )
    return (
        f"{chief}认真履行推进法治建设第一责任人职责,坚持重要工作亲自部署、重大问题亲自过问、"
        f"重点环节亲自协调、重要任务亲自督办。全年主持召开会议专题研究法治政府建设工作{f['study_sessions']}次,"
        f"带头开展会前学法{f['trainings']}次,将法治建设纳入年度工作要点和考核内容,"
        f"年终按要求开展述法,切实把法治政府建设各项任务落到实处。"
        f"同时督促班子成员和所属单位负责人履行法治建设职责,形成一级抓一级、层层抓落实的工作格局。"
    )


def _shortcomings(evo: AgencyEvolution, year: int) -> list[str]:
    keys = evo.shortcomings[year]
    lines = []
    for i, key in enumerate(keys):
        marker = _item_marker(evo.agency.outline, i)
        lines.append(f"{marker}{SHORTCOMINGS[key]}")
    lines.append(SHORTCOMING_CAUSES[year % len(SHORTCOMING_CAUSES)])
    return lines


def _plans(evo: AgencyEvolution, year: int) -> list[str]:
    lines = []
    for i, plan in enumerate(evo.plans(year)):
        lines.append(f"{_item_marker(evo.agency.outline, i)}{plan.wording[year]}")
    return lines


def compose_report(agency_key: str, year: int, evolution: AgencyEvolution | None = None) -> str:
    """The original (as first published) body of an agency's report for ``year``.

    ``evolution`` serves agencies outside ``EVOLUTIONS`` (the opt-in 岭南市 gkmlpt portal).
    """
    evo = evolution or EVOLUTIONS[agency_key]
    agency = evo.agency
    lines = [_opening(agency, year)]
    lines.append(f"一、{year}年推进法治政府建设的主要举措和成效")
    for index, theme in enumerate(THEMES):
        lines += _achievement_item(evo, year, index, theme.key)
    lines.append("二、党政主要负责人履行推进法治建设第一责任人职责情况")
    lines.append(_leadership(evo, year))
    lines.append("三、存在的不足和原因")
    lines += _shortcomings(evo, year)
    plan_heading = (
        f"四、{year + 1}年法治政府建设工作安排" if year % 2 else f"四、{year + 1}年推进法治政府建设的主要安排"
    )
    lines.append(plan_heading)
    lines.append(f"{year + 1}年,{agency.short}将继续深入推进依法行政,重点做好以下工作:")
    lines += _plans(evo, year)
    if agency.other_matters:
        lines.append("五、其他需要报告的事项")
        lines.append(OTHER_MATTERS[year % len(OTHER_MATTERS)])
    return "\n".join(lines)
