"""Dates as Chinese portals write them (2023年3月30日, 2023-03-30, 2023/3/30, 2023.03.30) → ISO."""

from __future__ import annotations

import re
from datetime import date

DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?"
)


def parse_date(text: str | None) -> str | None:
    """The first valid date in ``text`` as YYYY-MM-DD, else None."""
    if not text:
        return None
    for m in DATE_RE.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None
