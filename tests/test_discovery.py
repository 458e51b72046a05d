"""Link discovery rules every CMS family shares (each family's own: tests/test_family_*.py)."""

from crawler.discovery import (
    is_attachment_url,
    is_listing_link,
    pick_report_attachments,
    report_lives_in_attachments,
)
from extraction.report import Attachment, Report


def test_listing_links_are_narrow():
    assert is_listing_link("法治政府建设")
    assert is_listing_link("下一页")
    assert is_listing_link(" 3 ")
    assert not is_listing_link("首页")
    assert not is_listing_link("政务服务")
    assert not is_listing_link("")


def test_attachment_urls():
    assert is_attachment_url("http://x/uploadfiles/2024/03/report.PDF")
    assert is_attachment_url("http://x/download.jsp?id=9", "2023年法治政府建设年度报告.docx")
    assert not is_attachment_url("http://x/art/2024/3/28/art_1_2.html", "附件下载说明")


def test_pick_report_attachments_prefers_a_report_title():
    files = [
        ("http://x/a1.xls", "附件1:案件统计表.xls"),
        ("http://x/a2.pdf", "青禾县2023年法治政府建设年度报告.pdf"),
    ]
    assert pick_report_attachments(files) == [files[1]]
    assert pick_report_attachments(files[:1]) == files[:1]
    assert pick_report_attachments([]) == []


def test_cover_page_detection():
    cover = Report(text="详见附件。", attachments=[Attachment(name="报告.pdf", url="http://x/r.pdf")])
    full = Report(text="一、主要举措和成效\n" + "严格规范公正文明执法。" * 40, attachments=cover.attachments)
    assert report_lives_in_attachments(cover)
    assert not report_lives_in_attachments(full)
    assert not report_lives_in_attachments(Report(text="详见附件。"))
