"""What a commitment does to its object: the action family of its heading's verb, and the object's head.

Two plans of one agency share their object words (应急管理领域规范性文件, 河道采砂, 委托执法事项)
far more often than their promise: 开展文件清理 / 建立文件实施后评估制度, 规范采砂管理 / 禁止采砂,
委托执法事项 / 收回委托事项. What tells them apart is what the heading does — sets something up,
carries something out, ends it, hands it over — and what it does it to (the last noun of its first
clause: 文件, 评估, 认定). The families are data, the verbs of any plan of any report; the vague
frame verbs (推进, 加强, 做好, 落实) belong to none. The pairing (``diffing.pairing``) reads two
things of them: a heading that ends what the other keeps is never the same promise, and a piece of
a split names the old item's object head (or the old item the piece's). Other uses — a clash of any
two families, the head as a pairing feature — lowered the leave-one-pair-out score and are not made.
"""

from __future__ import annotations

from functools import lru_cache

# family → the verbs that open a heading with that action
ACTION_FAMILIES: dict[str, tuple[str, ...]] = {
    "build": ("建立", "健全", "建立健全", "完善", "设立", "制定", "出台", "组建", "成立", "创建", "搭建", "编制",
              "修订", "修改", "优化", "改进", "规范", "构建", "打造", "建成", "新建", "整合", "理顺"),
    "carry_out": ("开展", "组织", "举办", "实施", "执行", "承办", "召开", "培训", "轮训", "排查", "评查", "检查",
                  "清理", "整治", "治理", "宣传", "调解", "办理", "审查", "审核", "核查"),
    "hand_over": ("委托", "下放", "赋予", "授权", "放开", "移交", "承接", "划转"),
    "end": ("取消", "废止", "撤销", "收回", "禁止", "停止", "叫停", "退出", "关停", "关闭", "注销", "杜绝", "严禁"),
    # cutting down is not ending: 精简办税资料 is carried on by 进一步精简办税资料 under another heading
    "reduce": ("精简", "压减", "压缩", "缩减", "减少", "缩短"),
}
# One object's separate pieces of work, each a promise of its own: clearing out a set of documents,
# evaluating them after they took effect and filing them for review are three jobs, not one reworded
# (开展规范性文件清理 / 开展规范性文件实施后评估, 示范社区创建 / 示范社区复核). A heading that names
# one of these and another that names only others are never one promise (``stage_clash``).
STAGES: dict[str, str] = {
    "清理": "clear", "清查": "clear", "评估": "evaluate", "评价": "evaluate", "备案": "file", "审查": "review",
    "审核": "review", "复核": "recheck", "复查": "recheck", "检查": "inspect", "验收": "accept", "认定": "recognise",
    "发放": "issue", "创建": "create", "起草": "draft", "制定": "draft", "修订": "draft",
    # finishing a thing and then using or evaluating it are other jobs (建成平台 / 强化平台应用)
    "建成": "launch", "正式运行": "launch", "投入运行": "launch", "投入使用": "launch", "上线": "launch",
    "应用": "use",
    # reaching every unit with a thing is one job, what that thing then does is another
    # (实现村（社区）法律顾问全覆盖 / 推动村（社区）法律顾问参与重大事项合法性审查, 建立…履职评价机制)
    "全覆盖": "cover", "参与": "take_part",
    # drafting a plan or a rule, drilling it, checking how it is carried out and telling the public about
    # it are other jobs again (修订应急预案 / 开展预案演练, 制定服务规范 / 督查规范执行情况, 开展条例宣传月活动 /
    # 开展条例执法检查)
    "演练": "drill", "督查": "inspect", "执行情况": "inspect", "宣传": "publicise",
}  # fmt: skip
_FAMILY = {verb: family for family, verbs in ACTION_FAMILIES.items() for verb in verbs}
_NOUN_POS = ("n", "vn", "j")


@lru_cache(maxsize=65536)
def action_of(clause: str) -> str:
    """The family of a heading's first clause: "end" when it ends anything anywhere (对…按程序收回),
    else that of its leading verb — the first verb past the frame words (全面落实, 推进) — or "" (a
    frame only, or a verb of no family: 落实行政执法公示 leads with 公示, not the 审核 of its object)."""
    from diffing.meaning import _tagged

    lead = ""
    for word, flag in _tagged(clause):
        family = action_family(word)
        if family == "end":
            return family
        if not lead and (family or flag.startswith(("v", "a")) and not _frame_only(word)):
            lead = family or "-"
    return "" if lead == "-" else lead


