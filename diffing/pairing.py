"""How likely two items of two years are one promise: features of a pair, a fitted logistic model over them.

Hand-set thresholds on one similarity fit the pairs they were set on; what generalises is a few
measurements that mean the same in any report — how much of each item the other says (words
weighted by how rare they are in these two reports), whether their headings name the same subject,
whether the headings share their frame but not their object (深入推进法治政府建设示范创建 /
深入推进法治社会建设示范创建), how far apart the two sit in their lists, and how much closer they are
to each other than to their rivals — combined by a logistic model whose weights are fitted on the
tuning half of the labelled pairs (``python -m benchmarks.fit_pairing``, written to
``pairing_model.json`` beside this file, with its leave-one-pair-out score). The model gives each
pair a log-odds of being one promise; ``diffing.commitments`` turns those into an assignment.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from diffing.actions import action_family, ends_other, finished_then_other, head_said, stage_clash
from diffing.meaning import Gist, Weights, coverage, gist, similarity, union_gist
from diffing.topics import topics_of

MODEL_PATH = Path(__file__).with_name("pairing_model.json")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HEADING_END = re.compile(r"[。；;]")


@dataclass(frozen=True)
class ItemView:
    """What the features read of one item: its gist, its heading's gist, the rest's gist, its subjects."""

    text: str
    whole: Gist
    title: Gist
    rest: Gist
    subjects: frozenset[str]  # what the heading's first clause names (diffing.topics)
    targets: frozenset[str]  # numbers but years: a target (覆盖率100%, 不少于5名)
    surface: str  # jieba words, years masked, for the wording ratio
    ignore: frozenset[str] = frozenset()  # the agency's own words, which say nothing here


def heading(text: str) -> str:
    """The item's first sentence (its heading when it has one): 深入总结法治经验，努力建立长效机制。"""
    return _HEADING_END.split(text, maxsplit=1)[0]


@lru_cache(maxsize=8192)
def item_view(text: str, ignore: frozenset[str] = frozenset()) -> ItemView:
    """The view of an item's text (its marker already taken off)."""
    from diffing.textdiff import _words

    title = heading(text)
    rest = text[len(title):].lstrip("。；; ")
    targets = frozenset(n for n in _NUMBER.findall(_YEAR.sub("", text)) if n not in ("100",))
    return ItemView(
        text, gist(text, ignore), gist(title, ignore), gist(rest, ignore) if rest else gist("", ignore),
        topics_of(_first_clause(text)), targets, " ".join(_words(_YEAR.sub("YYYY", text))), ignore,
    )  # fmt: skip


def _cosine(a: frozenset[str], b: frozenset[str], weight) -> float:  # noqa: ANN001
    if not a or not b:
        return 0.0
    shared = math.fsum(weight(x) ** 2 for x in a & b)
    return shared / math.sqrt(math.fsum(weight(x) ** 2 for x in a) * math.fsum(weight(x) ** 2 for x in b))


def _contrast(a: Gist, b: Gist, weight) -> float:  # noqa: ANN001
    """Headings that share words but each name an object the other does not: the same frame, another thing.

    The share (by weight) of the smaller side's unshared words, when the headings share any word.
    """
    if not a.words or not b.words or not a.words & b.words:
        return 0.0
    only_a, only_b = a.words - b.words, b.words - a.words
    if not only_a or not only_b:
        return 0.0
    wa = math.fsum(weight(x) for x in only_a) / math.fsum(weight(x) for x in a.words)
    wb = math.fsum(weight(x) for x in only_b) / math.fsum(weight(x) for x in b.words)
    return min(wa, wb)


@lru_cache(maxsize=8192)
def _heading_words(title: str) -> tuple[str, ...]:
    from diffing.textdiff import _words

    return tuple(w for w in _words(_NUMBER.sub("", _YEAR.sub("", title))) if w.strip() and not _PUNCT.fullmatch(w))


_PUNCT = re.compile(r"[\W_]+")


# The verbs a plan's heading opens with (推进…, 规范…, 深化…): a frame, not what the plan is about.
FRAME_VERBS = frozenset(
    """
    推进 加强 深化 完善 健全 规范 落实 推行 优化 提升 强化 巩固 创新 建设 开展 实施 严格 建立 推动 做好 抓好 深入 全面
    持续 继续 进一步 着力 扎实 切实 积极 大力 探索 加快 稳步 不断 认真 坚持 提高 实现 确保 组织 注重 突出 夯实 构建
    """.split()
)


