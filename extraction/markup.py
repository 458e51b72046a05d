"""Raw markup made safe to parse: no control characters, no megabyte attributes, no depth cut-off.

Everything here is linear in the page size (plain scans, no backtracking regex over raw markup): a
hostile page must not cost more than an ordinary page of its size.

- Inline ``data:`` images and other huge attribute values (a 1 MB base64 picture) are removed
  before the page is cut to ``MAX_HTML_CHARS``, so they cannot push the text out.
- ``<script>``/``<style>`` bodies go too: the text never uses them and they can be large.
- libxml2 stops reading at nesting depth 256 (2048 with ``huge_tree``) and says so only in its error
  log: Word-pasted HTML with one unclosed ``<font>`` per paragraph loses every paragraph past that.
  ``parse_html`` reads with ``huge_tree`` and, when the log shows the cut, unwraps the inline
  formatting tags that build the depth and reads again.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from extraction.limits import MAX_ATTRIBUTE_CHARS, MAX_HTML_CHARS

# C0 controls except tab and newline, DEL, C1 controls (ESC included): never text, and unsafe in
# terminals, logs and spreadsheets.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG_START = re.compile(r"<(?:!--|[A-Za-z])")
_IN_TAG = re.compile(r">|=[ \t\r\n]*")
_SCRIPT_OPEN = re.compile(r"<(script|style)\b", re.I)
_SCRIPT_CLOSE = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}
# Tags that carry only formatting; unwrapped when they nest too deep to parse.
INLINE_TAGS = ("font", "span", "o:p", "b", "i", "u", "strong", "em", "small", "big", "st1", "ins", "del")
_INLINE_TAG = re.compile(r"</?(?:" + "|".join(re.escape(t) for t in INLINE_TAGS) + r")\b[^<>]{0,2000}>", re.I)
_UNQUOTED_END = re.compile(r"[\s>]")


def remove_controls(text: str) -> str:
    """``text`` without control characters (newline and tab kept; a CR of CRLF dropped)."""
    return CONTROL_CHARS.sub("", text)


def drop_huge_attributes(raw: str, limit: int = MAX_ATTRIBUTE_CHARS) -> tuple[str, int]:
    """``raw`` with every attribute value longer than ``limit`` emptied; and how many characters went.

    Reads start tags as the HTML tokenizer does (a value starts after ``=``, quoted or not; comments
    skipped), so text between tags is never touched.
    """
    out: list[str] = []
    pos = scan = removed = 0
    size = len(raw)
    while (m := _TAG_START.search(raw, scan)) is not None:
        if m.group() == "<!--":
            end = raw.find("-->", m.end())
            if end < 0:
                break
            scan = end + 3
            continue
        scan = m.end()
        while scan < size:
            t = _IN_TAG.search(raw, scan)
            if t is None:
                scan = size
            elif t.group() == ">":
                scan = t.end()
                break
            elif (start := t.end()) < size and raw[start] in "\"'":
                end = raw.find(raw[start], start + 1)
                end = size if end < 0 else end
                if end - start - 1 > limit:
                    out.append(raw[pos:start + 1])
                    removed += end - start - 1
                    pos = end
                scan = end + 1
            else:
                stop = _UNQUOTED_END.search(raw, start)
                end = stop.start() if stop else size
                if end - start > limit:
                    out.append(raw[pos:start])
                    removed += end - start
                    pos = end
                scan = end
    out.append(raw[pos:])
    return "".join(out), removed


def drop_scripts(raw: str) -> str:
    """``raw`` with the bodies of ``<script>`` and ``<style>`` elements removed (the tags stay)."""
    out: list[str] = []
    pos = 0
    while (m := _SCRIPT_OPEN.search(raw, pos)) is not None:
        tag_end = raw.find(">", m.end())
        if tag_end < 0:
            break
        close = _SCRIPT_CLOSE[m.group(1).lower()].search(raw, tag_end + 1)
        if close is None:
            break
        out.append(raw[pos:tag_end + 1])
        pos = close.start()
        out.append(raw[pos:close.end()])
        pos = close.end()
    out.append(raw[pos:])
    return "".join(out)


def prepare_markup(raw: str) -> tuple[str, list[str]]:
    """Markup ready for ``parse_html``, and warnings; the cut to ``MAX_HTML_CHARS`` comes last."""
    warnings: list[str] = []
    raw = remove_controls(raw)
    if len(raw) > MAX_ATTRIBUTE_CHARS:
        raw, _removed = drop_huge_attributes(raw)
        raw = drop_scripts(raw)
    if len(raw) > MAX_HTML_CHARS:
        warnings.append(f"truncated: page cut at {MAX_HTML_CHARS:,} characters of markup "
                        f"(of {len(raw):,} without inline images and scripts)")
        raw = raw[:MAX_HTML_CHARS]
    return raw, warnings


def _too_deep(parser: etree.HTMLParser) -> bool:
    return any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "Excessive depth" in e.message
               for e in parser.error_log)


def parse_html(raw: str) -> tuple[lxml_html.HtmlElement, list[str]]:
    """The page's tree, read whole however deep its markup nests; warnings when it could not be."""
    parser = lxml_html.HTMLParser(huge_tree=True)
    tree = lxml_html.document_fromstring(raw, parser=parser)
    if not _too_deep(parser):
        return tree, []
    parser = lxml_html.HTMLParser(huge_tree=True)
    tree = lxml_html.document_fromstring(_INLINE_TAG.sub("", raw), parser=parser)
    if not _too_deep(parser):
        return tree, []
    return tree, ["truncated: markup nests deeper than the HTML parser reads; text past that point is lost"]


def parse_fragment(raw: str) -> lxml_html.HtmlElement:
    """A fragment of a page (a Hanweb body between its markers) in a ``<div>``, read with ``huge_tree``."""
    parser = lxml_html.HTMLParser(huge_tree=True)
    node = lxml_html.fragment_fromstring(raw, create_parent="div", parser=parser)
    if _too_deep(parser):
        node = lxml_html.fragment_fromstring(_INLINE_TAG.sub("", raw), create_parent="div",
                                             parser=lxml_html.HTMLParser(huge_tree=True))
    return node
