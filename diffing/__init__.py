"""Diffing of report texts and the static HTML report site (docs/CONTRACTS.md §4).

``diff_texts`` aligns sentences and diffs words inside reworded ones; ``diffing.yoy.compare_years``
(and ``diff_reports`` for JSON) compares one agency's reports of two years: commitments kept,
changed, dropped or added, their follow-through, recurring problems, paired figures and copied
text; ``diffing.render`` shows a diff as text, Markdown or HTML; ``diffing.site.build_report_site``
writes the site from an archive DB.
"""

from diffing.textdiff import TextDiff, diff_texts

__all__ = ["TextDiff", "diff_texts"]
