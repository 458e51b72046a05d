"""Link discovery rules, on page fragments shaped like the real CMS families' output."""

from crawler.discovery import (
    gkmlpt_api_urls,
    gkmlpt_articles,
    hanweb_list_request,
    hanweb_records,
    is_attachment_url,
    is_listing_link,
    is_report_link,
    pick_report_attachments,
    report_lives_in_attachments,
    trs_page_urls,
)
from extraction.report import Attachment, Report

TRS_LIST = """
<div class="page"><script type="text/javascript">
var currentPage = 0;//所在页从0开始
var prevPage = currentPage-1//上一页
var countPage = 4//共多少页
createPageHTML(4, 0, "index", "html");
</script></div>
"""

HANWEB_COLUMN = """
<div id="4437012"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1234&unitid=4437012&webname=%E4%BA%91%E5%B2%AD&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/3/28/art_1234_5678.html" title="云岭市司法局2023年法治政府建设年度报告" target="_blank">云岭市司法局2023年法治政府建设年度...</a><span>2024-03-28</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/20/art_1234_5601.html" title="云岭市2023年政府信息公开工作年度报告">云岭市2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>]]></record>
</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>var totalRecord = 52;</script></div>
"""


def test_trs_pagination_from_first_page():
    urls = trs_page_urls(TRS_LIST, "http://gov.example/zwgk/fzzfjs/index.html")
    assert urls == [
        "http://gov.example/zwgk/fzzfjs/index_1.html",
        "http://gov.example/zwgk/fzzfjs/index_2.html",
        "http://gov.example/zwgk/fzzfjs/index_3.html",
    ]


def test_trs_pagination_later_pages_announce_nothing():
    later = TRS_LIST.replace("createPageHTML(4, 0,", "createPageHTML(4, 2,")
    assert trs_page_urls(later, "http://gov.example/zwgk/index_2.html") == []


def test_trs_pagination_variant_with_element_id_and_record_count():
    page = "<script>createPageHTML('page_div',3, 0,'index','shtml',42);</script>"
    assert trs_page_urls(page, "http://gov.example/col/") == [
        "http://gov.example/col/index_1.shtml",
        "http://gov.example/col/index_2.shtml",
    ]


def test_single_page_list_has_no_pagination():
    assert trs_page_urls("<script>createPageHTML(1, 0, 'index', 'html');</script>", "http://x/") == []


def test_hanweb_one_post_fetches_the_whole_column():
    request = hanweb_list_request(HANWEB_COLUMN, "http://gov.example/col/col1234/index.html")
    assert request is not None
    assert request.url == (
        "http://gov.example/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=52&perpage=15"
    )
    assert request.formdata["columnid"] == "1234"
    assert request.formdata["unitid"] == "4437012"
    assert "page" not in request.formdata


def test_hanweb_inline_records_keep_the_full_title():
    links = hanweb_records(HANWEB_COLUMN, "http://gov.example/col/col1234/index.html")
    assert links[0] == (
        "http://gov.example/art/2024/3/28/art_1234_5678.html",
        "云岭市司法局2023年法治政府建设年度报告",
    )
    assert is_report_link(links[0][1])
    assert not is_report_link(links[1][1])  # 政府信息公开工作年度报告 is another report


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


def test_trs_pagination_skips_the_function_definition():
    page = (
        "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){"
        "if(_nPageCount == null || _nPageCount<=1){ return; }}</script>"
        '<script>createPageHTML(3, 0, "index", "html");</script>'
    )
    assert trs_page_urls(page, "http://gov.example/fz/index.html") == [
        "http://gov.example/fz/index_1.html",
        "http://gov.example/fz/index_2.html",
    ]


GKMLPT_INDEX = """<script>
var sid = '755';
window._CONFIG = {SID: '755', API: '/lingnan/gkmlpt/api/all/', PAGE_SIZE: 10};
window.CLASSIFY = [{"id": 2171, "name": "法治政府建设", "parent": 0}, {"id": 2172, "name": "工作动态", "parent": 0}];
</script>"""


def test_gkmlpt_index_names_its_api_and_report_category():
    assert gkmlpt_api_urls(GKMLPT_INDEX, "http://gd.example/lingnan/gkmlpt/index") == [
        "http://gd.example/lingnan/gkmlpt/api/all/2171?page=1&sid=755"
    ]
    # no category named like a report column: ask for everything
    plain = "<script>var sid = '2';</script>"
    assert gkmlpt_api_urls(plain, "http://gd.example/gkmlpt/index") == [
        "http://gd.example/gkmlpt/api/all/0?page=1&sid=2"
    ]
    assert gkmlpt_api_urls("<p>no directory here</p>", "http://gd.example/") == []


def test_gkmlpt_api_pages_until_the_last():
    url = "http://gd.example/gkmlpt/api/all/2171?page=1&sid=755"
    payload = {
        "articles": [{"id": 1, "title": "岭南市司法局2024年法治政府建设年度报告", "url": "/gkmlpt/content/0/0/post_1.html"}],
        "total": 21, "page": 1, "pageSize": 10,
    }  # fmt: skip
    links, next_url = gkmlpt_articles(payload, url)
    assert links == [("http://gd.example/gkmlpt/content/0/0/post_1.html", "岭南市司法局2024年法治政府建设年度报告")]
    assert next_url == "http://gd.example/gkmlpt/api/all/2171?page=2&sid=755"
    assert gkmlpt_articles({**payload, "page": 3}, url)[1] is None
    assert gkmlpt_articles({"articles": [], "page": 1, "pageCount": 5}, url) == ([], None)
