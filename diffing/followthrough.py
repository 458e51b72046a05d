"""Follow-through: which sentences of year N+1's results report doing what year N's plans promised.

A plan is reported done in other words (深入开展"八五"普法 → 全年开展普法宣传活动23场), so a sentence
is scored on meaning (``diffing.meaning``) against the plan's promise: its body rather than its
title (提升综合行政执法效能 names an aim; 开展执法人员业务培训 is what can be reported), a longer
sentence that says more of it counting for more than a short one that shares two words with it. Sentences that cannot be evidence are left out: the opening frame of the
report (在区委、区政府的正确领导下…), sentences copied from last year's report (they say nothing of
this year), and item titles (三是抓好青少年法治教育。), which are read together with the sentence
they head. Each clause reports one plan at most, the best pairs first.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from functools import lru_cache

from diffing.meaning import Background, Gist, Weights, clause_gists, coverage, gist, similarity, union_gist
from diffing.outline import Commitment, normalise
from diffing.sections import ReportParts, achievement_sentences
from diffing.sentences import split_sentences

# A plan is located in its best window of a sentence (the fewest clauses among equals), so that another
# clause of the sentence may report another plan.
NARROWEST_SHARE = 1.0
# A second sentence is shown as evidence too when it scores this share of the best one.
SECOND_EVIDENCE_SHARE = 0.9
# How much a sentence's own length dilutes its score (0.5 would be a plain cosine): a longer
# sentence that says more of the plan counts for more than a short one sharing two words with it.
SENTENCE_POWER = 0.35
# A sentence this short without a figure heads the one after it (三是抓好青少年法治教育。).
TITLE_SENTENCE_CHARS = 16
_CLAUSE = re.compile(r"[，,；;。：:]")  # clause breaks inside a sentence


@dataclass
class FollowThrough:
    """A commitment of year N and the sentence(s) of year N+1's results that report on it (or none)."""

    commitment: Commitment
    sentence: str | None
    score: float
    evidence: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "reported" if self.sentence else "not reported"


def copied_keys(previous_text: str) -> set[str]:
    """Last year's sentences as they were written (numbers too): a sentence found there again is stock text."""
    return {normalise(s) for s in split_sentences(previous_text)}


def evidence_sentences(parts: ReportParts, previous_keys: Container[str] = frozenset()) -> list[str]:
    """The sentences of the results that may report a plan: no opening frame, nothing copied from last year."""
    intro = set(parts.intro)
    out: list[str] = []
    for sentence in achievement_sentences(ReportParts(achievements=[x for x in parts.achievements if x not in intro])):
        if normalise(sentence) in previous_keys:
            continue
        if out and _is_title(out[-1]):
            out[-1] += sentence  # the title and the sentence it heads are one piece of evidence
        else:
            out.append(sentence)
    return [s for s in out if not _is_title(s)]


def _is_title(sentence: str) -> bool:
    return len(sentence) <= TITLE_SENTENCE_CHARS and not re.search(r"\d", sentence) and sentence.endswith("。")


@lru_cache(maxsize=16384)
def _windows(sentence: str) -> tuple[tuple[str, frozenset[int]], ...]:
    """The sentence and each run of one or two of its clauses, with the clauses each covers: a report
    packs several results into one sentence (法律明白人增至238名，柏溪村被命名为示范村)."""
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    windows = [(sentence, frozenset(range(len(clauses))))]
    if len(clauses) > 1:
        windows += [("，".join(clauses[k : k + 2]), frozenset({k, k + 1})) for k in range(len(clauses) - 1)]
        windows += [(c, frozenset({k})) for k, c in enumerate(clauses)]
    return tuple(windows)


def _window_gists(sentence: str, field_words: frozenset[str]) -> list[Gist]:
    """The gists of the sentence's windows (as ``_windows`` lists them), from one tagging of it."""
    windows = _windows(sentence)
    clauses = clause_gists(sentence, field_words)
    if len(clauses) != max((max(c) for _w, c in windows if c), default=-1) + 1:
        return [gist(w, field_words) for w, _c in windows]  # the tagger split clauses otherwise: tag each
    return [union_gist(clauses[k] for k in sorted(c)) for _w, c in windows]


