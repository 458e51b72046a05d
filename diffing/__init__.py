"""Diffing of report texts and the static HTML report site (docs/CONTRACTS.md §4).

``diff_texts`` aligns sentences and diffs words inside reworded ones; ``diffing.render`` shows a
diff as text, Markdown or HTML; ``diffing.site.build_report_site`` writes the site from an archive DB.
"""

from diffing.textdiff import TextDiff, diff_texts

__all__ = ["TextDiff", "diff_texts"]
