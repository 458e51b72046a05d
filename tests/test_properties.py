"""Property tests: arbitrary pages and texts through extraction and diffing.

Scraped pages are untrusted and endlessly varied; these check what must hold for any input, not for
the pages we happened to look at: nothing crashes, extraction never invents text, a text compared with
itself has no changes, and diff output escapes whatever the page said.
"""

from __future__ import annotations

import html
import json

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffing.textdiff import diff_texts
from diffing.yoy import compare_years
from extraction import extract_report
from report.render import render_html

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words of the field plus the characters that trip parsers: markup, entities, full-width space, controls.
WORDS = ["法治政府", "建设", "年度报告", "依法行政", "行政复议", "2023年", "一、", "（二）", "推进", "完善", "制度",
         "。", "，", "；", "：", "　", " ", "&", "<", ">", "\"", "'", "\t", "%", "12.5%", "件", "abc"]  # fmt: skip
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map("".join)
report_text = st.lists(sentence, min_size=0, max_size=12).map("\n".join)
any_text = st.one_of(report_text, st.text(max_size=400))

CHROME = ["您当前的位置：首页 > 政务公开", "扫一扫在手机打开当前页", "【字体：大 中 小】", "打印本页 关闭窗口",
          "上一篇：关于印发通知", "网站标识码：1234000001", "主办单位：某县人民政府办公室"]  # fmt: skip


@st.composite
def report_pages(draw: st.DrawFn) -> str:
    """A government article page: chrome around a body of escaped paragraphs, sometimes nested oddly."""
    title = html.escape(draw(sentence))
    paragraphs = draw(st.lists(sentence, min_size=0, max_size=10))
    tag = draw(st.sampled_from(["p", "div", "span", "table"]))
    if tag == "table":  # data tables are common in these reports (case counts by year)
        body = (
            "<table>"
            + "".join(f"<tr><td>{html.escape(p)}</td><td>{i}</td></tr>" for i, p in enumerate(paragraphs))
            + "</table>"
        )
    else:
        body = "".join(f"<{tag}>{html.escape(p)}</{tag}>" for p in paragraphs)
    chrome = "".join(f"<div class='c'>{c}</div>" for c in draw(st.lists(st.sampled_from(CHROME), max_size=4)))
    container = draw(
        st.sampled_from(
            ["<div class='TRS_Editor'>{}</div>", "<div id='zoom'>{}</div>", "<article>{}</article>", "{}"]
        )
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title><script>var x = '<p>不可见</p>';</script>"
        f"<style>p {{color: red}}</style></head><body>{chrome}<h1>{title}</h1>{container.format(body)}{chrome}</body></html>"
    )


def squash(text: str) -> str:
    return "".join(text.split())


def visible_text(page: str) -> str:
    """What a reader sees: the title and the body text, without scripts and styles."""
    tree = lxml.html.fromstring(page)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    return tree.text_content()


@FAST
@given(page=report_pages())
def test_extraction_never_invents_text(page):
    report = extract_report(page, url="http://127.0.0.1/qinghe/zwgk/fzzfjs/202401/t20240115_1.html")
    seen = squash(visible_text(page))
    for line in report.text.splitlines():
        if line.strip():
            assert squash(line) in seen, (line, page)


def test_a_stray_table_cell_adds_no_table_marker():
    """Found by test_extraction_never_invents_text: a <td> outside any <table> came back as '法治政府 |'."""
    page = "<html><head><title>法治政府</title></head><body><h1>法治政府</h1><div class='TRS_Editor'><td>法治政府</td></div></body></html>"
    report = extract_report(page, url="http://127.0.0.1/qinghe/zwgk/fzzfjs/202401/t20240115_1.html")
    assert "|" not in report.text


@FAST
@given(
    body=st.one_of(
        st.text(max_size=600), st.binary(max_size=600), report_pages().map(lambda p: p[: len(p) // 2])
    )
)
def test_extraction_survives_arbitrary_and_truncated_input(body):
    report = extract_report(body, url="http://127.0.0.1/x.html", content_type="text/html")
    assert isinstance(report.text, str)


@FAST
@given(text=any_text)
def test_a_text_compared_with_itself_has_no_changes(text):
    d = diff_texts(text, text)
    assert not d.has_changes
    assert d.changes == []
    json.dumps(d.to_dict(), ensure_ascii=False)


@FAST
@given(old=report_text, new=report_text)
def test_diff_keeps_every_sentence_and_escapes_it(old, new):
    d = diff_texts(old, new)
    kept_old = "".join(op.old for op in d.ops if op.old is not None)
    kept_new = "".join(op.new for op in d.ops if op.new is not None)
    assert squash(kept_old) == squash(old)
    assert squash(kept_new) == squash(new)
    assert (old == new) <= (not d.has_changes)
    page = render_html(d)
    assert "<xss-probe>" not in page


@FAST
@given(old=report_text, new=report_text)
def test_diff_html_escapes_markup_from_the_page(old, new):
    probe = "<xss-probe>"
    page = render_html(diff_texts(old + "\n" + probe, new))
    assert probe not in page


@FAST
@given(old=report_text, new=report_text, others=st.lists(report_text, max_size=2))
def test_year_over_year_survives_any_pair(old, new, others):
    yoy = compare_years(old, new, other_texts=others)
    json.dumps(yoy.to_dict(), ensure_ascii=False)


@FAST
@given(text=report_text)
def test_a_year_compared_with_itself_drops_and_adds_no_commitment(text):
    yoy = compare_years(text, text)
    assert yoy.commitments_with("dropped") == []
    assert yoy.commitments_with("added") == []
