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


def region_from(agency: str | None) -> str | None:
    """The place part of an agency name (重庆市铜梁区双山镇人民政府 → 重庆市铜梁区双山镇)."""
    if not agency:
        return None
    name = re.sub(r"(人民政府办公室|人民政府|政府办公室|办事处|人民政府.*)$", "", agency)
    m = _REGION.match(name)
    if not m:
        return None
    region = m.group(1)
    # extend over further place levels (省…市…区…镇)
    while True:
        nxt = _REGION.match(name[len(region):])
        if not nxt or not nxt.group(1):
            break
        region += nxt.group(1)
    return region or None
