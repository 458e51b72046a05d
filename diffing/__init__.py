"""Diffing of report texts: pure analysis over texts and Reports (docs/CONTRACTS.md §4).

``diff_texts`` aligns sentences and diffs words inside reworded ones; ``diffing.yoy.compare_years``
(and ``diff_reports`` for JSON) compares one agency's reports of two years: commitments kept,
changed, split, merged, dropped or added, their follow-through, recurring problems, paired figures,
copied text and compliance. Nothing here reads the archive or knows about Scrapy; showing the
results is the report stage's job (``report.render``, ``report.site``).
"""

from diffing.textdiff import TextDiff, diff_texts

__all__ = ["TextDiff", "diff_texts"]