def _promise(commitment: Commitment) -> str:
    """What a plan promises: its text without the marker and, when more follows, without its title."""
    text = commitment.text[len(commitment.marker):] if commitment.text.startswith(commitment.marker) else commitment.text
    sentences = split_sentences(text)
    if len(sentences) > 1 and len(sentences[0]) <= 2 * TITLE_SENTENCE_CHARS:
        text = "".join(sentences[1:])  # "(三)提升行政执法效能。开展培训，推行…": the title names an aim
    return text


# A problem of this year that says a plan is not done yet (…尚未修订, 仍在建设中).
NOT_DONE = re.compile(r"尚未|未能|仍未|还未|没有|尚在|仍在|尚不|有待建立|未建立|未完成")
# How close (0–1) a problem must be to a plan to say it is not done.
NOT_DONE_AT = 0.35
# A result sentence that ends saying its work is not done (…因资金未落实，尚未建成。…年内尚未完成。): it names
# a plan to say it was not done, so it is no evidence of doing it but, like a problem, says it is undone.
_ENDS_NOT_DONE = re.compile(r"(?:尚未|仍未|还未|未能|暂未)[^，,。；;]{0,8}[。；;！!]?$")


def says_not_done(sentence: str) -> bool:
    """Whether a result sentence ends saying its work is not done (not 对尚未整改的单位下发督办函: an action)."""
    return bool(_ENDS_NOT_DONE.search(sentence.strip()))


def undone_by_problems(
    results: list[FollowThrough], problems: list[str], field_words: frozenset[str] = frozenset(),
    context: Background | None = None,
) -> list[FollowThrough]:  # fmt: skip
    """A plan this year's problems say is not done (村级小微权力清单尚未修订) is not reported done,
    whatever sentence of the results shares its words."""
    said = [gist(p, field_words) for p in problems if NOT_DONE.search(p)]
    if not said:
        return results
    out = []
    for f in results:
        plan = gist(_promise(f.commitment), field_words)
        weights = Weights([plan, *said], context)
        closest = max(similarity(plan, p, weights) for p in said)
        out.append(FollowThrough(f.commitment, None, 0.0) if f.sentence and closest >= max(NOT_DONE_AT, f.score)
                   else f)  # fmt: skip
    return out


def _shares(a: Gist, b: Gist) -> bool:
    return bool(a.words & b.words) or bool(a.topics & b.topics)


# What decides whether a sentence of this year's results reports a plan of last year: the features of
# the pair, in the follow-through model's order (diffing.pairing, kind "follow_through").
FOLLOW_FEATURES = (
    "window",  # similarity of the plan and the sentence's best window (one or two clauses, or all)
    "sentence",  # similarity of the plan and the whole sentence
    "covers_plan",  # how much of the plan the sentence says (0–1)
    "covers_sentence",  # how much of the sentence the plan says (0–1)
    "same_subject",  # the plan and the window name a subject in common (diffing.topics)
    "figure",  # the sentence reports a number
    "row_margin",  # window similarity above the plan's next-best sentence
    "column_margin",  # window similarity above the sentence's next-best plan
    "narrow",  # the share of the sentence's clauses the best window takes (a result told in one clause)
)


@dataclass
class FollowScores:
    """Every (plan, sentence) pair that shares a word or a subject: its features, and where in the sentence."""

    features: dict[tuple[int, int], list[float]]
    where: dict[tuple[int, int], frozenset[int]]  # the clauses of the best window
    window: dict[tuple[int, int], float]


