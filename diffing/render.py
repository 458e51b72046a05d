"""Renderers of a TextDiff for a terminal, for Markdown and as a standalone HTML page.

HTML goes through Jinja2 with autoescape on: the texts are scraped and untrusted. Markdown escapes
HTML and Markdown syntax for the same reason (Markdown viewers render inline HTML).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from diffing.textdiff import SentenceOp, TextDiff

if TYPE_CHECKING:
    from diffing.compare import Revision
    from diffing.yoy import YearOverYear

TEMPLATES = Path(__file__).with_name("templates")
OP_LABELS = {"changed": "修改", "inserted": "新增", "deleted": "删除", "equal": "相同"}


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The one Jinja2 environment (autoescape on for every template) shared with the site builder."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(side_by_side_rows=side_by_side_rows, changes_items=changes_items)
    return env


def _side_html(op: SentenceOp, side: str) -> str:
    """One side of a sentence, escaped, with its deleted (old) or inserted (new) words marked."""
    tag = "del" if side == "old" else "ins"
    text = op.old if side == "old" else op.new
    if op.op == "changed":
        parts = []
        for t in op.tokens:
            words = t.old if side == "old" else t.new
            if t.op == "equal":
                parts.append(str(escape(words)))
            elif words:
                parts.append(f"<{tag}>{escape(words)}</{tag}>")
        return "".join(parts)
    if (op.op == "deleted" and side == "old") or (op.op == "inserted" and side == "new"):
        return f"<{tag}>{escape(text)}</{tag}>"
    return str(escape(text or ""))


def _inline_html(op: SentenceOp) -> str:
    return _inline(
        SentenceOp(
            op.op,
            str(escape(op.old)) if op.old is not None else None,
            str(escape(op.new)) if op.new is not None else None,
            tokens=[type(t)(t.op, str(escape(t.old)), str(escape(t.new))) for t in op.tokens],
        ),
        "<del>{}</del>",
        "<ins>{}</ins>",
    )


def side_by_side_rows(diff: TextDiff) -> Markup:
    """The rows of the side-by-side table, built in Python: a Jinja macro per sentence was the site's hot spot."""
    return Markup(
        "".join(
            f'<tr class="{op.op}"><td class="old">{_side_html(op, "old")}</td>'
            f'<td class="new">{_side_html(op, "new")}</td></tr>\n'
            for op in diff.ops
        )
    )


def changes_items(diff: TextDiff) -> Markup:
    """The list items of the changes-only view (escaped text, <del>/<ins> marks)."""
    return Markup(
        "".join(
            f'<li class="{op.op}"><span class="op op-{op.op}">{OP_LABELS[op.op]}</span>{_inline_html(op)}</li>\n'
            for op in diff.changes
        )
    )


def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def _inline(op: SentenceOp, delete: str, insert: str) -> str:
    """One sentence with changes marked by ``delete``/``insert`` format strings."""
    if op.op == "changed":
        parts = []
        for t in op.tokens:
            if t.op == "equal":
                parts.append(t.old)
                continue
            if t.old:
                parts.append(delete.format(t.old))
            if t.new:
                parts.append(insert.format(t.new))
        return "".join(parts)
    if op.op == "deleted":
        return delete.format(op.old)
    if op.op == "inserted":
        return insert.format(op.new)
    return op.old or ""


def _stats_line(diff: TextDiff) -> str:
    s = diff.stats
    return f"相同 {s['equal']} 句，修改 {s['changed']} 句，新增 {s['inserted']} 句，删除 {s['deleted']} 句"


PLAN_LABELS = {"kept": "延续", "changed": "调整", "split": "拆分", "merged": "合并", "dropped": "未再提及", "added": "新增"}
PROBLEM_LABELS = {"recurring": "反复出现", "resolved": "不再提及", "new": "新出现"}
COMPLIANCE_LABELS = {"late": "逾期公开", "missing_part": "缺少法定内容", "missing_year": "年度报告缺失"}


def analysis_summary(analysis: YearOverYear | Revision) -> str:
    """One line: how the plans, their follow-through, the problems and the copied text moved."""
    if not hasattr(analysis, "follow_through"):  # a revision of one report
        c = {s: len(analysis.commitments_with(s)) for s in PLAN_LABELS}
        return f"修订：工作计划改写 {c['changed']} 项，删去 {c['dropped']} 项，新增 {c['added']} 项"
    c, b = analysis.counts, analysis.boilerplate
    many = "".join(f"，{PLAN_LABELS[s]} {c[s]} 项" for s in ("split", "merged") if c.get(s))
    return (
        f"工作计划：延续 {c['kept']} 项，调整 {c['changed']} 项{many}，未再提及 {c['dropped']} 项，新增 {c['added']} 项；"
        f"有落实表述 {c['followed_through']}/{len(analysis.follow_through)} 项；"
        f"问题：反复 {c['problems_recurring']}，解决 {c['problems_resolved']}，新出现 {c['problems_new']}；"
        f"沿用上年原文 {b.previous_share:.0%}，与其他单位相同 {b.others_share:.0%}"
    )


