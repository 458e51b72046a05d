"""What a rebuild of the report site can take from the last build: the pages of agencies whose inputs did not change.

A national archive changes a few portals at a time (each crawled on its own schedule), while the
analysis of one agency's reports costs tenths of a second a year pair: ``fazhi report`` into a
directory it wrote before rebuilds only the agencies whose inputs differ and copies the others'
pages. An agency's inputs are everything its pages are made of: its documents, versions (texts
included), captures and unavailable URLs as read, which of its sentences other agencies also use
(template reuse is counted against the whole archive), and the code and settings that draw the
pages. No page of an agency carries the archive's "as of" date (only when the archive last saw the
agency's reports), so an unchanged agency's pages are the same files and are hard-linked. The manifest (``.report-cache/manifest.json``) keeps a digest of each agency's inputs; the
summary the index, feed and desk need (the agency without its texts) is kept beside it, as JSON
(``report.summary_json``): the cache is in an output directory, so it is read as data, never unpickled.
A manifest or summary this module did not write is refused with a warning, and those agencies are built.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from report.pages import PAGE_FOLDERS, AgencyPage, SentenceCounts, shared_keys_of
from report.summary_json import SummaryError, loads

CACHE = ".report-cache"
MANIFEST = "manifest.json"
FORMAT = 4  # 4: fields in order, findings rows left to findings.db (3: findings as columns and rows, 2: JSON, 1: pickled)
_CODE = ("report", "diffing", "extraction/sections.py", "extraction/section_terms.py", "archive/readmodel.py")
_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def code_digest() -> str:
    """A digest of the code and templates that analyse and draw an agency: a change rebuilds everything."""
    h = hashlib.blake2b(digest_size=16)
    for name in _CODE:
        path = _ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and file.suffix in (".py", ".html", ".css", ".js", ".txt", ".json", ".toml"):
                h.update(str(file.relative_to(_ROOT)).encode())
                h.update(file.read_bytes())
    return h.hexdigest()


def agency_digest(agency: AgencyPage, counts: SentenceCounts, settings: str) -> str:
    """A digest of everything the agency's pages are made of (call after its ``keys`` are set, before analysis)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((agency.id, agency.name, agency.level, agency.region, settings)).encode())
    for doc in agency.documents:
        h.update(repr((doc.id, doc.year, doc.title, doc.url, doc.first_seen, doc.last_seen, doc.removed_at,
                       doc.current_version_id, doc.unavailable)).encode())  # fmt: skip
        for v in doc.versions:
            h.update(repr((v.id, v.capture_id, v.title, v.first_seen, v.last_seen, v.seen_count, v.published,
                           doc.captures.get(v.id, []))).encode())  # fmt: skip
            for part in (v.text, v.text_normalized, v.report_data or ""):
                h.update(len(part).to_bytes(8, "little"))
                h.update(part.encode("utf-8", "surrogatepass"))
    for key in sorted(shared_keys_of(agency, counts)):  # its sentences someone else uses too
        h.update(key.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


class PreviousBuild:
    """The last build's manifest and pages, if ``site`` holds one made by the same code and settings."""

    def __init__(self, site: Path | None, code: str, settings: str) -> None:
        self.site, self.digests = site, {}
        self.analyses: dict[str, list[str]] = {}
        if site is None:
            return
        path = site / CACHE / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("%s is not a manifest this program wrote (%s): every agency is built again", path, exc)
            return
        if not isinstance(manifest, dict) or not isinstance(manifest.get("agencies"), dict):
            log.warning("%s is not a manifest this program wrote: every agency is built again", path)
            return
        if manifest.get("format") == FORMAT and manifest.get("code") == code and manifest.get("settings") == settings:
            self.digests = manifest["agencies"]
            analyses = manifest.get("analyses")
            if isinstance(analyses, dict):
                self.analyses = analyses

    def analysis_keys(self, agency_id: int) -> list[str]:
        """The pair analyses the agency's pages were drawn from (kept again with its pages: a rebuild that copies
        an agency must not drop them from the analyses it passes on)."""
        keys = self.analyses.get(str(agency_id))
        return keys if isinstance(keys, list) and all(isinstance(k, str) for k in keys) else []

    def reusable(self, agency_id: int, digest: str) -> AgencyPage | None:
        """The agency as the last build left it, when its inputs are the same and its summary is kept."""
        if self.site is None or self.digests.get(str(agency_id)) != digest:
            return None
        path = self.site / CACHE / f"{agency_id}.json"
        try:
            agency = loads(path.read_bytes())
        except OSError:
            return None
        except SummaryError as exc:
            log.warning("%s refused (%s): agency %s is built again", path, exc, agency_id)
            return None
        if agency.id != agency_id or not all(_inside(page) for page in agency.pages):
            log.warning("%s names pages it cannot have written: agency %s is built again", path, agency_id)
            return None
        if not all((self.site / page).is_file() for page in agency.pages):
            return None
        return agency

    def copy_pages(self, agency: AgencyPage, out: Path) -> None:
        """Put the agency's pages into ``out``: linked (they carry no date of the archive's, only the agency's)."""
        assert self.site is not None
        for page in agency.pages:
            link_or_copy(self.site / page, out / page)


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link an unchanged file from the previous build (no bytes written, none freed when the old site goes);
    copy it when the link fails: another file system, or the file system's limit on links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _inside(page: object) -> bool:
    """A page the site builder writes: a relative path into one of its folders (never out of the site)."""
    if not isinstance(page, str):
        return False
    parts = Path(page).parts
    return (len(parts) == 2 and parts[0] in PAGE_FOLDERS and parts[1].endswith(".html")
            and ".." not in parts)  # fmt: skip


class BuildCache:
    """Writes this build's manifest and agency summaries into ``out/.report-cache``."""

    def __init__(self, out: Path, code: str, settings: str, generated: str | None) -> None:
        self.folder = out / CACHE
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest = {"format": FORMAT, "code": code, "settings": settings, "generated": generated, "agencies": {},
                         "analyses": {}}  # fmt: skip

    def keep(self, agency_id: int, digest: str, summary: str, analyses: Iterable[str] = ()) -> None:
        """Keep the agency's summary (``summary``: its ``summary_json.dumps``, made by the worker that built it), its
        digest and the keys of the pair analyses its pages were drawn from."""
        (self.folder / f"{agency_id}.json").write_text(summary, encoding="utf-8")
        self.manifest["agencies"][str(agency_id)] = digest
        self.manifest["analyses"][str(agency_id)] = list(analyses)

    def keep_unchanged(self, agency: AgencyPage, digest: str, previous: PreviousBuild) -> None:
        """An agency :meth:`PreviousBuild.reusable` gave back: its summary is the same bytes, linked, not written again."""
        assert previous.site is not None
        link_or_copy(previous.site / CACHE / f"{agency.id}.json", self.folder / f"{agency.id}.json")
        self.manifest["agencies"][str(agency.id)] = digest
        self.manifest["analyses"][str(agency.id)] = previous.analysis_keys(agency.id)

    def finish(self) -> None:
        (self.folder / MANIFEST).write_text(json.dumps(self.manifest), encoding="utf-8")