def _frame_only(word: str) -> bool:
    """A frame word or a run of them (全面落实, 进一步): how hard, not what."""
    from diffing.pairing import FRAME_VERBS, _framing

    return _framing(word, FRAME_VERBS | {"探索", "进一步", "一步", "全力", "努力"})


def action_family(word: str) -> str:
    """A word's family: itself a family verb, or one run into a frame word or its object (全面禁止, 规范管理)."""
    if word in _FAMILY:
        return _FAMILY[word]
    if len(word) <= 4:
        for verb, family in _FAMILY.items():
            if len(verb) == 2 and len(word) > 2 and (word.startswith(verb) or word.endswith(verb)):
                return family
    return ""


@lru_cache(maxsize=65536)
def object_head(clause: str, skip: frozenset[str] = frozenset()) -> str:
    """The last noun of a heading's first clause that is not a generic word: what the action is done to."""
    from diffing.meaning import GENERIC, _tagged, canonical

    head = ""
    for word, flag in _tagged(clause):
        if len(word) >= 2 and flag.startswith(_NOUN_POS):
            word = canonical(word)
            if word not in GENERIC and word not in skip:
                head = word
    return head


def ends_other(a: str, b: str) -> bool:
    """One heading ends what it names (取消, 废止, 收回, 禁止) and the other does not: never one promise."""
    return (action_of(a) == "end") != (action_of(b) == "end")


def stages_of(clause: str) -> frozenset[str]:
    """The pieces of work (``STAGES``) a heading's first clause names."""
    return frozenset(stage for word, stage in STAGES.items() if word in clause)


def stage_clash(a: str, b: str) -> bool:
    """Both headings name a piece of work on their object and none in common: 清理 / 实施后评估 of one
    set of documents is another job, not the same promise reworded (推行 → 严格执行 names none)."""
    stages_a, stages_b = stages_of(a), stages_of(b)
    return bool(stages_a and stages_b and not stages_a & stages_b)


# The verb of a plan that sets itself a finish line: the task is done within the year (完成储备粮轮换).
FINISH = "完成"


def finished_then_other(old: str, new: str) -> bool:
    """Last year's heading promised to finish a task (完成工作站标准化建设, 完成储备粮轮换) and this
    year's, on the same object, names another job and neither finishes nor names that task: the task
    was done, and what the object gets now is a new promise (提升工作站服务效能, 开展储备粮清查).
    A task not finished is carried on under its own name (加快推进工作站标准化建设, 全面完成轮换)."""
    if FINISH in new or _lead_word(old) != FINISH:
        return False
    task = _task_word(old)
    return bool(task) and task not in new


def _lead_word(clause: str) -> str:
    """The first word of a heading's first clause past the frame words (全面, 年内, 推进)."""
    from diffing.meaning import _tagged

    for word, flag in _tagged(clause):
        if flag.startswith("t") or _frame_only(word):
            continue
        return FINISH if word.endswith(FINISH) else word
    return ""


# Words a finishing heading ends on that name no task of their own (完成…标准化建设工作).
_NO_TASK = frozenset(("建设", "工作", "任务"))


def _task_word(clause: str) -> str:
    """What a finishing heading finishes: its last word but 建设/工作/任务 (轮换, 划定, 规范化 of 规范化建设)."""
    from diffing.meaning import _tagged

    words = [w for w, _flag in _tagged(clause) if len(w) >= 2 and w not in _NO_TASK and not w.endswith(FINISH)]
    return words[-1] if words else ""


def head_said(a: str, b: str, said_a: tuple[str, frozenset[str]], said_b: tuple[str, frozenset[str]],
              skip: frozenset[str] = frozenset()) -> float:  # fmt: skip
    """How many of the two headings' object heads the other item names (0, ½ or 1): ``said_*`` is an
    item's text and its canonical words."""
    ha, hb = object_head(a, skip), object_head(b, skip)
    return ((not ha or ha in said_b[0] or ha in said_b[1]) + (not hb or hb in said_a[0] or hb in said_a[1])) / 2
