"""Which level of government an agency is, read from its Chinese name.

The report site groups and compares agencies by level (a township's report is not comparable with a
province's), and portals never say the level outright, so it is inferred from the name's suffixes.
"""

from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "district", "township", "subdistrict", "department")

# A working body inside a government rather than a government itself.
_DEPARTMENT_SUFFIXES = ("局", "委员会", "委", "办公室", "厅", "中心", "署", "管理处", "大队", "支队")
_GOVERNMENT_SUFFIXES = ("人民政府", "政府", "办事处", "公所")
# The last administrative unit in the name decides the level; the longer suffixes first.
_UNIT_LEVELS = (
    ("特别行政区", "province"),
    ("自治区", "province"),
    ("街道", "subdistrict"),
    ("自治州", "city"),
    ("自治县", "county"),
    ("省", "province"),
    ("镇", "township"),
    ("乡", "township"),
    ("区", "district"),
    ("县", "county"),
    ("旗", "county"),
    ("市", "city"),
    ("州", "city"),
    ("盟", "city"),
)
# Place names have at least two characters, which keeps 市场监督管理局 / 城市管理局 out of the region.
_REGION = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,12}?(?:特别行政区|自治区|自治州|自治县|省|市|州|盟|县|旗|区|街道|镇|乡))+"
)


def _strip_government(name: str) -> str:
    for suffix in _GOVERNMENT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def infer_level(name: str | None) -> str | None:
    """province / city / county / district / township / subdistrict / department, or None if unclear."""
    name = (name or "").strip()
    if not name or name == "未知":
        return None
    if not name.endswith(_GOVERNMENT_SUFFIXES) and name.endswith(_DEPARTMENT_SUFFIXES):
        return "department"
    unit = _strip_government(name)
    for suffix, level in _UNIT_LEVELS:
        if unit.endswith(suffix):
            return level
    if name.endswith(("人民政府办公室", "政府办公室")):
        return "department"
    return None


def infer_region(name: str | None) -> str | None:
    """The administrative-unit prefix of the name (青禾县司法局 → 青禾县), or None."""
    name = (name or "").strip()
    match = _REGION.match(name)
    if not match:
        return None
    return match.group(0)
