"""The report stage: what a reviewer reads, built from the archive (read-only) and the analysis.

``report.site.build_report_site`` writes the static site (``fazhi report``); ``report.render``
shows one diff as text, Markdown or HTML (``fazhi diff``); ``report.vocabulary`` holds every label.
"""