def follow_scores(
    promised: list[Commitment], sentences: list[str], field_words: frozenset[str] = frozenset(),
    context: Background | None = None,
) -> FollowScores:  # fmt: skip
    """The FOLLOW_FEATURES of each plan and each sentence it shares a word or a subject with."""
    whole = [gist(_promise(c), field_words) for c in promised]
    spans = [[clauses for _w, clauses in _windows(s)] for s in sentences]
    windows = [_window_gists(s, field_words) for s in sentences]
    weights = Weights(whole + [w[0] for w in windows], context)
    best: dict[tuple[int, int], float] = {}
    where: dict[tuple[int, int], frozenset[int]] = {}
    for i in range(len(promised)):
        for j, ws in enumerate(windows):
            found = [(similarity(whole[i], w, weights, SENTENCE_POWER), clauses)
                     for w, clauses in zip(ws, spans[j], strict=True) if _shares(whole[i], w)]  # fmt: skip
            if not found:
                continue
            top = max(score for score, _c in found)
            near = [clauses for score, clauses in found if score >= NARROWEST_SHARE * top]
            best[(i, j)] = top
            where[(i, j)] = min(near, key=len)
    rows: dict[int, list[float]] = {}
    columns: dict[int, list[float]] = {}
    for (i, j), score in best.items():
        rows.setdefault(i, []).append(score)
        columns.setdefault(j, []).append(score)

    def margin(score: float, others: list[float]) -> float:
        ranked = sorted(others, reverse=True)
        rival = ranked[1] if len(ranked) > 1 and ranked[0] == score else (ranked[0] if ranked[0] != score else 0.0)
        return score - rival

    features: dict[tuple[int, int], list[float]] = {}
    for (i, j), score in best.items():
        sentence_gist = windows[j][0]
        features[(i, j)] = [
            score,
            similarity(whole[i], sentence_gist, weights, SENTENCE_POWER),
            coverage(whole[i], sentence_gist, weights),
            coverage(sentence_gist, whole[i], weights),
            float(bool(whole[i].topics & sentence_gist.topics)),
            float(bool(_DIGIT.search(sentences[j]))),
            margin(score, rows[i]),
            margin(score, columns[j]),
            len(where[(i, j)]) / max(1, len(spans[j][0])),
        ]
    return FollowScores(features, where, best)


_DIGIT = re.compile(r"\d")


def follow_through(
    promised: list[Commitment],
    sentences: list[str],
    threshold: float = -1.5,
    field_words: frozenset[str] = frozenset(),
    intro: Container[str] = frozenset(),
    context: Background | None = None,
) -> list[FollowThrough]:
    """Each commitment with the result sentence that reports on it, likeliest pairs first (a clause serves one).

    The follow-through model (``FOLLOW_FEATURES``, fitted on the tuning pairs) gives each plan and
    sentence a log-odds of the sentence reporting the plan; a pair needs log-odds above ``threshold``.
    ``field_words`` are the agency's own words (卫生, 健康 for a 卫生健康局): in its report they are
    everywhere, so sharing them says nothing about which promise a sentence reports on. Sentences
    in ``intro`` (the opening frame) are not evidence.
    """
    from diffing.pairing import load_model

    sentences = [s for s in sentences if s not in intro]
    scores = follow_scores(promised, sentences, field_words, context)
    model = load_model("follow_through")
    odds = {key: model.log_odds(x) for key, x in scores.features.items()}
    candidates = sorted(((x, i, j) for (i, j), x in odds.items() if x > threshold), key=lambda t: (-t[0], t[1], t[2]))
    chosen: dict[int, int] = {}
    taken: dict[int, set[int]] = {}  # the clauses of each sentence already reporting a plan
    for _x, i, j in candidates:
        if i in chosen or (j in taken and taken[j] & scores.where[(i, j)]):
            continue  # a clause reports one plan; another clause of the sentence may report another
        chosen[i] = j
        taken.setdefault(j, set()).update(scores.where[(i, j)])
    used = set(taken)
    out = []
    for i, c in enumerate(promised):
        if i not in chosen:
            out.append(FollowThrough(c, None, 0.0))
            continue
        j = chosen[i]
        score = scores.window[(i, j)]
        evidence = [sentences[j]] + [
            sentences[k] for k in range(len(sentences))
            if k != j and k not in used and (i, k) in odds and odds[(i, k)] > threshold
            and scores.window[(i, k)] >= SECOND_EVIDENCE_SHARE * score
        ][:1]  # fmt: skip
        out.append(FollowThrough(c, sentences[j], score, evidence))
    return out
