"""What an item of a report says, apart from the words every item says: its gist, and how close two gists are.

Plans, problems and results of these reports share a vocabulary (法治政府建设, 依法行政, 推进, 加强,
进一步): two items that share only those share no promise. An item's gist is what is left — the
actions (jieba verbs) and objects (nouns) that are not generic, with a few common variants of one
word folded together (审核/审查, 欠缺/薄弱/不足) — plus the subjects it names (``diffing.topics``,
the lines of work of the report's required parts) and its target numbers. Two gists are compared
by weighted overlap, a word weighing more the fewer items of the two reports use it, and by
shared character pairs inside those words (调解员 / 人民调解). Everything here is vocabulary of the
field, not of any one report.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from diffing.topics import topics_of

# Words every item of every report uses: they carry no promise of their own.
GENERIC = frozenset(
    """
    法治 政府 建设 法治政府 法治建设 依法行政 依法 行政 法治化 工作 推进 加强 深入 深化 全面 持续 继续 不断 切实 扎实
    积极 大力 着力 努力 强化 完善 健全 建立 建立健全 落实 贯彻落实 贯彻 提升 提高 开展 做好 抓好 认真 机制 制度 体系 水平
    能力 有关 相关 各项 各类 进一步 一步 年度 今年 明年 全年 组织 实施 实现 推动 确保 严格 重点 主要 情况 方面 部门 单位
    同时 以及 通过 围绕 坚持 更加 有效 力争 将 要 抓 进行 发挥 作用 形成 打造 构建 不断 全力 扎实推进 深入开展 大力推进 推行
    区委 区政府 县委 县政府 市委 市政府 镇委 镇政府 党委 党委政府 党工委 正确
    取得 成效 成绩 显著 明显 良好 稳步 有序 规范化 常态化 长效 新 新时代 推进依法行政 全面推进 全方位 多方面 工作机制
    我镇 我县 我区 我市 我局 我乡 我委 我办 本镇 本县 本区 本市 本局 全县 全镇 全区 全市 全乡 街道 镇 县 区 市 局 乡
    存在 问题 不足 不强 不高 不够 不到位 有待 较为 仍然 依然 还 一些 部分 个别 少数 薄弱 欠缺 缺乏 短板 差距 亟待 尚
    进一步提高 进一步加强 有待提高 有待加强 有待提升 进一步 提高
    目标 任务 计划 打算 下一步 今后 重要 必要 要求 有关 上级 领导 正确领导 指导 方针 精神 思想 习近平 总书记
    中国 特色 社会主义 新时代 时代 党中央 中央 决策部署 部署 重要指示 指示 重要讲话 讲话 全会 十九大 二十大 十九届 二十届
    中全会 五中 六中 四中 三中 二中 理论 科学理论 武装头脑 头脑 引领 指引 保障 提供 法治保障 有力 高质量 发展 经济社会
    """.split()
)
# Variants of one word: folded to the first of each group before comparing.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("审查", "审核", "审定", "把关"),
    ("培训", "轮训", "培训班", "集中培训", "业务培训"),
    ("宣传", "宣讲", "宣传教育"),
    ("普法", "法治宣传", "法治宣传教育", "普法宣传", "普法教育"),
    ("力量", "人员", "队伍", "人才", "人手", "力量配备"),
    ("专业", "专职", "专门"),
    ("学习", "学法", "集体学法", "专题学习", "学法用法"),
    ("纠纷", "矛盾纠纷", "矛盾"),
    ("调解", "人民调解", "调处"),
    ("执法", "行政执法"),
    ("清理", "清查", "梳理"),
    ("公开", "公示"),
    ("信息化", "数字化", "智能化", "网上"),
    ("顾问", "法律顾问"),
    ("考核", "考评", "考试"),
    ("监督", "督查", "督察", "检查"),
    ("复议", "行政复议"),
    ("应诉", "行政应诉", "出庭应诉", "出庭"),
    ("决策", "重大行政决策", "重大决策"),
    ("文件", "规范性文件", "行政规范性文件"),
    ("意识", "观念", "思维", "法律意识", "法治意识", "法治观念", "守法意识", "法治思维", "维权意识"),
    ("群众", "村民", "居民", "渔民", "市民", "农民", "务工人员", "外来务工人员", "公众", "老百姓"),
    ("执法能力", "执法水平", "执法素质", "业务素质", "业务能力", "执法素养", "专业素养", "业务水平"),
    ("案卷", "卷宗"),
    ("不平衡", "不均衡", "发展不平衡", "发展不均衡"),
    ("平衡", "均衡"),
)
_CANON = {word: group[0] for group in SYNONYMS for word in group}
# jieba parts of speech that carry what an item is about: nouns, verbs, names, idioms, abbreviations …
_CONTENT_POS = ("n", "v", "a", "j", "l", "i", "b", "z", "s")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_MARKER = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、．.]|\d{1,2}[.．、]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+[是要]要?)")


@dataclass(frozen=True)
class Gist:
    """What an item is about: its telling words, their character pairs, its subjects and target numbers."""

    words: frozenset[str]
    grams: frozenset[str]
    topics: frozenset[str]
    targets: tuple[str, ...]


@lru_cache(maxsize=8192)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    import jieba
    import jieba.posseg as pseg

    from diffing.topics import teach_jieba

    jieba.setLogLevel(logging.WARNING)
    teach_jieba()
    return tuple((w.word, w.flag) for w in pseg.cut(text))


def canonical(word: str) -> str:
    return _CANON.get(word, word)


@lru_cache(maxsize=8192)
def gist(text: str, ignore: frozenset[str] = frozenset()) -> Gist:
    """The gist of an item; ``ignore`` holds words that say nothing here (an agency's own field words)."""
    body = _MARKER.sub("", text)
    targets = tuple(n for n in _NUMBER.findall(_YEAR.sub("", body)))
    words: set[str] = set()
    for word, flag in _tagged(_NUMBER.sub(" ", _YEAR.sub(" ", body))):
        if len(word) < 2 or not flag.startswith(_CONTENT_POS):
            continue
        word = canonical(word)
        if word not in GENERIC and word not in ignore:
            words.add(word)
    grams = {w[k : k + 2] for w in words for k in range(len(w) - 1)}
    grams = {g for g in grams if g not in GENERIC and g not in ignore}
    return Gist(frozenset(words), frozenset(grams), topics_of(text), targets)


_CLAUSE_MARK = frozenset("，,；;。：:！!？?")


@lru_cache(maxsize=8192)
def clause_gists(sentence: str, ignore: frozenset[str] = frozenset()) -> tuple[Gist, ...]:
    """The gist of each clause of a sentence, from one tagging of the whole sentence (a clause tagged
    alone comes out the same, tagging it again only costs time)."""
    clauses: list[set[str]] = [set()]
    texts: list[str] = [""]
    for word, flag in _tagged(_NUMBER.sub(" ", _YEAR.sub(" ", sentence))):
        if word in _CLAUSE_MARK:
            if clauses[-1] or texts[-1].strip():
                clauses.append(set())
                texts.append("")
            continue
        texts[-1] += word
        if len(word) >= 2 and flag.startswith(_CONTENT_POS):
            word = canonical(word)
            if word not in GENERIC and word not in ignore:
                clauses[-1].add(word)
    pairs = [(c, t) for c, t in zip(clauses, texts, strict=True) if t.strip()]
    return tuple(_gist_of(frozenset(words), text, ignore) for words, text in pairs)


def union_gist(parts: Iterable[Gist]) -> Gist:
    parts = list(parts)
    return Gist(frozenset().union(*(g.words for g in parts)), frozenset().union(*(g.grams for g in parts)),
                frozenset().union(*(g.topics for g in parts)), tuple(t for g in parts for t in g.targets))  # fmt: skip


def _gist_of(words: frozenset[str], text: str, ignore: frozenset[str]) -> Gist:
    grams = {w[k : k + 2] for w in words for k in range(len(w) - 1)}
    return Gist(words, frozenset(g for g in grams if g not in GENERIC and g not in ignore), topics_of(text), ())


@dataclass
class Background:
    """How many sentences of the two reports use each word: a word the whole report is full of
    (学校 in an education bureau's report) tells no item from another."""

    sentences: int = 0
    words: Counter[str] = field(default_factory=Counter)
    grams: Counter[str] = field(default_factory=Counter)


def background(texts: Iterable[str]) -> Background:
    """Sentence frequencies of the telling words of ``texts`` (jieba words, canonical, generic ones left out)."""
    from diffing.sentences import split_sentences
    from diffing.textdiff import _words

    out = Background()
    for text in texts:
        for sentence in split_sentences(text):
            words = {canonical(w) for w in _words(_NUMBER.sub(" ", sentence)) if len(w) >= 2}
            words = {w for w in words if w not in GENERIC}
            out.sentences += 1
            out.words.update(words)
            out.grams.update({w[k : k + 2] for w in words for k in range(len(w) - 1)})
    return out


class Weights:
    """How telling each word is among a set of items: the fewer items (and sentences of the two
    reports, when a ``Background`` is given) use it, the more it says."""

    def __init__(self, gists: Iterable[Gist], context: Background | None = None) -> None:
        gists = list(gists)
        context = context or Background()
        self.n = max(1, len(gists)) + context.sentences
        self.words: Counter[str] = Counter(w for g in gists for w in g.words) + context.words
        self.grams: Counter[str] = Counter(x for g in gists for x in g.grams) + context.grams

        self._word: dict[str, float] = {}
        self._gram: dict[str, float] = {}

    def word(self, w: str) -> float:
        if w not in self._word:
            self._word[w] = 1.0 + math.log((self.n + 1) / (self.words.get(w, 0) + 1))
        return self._word[w]

    def gram(self, g: str) -> float:
        if g not in self._gram:
            self._gram[g] = 1.0 + math.log((self.n + 1) / (self.grams.get(g, 0) + 1))
        return self._gram[g]


def _weighted_cosine(a: frozenset[str], b: frozenset[str], weight, b_power: float = 0.5) -> float:  # noqa: ANN001
    """Weighted cosine; a ``b_power`` under 0.5 lets a longer ``b`` that says more of ``a`` count for more."""
    if not a or not b:
        return 0.0
    shared = math.fsum(weight(x) ** 2 for x in a & b)
    norm = math.sqrt(math.fsum(weight(x) ** 2 for x in a)) * math.fsum(weight(x) ** 2 for x in b) ** b_power
    norm_max = math.sqrt(math.fsum(weight(x) ** 2 for x in a) * math.fsum(weight(x) ** 2 for x in a & b)) if b_power != 0.5 else norm
    return min(1.0, shared / max(norm, norm_max)) if norm else 0.0


def _weighted_share(part: frozenset[str], whole: frozenset[str], weight) -> float:  # noqa: ANN001
    """Share (by weight) of ``part``'s words that ``whole`` has too: how much of a piece an item covers."""
    if not part:
        return 0.0
    total = math.fsum(weight(x) for x in part)
    return math.fsum(weight(x) for x in part & whole) / total if total else 0.0


# How much the two channels count: whole words, and character pairs inside them.
WORD_SHARE = 0.6
# Items naming subjects, none of them shared, are different lines of work: their score is cut.
DIFFERENT_SUBJECT_FACTOR = 0.6
SAME_SUBJECT_BONUS = 0.15
# One shared telling word is thin evidence of one promise (复议 in 复议规范化建设 / 复议案件繁简分流).
ONE_WORD_FACTOR = 0.75


def similarity(a: Gist, b: Gist, weights: Weights | None = None, b_power: float = 0.5) -> float:
    """0–1: how much two items say the same thing, by their telling words and their subjects.

    ``b_power`` below 0.5 makes it lean towards how much of ``a`` a (longer) ``b`` says.
    """
    weights = weights or Weights([a, b])
    score = WORD_SHARE * _weighted_cosine(a.words, b.words, weights.word, b_power) + (
        1 - WORD_SHARE
    ) * _weighted_cosine(a.grams, b.grams, weights.gram, b_power)
    if len(a.words & b.words) <= 1 and len(a.words | b.words) >= 3:
        score *= ONE_WORD_FACTOR
    if a.topics and b.topics:
        score = min(1.0, score + SAME_SUBJECT_BONUS) if a.topics & b.topics else score * DIFFERENT_SUBJECT_FACTOR
    return score


def coverage(part: Gist, whole: Gist, weights: Weights | None = None) -> float:
    """0–1: how much of ``part`` is said in ``whole`` (a piece of a split item, a merged item's part)."""
    weights = weights or Weights([part, whole])
    words = _weighted_share(part.words, whole.words, weights.word)
    grams = _weighted_share(part.grams, whole.grams, weights.gram)
    return WORD_SHARE * words + (1 - WORD_SHARE) * grams
