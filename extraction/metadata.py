"""The 政府信息公开 metadata (索引号, 发布机构, 成文日期 …) and meta tags, read from a page tree."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from extraction.dates import DATE_RE, parse_date
from extraction.patterns import ALL_META_LABELS, META_LABELS, NON_PUBLISHERS, spaced

_LEAF_TAGS = {"td", "th", "li", "dt", "dd", "p", "span", "div", "em", "strong", "b", "label", "font", "i"}
_LABEL_TO_FIELD: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^[\s\u3000]*" + spaced(label) + r"[\s\u3000]*(?:[:：]|$)"), fld)
    for fld, labels in META_LABELS.items()
    for label in sorted(labels, key=len, reverse=True)
]
_LABEL_TO_FIELD.sort(key=lambda pair: len(pair[0].pattern), reverse=True)
# "label: value" pairs inside one run of text ("发布时间：2023-03-30  来源：区司法局"); a value ends
# where any other label begins, so an empty value never swallows the next label ("索引号： 主题分类：…").
_ANY_LABEL = "|".join(spaced(label) for label in ALL_META_LABELS)
_INLINE_PAIR = re.compile(
    r"(" + _ANY_LABEL + r")[\s\u3000]*[:：][\s\u3000]*"
    r"(.*?)(?=[\s\u3000]*(?:" + _ANY_LABEL + r")[\s\u3000]*[:：]|[\s\u3000]+[\u4e00-\u9fff]{2,6}[\s\u3000]*[:：]"
    r"|[\s\u3000]*[【\[]|$)"
)
META_TAG_FIELDS: dict[str, str] = {
    "articletitle": "title",
    "pubdate": "published",
    "firstpublishedtime": "published",
    "contentsource": "publisher",
    "source": "publisher",
    "sitename": "site_name",
    "columnname": "column",
}


def field_for_label(text: str) -> tuple[str, str] | None:
    """``(field, value-after-label)`` when ``text`` starts with a metadata label."""
    for pattern, fld in _LABEL_TO_FIELD:
        m = pattern.match(text)
        if m:
            return fld, text[m.end():].strip(" \u3000:：")
    return None


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Fields from <meta name=ArticleTitle/PubDate/ContentSource/SiteName …>."""
    out: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        fld = META_TAG_FIELDS.get(name)
        if fld and content and fld not in out:
            out[fld] = content
    return out


def _cells(node: lxml_html.HtmlElement) -> list[str]:
    """Texts of the innermost labelled cells under ``node``, in order."""
    cells: list[str] = []
    for el in node.iter():
        if not isinstance(el.tag, str) or el.tag not in _LEAF_TAGS:
            continue
        if any(isinstance(c.tag, str) and c.tag in _LEAF_TAGS for c in el.iterdescendants()):
            # a container: keep only its own direct text if it has any
            own = (el.text or "").strip()
            if own:
                cells.append(own)
            continue
        text = " ".join(el.text_content().split())
        if text:
            cells.append(text)
    return cells


_SOME_LABEL = re.compile(r"^[\s\u3000]*[\u4e00-\u9fff]{2,6}[\s\u3000]*[:：]")


def _looks_labelled(cell: str) -> bool:
    """A cell that starts with a label, known or not ("访问量：318"): the next field, never a value."""
    return field_for_label(cell) is not None or bool(_SOME_LABEL.match(cell))


