"""diff_texts, figures and the three renderers on a real report (址山镇 2020) and edits of it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from real_corpus import shared_text

from diffing.figures import changed_figures, extract_figures
from diffing.sentences import split_sentences
from diffing.textdiff import diff_texts
from report.render import render_html, render_markdown, render_text


@pytest.fixture(scope="module")
def zhishan() -> str:
    return shared_text("corpus/zhishan-2020-report.txt")


@pytest.fixture(scope="module")
def edited(zhishan: str) -> str:
    """The report as a silent edit would leave it: a figure, a reworded sentence, one cut, one added."""
    text = zhishan.replace("镇人民调解委员会受理调解纠纷案件31件", "镇人民调解委员会受理调解纠纷案件45件")
    text = text.replace("址山镇开展送法下乡专题活动8场", "址山镇开展送法下乡专题活动12场")
    assert text != zhishan
    text = text.replace(
        "2.坚定正确政治方向,把法治建设工作摆在全镇工作重要位置,",
        "2.坚定正确政治方向,始终把法治建设工作摆在全镇工作的突出位置,",
    )
    deleted = split_sentences(zhishan)[8]
    assert deleted.startswith("址山镇严格落实《党政主要负责人")
    text = text.replace(deleted, "")
    text = text.replace("六、2021年法治政府建设工作计划", "六、2021年法治政府建设工作计划\n新增一项整改措施,限期完成。")
    return text


def test_sentences_keep_outline_markers_and_split_on_terminators(zhishan: str) -> None:
    sentences = split_sentences("一、强化组织领导。全镇落实;责任到人！\n(一)夯实工作责任\n1.成立领导小组。")
    assert sentences == ["一、强化组织领导。", "全镇落实;", "责任到人！", "(一)夯实工作责任", "1.成立领导小组。"]
    real = split_sentences(zhishan)
    assert "六、2021年法治政府建设工作计划" in real
    assert all(s == s.strip() and s for s in real)


def test_identical_texts_have_no_changes(zhishan: str) -> None:
    d = diff_texts(zhishan, zhishan)
    assert not d.has_changes
    assert d.stats["changed"] == d.stats["inserted"] == d.stats["deleted"] == 0
    assert d.stats["equal"] == len(split_sentences(zhishan))
    assert d.figures == []
    assert "(no changes)" in render_text(d)


def test_edit_is_found_sentence_by_sentence(zhishan: str, edited: str) -> None:
    d = diff_texts(zhishan, edited)
    stats = d.stats
    assert stats["changed"] == 3, [op.old for op in d.changes]
    assert stats["inserted"] == 1 and stats["deleted"] == 1
    inserted = next(op for op in d.ops if op.op == "inserted")
    assert inserted.new == "新增一项整改措施,限期完成。"
    reworded = next(op for op in d.changes if op.old and op.old.startswith("2.坚定"))
    assert reworded.op == "changed"  # not a delete plus an insert
    inserted_words = [t.new for t in reworded.tokens if t.op in ("insert", "replace")]
    assert "始终" in "".join(inserted_words) and "突出" in "".join(inserted_words)
    # the rest of the sentence is equal words, not marked
    assert any(t.op == "equal" and "法治建设工作" in t.old for t in reworded.tokens)


def test_inserted_sentence_keeps_its_neighbours_equal() -> None:
    d = diff_texts("一、总体情况。审核合同80件。二、存在问题。", "一、总体情况。审核合同80件。新增合法性审查。二、存在问题。")
    assert [op.op for op in d.ops] == ["equal", "equal", "inserted", "equal"]


def test_changed_figures_with_labels(zhishan: str, edited: str) -> None:
    d = diff_texts(zhishan, edited)
    got = {(f.label, f.old, f.new, f.unit) for f in d.figures}
    assert ("受理调解纠纷案件", "31", "45", "件") in got
    assert ("开展送法下乡专题活动", "8", "12", "场次") in got
    assert len(d.figures) == 2


def test_figures_skip_years_and_outline_numbers() -> None:
    figures = extract_figures("1.2020年全年共审核合同80件,涉及金额500万元,覆盖率达95%。")
    assert [(f.label, f.value, f.unit) for f in figures] == [
        ("全年共审核合同", "80", "件"),
        ("涉及金额", "500", "万元"),
        ("覆盖率", "95", "%"),
    ]
    assert changed_figures("2020年审核合同80件。", "2021年审核合同80件。") == []
    joined = extract_figures("共办理行政复议案件12件,有关部门报送文件达约30件,其中纠错3件。")
    assert [f.label for f in joined] == ["办理行政复议案件", "有关部门报送文件", "纠错"]
    [fig] = changed_figures("审核合同80件。", "审核合同95件。")
    assert (fig.label, fig.old, fig.new) == ("审核合同", "80", "95")


def test_to_dict_is_json(zhishan: str, edited: str) -> None:
    data = json.loads(json.dumps(diff_texts(zhishan, edited).to_dict(), ensure_ascii=False))
    assert set(data["stats"]) == {"equal", "changed", "inserted", "deleted"}
    assert data["changed_figures"][0]["old"] in ("31", "8")
    changed = [op for op in data["ops"] if op["op"] == "changed"]
    assert changed and all(op["tokens"] for op in changed)


def test_render_text_marks_words(zhishan: str, edited: str) -> None:
    out = render_text(diff_texts(zhishan, edited), "2020v1", "2020v2")
    assert out.startswith("--- 2020v1\n+++ 2020v2\n")
    assert "[-31-]{+45+}" in out
    assert "- 镇人民调解委员会受理调解纠纷案件31件" in out or "- " in out
    assert "+ 新增一项整改措施," in out


HOSTILE_OLD = "一、总体情况。审核合同80件。"
HOSTILE_NEW = '一、总体情况。审核合同95件<script>alert(1)</script>。新增<img src=x" onerror=alert(2)>说明。'


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_render_html_escapes_scraped_text() -> None:
    page = render_html(diff_texts(HOSTILE_OLD, HOSTILE_NEW), old_name="<b>old</b>", new_name="new")
    assert "<script>" not in page and "<img" not in page and "<b>old" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34; onerror=alert(2)&gt;" in page
    parser = _TagCollector()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "onerror" not in parser.attrs
    assert 'lang="zh-CN"' in page and '<meta charset="utf-8">' in page
    assert not re.search(r"(src|href)=\"https?:", page)  # offline: no external resources
    assert "<del>80</del><ins>95</ins>" in page


def test_render_markdown_escapes_html_and_marks_changes() -> None:
    md = render_markdown(diff_texts(HOSTILE_OLD, HOSTILE_NEW))
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "~~80~~**95**" in md
    assert "| 审核合同 | 80件 | 95件 |" in md


_SENTENCE_POOL = [
    "一、总体情况。",
    "全年审核合同80件。",
    "全年审核合同95件,涉及金额500万元。",
    "开展普法活动15场次；",
    "开展普法宣传活动20场次！",
    "(一)加强组织领导",
    "1.成立领导小组,由镇长任组长。",
    "受理行政复议案件<script>3</script>件？",
    "二、存在问题。",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_SENTENCE_POOL), max_size=8),
    st.lists(st.sampled_from(_SENTENCE_POOL), max_size=8),
)
def test_diff_reconstructs_both_texts(old_sentences: list[str], new_sentences: list[str]) -> None:
    """Whatever the texts, the old sides give back the old text and the new sides the new one."""
    old, new = "\n".join(old_sentences), "\n".join(new_sentences)
    d = diff_texts(old, new)
    assert [op.old for op in d.ops if op.op != "inserted"] == split_sentences(old)
    assert [op.new for op in d.ops if op.op != "deleted"] == split_sentences(new)
    for op in d.ops:
        if op.op == "changed":
            assert "".join(t.old for t in op.tokens) == op.old
            assert "".join(t.new for t in op.tokens) == op.new
    assert d.has_changes == (split_sentences(old) != split_sentences(new))