def _plan_line(m: Any) -> str:
    if m.status == "split":
        return f"  [{PLAN_LABELS[m.status]}] {m.previous.text} → " + " / ".join(c.text for c in m.current_items)
    if m.status == "merged":
        return f"  [{PLAN_LABELS[m.status]}] " + " / ".join(c.text for c in m.previous_items) + f" → {m.current.text}"
    item = m.previous if m.status == "dropped" else m.current
    return f"  [{PLAN_LABELS[m.status]}] {item.text if item else ''}"


def _analysis_lines(analysis: YearOverYear | Revision) -> list[str]:
    """Plain-text sections: plans that moved, follow-through, problems, changed figures, compliance."""
    lines = [analysis_summary(analysis), "工作计划变化:"]
    lines += [_plan_line(m) for m in analysis.commitments if m.status != "kept"]
    if not hasattr(analysis, "follow_through"):
        return lines
    for f in analysis.follow_through:
        if f.sentence is None:
            lines.append(f"  [未见落实] {f.commitment.text}")
    lines.append("问题对照:")
    lines += [f"  [{PROBLEM_LABELS[p.status]}] {p.current or p.previous}" for p in analysis.problems]
    changed = analysis.changed_figures
    if changed:
        lines.append(f"数字变化（另有 {len(analysis.figures) - len(changed)} 项数字未变）:")
        lines += [f"  {f.label}: {f.before} → {f.after}" for f in changed]
    if analysis.compliance:
        lines.append("合规提示:")
        lines += [f"  [{COMPLIANCE_LABELS.get(c.kind, c.kind)}] {c.detail}" for c in analysis.compliance]
    return lines


def render_text(
    diff: TextDiff, old_name: str = "old", new_name: str = "new", analysis: YearOverYear | Revision | None = None
) -> str:
    """Terminal view: -/+ lines per changed sentence and a [-old-]{+new+} inline line; the analysis first if given."""
    lines = [f"--- {old_name}", f"+++ {new_name}", _stats_line(diff)]
    if analysis is not None:
        lines += _analysis_lines(analysis)
    if diff.figures and not hasattr(analysis, "figures"):  # a year-over-year analysis pairs the figures itself
        lines.append("数字变化:")
        lines += [f"  {f.label}: {f.old}{f.unit} → {f.new}{f.unit}" for f in diff.figures]
    for op in diff.changes:
        lines.append("")
        if op.op in ("changed", "deleted"):
            lines.append(f"- {op.old}")
        if op.op in ("changed", "inserted"):
            lines.append(f"+ {op.new}")
        if op.op == "changed":
            lines.append(f"~ {_inline(op, '[-{}-]', '{{+{}+}}')}")
    if not diff.has_changes:
        lines.append("(no changes)")
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _md_escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_inline(op: SentenceOp) -> str:
    escaped = SentenceOp(
        op.op,
        _md_escape(op.old) if op.old is not None else None,
        _md_escape(op.new) if op.new is not None else None,
        tokens=[type(t)(t.op, _md_escape(t.old), _md_escape(t.new)) for t in op.tokens],
    )
    return _inline(escaped, "~~{}~~", "**{}**")


def render_markdown(
    diff: TextDiff, old_name: str = "old", new_name: str = "new", analysis: YearOverYear | Revision | None = None
) -> str:
    """Markdown: stats, the year-over-year analysis if given, changed figures, then each change."""
    lines = [f"# 文本比对：{_md_escape(old_name)} → {_md_escape(new_name)}", "", _stats_line(diff), ""]
    if analysis is not None:
        lines += ["## 年度对照" if hasattr(analysis, "follow_through") else "## 修订对照", ""]
        lines += [f"- {_md_escape(line.strip())}" for line in _analysis_lines(analysis)]
        lines.append("")
    if diff.figures and not hasattr(analysis, "figures"):
        lines += ["## 数字变化", "", "| 指标 | 原数值 | 新数值 |", "| --- | --- | --- |"]
        lines += [
            f"| {_md_escape(f.label)} | {_md_escape(f.old + f.unit)} | {_md_escape(f.new + f.unit)} |"
            for f in diff.figures
        ]
        lines.append("")
    lines += ["## 改动", ""]
    if not diff.has_changes:
        lines.append("两个文本没有差异。")
    for n, op in enumerate(diff.changes, 1):
        lines.append(f"{n}\\. **{OP_LABELS[op.op]}**：{_md_inline(op)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(
    diff: TextDiff, old_name: str = "old", new_name: str = "new", analysis: YearOverYear | Revision | None = None
) -> str:
    """A standalone, offline HTML page (CSS inlined) with figures, changes, a side-by-side view, and the analysis."""
    template = template_environment().get_template("diff.html")
    return template.render(
        diff=diff, old_name=old_name, new_name=new_name, css=Markup(stylesheet()), analysis=analysis,
        analysis_lines=_analysis_lines(analysis) if analysis is not None else None,
        analysis_title="年度对照" if hasattr(analysis, "follow_through") else "修订对照",
    )
