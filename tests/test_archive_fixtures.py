"""Realistic captures and reports for the archive tests (fictional texts in the corpus' style)."""

from __future__ import annotations

import unicodedata

from archive.capture import Capture
from extraction.report import Attachment, Report, Section

QINGHE_2023 = """2023年，青禾县司法局在县委、县政府的坚强领导下，深入学习贯彻习近平法治思想，全面落实《法治政府建设实施纲要(2021-2025年)》，现将2023年法治政府建设情况报告如下：
一、2023年推进法治政府建设的主要举措和成效
(一)深化行政复议体制改革
1.全年共收到行政复议申请86件，受理79件，审结74件，纠错率12.2%。
2.推进行政复议规范化建设，在全县12个乡镇设立行政复议咨询点。
(二)严格规范公正文明执法
全面推行行政执法“三项制度”，开展执法案卷评查2次，评查案卷156卷。
(三)深入开展普法宣传
落实“谁执法谁普法”普法责任制，开展普法活动213场次，受教育群众3.6万人次。
二、党政主要负责人履行推进法治建设第一责任人职责情况
局党组书记、局长带头学法，主持召开专题会议4次，研究解决法治建设重大问题。
三、存在的不足和原因
一是基层执法人员专业能力有待提高；二是普法形式较为单一。
四、2024年推进法治政府建设的主要安排
(一)持续提升行政复议质效，力争纠错率保持在10%以上。
(二)加强行政执法监督，年内完成执法人员培训不少于3次。"""

ZHISHAN_2022 = """2022年，址山镇党委、政府坚持以习近平新时代中国特色社会主义思想为指导，扎实推进法治政府建设，现将有关情况报告如下：
一、主要工作成效
(一)加强组织领导
镇成立法治建设领导小组，全年召开会议3次，研究部署法治建设工作。
(二)推进依法决策
重大行政决策严格履行公众参与、专家论证、风险评估、合法性审查、集体讨论决定程序，全年审查合同28份。
(三)加强矛盾纠纷化解
全镇调解矛盾纠纷142宗，调解成功率98.6%。
二、存在问题
法治宣传覆盖面不够广，村(居)法律顾问作用发挥不够充分。
三、下一步工作计划
深化“民主法治村(社区)”创建，完善公共法律服务体系，推进普法进村入户。"""


def normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def make_report(
    text: str = QINGHE_2023,
    *,
    agency: str | None = "青禾县司法局",
    year: int | None = 2023,
    url: str | None = "http://127.0.0.1:8000/qinghe/zwgk/fzzfjs/202403/t20240315_1001.html",
    title: str | None = None,
    is_report: bool = True,
    attachments: list[Attachment] | None = None,
) -> Report:
    title = title if title is not None else f"{agency or ''}{year}年法治政府建设年度报告"
    return Report(
        title=title,
        text=text,
        text_normalized=normalized(text),
        url=url,
        publisher=agency,
        agency=agency,
        region=None,
        published=f"{(year or 2023) + 1}-03-15",
        report_year=year,
        is_report=is_report,
        reason="" if is_report else "政府信息公开工作年度报告",
        attachments=attachments or [],
        sections=[Section(marker="一、", title="主要举措和成效", level=1, part="achievements", text=text[:40])],
    )


def page_body(report: Report) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in report.text.splitlines())
    return (
        "<html><head><meta charset='utf-8'><title>" + report.title + "</title></head><body>"
        "<div class='breadcrumb'>您当前的位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>"
        f"<div class='TRS_Editor'>{paragraphs}</div><div class='footer'>网站标识码 1234000001</div>"
        "</body></html>"
    ).encode("utf-8")


def make_capture(
    report: Report | None = None,
    *,
    url: str | None = None,
    fetched_at: str = "2024-04-01T08:00:00Z",
    outcome: str = "ok",
    status: int | None = 200,
    body: bytes | None = None,
    error: str | None = None,
) -> Capture:
    url = url or (report.url if report and report.url else "http://127.0.0.1:8000/qinghe/index.html")
    return Capture(
        url=url,
        fetched_at=fetched_at,
        status=status,
        outcome=outcome,
        body=body if body is not None else (page_body(report) if report else b"<html>?</html>"),
        content_type="text/html; charset=utf-8",
        headers={"ETag": '"65f3a1-2c1"', "Last-Modified": "Fri, 15 Mar 2024 02:00:00 GMT", "Server": "nginx"},
        portal="http://127.0.0.1:8000/qinghe/index.html",
        error=error,
    )