def template_swap(a: ItemView, b: ItemView) -> bool:
    """Two headings that are one template with its object swapped, neither item naming the other's object:
    the frame is shared, the promise is not.

    Either the headings' first clauses are the same words but one run in the middle (X A Y / X B Y:
    规范街道政务公开 / 规范社区居务公开, 深入推进法治政府建设示范创建 / 深入推进法治社会建设示范创建), or
    they open with the same frame — verbs, the agency's own field — and end differently (规范涉企执法行为
    / 规范涉案财物管理). Each run holds a word of two characters or more. When either item names all
    of the other's run anywhere (深化“放管服”改革。推进“高效办成一件事”… / 深化“高效办成一件事”改革),
    the heading narrows or widens the promise instead.
    """
    words_a, words_b = _heading_words(_first_clause(a.text)), _heading_words(_first_clause(b.text))
    # verbs of one action family are one frame (开展…专项整治 / 开展…专项治理): the swap is in the object
    keys_a, keys_b = [_action_key(w) for w in words_a], [_action_key(w) for w in words_b]
    ops = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes()
    tags = [op[0] for op in ops]
    frame = FRAME_VERBS | a.ignore
    if tags == ["equal", "replace", "equal"]:
        _tag, i1, i2, j1, j2 = ops[1]
    elif tags == ["equal", "replace"]:
        _tag, i1, i2, j1, j2 = ops[1]
        if not all(len(w) < 2 or _framing(w, frame) for w in words_a[: ops[0][2]]):
            return False  # the shared opening names an object: the two differ in what they do with it
    else:
        return False
    run_a = [w for w in words_a[i1:i2] if len(w) > 1 and not _framing(w, frame)]
    run_b = [w for w in words_b[j1:j2] if len(w) > 1 and not _framing(w, frame)]
    return bool(run_a and run_b) and not all(w in b.text for w in run_a) and not all(w in a.text for w in run_b)


def _action_key(word: str) -> str:
    """A heading word as the template compares it: a verb of an action family (``diffing.actions``) that is
    no frame verb (整治, 治理, 排查) as its family; a frame verb (完善, 健全) as itself, as before."""
    family = "" if word in FRAME_VERBS else action_family(word)
    return f"<{family}>" if family else word


def _framing(word: str, frame: frozenset[str]) -> bool:
    """A word made of frame words only (全面落实 = 全面 + 落实): how hard, not what — swapping it swaps no object."""
    if word in frame:
        return True
    return any(word.startswith(f) and _framing(word[len(f):], frame) for f in frame if len(f) < len(word))


def _ends_other(a: ItemView, b: ItemView) -> bool:
    return ends_other(_first_clause(a.text), _first_clause(b.text))


def _stage_clash(a: ItemView, b: ItemView) -> bool:
    heading_a, heading_b = _first_clause(a.text), _first_clause(b.text)
    return stage_clash(heading_a, heading_b) or finished_then_other(heading_a, heading_b)


def piece_head(piece: ItemView, single: ItemView) -> float:
    """How many of the two headings' object heads the other item names (``diffing.actions.head_said``):
    a piece of a split carries on the single item's object, a neighbour only its field."""
    return head_said(_first_clause(piece.text), _first_clause(single.text), (piece.text, piece.whole.words),
                     (single.text, single.whole.words), piece.ignore)  # fmt: skip


def _first_clause(text: str) -> str:
    return _CLAUSE_END.split(_MARKER.sub("", text.strip()), maxsplit=1)[0]


_CLAUSE_END = re.compile(r"[。；;，,：:\n]")
_MARKER = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十]+[)）、．.]|\d{1,2}[.．、]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+[是要]要?[，,：:]?|"
    r"第[一二三四五六七八九十]+[，,、：:]|[①②③④⑤⑥⑦⑧⑨⑩]|(?:首先|其次|再次|最后|同时|此外|另外)[，,、：:]?|整改措施[:：]?)"
)


# The features of a pair, in the model's order.
FEATURES = (
    "similarity",  # diffing.meaning.similarity of the whole items (words, character pairs, subjects)
    "words",  # weighted cosine of the telling words
    "grams",  # weighted cosine of their character pairs
    "covers_old",  # how much of the old item the new one says
    "covers_new",  # how much of the new item the old one says
    "heading",  # weighted cosine of the headings' words
    "rest",  # weighted cosine of what follows the headings
    "contrast",  # headings sharing a frame, each with an object of its own
    "same_subject",  # the headings name a subject in common
    "other_subject",  # both headings name subjects, none in common
    "wording",  # token-sort ratio of the jieba words (0–1)
    "targets",  # a number (not a year, not 100) stated in both
    "place",  # how far apart the two sit in their lists (0–1, of the list's length)
    "row_margin",  # similarity above the old item's next-best new item (negative when another is closer)
    "column_margin",  # similarity above the new item's next-best old item
    "subject_alone",  # the headings share a subject no other item of either list names in its heading
    "heading_unsaid",  # the least share of either heading's first clause the other item says nowhere (plans only)
)


