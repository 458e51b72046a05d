"""Report pages: find the body (known CMS containers first), drop chrome, let trafilatura read it.

trafilatura alone keeps the 索引号 table and QR prompts, so the tree is cleaned before it and the
lines are filtered after it; the metadata the chrome carries is parsed into fields on the way.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from extraction import metadata as meta
from extraction.dates import parse_date
from extraction.markup import parse_fragment, parse_html, prepare_markup
from extraction.patterns import (
    ATTACHMENT_URL,
    CHROME_ID_CLASS,
    CHROME_LINE_RE,
    CONTENT_SELECTORS,
    HANWEB_MARKERS,
    META_LABEL_RE,
    NON_PUBLISHERS,
    ORGANIZATION_END,
    SITE_NAME_HINT,
    TITLE_SEPARATORS,
)

IMAGE_SRC = re.compile(r"\.(jpe?g|png|gif|bmp|tiff?|webp)(?:$|[?#])", re.I)
# A report page whose body has less text than this but shows pictures is a report published as
# pictures of its pages (a scan pasted into the CMS); smaller pictures are icons and QR codes.
PICTURE_PAGE_MAX_CHARS = 300
_IMG_TAG = re.compile(r"<img\b", re.I)
MIN_PICTURE_PIXELS = 300
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
               "section", "article", "blockquote", "dd", "dt", "pre", "center", "hr"}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "select", "input", "textarea",
              "object", "embed", "svg", "nav", "header", "footer", "template")
_WS = re.compile(r"[ \t\r\n\u00a0\u2002-\u200b\ufeff]+")
_LEADING_INDENT = re.compile(r"^[\s\u3000\u00a0]+")
_ASCII = re.compile(r"[\x00-\x7f]+")


@dataclass
class PageParts:
    """What one HTML page gives: title, body lines, metadata fields, attachments, warnings."""

    title: str = ""
    lines: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    site_name: str = ""
    images: list[str] = field(default_factory=list)  # pictures of the pages, when the report is published so
    link_share: float = 0.0  # share of the body's characters inside links: high on list pages
    links: int = 0


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _is_chrome_node(el: lxml_html.HtmlElement) -> bool:
    ident = " ".join(filter(None, (el.get("id"), el.get("class"))))
    return bool(ident) and bool(CHROME_ID_CLASS.search(ident))


def _droppable(el: lxml_html.HtmlElement) -> bool:
    """A chrome-named node goes unless it holds a long run of plain text (a body in a 'print-area')."""
    text = _squash(el.text_content())
    if len(text) < 300:
        return True
    linked = sum(len(_squash(a.text_content())) for a in el.iter("a"))
    return linked > 0.5 * len(text)


def _around_title(tree: lxml_html.HtmlElement, title: str) -> lxml_html.HtmlElement | None:
    """On an unknown template, the smallest block around the page's own heading that holds a body:
    sidebars and menus before the heading stay out."""
    if not title:
        return None
    want = title.replace(" ", "")
    for el in tree.iter("h1", "h2", "h3", "div", "p", "td", "span", "strong", "font"):
        if _squash(el.text_content()).replace(" ", "") != want:
            continue
        node = el.getparent()
        while node is not None and node.tag != "body":
            if len(_squash(node.text_content())) >= len(title) + 200:
                return node
            node = node.getparent()
        return None
    return None


def _hanweb_body(raw: str) -> str | None:
    for start, end in HANWEB_MARKERS:
        i = raw.find(start)
        if i >= 0:
            j = raw.find(end, i + len(start))
            if j > i:
                return raw[i + len(start):j]
    return None


def _content_node(tree: lxml_html.HtmlElement, min_chars: int = 20) -> lxml_html.HtmlElement | None:
    """The body container: the most specific CMS container that matches, then, by content, the
    smallest container inside it that still holds its text (the first match may sit too high and
    carry the title block, share widgets and a disclaimer around the body)."""
    node = None
    for xp in CONTENT_SELECTORS:
        nodes = [n for n in tree.xpath(xp) if len(_squash(n.text_content())) >= min_chars]
        if nodes:
            node = max(nodes, key=lambda n: len(n.text_content()))
            break
    if node is None or min_chars == 0:
        return node
    inner = {id(n): n for xp in CONTENT_SELECTORS for n in node.xpath("." + xp.removeprefix("/")) if n is not node}
    whole = _prose_chars(node)
    for candidate in sorted(inner.values(), key=lambda n: len(n.text_content())):
        if whole and _prose_chars(candidate) >= 0.95 * whole:
            return candidate
    return node


MIN_PARAGRAPH_TEXT = 150  # characters in <p> children for a block to count as the article's


def _unlinked_prose(node: lxml_html.HtmlElement) -> tuple[int, int]:
    """(prose characters, characters of sentences) of the node, lines that are mostly link text (a
    相关链接 list) left out; a sentence line has a comma or a full stop, a table cell mostly not."""
    anchors = {t for t in (_squash(a.text_content()) for a in node.iter("a")) if len(t) > 4}
    prose = sentences = 0
    for line in _block_lines(node):
        if len(line) <= 20 or is_chrome_line(line):
            continue
        linked = sum(len(_ASCII.sub("", t)) for t in anchors if t in line)  # an id before a link is not prose
        if linked > 0.5 * len(_ASCII.sub("", line)):
            continue
        prose += len(line)
        sentences += len(line) if ("，" in line or "。" in line) else 0
    return prose, sentences


def _below_heading(node: lxml_html.HtmlElement, title: str) -> lxml_html.HtmlElement:
    """A matched container that also holds the page's heading sits above the body (a generic
    ``#content`` around the title, its date and source line, the body, a 相关链接 list): the smallest
    block inside it, outside the heading, that keeps nearly all of its sentences and most of its prose."""
    want = title.replace(" ", "") if title else ""
    if not want or want not in _squash(node.text_content()).replace(" ", ""):
        return node
    heading = next((el for el in node.iter() if isinstance(el.tag, str) and el is not node
                    and _squash(el.text_content()).replace(" ", "") == want), None)
    if heading is None:
        return node
    prose, sentences = _unlinked_prose(node)
    if not sentences:
        return node
    above = set(heading.iterancestors())  # held, so each proxy stays the one lxml hands out
    best, current = node, node
    while True:  # down the one child big enough to hold 80% of the prose, if any
        child = next((c for c in current if isinstance(c.tag, str) and c is not heading
                      and len(c.text_content()) >= 0.8 * prose), None)
        if child is None:
            return best
        if child.tag in ("div", "td", "article", "section") and child not in above:
            own_prose, own_sentences = _unlinked_prose(child)
            if own_sentences >= 0.9 * sentences and own_prose >= 0.8 * prose:
                best = child
        current = child


def _paragraph_text(el: lxml_html.HtmlElement) -> tuple[int, int]:
    """(characters, linked characters) of the ``<p>`` children of ``el``."""
    chars = linked = 0
    for child in el:
        if getattr(child, "tag", None) == "p":
            chars += len(_squash(child.text_content()))
            linked += sum(len(_squash(a.text_content())) for a in child.iter("a"))
    return chars, linked


def _paragraph_container(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """On an unknown template, the block whose own paragraphs hold the most text that is not links
    (``<div id="p-detail">`` …), taken with its parent when siblings carry paragraphs too."""
    best, best_chars = None, 0
    for el in tree.iter("div", "td", "article", "section"):
        chars, linked = _paragraph_text(el)
        if chars - linked > best_chars and linked < 0.3 * chars:
            best, best_chars = el, chars - linked
    if best is None or best_chars < MIN_PARAGRAPH_TEXT:
        return None
    parent = best.getparent()
    if parent is not None and parent.tag in ("div", "td", "article", "section"):
        siblings = sum(_paragraph_text(c)[0] for c in parent if c is not best and isinstance(c.tag, str))
        if siblings >= 0.3 * best_chars:
            return parent
    return best


def _smallest_holding_all(node: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """The smallest block inside ``node`` that still holds (nearly) all of its prose: on a table-layout
    page the block around the heading is a layout table, the report one of its cells."""
    whole = _prose_chars(node)
    if not whole:
        return node
    best, best_size = node, len(node.text_content())
    for el in node.iter("td", "div", "article", "section"):
        size = len(el.text_content())
        if el is not node and 0.95 * whole <= size < best_size and _prose_chars(el) >= 0.95 * whole:
            best, best_size = el, size
    return best


def _prose_chars(node: lxml_html.HtmlElement) -> int:
    """Characters of the node's text that are not portal furniture (chrome lines, short labels)."""
    return sum(len(x) for x in _block_lines(node) if len(x) > 20 and not is_chrome_line(x))