def _row_texts(node: lxml_html.HtmlElement) -> list[list[str]]:
    return [[" ".join(c.text_content().split()) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
            for tr in node.iter("tr")]


def _column_fields(node: lxml_html.HtmlElement) -> dict[str, str]:
    """Fields of a table that puts its labels in a header row over a row of values (索取号 | 发布时间 |
    发布机构 over 076478684Q/… | | 上海市…): each value is its column's; an empty cell stays empty."""
    fields: dict[str, str] = {}
    rows = _row_texts(node)
    for head, values in zip(rows, rows[1:], strict=False):
        hits = [field_for_label(h) for h in head]
        known = [h for h in hits if h is not None and not h[1]]
        if (len(known) < 2 or len(values) != len(head) or any(not h or len(h) > 8 for h in head)
                or any(_looks_labelled(v) for v in values if v)):
            continue
        for hit, value in zip(hits, values, strict=True):
            if hit is not None and not hit[1] and value and hit[0] != "other":
                fields.setdefault(hit[0], value)
    return fields


def read_table(node: lxml_html.HtmlElement) -> dict[str, str]:
    """Metadata fields of one 信息公开 table / list: label and value in one cell, in neighbours, or
    in a header row over a row of values."""
    fields = _column_fields(node)
    if fields:
        return fields
    cells = _cells(node)
    i = 0
    while i < len(cells):
        pairs = inline_fields(cells[i])
        if len(pairs) >= 2:
            for k, v in pairs.items():
                fields.setdefault(k, v)
            i += 1
            continue
        hit = field_for_label(cells[i])
        if hit:
            fld, value = hit
            if not value and i + 1 < len(cells) and not _looks_labelled(cells[i + 1]):
                value = cells[i + 1]
                i += 1
            if value and fld != "other":
                fields.setdefault(fld, value)
        i += 1
    if not fields:  # labels run together in one text ("发布时间：… 来源：…")
        fields = inline_fields(" ".join(cells))
    return fields


# What follows a 来源 on its line without a label of its own: the publish date and time
# ("来源：宣教中心 2022-11-14 14:59:48"), the hit counter or the font-size switch ("字号 大中小").
_AFTER_PUBLISHER = re.compile(
    r"[\s\u3000]+(?:(?=(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
    r"|(?:字号|字体|浏览|点击|阅读|访问|打印|分享|收藏|关闭)"
    r"|[大中小](?:[\s\u3000]*[大中小]){2})"
)


def split_publisher(value: str) -> tuple[str, str | None]:
    """A 来源 value cut to the organisation, and the date written after it on the same line (or None):
    ``宣教中心 2022-11-14 14:59:48 浏览次数 …`` → (``宣教中心``, ``2022-11-14 14:59:48``)."""
    m = _AFTER_PUBLISHER.search(value)
    if m is None:
        return value.strip(), None
    rest = value[m.end():]
    date = DATE_RE.match(rest)
    when = None
    if date:
        clock = re.match(r"\s*\d{1,2}:\d{2}(?::\d{2})?", rest[date.end():])
        when = (date.group(0) + (clock.group(0) if clock else "")).strip()
    return value[:m.start()].strip(), when


def inline_fields(text: str) -> dict[str, str]:
    """Fields from a line like ``发布时间：2023-03-30  来源：区司法局``; a date after the 来源 with no
    label of its own is the publish date."""
    fields: dict[str, str] = {}
    dates: list[str] = []
    for m in _INLINE_PAIR.finditer(" ".join(text.split())):
        hit = field_for_label(m.group(1) + "：")
        value = m.group(2).strip()
        if hit and hit[0] == "publisher":
            value, when = split_publisher(value)
            dates += [when] if when else []
        if hit and value:
            fields.setdefault("author" if m.group(1).replace(" ", "") == "作者" else hit[0], value)
    fields.pop("other", None)
    if dates and "published" not in fields:
        fields["published"] = dates[0]
    return fields


SHOWN_DATE_LABELS = ("发布日期", "发布时间")  # what a reader is told the page was published on


def shown_publication_date(text: str) -> str | None:
    """The date after a 发布日期/发布时间 label in a line of the page, as written (None without one)."""
    for m in _INLINE_PAIR.finditer(" ".join(text.split())):
        if re.sub(r"[\s\u3000]+", "", m.group(1)) in SHOWN_DATE_LABELS and parse_date(m.group(2)):
            return m.group(2).strip()
    return None


def count_labels(text: str) -> int:
    """How many distinct metadata labels ``text`` contains: ≥2 marks a metadata block."""
    squashed = re.sub(r"[\s\u3000]+", "", text)
    labels = {lab for labs in META_LABELS.values() for lab in labs if len(lab) >= 3 or lab in ("文号",)}
    found = {lab for lab in labels if lab in squashed}
    # count 索引号 and 信息索引号 once
    return len({lab.replace("信息索引号", "索引号") for lab in found})


def clean_value(fld: str, value: str) -> str | None:
    """Dates to ISO; other values trimmed of filler."""
    value = value.strip(" \u3000:：|")
    if fld in ("written", "published"):
        return parse_date(value)
    if not value or value in ("无", "-", "/", "暂无", "—"):
        return None
    if fld == "publisher":
        value = split_publisher(value)[0]
        if not value or value in NON_PUBLISHERS:
            return None
    return value[:120]