def base_features(a: ItemView, b: ItemView, weights: Weights) -> list[float]:
    """The features of one pair that do not depend on the other items."""
    contrast = _contrast(a.title, b.title, weights.word)
    return [
        similarity(a.whole, b.whole, weights),
        _cosine(a.whole.words, b.whole.words, weights.word),
        _cosine(a.whole.grams, b.whole.grams, weights.gram),
        coverage(a.whole, b.whole, weights),
        coverage(b.whole, a.whole, weights),
        _cosine(a.title.words, b.title.words, weights.word),
        _cosine(a.rest.words, b.rest.words, weights.word),
        contrast,
        float(bool(a.subjects & b.subjects)),
        float(bool(a.subjects and b.subjects and not a.subjects & b.subjects)),
        fuzz.token_sort_ratio(a.surface, b.surface) / 100.0,
        float(bool(a.targets & b.targets)),
    ]


def heading_unsaid(a: ItemView, b: ItemView, weights: Weights) -> float:
    """How much of what each heading's first clause does and names the other item says nowhere (the
    smaller of the two shares, by weight), for headings that share a word: 开展规范性文件清理 /
    建立规范性文件实施后评估制度 share their field and each name an action the other never mentions,
    while a reworded heading's words are found in the other's body."""

    def unsaid(words: frozenset[str], y: ItemView) -> float:
        total = math.fsum(weights.word(w) for w in words)
        if not total:
            return 0.0
        return math.fsum(weights.word(w) for w in words if w not in y.whole.words and w not in y.text) / total

    words_a, words_b = gist(_first_clause(a.text), a.ignore).words, gist(_first_clause(b.text), b.ignore).words
    if not words_a & words_b:
        return 0.0  # headings that share nothing: a rewording in other words, not one field's other promise
    return min(unsaid(words_a, b), unsaid(words_b, a))


def heading_said(piece: ItemView, single: ItemView, weights: Weights) -> float:
    """How much of the piece's heading (its first clause, by weight) the single item says somewhere: a
    summary that folds three plans together names each one's heading in turn (统筹抓好涉企收费检查、价格监测
    和价格认定工作), and a piece cut from a plan keeps the part of it that it carries on, while the
    single item's own heading may be an umbrella that says little of any piece."""
    words = gist(_first_clause(piece.text), piece.ignore).words
    total = math.fsum(weights.word(w) for w in words)
    if not total:
        return 0.0
    return math.fsum(weights.word(w) for w in words if w in single.whole.words or w in single.text) / total


def union_view(views: list[ItemView]) -> ItemView:
    """Several items read as one: the pieces of a split, the parts of a merge, taken together."""
    if len(views) == 1:
        return views[0]
    return ItemView(
        "\n".join(v.text for v in views), union_gist(v.whole for v in views), union_gist(v.title for v in views),
        union_gist(v.rest for v in views), frozenset().union(*(v.subjects for v in views)),
        frozenset().union(*(v.targets for v in views)), " ".join(v.surface for v in views), views[0].ignore,
    )  # fmt: skip


# The log-odds of a pair whose headings are one template with the object swapped: never one promise.
SWAPPED = -50.0