def _has_prose(el: lxml_html.HtmlElement) -> bool:
    """Holds a sentence of running text: a metadata header does not (an old site's layout table that
    also holds the 发布时间/来源 line and the report is not a metadata block)."""
    return any(len(line) >= 40 and "。" in line for line in _block_lines(el))


def _metadata_blocks(root: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Smallest tables/lists that hold ≥2 metadata labels and no prose: the 信息公开 header."""
    found = []
    for el in root.iter("table", "ul", "dl", "div", "ol"):
        text = el.text_content()
        if len(text) > 1500 or meta.count_labels(text) < 2 or _has_prose(el):
            continue
        if any(meta.count_labels(c.text_content()) >= 2 and len(c.text_content()) <= 1500
               for c in el.iterdescendants("table", "ul", "dl", "div", "ol")):
            continue
        found.append(el)
    return found


def _drop_widgets(root: lxml_html.HtmlElement) -> None:
    """Scripts, styles, forms, buttons … out. A form that holds the page's prose is kept, unwrapped:
    the 博达 VSB CMS (many county and university sites) puts the article inside
    ``<form name="_newscontent_fromname">``."""
    for el in list(root.iter(*_DROP_TAGS)):
        if el.tag == "form" and not _droppable(el):
            el.drop_tag()
        else:
            _drop(el)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASSES = frozenset({"hide", "hidden", "sr-only", "visually-hidden", "d-none", "none", "yincang"})
REVEALED_BODY_SHARE = 0.5  # a hidden block with this share of the page's prose is the body a script shows
_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
# the elements worth testing with _is_hidden, found by libxml2 rather than by a walk in Python
_MAY_HIDE = etree.XPath(
    f".//*[@hidden or contains({_LOWER.format('@style')}, 'none') or contains({_LOWER.format('@style')}, 'hidden')"
    f" or contains({_LOWER.format('@class')}, 'hid') or contains({_LOWER.format('@class')}, 'none')"
    f" or contains({_LOWER.format('@class')}, 'sr-only') or contains({_LOWER.format('@class')}, 'yincang')]"
)
MIN_REVEALED_BODY = 50  # characters: a shorter hidden block is never the body


def _is_hidden(el: lxml_html.HtmlElement) -> bool:
    """Hidden by an inline style, the ``hidden`` attribute or a class that only hides."""
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return not _HIDDEN_CLASSES.isdisjoint((el.get("class") or "").lower().split())


def _drop_hidden(root: lxml_html.HtmlElement) -> None:
    """Hidden elements out (a share widget's or a print copy's text, a hidden 相关阅读 list), except one
    that holds most of the page's prose: portals put the article in a container that a script shows
    (``display:none`` until the page loads), and then it is the body."""
    hidden = [el for el in _MAY_HIDE(root) if el is not root and _is_hidden(el)]
    whole: int | None = None  # the page's prose, measured only when a hidden block is long enough to matter
    dropped: set[lxml_html.HtmlElement] = set()
    for el in hidden:
        if any(a in dropped for a in el.iterancestors()):
            continue  # already out with its hidden ancestor
        if len(_squash(el.text_content())) >= MIN_REVEALED_BODY:
            whole = _prose_chars(root) if whole is None else whole
            if whole and _prose_chars(el) >= REVEALED_BODY_SHARE * whole:
                continue  # the body itself, revealed by a script
        dropped.add(el)
        _drop(el)


def _drop(el: lxml_html.HtmlElement) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _data_cells(node: lxml_html.HtmlElement) -> set[lxml_html.HtmlElement]:
    """Cells of the data tables under ``node`` (two or more rows of two or more cells), short enough
    to be a cell's text rather than a layout cell holding the page."""
    cells: set[lxml_html.HtmlElement] = set()
    for table in node.iter("table"):
        if table is node:
            continue
        rows = [row.xpath("./td|./th") for row in table.xpath("./tr|./tbody/tr|./thead/tr")]
        if sum(len(cells_) >= 2 for cells_ in rows) >= 2:
            cells.update(c for row in rows for c in row if len(c.text_content()) <= 500)
    return cells


def _block_lines(node: lxml_html.HtmlElement) -> list[str]:
    """Text one block a line, a data table one row a line with its cells whole (paragraphs inside a
    cell stay in the cell); used when trafilatura returns little, drops or moves text."""
    parts: list[str] = []
    whole = _data_cells(node)
    cells_open = 0  # how many whole data cells enclose the current element
    # iterwalk, not recursion: markup may nest 2,000 deep (libxml2's limit with huge_tree)
    for event, el in etree.iterwalk(node, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            mark = " " if cells_open else "\n"
            if tag in _BLOCK_TAGS:
                parts.append(mark)
            if tag in ("td", "th"):
                parts.append(" ")
            if el.text and tag:
                parts.append(el.text)
            if el in whole:
                cells_open += 1
            continue
        if el in whole:
            cells_open -= 1
        if tag in _BLOCK_TAGS:
            parts.append(" " if cells_open else "\n")
        if el is not node and el.tail:
            parts.append(el.tail)
    return [line for line in (_squash(x) for x in "".join(parts).split("\n")) if line]


def _table_row(line: str) -> str | None:
    """trafilatura writes table rows as ``| a | b |``; the text keeps them as ``a b``.

    A cell found outside any ``<table>`` (old portals have them) comes back as ``a |``, one marker short.
    """
    if not (line.startswith("|") or line.endswith("|")):
        return line
    cells = [c.strip() for c in line.strip("|").split("|")]
    if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
        return None
    return " ".join(c for c in cells if c)


MAX_TRAFILATURA_DEPTH = 600  # elements deep; past it trafilatura's recursion and table handling blow up
MAX_TRAFILATURA_TABLE_DEPTH = 12  # tables inside tables: its table handling is quadratic in them


def _too_nested_for_trafilatura(node: lxml_html.HtmlElement) -> bool:
    """Markup nested so deep (a hostile or broken page) that trafilatura would take seconds to minutes
    on a few kilobytes: the page's own block lines are read instead."""
    depth = tables = 0
    for event, el in etree.iterwalk(node, events=("start", "end")):
        step = 1 if event == "start" else -1
        depth += step
        if el.tag == "table":
            tables += step
        if depth > MAX_TRAFILATURA_DEPTH or tables > MAX_TRAFILATURA_TABLE_DEPTH:
            return True
    return False


def _trafilatura_lines(node: lxml_html.HtmlElement) -> list[str]:
    if _too_nested_for_trafilatura(node):
        return []
    if node.tag in ("td", "th"):  # a lone cell re-parsed outside its table loses its leading text
        box = lxml_html.Element("div")
        box.text = node.text
        for child in node:
            box.append(copy.deepcopy(child))
        node = box
    # A tree, not markup: trafilatura's own parser has libxml2's default depth limit.
    doc = lxml_html.Element("html")
    etree.SubElement(etree.SubElement(doc, "body"), "article").append(copy.deepcopy(node))
    text = trafilatura.extract(doc, include_tables=True, include_comments=False, favor_recall=True,
                               deduplicate=False, include_links=False, include_images=False) or ""
    rows = (_table_row(_squash(x)) for x in text.split("\n"))
    return [line for line in rows if line]


def _lost_paragraph(lines: list[str], block: list[str]) -> bool:
    """True when trafilatura dropped a real paragraph the container holds (it trims leading text)."""
    kept = "".join(lines).replace(" ", "")
    return any(len(x) >= 30 and not is_chrome_line(x) and x.replace(" ", "") not in kept for x in block)


def _rejoin(lines: list[str], block: list[str]) -> list[str]:
    """trafilatura breaks a paragraph at inline links (附件：<a>…</a>); join pieces the page kept as one."""
    whole = {x.replace(" ", "") for x in block}
    out: list[str] = []
    for line in lines:
        if out and out[-1].replace(" ", "") not in whole and (out[-1] + line).replace(" ", "") in whole:
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


def _split_merged(lines: list[str], block: list[str]) -> list[str]:
    """trafilatura's fallback sometimes joins a container's paragraphs into one line with spaces;
    split such a line back into the page's own paragraphs."""
    whole = set(block)
    starts: dict[str, list[int]] = {}
    for i, x in enumerate(block):
        starts.setdefault(x, []).append(i)
    out: list[str] = []
    for line in lines:
        if line in whole:
            out.append(line)
            continue
        pieces = None
        # block lines the merged line can start with: its prefixes that end before one of its spaces
        # (a bounded number of dict look-ups, not a scan of every block line)
        cuts = [k for k, ch in enumerate(line[:2000]) if ch == " "][:40]
        candidates = [i for k in cuts for i in starts.get(line[:k], ())]
        for i in candidates:
            j, joined = i + 1, block[i]
            while j < len(block) and line.startswith(joined + " " + block[j]):
                joined += " " + block[j]
                j += 1
                if joined == line:
                    pieces = block[i:j]
                    break
            if pieces:
                break
        out.extend(pieces or [line])
    return out


def _out_of_order(lines: list[str], block: list[str]) -> bool:
    """trafilatura moved text: its lines do not follow the page's order (a data table inside a
    table-layout cell comes out after the paragraphs around it)."""
    page = "".join(block).replace(" ", "")
    at = 0
    misses = 0
    for line in lines:
        squashed = line.replace(" ", "")
        if len(squashed) < 6:
            continue
        found = page.find(squashed[:40], at)
        if found < 0:
            misses += 1  # each miss searches the page from its start: a bounded number of them
            if misses <= 50 and page.find(squashed[:40]) >= 0:
                return True  # present, but earlier than the line before it
            continue
        at = found + 1
    return False


def _useful_chars(lines: list[str]) -> int:
    return sum(len(re.sub(r"\s", "", x)) for x in lines)


def is_chrome_line(line: str) -> bool:
    """A line that is portal furniture, not report text."""
    if CHROME_LINE_RE.match(line):
        return True
    return len(line) <= 80 and bool(META_LABEL_RE.match(line))


def _title_from(tree: lxml_html.HtmlElement, tags: dict[str, str]) -> tuple[str, str]:
    """(title, site name) from ArticleTitle meta, an h1/.title that <title> contains, or <title>."""
    head_title = _squash(tree.findtext(".//title") or "")
    segments = [s for s in TITLE_SEPARATORS.split(head_title) if s.strip()]
    site = tags.get("site_name", "")
    if not site and len(segments) > 1:
        named = [seg for seg in (segments[-1], segments[0]) if SITE_NAME_HINT.search(seg)]
        site = named[0] if named else segments[-1]
    if tags.get("title"):
        return _squash(tags["title"]), site
    candidates = []
    for el in tree.xpath("//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')]"):
        text = _squash(el.text_content())
        if 4 <= len(text) <= 120:
            candidates.append(text)
    inside = [c for c in candidates if c in head_title and not SITE_NAME_HINT.search(c)]
    if inside:
        return max(inside, key=len), site
    if segments:
        body_like = [s for s in segments if not SITE_NAME_HINT.search(s) and s != site]
        return (max(body_like, key=len) if body_like else segments[0]).strip(), site
    if candidates:
        return candidates[0], site
    return "", site


def _attachments(tree: lxml_html.HtmlElement, url: str | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen = set()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or not ATTACHMENT_URL.search(href):
            continue
        full = urljoin(url or "", href)
        if full in seen:
            continue
        seen.add(full)
        name = _squash(a.text_content()) or _squash(a.get("title") or "") or href.rsplit("/", 1)[-1]
        out.append((name, full))
    return out


def _size_attr(value: str | None) -> int:
    digits = re.match(r"\s*(\d+)", value or "")
    return int(digits.group(1)) if digits else 0


def _page_pictures(node: lxml_html.HtmlElement, url: str | None) -> list[str]:
    """The pictures a body consists of, in order, when it has (almost) no text of its own."""
    if len(_squash(node.text_content()).replace(" ", "")) >= PICTURE_PAGE_MAX_CHARS:
        return []
    found: list[str] = []
    for img in node.iter("img"):
        src = (img.get("src") or img.get("data-src") or img.get("original") or "").strip()
        if not src or src.startswith("data:") or not IMAGE_SRC.search(src) or _is_chrome_node(img):
            continue
        width, height = _size_attr(img.get("width")), _size_attr(img.get("height"))
        if (width and width < MIN_PICTURE_PIXELS) or (height and height < MIN_PICTURE_PIXELS):
            continue
        full = urljoin(url or "", src)
        if full not in found:
            found.append(full)
    return found


def report_pictures(raw: str, url: str | None = None) -> list[str]:
    """The page images of a report published as pictures on its page (empty for any other page):
    what a crawler fetches and OCRs as the report's pages. A page without an <img> costs one scan."""
    if not _IMG_TAG.search(raw):
        return []
    return parse_page(raw, url).images


def _settle_fields(parts: PageParts, tags: dict[str, str], inline: dict[str, str]) -> None:
    """Metadata by source: the 信息公开 table first, then meta tags, then inline labels; but the
    page's own 来源 beats a meta tag it extends (meta 浙江, page 来源：浙江监管局), a 来源 that names
    no one (本站原创) counts for nothing, and an office given as 作者 is the publisher of last resort."""
    fields = parts.fields
    for k in ("published", "index_no", "doc_no", "written"):
        if k not in fields and (tags.get(k) or inline.get(k)):
            fields[k] = tags.get(k) or inline[k]
    own = fields.get("publisher")
    if own is None or own in NON_PUBLISHERS:
        tag, page = tags.get("publisher"), inline.get("publisher")
        page = None if page in NON_PUBLISHERS else page
        if tag and page and page != tag and page.startswith(tag):
            own = page
        else:
            own = tag or page
        author = inline.get("author") or ""
        if not own and ORGANIZATION_END.search(author) and len(author) <= 30:
            own = author
    if own and own not in NON_PUBLISHERS:
        fields["publisher"] = own
    else:
        fields.pop("publisher", None)


_LONE_DATE = re.compile(
    r"^\s*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
    r"(?:\s*\d{1,2}(?::\d{2}(?::\d{2})?|时\d{1,2}分(?:\d{1,2}秒)?))?(?:\s+|$)"  # 14:43 or 09时32分
)


def _date_beside_title(tree: lxml_html.HtmlElement, title: str) -> str | None:
    """A date standing alone (no label) in the few elements after the page's heading: "2023-12-01 14:43"."""
    if not title:
        return None
    want = title.replace(" ", "")
    elements = [el for el in tree.iter() if isinstance(el.tag, str)]
    for i, el in enumerate(elements):
        if el.tag in ("title", "meta") or _squash(el.text_content()).replace(" ", "") != want:
            continue
        for after in elements[i + 1:i + 16]:
            own = _squash(" ".join(filter(None, [after.text, *(c.tail or "" for c in after)])))
            m = _LONE_DATE.match(own)
            rest = own[m.end():] if m else ""
            if m and (not rest or META_LABEL_RE.match(rest) or rest.startswith(("点击", "浏览", "阅读"))):
                return m.group(1)  # "2023-12-01 14:43", alone or before the labelled fields
        return None
    return None


def parse_page(raw: str, url: str | None = None) -> PageParts:
    """Split a decoded HTML page into title, clean body lines, metadata fields and attachments.

    In order: parse; read the head (title, attachments); strip scripts, comments and the metadata
    tables (reading them); find the node that holds the body; settle the metadata read outside it;
    the body's pictures and links; its lines.
    """
    parts = PageParts()
    raw, warnings = prepare_markup(raw)
    parts.warnings.extend(warnings)
    try:
        tree, warnings = parse_html(raw)
    except (etree.ParserError, ValueError):
        parts.warnings.append("not parseable as HTML")
        return parts
    parts.warnings.extend(warnings)
    tags = meta.meta_tags(tree)
    parts.title, parts.site_name = _title_from(tree, tags)
    parts.attachments = _attachments(tree, url)
    _strip_page(tree, parts)
    node, known_container, picture_box = _body_node(tree, raw, parts)
    _settle_page_fields(tree, parts, tags)
    if not parts.attachments:  # a cover page's pictures are decoration: its report is the file
        parts.images = _page_pictures(node, url)
        if not parts.images and picture_box is not None:
            parts.images = _page_pictures(picture_box, url)
    _count_links(node, parts)
    parts.lines = _body_lines(node, known_container, parts.title)
    return parts


def _take_metadata_tables(root: lxml_html.HtmlElement, parts: PageParts) -> None:
    """Read each 索引号/发布机构 table into ``parts.fields`` (first value wins), then cut it out."""
    for block in _metadata_blocks(root):
        for k, v in meta.read_table(block).items():
            parts.fields.setdefault(k, v)
        _drop(block)


def _strip_chrome(root: lxml_html.HtmlElement, parts: PageParts) -> None:
    """Scripts, forms, comments, metadata tables and hidden text out of ``root`` (the tables read into
    ``parts`` first): the one cleaning both the whole page and a Hanweb-marked part get."""
    _drop_widgets(root)
    for el in list(root.iter(etree.Comment)):
        _drop(el)
    _take_metadata_tables(root, parts)
    _drop_hidden(root)


def _strip_page(tree: lxml_html.HtmlElement, parts: PageParts) -> None:
    """The page's chrome out (see ``_strip_chrome``); the 标题 row as title when the page has none."""
    _strip_chrome(tree, parts)
    if not parts.title and parts.fields.get("title"):  # the 标题 row is the page's only title
        parts.title = _squash(parts.fields["title"])


def _hanweb_node(raw: str, parts: PageParts) -> lxml_html.HtmlElement | None:
    """The body between Hanweb's ContentStart/ContentEnd marks, cleaned as the page was (it is cut
    from the raw page), its metadata tables read into ``parts``; None without the marks."""
    hanweb = _hanweb_body(raw)
    if hanweb is None:
        return None
    try:
        node = parse_fragment(hanweb)
    except (etree.ParserError, ValueError):
        return None
    if node is None:
        return None
    _strip_chrome(node, parts)
    return node


def _body_node(
    tree: lxml_html.HtmlElement, raw: str, parts: PageParts
) -> tuple[lxml_html.HtmlElement, bool, lxml_html.HtmlElement | None]:
    """The node holding the body, whether it is a known container, and where its pictures are.

    The Hanweb-marked part, else a known CMS container, else the block around the title (or the
    whole ``<body>``). A body of pictures has no text to choose its container by: those are looked
    for in the Hanweb part or a CMS container even when it is empty. The page's widgets (share,
    print, font size) inside the node are dropped.
    """
    node = _hanweb_node(raw, parts)
    picture_box = node if node is not None else _content_node(tree, min_chars=0)
    if node is None or len(_squash(node.text_content())) < 20:
        node = _content_node(tree)
    known_container = node is not None
    if node is not None:
        node = _below_heading(node, parts.title)
    if node is None:
        around = _paragraph_container(tree)  # an unknown template: the block of unlinked paragraphs
        if around is None:
            around = _around_title(tree, parts.title)
        body = tree.find("body")
        if around is not None:
            node = _smallest_holding_all(around)
        else:
            node = body if body is not None else tree
    for el in list(node.iter()):
        if isinstance(el.tag, str) and el is not node and _is_chrome_node(el) and _droppable(el):
            _drop(el)
    return node, known_container, picture_box


def _settle_page_fields(tree: lxml_html.HtmlElement, parts: PageParts, tags: dict[str, str]) -> None:
    """Metadata from meta tags, the tables already read and the inline lines outside the body
    ("发布时间：… 来源：…"), settled into ``parts.fields``; the date beside the title when none said it."""
    inline: dict[str, str] = {}
    shown = None
    for el in tree.iter("div", "p", "span", "td", "li"):
        text = _squash(el.text_content())
        if 0 < len(text) <= 200:
            for k, v in meta.inline_fields(text).items():
                inline.setdefault(k, v)
            shown = shown or meta.shown_publication_date(text)
    if shown and tags.get("published") and parse_date(shown) != parse_date(tags["published"]):
        # a CMS stamps PubDate when it regenerates the page; the 发布日期 the page shows is the date
        tags = {**tags, "published": shown}
    beside = None if shown else _date_beside_title(tree, parts.title)
    if beside and tags.get("published") and parse_date(beside) != parse_date(tags["published"]):
        tags = {**tags, "published": beside}  # likewise a date shown under the heading with no label
    _settle_fields(parts, tags, inline)
    if "published" not in parts.fields and beside:
        parts.fields["published"] = beside


def _count_links(node: lxml_html.HtmlElement, parts: PageParts) -> None:
    """How many links the body holds and what share of its text they are (a list page is mostly links)."""
    body_chars = len(_squash(node.text_content()).replace(" ", ""))
    anchors = [a for a in node.iter("a") if _squash(a.text_content())]
    parts.links = len(anchors)
    if body_chars:
        parts.link_share = sum(len(_squash(a.text_content()).replace(" ", "")) for a in anchors) / body_chars


def _body_lines(node: lxml_html.HtmlElement, known_container: bool, title: str) -> list[str]:
    """The body's paragraphs: trafilatura's, mended from the block walk, or the block walk's where
    trafilatura lost text; chrome lines and a repeated title removed."""
    lines = _trafilatura_lines(node)
    block = _block_lines(node)
    if known_container:
        use_block = _useful_chars(lines) < 0.9 * _useful_chars(block) or _lost_paragraph(lines, block)
    else:  # the whole page: trafilatura's job is to drop boilerplate, so only replace a failure
        use_block = _useful_chars(lines) < 0.3 * _useful_chars(block)
    use_block = use_block or _out_of_order(lines, block)
    if use_block:
        lines = block
    else:
        lines = _split_merged(_rejoin(lines, block), block)
    lines = [_LEADING_INDENT.sub("", x) for x in lines]
    lines = [x for x in lines if not is_chrome_line(x)]
    if title:
        squashed_title = title.replace(" ", "")
        lines = [x for n, x in enumerate(lines) if n >= 3 or x.replace(" ", "") != squashed_title]
    return lines
