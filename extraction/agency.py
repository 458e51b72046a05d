"""The issuing agency and its region, as the title or publisher names them."""

from __future__ import annotations

import re

_AGENCY = re.compile(
    r"^(?:关于)?(.{1,40}?(?:人民政府办公室|人民政府|政府办公室|办事处|委员会|管理委员会|管委会|"
    r"局|厅|委|办|院|中心|街道|镇|乡|政府|县|区|市|旗|州))(?=(?:19|20)\d{2}|二|关于|法治|依法|年度|$)"
)
_REGION = re.compile(r"^(.{1,30}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|自治县|旗|镇|乡|街道))")
_GOVERNMENT = re.compile(r"政府|局|委|办|厅|院|镇|乡|街道|中心|司法|公安|部$")
_GENERIC = {"我镇", "我区", "我市", "我县", "本局", "我局", "我乡", "政府", "人民政府"}


def agency_from(title: str, publisher: str | None = None) -> str | None:
    """The agency named at the start of the title, else the publisher."""
    m = _AGENCY.match(re.sub(r"\s+", "", title or ""))
    if m and m.group(1) not in _GENERIC and not re.match(r"^(?:19|20)\d{2}", m.group(1)):
        named = m.group(1)
        # the publisher often spells the same agency out in full (白沙镇 → 白沙镇人民政府,
        # 柳溪镇 → 青禾县柳溪镇人民政府)
        # but not a sub-office of it (东江区人民政府 ≠ 东江区人民政府办公室)
        if publisher and len(publisher) <= 40 and re.search(
            re.escape(named) + r"(?:人民政府|政府|办事处|街道办事处)?$", publisher
        ):
            return publisher
        return named
    if publisher and 2 <= len(publisher) <= 40 and _GOVERNMENT.search(publisher):
        return publisher
    return None


MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_COUNTY_LEVEL = re.compile(r"(?:市|县|区|旗|盟|州|地区)$")


def region_from(agency: str | None) -> str | None:
    """The county- or city-level jurisdiction an agency belongs to: townships and streets belong to
    their county (石桥县龙泉镇人民政府 → 石桥县, 云岭市东川区白沙街道办事处 → 云岭市, 重庆市铜梁区双山镇 →
    重庆市铜梁区); a bare 址山镇 stays itself."""
    if not agency:
        return None
    name = re.sub(r"(人民政府办公室|人民政府|政府办公室|街道办事处|办事处|人民政府.*)$", "", agency)
    segments: list[str] = []
    rest = name
    while (m := _REGION.match(rest)) and m.group(1):
        segments.append(m.group(1))
        rest = rest[len(m.group(1)):]
    if not segments:
        return None
    region = ""
    for n, seg in enumerate(segments):
        region += seg
        if seg.endswith(("省", "自治区")):
            continue
        if _COUNTY_LEVEL.search(seg):
            if region in MUNICIPALITIES and n + 1 < len(segments) and _COUNTY_LEVEL.search(segments[n + 1]):
                continue
            return region
    return region
