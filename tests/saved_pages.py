"""Saved responses: pages of the sample portal as it stood on ``AS_OF``, kept in tests/files/.

Spider and family tests read them as Scrapy responses (city-scrapers style: a saved page in, the
requests and items a parse method yields out), so they run in milliseconds with no server or crawl.
``tests/test_saved_pages.py`` checks each file is still what the portal renders; after a template
change, save them again: ``.venv/bin/python tests/saved_pages.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, too

from crawler.items import CaptureItem  # noqa: E402
from crawler.spiders.base import ReportSpiderBase  # noqa: E402
from crawler.spiders.reports import FAMILY_SPIDERS, ReportsSpider  # noqa: E402
from sample_portal.pages import Page, render  # noqa: E402

FILES = Path(__file__).with_name("files")
AS_OF = dt.date(2025, 7, 1)
BASE = "http://127.0.0.1:8000"  # where `fazhi portal --port 8000` serves them

HANWEB_PROXY_FORM = {
    "appid": "1", "webid": "12", "path": "/yunling/", "columnid": "1234", "unitid": "4561",
    "webname": "云岭市人民政府", "permissiontype": "0",
}  # fmt: skip


@dataclass(frozen=True)
class SavedPage:
    name: str  # the file under tests/files/
    path: str
    query: str = ""
    content_type: str = "text/html; charset=utf-8"
    render_options: dict[str, bool] = field(default_factory=dict)  # gkmlpt=True, multipage=True
    formdata: dict[str, str] | None = None  # a POST: its form fields join the query

    @property
    def url(self) -> str:
        return BASE + self.path + (f"?{self.query}" if self.query else "")

    def render(self) -> Page | None:
        query = "&".join(q for q in (self.query, urlencode(self.formdata or {})) if q)
        return render(self.path, query, AS_OF, base_url=BASE, **self.render_options)


_PAGES = (
    # TRS WCM (青禾县)
    SavedPage("trs_home.html", "/qinghe/index.html"),
    SavedPage("trs_list.html", "/qinghe/zwgk/fzzfjs/index.html"),
    SavedPage("trs_list_1.html", "/qinghe/zwgk/fzzfjs/index_1.html"),
    SavedPage("trs_report.html", "/qinghe/zwgk/fzzfjs/202303/t20230324_4821392.html"),
    SavedPage("trs_cover.html", "/qinghe/zwgk/fzzfjs/202202/t20220207_4821252.html"),
    SavedPage("trs_news.html", "/qinghe/xwdt/202310/t20231005_4821420.html"),
    SavedPage(
        "trs_split.html",
        "/qinghe/zwgk/fzzfjs/202403/t20240310_4821490.html",
        render_options={"multipage": True},
    ),
    SavedPage(
        "trs_split_1.html",
        "/qinghe/zwgk/fzzfjs/202403/t20240310_4821490_1.html",
        render_options={"multipage": True},
    ),
    SavedPage("trs_sitemap.xml", "/qinghe/sitemap.xml", content_type="text/xml; charset=utf-8"),
    # Hanweb/大汉 (云岭市)
    SavedPage("hanweb_column.html", "/yunling/col/col1234/index.html"),
    SavedPage(
        "hanweb_dataproxy.xml",
        "/yunling/module/web/jpage/dataproxy.jsp",
        "startrecord=1&endrecord=54&perpage=15",
        content_type="text/xml; charset=utf-8",
        formdata=HANWEB_PROXY_FORM,
    ),
    # gkmlpt (岭南市)
    SavedPage("gkmlpt_index.html", "/lingnan/gkmlpt/index", render_options={"gkmlpt": True}),
    SavedPage(
        "gkmlpt_api_1.json",
        "/lingnan/gkmlpt/api/all/2171",
        "page=1&sid=755",
        content_type="application/json;charset=UTF-8",
        render_options={"gkmlpt": True},
    ),
    SavedPage(
        "gkmlpt_api_5.json",
        "/lingnan/gkmlpt/api/all/2171",
        "page=5&sid=755",
        content_type="application/json;charset=UTF-8",
        render_options={"gkmlpt": True},
    ),
    # the old GBK table-layout site (石桥县): plain 下一页 lists
    SavedPage(
        "oldsite_list.html", "/shimen/list.asp", "classid=12&page=1", content_type="text/html; charset=gb2312"
    ),
    SavedPage(
        "oldsite_list_4.html",
        "/shimen/list.asp",
        "classid=12&page=4",
        content_type="text/html; charset=gb2312",
    ),
)
SAVED: dict[str, SavedPage] = {p.name: p for p in _PAGES}


def saved_response(name: str, status: int = 200, url: str | None = None, **meta: Any) -> Response:
    """The saved page ``name`` as the response to a request for it (or for ``url``) carrying ``meta``."""
    page = SAVED[name]
    url = url or page.url
    headers = {"Content-Type": page.content_type}
    body = (FILES / name).read_bytes()
    if page.formdata is not None:
        request: Request = Request(url, method="POST", body=urlencode(page.formdata), meta=meta)
    else:
        request = Request(url, meta=meta)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request)


def spider(
    name: str = "reports", start: str = BASE + "/", settings: dict[str, Any] | None = None, **arguments: str
) -> ReportSpiderBase:
    """A spider of that name, made as ``scrapy crawl NAME -a start=START`` makes it, not crawling."""
    cls = ReportsSpider if name == ReportsSpider.name else FAMILY_SPIDERS[name]
    return cls.from_crawler(get_crawler(cls, settings), start=start, **arguments)


def requests_to(yielded: list[Any], callback: str) -> list[Request]:
    """The requests among a parse method's output whose callback is the spider method ``callback``."""
    return [
        r for r in yielded if isinstance(r, Request) and getattr(r.callback, "__name__", None) == callback
    ]


def captures(yielded: list[Any]) -> list[CaptureItem]:
    return [i for i in yielded if isinstance(i, CaptureItem)]


def save_all() -> None:
    FILES.mkdir(exist_ok=True)
    for page in _PAGES:
        rendered = page.render()
        assert rendered is not None and rendered.content_type == page.content_type, page
        (FILES / page.name).write_bytes(rendered.body)
        print(f"{page.name}: {len(rendered.body)} bytes from {page.url}")


if __name__ == "__main__":
    save_all()
