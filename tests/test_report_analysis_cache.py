"""The kept pair analyses' JSON (report.analysis_cache): what it writes reads back equal, anything else is refused."""

from __future__ import annotations

import pytest
from real_corpus import shared_text

from diffing.textdiff import diff_texts
from diffing.yoy import compare_years
from report.analysis_cache import _JSON
from report.summary_json import SummaryError


def _pair() -> tuple[object, object]:
    old = shared_text("corpus/zhishan-2020-report.txt")
    new = old.replace("2020年", "2021年").replace("31件", "45件").replace("一、", "一、<b>新</b>", 1)
    return diff_texts(old, new, ignore_numbering=True, ignore_years=True), compare_years(old, new)


def test_a_year_pairs_analysis_reads_back_equal() -> None:
    """Every list of one dataclass is written as rows (sentences, runs of words, figures, plans …), and the
    analysis read back is the one written, sentence for sentence."""
    diff, analysis = _pair()
    text = _JSON.dumps((diff, analysis))
    assert '"$rows":["SentenceOp"' in text and '"$rows":["PairedFigure"' in text
    assert any(op.tokens for op in diff.ops) and any(op.op == "equal" for op in diff.ops)
    assert _JSON.loads(text) == (diff, analysis)


@pytest.mark.parametrize(
    "body",
    [
        '{"$rows": ["SentenceOp", [["equal", "a", 0]]]}',  # a sentence row of neither length
        '{"$rows": ["SentenceOp", ["equal"]]}',  # a row that is no list
        '{"$rows": ["SentenceOp", [["changed", "a", "b", 0, 0, 0.5, [["equal"]]]]]}',  # a run of one member
        '{"$rows": ["SentenceOp", [["changed", "a", "b", 0, 0, 0.5, "ab"]]]}',  # runs that are no list
        '{"$rows": ["PairedFigure", [["only", "two"]]]}',  # fewer fields than the class has
        '{"$rows": ["Popen", [[["touch", "x"]]]]}',  # no class of ours
        '{"$rows": [["SentenceOp"], []]}',  # a name that is no str
        '{"$rows": ["TokenOp"]}',  # no rows
    ],
)
def test_misshapen_rows_are_refused(body: str) -> None:
    with pytest.raises(SummaryError):
        _JSON.loads(body)
