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


def test_a_reports_inputs_are_hashed_once_into_one_digest() -> None:
    """A pair's key takes each report's inputs as one digest (report.analysis._inputs): any part changed, or a
    text standing where a number stood, is another digest, so another key."""
    from report.analysis_cache import PairAnalyses, inputs_digest

    parts = ("{}", "全年办理复议31件。", "全年办理复议31件。", "标题", "2021-03-01", "报告", 2020, "某县司法局")
    same = inputs_digest(*parts)
    assert same == inputs_digest(*parts)
    assert inputs_digest(*parts[:-1], "另一县司法局") != same
    assert inputs_digest(*parts[:6], "2020", parts[7]) != same  # the year as text, not as a number
    analyses = PairAnalyses(None, "code")
    assert analyses.key("year-pair", same, same, []) != analyses.key("year-pair", same, same, ["某句"])


def test_a_documents_sentence_keys_are_split_once_and_never_kept_in_its_summary() -> None:
    """shared_sentence_keys keeps each document's keys for its year pair's key (the analysis no longer splits the
    text again); they are its current text's keys, dropped with its texts and absent from the agency's summary."""
    from archive.readmodel import VersionRecord
    from diffing.yoy import sentence_keys
    from report import summary_json
    from report.analysis import document_keys, shared_sentence_keys
    from report.pages import AgencyPage, DocumentPage

    old = shared_text("corpus/zhishan-2020-report.txt")
    versions = [VersionRecord(i, 1, i, "报告", text, text, None, None, 1, None)
                for i, text in ((1, old), (2, old.replace("2020年", "2021年")), (3, old[: len(old) // 2]))]  # fmt: skip
    doc = DocumentPage(1, 2020, "报告", None, None, None, None, versions, current_version_id=2)
    agency = AgencyPage(7, "某县司法局", None, None, [doc])
    shared_sentence_keys([agency])
    assert doc.keys == sentence_keys(versions[1].text) == agency.keys
    assert document_keys(doc) is doc.keys
    assert "keys" not in summary_json._AGENCY.fields["DocumentPage"]
    doc.without_texts()
    assert doc.keys is None


def test_an_agencys_shared_keys_are_looked_up_once_for_its_keys() -> None:
    """shared_keys_of keeps counts.shared(agency.keys) for the agency's digest and its analysis; setting its keys
    again (own_sentence_keys, the next build's batch) drops what was kept."""
    from archive.readmodel import VersionRecord
    from report.analysis import own_sentence_keys, shared_sentence_keys
    from report.pages import AgencyPage, DocumentPage, shared_keys_of

    text = shared_text("corpus/zhishan-2020-report.txt")

    def agency(number: int, body: str) -> AgencyPage:
        doc = DocumentPage(number, 2020, "报告", None, None, None, None, [VersionRecord(number, number, None, "报告", body,
                           body, None, None, 1, None)])  # fmt: skip
        return AgencyPage(number, f"单位{number}", None, None, [doc])

    one, two = agency(1, text), agency(2, text[: len(text) // 2])
    counts = shared_sentence_keys([one, two])
    shared = shared_keys_of(two, counts)
    assert shared == counts.shared(two.keys) and shared and shared <= one.keys
    assert shared_keys_of(two, counts) is shared
    own_sentence_keys([two])
    assert two.shared_keys is None
