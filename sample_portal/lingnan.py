"""The opt-in fourth portal: 岭南市, a Guangdong-style 政府信息公开目录管理平台 (gkmlpt), as data.

Kept apart from ``network.documents()`` on purpose: the portal is served only with ``gkmlpt=True``
and its lists are JSON, so the three-portal network (and every test and crawl built on it) stays
exactly as it was. Its agencies report 2019–2024 through the same report generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sample_portal.agencies import REPORT_YEARS, Agency, Portal, report_title
from sample_portal.document import REPORT_KIND, Document, publication_date
from sample_portal.evolution import AgencyEvolution, evolve
from sample_portal.other_documents import other_documents
from sample_portal.report_text import compose_report

SITE_ID = "755"
PORTAL = Portal(
    key="lingnan", name="岭南市人民政府门户网站", style="gkmlpt", home_path="/lingnan/gkmlpt/index",
    region="岭南市", icp="粤ICP备11002233号", site_code="9904000007", host_org="岭南市人民政府办公室",
)  # fmt: skip

AGENCIES: tuple[Agency, ...] = (
    Agency("ln-gov", "岭南市人民政府", "市政府", "city", "岭南市", "lingnan",
           "岭南市人民政府{year}年法治政府建设年度报告", "standard", 5.0, "government", other_matters=True),
    Agency("ln-sfj", "岭南市司法局", "市司法局", "department", "岭南市", "lingnan",
           "{name}关于{year}年度法治政府建设情况的报告", "yishi", 1.4, "justice"),
    Agency("ln-haibin", "岭南市海滨区人民政府", "海滨区政府", "county", "岭南市", "lingnan",
           "海滨区{year}年法治政府建设工作情况报告", "arabic", 2.2, "government", indent=True),
)  # fmt: skip
EVOLUTIONS: dict[str, AgencyEvolution] = {a.key: evolve(a) for a in AGENCIES}


@dataclass(frozen=True)
class Category:
    """A node of the 目录 tree; the API lists a category's documents (0: all of them)."""

    cat_id: int
    name: str
    columns: tuple[str, ...]  # which document columns it holds


CATEGORIES: tuple[Category, ...] = (
    Category(0, "全部", ("main", "news")),
    Category(2171, "法治政府建设", ("main",)),
    Category(2172, "工作动态", ("news",)),
)
CATEGORY_BY_ID = {c.cat_id: c for c in CATEGORIES}
_ID_BASE, _ID_STEP = 3_210_000, 13


def article_path(doc_id: int) -> str:
    """gkmlpt buckets articles by id: ``content/{id // 10**6}/{id // 10**3}/post_{id}.html``."""
    return f"/lingnan/gkmlpt/content/{doc_id // 1_000_000}/{doc_id // 1000}/post_{doc_id}.html"


@lru_cache(maxsize=1)
def documents() -> tuple[Document, ...]:
    """Every 岭南市 document, whatever its date, oldest first; ids never depend on as_of."""
    by_key = {a.key: a for a in AGENCIES}
    drafts: list[tuple[dt.date, str, dict]] = []
    for agency in AGENCIES:
        for year in REPORT_YEARS:
            published = publication_date(agency.key, year, dt.date(year + 1, 1, 2), 88)
            text = compose_report(agency.key, year, EVOLUTIONS[agency.key])
            drafts.append((published, f"{agency.key}:{year}", {
                "kind": REPORT_KIND, "agency": agency, "year": year, "column": "main",
                "title": report_title(agency, year), "text": text,
            }))  # fmt: skip
    for other in other_documents(AGENCIES):
        drafts.append((other.published, other.key, {
            "kind": other.kind, "agency": by_key[other.agency_key], "year": other.year,
            "column": other.column, "title": other.title, "text": other.text,
        }))  # fmt: skip
    drafts.sort(key=lambda d: (d[0], d[1]))
    out = []
    for n, (published, _key, d) in enumerate(drafts, start=1):
        doc_id = _ID_BASE + n * _ID_STEP
        out.append(Document(
            doc_id=doc_id, portal=PORTAL.key, column=d["column"], kind=d["kind"], agency=d["agency"],
            year=d["year"], title=d["title"], published=published, url_path=article_path(doc_id),
            original_text=d["text"],
        ))  # fmt: skip
    return tuple(out)


def category_documents(cat_id: int, as_of: dt.date) -> list[Document]:
    """A category's documents visible on ``as_of``, newest first, as the API pages them."""
    category = CATEGORY_BY_ID[cat_id]
    docs = [d for d in documents() if d.column in category.columns and d.published <= as_of]
    return sorted(docs, key=lambda d: (d.published, d.doc_id), reverse=True)


def document_by_path(path: str, as_of: dt.date) -> Document | None:
    doc = next((d for d in documents() if d.url_path == path), None)
    return doc if doc is not None and doc.published <= as_of else None
