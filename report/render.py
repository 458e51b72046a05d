"""Renderers of a TextDiff (and a year pair's analysis) for a terminal, for Markdown and as a standalone HTML page.

HTML goes through Jinja2 with autoescape on: the texts are scraped and untrusted. Markdown escapes
HTML and Markdown syntax for the same reason (Markdown viewers render inline HTML).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from diffing.textdiff import SentenceOp, TextDiff, TokenOp
from report.vocabulary import (
    COMPLIANCE_LABELS,
    FOLLOW_THROUGH_LABELS,
    PLAN_LABELS,
    PROBLEM_LABELS,
    analysis_summary,
    template_globals,
)
from report.vocabulary import SENTENCE_LABELS as OP_LABELS

if TYPE_CHECKING:
    from diffing.commitments import CommitmentMatch
    from diffing.compare import Comparison, Revision
    from diffing.followthrough import FollowThrough
    from diffing.yoy import PairedFigure, ProblemMatch, YearOverYear

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The one Jinja2 environment (autoescape on for every template) shared with the site builder."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are files of this package: no stat of each one (and its base) per page
    )
    env.globals.update(side_by_side_rows=side_by_side_rows, changes_items=changes_items, paragraphs=paragraphs,
                       plan_rows=plan_rows, follow_rows=follow_rows, problem_rows=problem_rows,
                       figure_rows=figure_rows, **template_globals())  # fmt: skip
    return env


_SPECIAL = re.compile("[&<>'\"]")


def escape_text(text: str) -> str:
    """``str(markupsafe.escape(text))`` for a str, without a Markup object a call: the pages' rows built in Python
    escape hundreds of thousands of fragments (the same five characters, the same entities as Jinja's autoescape).
    Most sentences hold none of the five: one scan finds that, instead of five replacements."""
    if _SPECIAL.search(text) is None:
        return text
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))  # fmt: skip


def _side_html(op: SentenceOp, side: str) -> str:
    """One side of a sentence, escaped, with its deleted (old) or inserted (new) words marked."""
    tag = "del" if side == "old" else "ins"
    text = op.old if side == "old" else op.new
    if op.op == "changed":
        return _marked(op.tokens, side)
    if (op.op == "deleted" and side == "old") or (op.op == "inserted" and side == "new"):
        return f"<{tag}>{escape_text(text)}</{tag}>"
    return escape_text(text or "")


def _inline_html(op: SentenceOp) -> str:
    """One changed sentence, escaped, its deleted words in <del> and inserted ones in <ins> (``_inline``'s marks)."""
    if op.op == "changed":
        parts = []
        for t in op.tokens:
            if t.op == "equal":
                parts.append(escape_text(t.old))
                continue
            if t.old:
                parts.append(f"<del>{escape_text(t.old)}</del>")
            if t.new:
                parts.append(f"<ins>{escape_text(t.new)}</ins>")
        return "".join(parts)
    if op.op == "deleted":
        return f"<del>{escape_text(op.old)}</del>"
    if op.op == "inserted":
        return f"<ins>{escape_text(op.new)}</ins>"
    return escape_text(op.old or "")


def side_by_side_rows(diff: TextDiff) -> Markup:
    """The rows of the side-by-side table, built in Python: a Jinja macro per sentence was the site's hot spot.

    A sentence both texts have word for word is written once, across both columns (most of a year
    pair's sentences: written twice they were two fifths of the site's bytes)."""
    return Markup(
        "".join(
            f'<tr class="equal"><td class="both" colspan="2">{escape_text(op.old)}</td></tr>\n'
            if op.op == "equal" and op.old == op.new
            else f'<tr class="{op.op}"><td class="old">{_side_html(op, "old")}</td>'
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


def paragraphs(text: str) -> Markup:
    """A text's non-blank lines as escaped ``<p>`` paragraphs, one a line: the text is escaped once, whole (escaping
    changes no line break or space, so its lines are the escaped lines), not line by line through Jinja."""
    return Markup("".join(f"<p>{line}</p>\n" for line in escape_text(text or "").splitlines() if line.strip()))


def _e(value: object) -> str:
    """What ``{{ value }}`` writes under autoescape (a str escaped, anything else as str() then escaped)."""
    return escape_text(value) if type(value) is str else str(escape(value))


def _marked(tokens: list[TokenOp], side: str) -> str:
    """One side of a reworded plan: equal words as they are, its own changed words marked."""
    tag = "del" if side == "old" else "ins"
    parts = []
    for t in tokens:
        words = t.old if side == "old" else t.new
        if t.op == "equal":
            parts.append(_e(words))
        elif words:
            parts.append(f"<{tag}>{_e(words)}</{tag}>")
    return "".join(parts)


def _plan_cells(m: CommitmentMatch) -> tuple[str, str]:
    if m.status == "split":
        return _e(m.previous.text), "".join(f"<p>{_e(c.text)}</p>" for c in m.current_items)
    if m.status == "merged":
        return "".join(f"<p>{_e(c.text)}</p>" for c in m.previous_items), _e(m.current.text)
    if m.tokens:
        return _e(m.previous.marker) + _marked(m.tokens, "old"), _e(m.current.marker) + _marked(m.tokens, "new")
    return _e(m.previous.text if m.previous else "—"), _e(m.current.text if m.current else "—")


def plan_rows(plans: list[CommitmentMatch]) -> Markup:
    """The rows of a year pair's plans table (rows of the page's tables are built in Python: see side_by_side_rows)."""
    rows = []
    for m in plans:
        status = _e(m.status)
        old, new = _plan_cells(m)
        rows.append(f'<tr class="{status}"><td><span class="op plan-{status}">{_e(PLAN_LABELS[m.status])}</span></td>\n'
                    f'<td class="old">{old}</td>\n<td class="new">{new}</td>\n</tr>\n')  # fmt: skip
    return Markup("".join(rows))


def follow_rows(items: list[FollowThrough]) -> Markup:
    """The rows of a year pair's follow-through table: each plan and the sentences that report on it."""
    rows = []
    for f in items:
        if f.sentence:
            found = "".join(f"<p>{_e(e)}</p>" for e in f.evidence or [f.sentence])
        else:
            found = f'<span class="flag">{_e(FOLLOW_THROUGH_LABELS[f.status])}</span>'
        rows.append(f'<tr class="{"reported" if f.sentence else "unreported"}"><td>{_e(f.commitment.text)}</td>'
                    f"<td>{found}</td></tr>\n")  # fmt: skip
    return Markup("".join(rows))


def _row(css: str, *cells: str) -> str:
    """A table row of ready-made ``<td>`` cells (the caller escapes their text)."""
    return f'<tr class="{css}">{"".join(cells)}</tr>\n'


def problem_rows(items: list[ProblemMatch]) -> Markup:
    """The rows of a year pair's problems table."""
    return Markup("".join(
        _row(f"problem-{_e(p.status)}", f'<td><span class="op problem-{_e(p.status)}">{_e(PROBLEM_LABELS[p.status])}</span></td>',
             f"<td>{_e(p.previous or '—')}</td>", f"<td>{_e(p.current or '—')}</td>")
        for p in items
    ))  # fmt: skip


def figure_rows(items: list[PairedFigure]) -> Markup:
    """The rows of a year pair's figures table."""
    return Markup("".join(
        _row("figure-changed" if f.changed else "figure-same", f"<td>{_e(f.label)}</td>",
             f'<td class="num old">{_e(f.before)}</td><td class="num new">{_e(f.after)}</td>', f"<td>{_e(f.after_sentence)}</td>")
        for f in items
    ))  # fmt: skip


def stylesheet() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def script(name: str) -> str:
    """One of the site's own scripts (sorting and filtering, search): files beside the pages, no CDN."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


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
    return "，".join(f"{OP_LABELS[op]} {s[op]} 句" for op in ("equal", "changed", "inserted", "deleted"))


def _plan_line(m: CommitmentMatch) -> str:
    """One plan that moved, in words: a split names its parts, a merge what it joined."""
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
            lines.append(f"  [{FOLLOW_THROUGH_LABELS[f.status]}] {f.commitment.text}")
    lines.append("问题对照:")
    lines += [f"  [{PROBLEM_LABELS[p.status]}] {p.current or p.previous}" for p in analysis.problems]
    changed = analysis.changed_figures
    if changed:
        lines.append(f"数字变化（另有 {len(analysis.figures) - len(changed)} 项数字未变）:")
        lines += [f"  {f.label}: {f.before} → {f.after}" for f in changed]
    if analysis.compliance:
        lines.append("合规提示:")
        lines += [f"  [{COMPLIANCE_LABELS[c.kind]}] {c.detail}" for c in analysis.compliance]
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


def render_comparison(comparison: Comparison, fmt: str, old_name: str = "old", new_name: str = "new") -> str:
    """What ``fazhi diff`` prints for a ``diffing.compare.Comparison``: ``text``, ``md``, ``html`` or ``json``."""
    if fmt == "json":
        return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2)
    render = {"md": render_markdown, "html": render_html, "text": render_text}[fmt]
    analysis = comparison.analysis if comparison.analysis is not None else comparison.revision
    return render(comparison.text_diff, old_name=old_name, new_name=new_name, analysis=analysis)