class PairScorer:
    """The model's log-odds for an old item (or several, a merge) and a new item (or several, a split).

    Groups are scored like pairs, their items read as one (``union_view``): a split is worth it when
    its pieces together are a likelier continuation of the old item than its best piece alone.
    """

    def __init__(self, old: list[ItemView], new: list[ItemView], weights: Weights, model: Model,
                 kind: str = "plans") -> None:  # fmt: skip
        self.old, self.new, self.weights, self.model = old, new, weights, model
        self.headings = kind != "problems"  # a problem opens with a weakness, not a heading's action and object
        self._sim: dict[tuple[tuple[int, ...], tuple[int, ...]], float] = {}
        self._odds: dict[tuple[tuple[int, ...], tuple[int, ...]], float] = {}
        self._base: dict[tuple[tuple[int, ...], tuple[int, ...]], list[float]] = {}

    def _view(self, side: list[ItemView], items: tuple[int, ...]) -> ItemView:
        return union_view([side[k] for k in items])

    def base(self, olds: tuple[int, ...], news: tuple[int, ...]) -> list[float]:
        key = (olds, news)
        if key not in self._base:
            self._base[key] = base_features(self._view(self.old, olds), self._view(self.new, news), self.weights)
            self._sim[key] = self._base[key][0]
        return self._base[key]

    def similarity(self, olds: tuple[int, ...], news: tuple[int, ...]) -> float:
        self.base(olds, news)
        return self._sim[(olds, news)]

    def features(self, olds: tuple[int, ...], news: tuple[int, ...]) -> list[float]:
        """FEATURES of the group: its own, its place, and its margins over the rivals of each side."""
        n, m = len(self.old), len(self.new)
        sim = self.similarity(olds, news)
        row_rivals = [self.similarity(olds, (k,)) for k in range(m) if k not in news]
        column_rivals = [self.similarity((k,), news) for k in range(n) if k not in olds]
        place = sum(abs((i + 0.5) / n - (j + 0.5) / m) for i in olds for j in news) / (len(olds) * len(news))
        shared = self._view(self.old, olds).subjects & self._view(self.new, news).subjects
        alone = any(
            not any(subject in self.old[k].subjects for k in range(n) if k not in olds)
            and not any(subject in self.new[k].subjects for k in range(m) if k not in news)
            for subject in shared
        )
        return [*self.base(olds, news), place, sim - max(row_rivals, default=0.0), sim - max(column_rivals, default=0.0),
                float(alone), heading_unsaid(self._view(self.old, olds), self._view(self.new, news), self.weights)
                if self.headings else 0.0]  # fmt: skip

    def swapped(self, olds: tuple[int, ...], news: tuple[int, ...]) -> bool:
        """A template swap (``template_swap``) between an old and a new member, one of them ending
        what the other keeps (``diffing.actions.ends_other``: 建立X / 取消X), or the two naming other
        pieces of work (``diffing.actions.stage_clash``: X清理 / X实施后评估): never one promise."""
        return any(template_swap(self.old[i], self.new[j]) or _ends_other(self.old[i], self.new[j])
                   or (self.headings and _stage_clash(self.old[i], self.new[j])) for i in olds for j in news)  # fmt: skip

    def log_odds(self, olds: tuple[int, ...], news: tuple[int, ...]) -> float:
        """The model's log-odds; a template swap or an ending (``swapped``) between any old and new member vetoes."""
        key = (olds, news)
        if key not in self._odds:
            self._odds[key] = SWAPPED if self.swapped(olds, news) else self.model.log_odds(self.features(olds, news))
        return self._odds[key]

    def matrix(self) -> list[list[float]]:
        """Every one-to-one pair's log-odds: [old][new]."""
        return [[self.log_odds((i,), (j,)) for j in range(len(self.new))] for i in range(len(self.old))]


def feature_matrix(old: list[ItemView], new: list[ItemView], weights: Weights,
                   kind: str = "plans") -> list[list[list[float]]]:  # fmt: skip
    """Every pair's features: [old][new] → the values of FEATURES."""
    scorer = PairScorer(old, new, weights, Model(0.0, (), (), ()), kind)
    return [[scorer.features((i,), (j,)) for j in range(len(new))] for i in range(len(old))]


# What decides whether an item left over is a piece of a group (a split's second new item, a merge's
# second old item): the features of that step, in the piece model's order.
PIECE_FEATURES = (
    "piece_odds",  # the pairing model's log-odds for the piece and the group's single item
    "group_gain",  # how much likelier the grown group is than the group was (log-odds)
    "coverage_gain",  # how much more of the single item the grown group says (0–1)
    "piece_said",  # how much of the piece the single item says (0–1)
    "core_odds",  # the log-odds of the group before it grows
    "piece_best",  # the single item is the piece's likeliest partner on that side
    "adjacent",  # the piece sits next to the group's item on its side (drafters cut an item in place)
    "sibling_similarity",  # how alike the piece and that item are (pieces of one promise say different parts)
    "piece_head",  # the piece and the single item each name the other's object head (piece_head)
    "siblings",  # items already on the piece's side beyond the first (a third piece is rare: 3 of 72 groups)
    "leaves",  # the piece leaves a pair of its own to join (a weak one: diffing.commitments.LEAVES_BELOW)
    "left_odds",  # the log-odds of the pair it leaves (0 when it leaves none)
    "piece_heading_said",  # how much of the piece's heading the single item says (heading_said)
    "piece_pairs",  # the piece and the single item alone would be a pair (log-odds above 0)
)
_CLIP = 15.0


