"""The portal registry (``crawler/portals.toml``): which portals to crawl, and how.

A data file rather than code, so that adding a county is an edit a researcher can make and review.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.families import FAMILIES

REGISTRY_PATH = Path(__file__).with_name("portals.toml")
LEVELS = ("province", "city", "county", "district", "township", "subdistrict", "department")


@dataclass
class Portal:
    key: str
    name: str
    region_code: str
    level: str
    cms: str  # the CMS family that reads its lists: a name in crawler.families.FAMILIES
    start_urls: list[str]
    verified: bool = False
    verified_on: str | None = None
    notes: str = ""


def load_portals(path: Path = REGISTRY_PATH) -> list[Portal]:
    """Read the registry; raises ValueError naming the entry for fields that are missing or unknown."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    portals = []
    for n, entry in enumerate(data.get("portal", []), start=1):
        unknown = set(entry) - set(Portal.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: portal #{n} has unknown fields {sorted(unknown)}")
        try:
            portals.append(Portal(**entry))
        except TypeError as exc:
            raise ValueError(f"{path}: portal #{n} ({entry.get('key', '?')}): {exc}") from exc
    return portals


def validate_portals(portals: list[Portal]) -> list[str]:
    """Problems with the registry's entries; an empty list means it is valid."""
    problems = []
    seen: set[str] = set()
    for p in portals:
        where = f"portal {p.key!r}"
        if p.key in seen:
            problems.append(f"{where}: duplicate key")
        seen.add(p.key)
        if p.cms not in FAMILIES:
            problems.append(f"{where}: cms {p.cms!r} is not one of the families {tuple(FAMILIES)}")
        if p.level not in LEVELS:
            problems.append(f"{where}: level {p.level!r} is not one of {LEVELS}")
        if not (p.region_code.isdigit() and len(p.region_code) == 6):
            problems.append(f"{where}: region_code {p.region_code!r} is not a 6-digit GB/T 2260 code")
        if not p.start_urls:
            problems.append(f"{where}: no start_urls")
        for url in p.start_urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"{where}: start URL {url!r} is not an http(s) URL")
        if p.verified and not p.verified_on:
            problems.append(f"{where}: verified = true needs verified_on (the date it was checked)")
    return problems
