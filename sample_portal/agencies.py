"""The fictional portals and agencies of the sample network, as plain data.

Each agency carries the traits that make its reports look like one author wrote them year after
year: how it titles them, which outline markers it uses, its size (figures scale with it), and
whether it adds a 五、其他需要报告的事项 section. Names are invented; none is a real place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Portal:
    """One government website in one CMS style, served under a path prefix."""

    key: str  # path prefix without slashes
    name: str  # site name as shown in the header
    style: str  # "trs" | "hanweb" | "oldsite"
    home_path: str
    region: str
    icp: str
    site_code: str  # 网站标识码
    host_org: str  # 主办单位


@dataclass(frozen=True)
class Agency:
    """An agency that publishes an annual rule-of-law report on one portal."""

    key: str
    name: str  # full name, e.g. 青禾县司法局
    short: str  # how its own reports refer to it, e.g. 县司法局 / 我局
    level: str  # city / county / township / subdistrict / department
    region: str
    portal: str  # Portal.key
    title_pattern: str  # "{name}", "{short}", "{year}", "{cn_year}"
    outline: str  # "standard" | "yishi" | "arabic" | "broken"
    scale: float  # figures scale with the agency's size
    kind: str  # "government" | "township" | "enforcement" | "justice" | "office"
    other_matters: bool = False
    indent: bool = False  # full-width-space paragraph indents in the HTML body


PORTALS: dict[str, Portal] = {
    "qinghe": Portal(
        key="qinghe", name="青禾县人民政府", style="trs", home_path="/qinghe/index.html",
        region="青禾县", icp="青ICP备10001234号-1", site_code="9901000012", host_org="青禾县人民政府办公室",
    ),
    "yunling": Portal(
        key="yunling", name="云岭市人民政府", style="hanweb", home_path="/yunling/index.html",
        region="云岭市", icp="云ICP备05004321号", site_code="9902000001", host_org="云岭市人民政府办公室",
    ),
    "shimen": Portal(
        key="shimen", name="石桥县人民政府信息网", style="oldsite", home_path="/shimen/index.asp",
        region="石桥县", icp="石ICP备08000567号", site_code="9903000045", host_org="石桥县人民政府办公室",
    ),
}  # fmt: skip

AGENCIES: tuple[Agency, ...] = (
    # 青禾县 — TRS portal
    Agency("qh-gov", "青禾县人民政府", "县政府", "county", "青禾县", "qinghe",
           "{name}关于{year}年法治政府建设工作情况的报告", "standard", 3.0, "government", other_matters=True),
    Agency("qh-sfj", "青禾县司法局", "县司法局", "department", "青禾县", "qinghe",
           "{name}{year}年度法治政府建设工作报告", "standard", 1.2, "justice", indent=True),
    Agency("qh-scjg", "青禾县市场监督管理局", "县市场监管局", "department", "青禾县", "qinghe",
           "{name}{year}年度法治政府建设工作总结", "arabic", 1.5, "enforcement"),
    Agency("qh-liuxi", "青禾县柳溪镇人民政府", "柳溪镇", "township", "青禾县", "qinghe",
           "柳溪镇{year}年法治政府建设年度报告", "yishi", 0.6, "township", indent=True),
    Agency("qh-chengguan", "青禾县城关街道办事处", "城关街道", "subdistrict", "青禾县", "qinghe",
           "城关街道{year}年依法行政工作总结", "broken", 0.7, "township"),
    # 云岭市 — Hanweb portal
    Agency("yl-gov", "云岭市人民政府", "市政府", "city", "云岭市", "yunling",
           "云岭市人民政府关于{year}年度法治政府建设情况的报告", "standard", 6.0, "government", other_matters=True),
    Agency("yl-sthj", "云岭市生态环境局", "市生态环境局", "department", "云岭市", "yunling",
           "{name}{year}年法治政府建设年度报告", "arabic", 1.8, "enforcement"),
    Agency("yl-jtys", "云岭市交通运输局", "市交通运输局", "department", "云岭市", "yunling",
           "{name}{year}年度法治政府建设工作报告", "yishi", 1.6, "enforcement"),
    Agency("yl-baisha", "云岭市东川区白沙街道办事处", "白沙街道", "subdistrict", "云岭市", "yunling",
           "白沙街道{year}年度法治政府建设工作情况报告", "standard", 0.8, "township", indent=True),
    # 石桥县 — old table-layout site in GBK
    Agency("sq-gov", "石桥县人民政府", "县政府", "county", "石桥县", "shimen",
           "石桥县人民政府{year}年法治政府建设工作报告", "standard", 2.5, "government"),
    Agency("sq-longquan", "石桥县龙泉镇人民政府", "龙泉镇", "township", "石桥县", "shimen",
           "{cn_year}年度法治政府建设情况报告", "yishi", 0.5, "township"),
    Agency("sq-zrzy", "石桥县自然资源局", "县自然资源局", "department", "石桥县", "shimen",
           "石桥县自然资源局{year}年法治政府建设工作总结", "arabic", 1.0, "enforcement", other_matters=True),
)  # fmt: skip

AGENCY_BY_KEY: dict[str, Agency] = {a.key: a for a in AGENCIES}

REPORT_YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)

_CN_DIGITS = "〇一二三四五六七八九"


def chinese_year(year: int) -> str:
    """2020 → 二〇二〇, as some agencies write the year in titles."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year))


def report_title(agency: Agency, year: int) -> str:
    """The title the agency gives its report for ``year``."""
    return agency.title_pattern.format(
        name=agency.name, short=agency.short, year=year, cn_year=chinese_year(year)
    )