def _clip(x: float) -> float:
    return max(-_CLIP, min(_CLIP, x))


def piece_features(scorer: PairScorer, core: tuple[tuple[int, ...], tuple[int, ...]],
                   grown: tuple[tuple[int, ...], tuple[int, ...]],
                   left: tuple[tuple[int, ...], tuple[int, ...]] | None = None) -> list[float]:  # fmt: skip
    """The PIECE_FEATURES of growing ``core`` into ``grown`` by one item (a new one for a split, an old
    one for a merge), the item leaving the pair ``left`` when it had one."""
    (olds, news), (grown_olds, grown_news) = core, grown
    if len(grown_news) > len(news):  # a split: the old item is the single one
        single, piece = olds[0], next(j for j in grown_news if j not in news)
        siblings = news
        sibling_similarity = max(similarity(scorer.new[piece].whole, scorer.new[k].whole, scorer.weights) for k in news)
        pair: tuple[tuple[int, ...], tuple[int, ...]] = ((single,), (piece,))
        said = scorer.base(*pair)[FEATURES.index("covers_new")]
        covers = FEATURES.index("covers_old")
        rivals = [scorer.log_odds((k,), (piece,)) for k in range(len(scorer.old))]
    else:  # a merge: the new item is the single one
        single, piece = news[0], next(i for i in grown_olds if i not in olds)
        siblings = olds
        sibling_similarity = max(similarity(scorer.old[piece].whole, scorer.old[k].whole, scorer.weights) for k in olds)
        pair = ((piece,), (single,))
        said = scorer.base(*pair)[FEATURES.index("covers_old")]
        covers = FEATURES.index("covers_new")
        rivals = [scorer.log_odds((piece,), (k,)) for k in range(len(scorer.new))]
    piece_odds = scorer.log_odds(*pair)
    piece_view = scorer.new[piece] if len(grown_news) > len(news) else scorer.old[piece]
    return [
        _clip(piece_odds),
        _clip(scorer.log_odds(*grown) - scorer.log_odds(*core)),
        scorer.base(*grown)[covers] - scorer.base(*core)[covers],
        said,
        _clip(scorer.log_odds(*core)),
        float(piece_odds >= max(rivals)),
        float(any(abs(piece - k) == 1 for k in siblings)),
        sibling_similarity,
        piece_head(piece_view, scorer.old[single] if len(grown_news) > len(news) else scorer.new[single]),
        float(len(siblings) - 1),
        float(left is not None),
        _clip(scorer.log_odds(*left)) if left is not None else 0.0,
        heading_said(piece_view, scorer.old[single] if len(grown_news) > len(news) else scorer.new[single],
                     scorer.weights),
        float(piece_odds > 0),
    ]


@dataclass(frozen=True)
class Model:
    """A logistic model: log-odds = bias + Σ weight × (feature − mean) / scale."""

    bias: float
    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]

    def log_odds(self, x: list[float]) -> float:
        return self.bias + sum(w * (v - mu) / s for w, v, mu, s in zip(self.weights, x, self.means, self.scales,
                                                                         strict=True))  # fmt: skip


def features_of(kind: str) -> tuple[str, ...]:
    """The features a model of ``kind`` reads: pairs of plans or problems, pieces of groups, pairs of figures."""
    from diffing.figure_pairs import FIGURE_FEATURES
    from diffing.followthrough import FOLLOW_FEATURES

    return {"pieces": PIECE_FEATURES, "figures": FIGURE_FEATURES, "follow_through": FOLLOW_FEATURES}.get(kind, FEATURES)


_IN_USE: dict[str, Model] = {}  # models put in place of the file's (while fitting and cross-validating)


def load_model(kind: str = "plans") -> Model:
    """The model for ``kind`` (plans, problems, pieces): the one in use, else the one fitted in pairing_model.json."""
    return _IN_USE.get(kind) or _file_model(kind)


@contextmanager
def models_in_use(models: dict[str, Model]) -> Iterator[None]:
    """Run the analysis with these models instead of the file's (leave-one-pair-out scoring)."""
    saved = dict(_IN_USE)
    _IN_USE.update(models)
    try:
        yield
    finally:
        _IN_USE.clear()
        _IN_USE.update(saved)


@lru_cache(maxsize=4)
def _file_model(kind: str, path: Path = MODEL_PATH) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))[kind]
    if tuple(data["features"]) != features_of(kind):
        raise ValueError(f"{path.name} was fitted on other features; refit with python -m benchmarks.fit_pairing")
    return Model(data["bias"], tuple(data["weights"]), tuple(data["means"]), tuple(data["scales"]))
