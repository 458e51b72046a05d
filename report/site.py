"""The static HTML report site built from the archive database.

Reads the archive through ``archive.readmodel`` (read-only; the site needs nothing but the DB file),
analyses each agency's reports with ``diffing`` and lays the results out as typed page models
(``report.pages``). Pages are plain HTML with one stylesheet and no external resources, so the site
works offline and from a file:// URL. All scraped text is escaped by Jinja2 autoescape.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.findings_db import FindingsDbWriter
from archive.pair_store import Entry, PairStoreWriter
from archive.readmodel import ArchiveReader, CaptureRecord
from diffing.meaning import gist
from diffing.textdiff import diff_words
from report import summary_json
from report.analysis import (
    agency_id_ranges,
    analyse_agency,
    drop_own_keys,
    load_agencies,
    own_sentence_keys,
    part_sentence_keys,
    restore_own_keys,
    streamed_sentence_keys,
)
from report.analysis_cache import FILE as ANALYSES
from report.analysis_cache import PairAnalyses, analysis_digest
from report.desk import AgencyDesk, Desk, agency_desk
from report.evidence import REPLAY_ENV, ReplayLinks
from report.feed import (
    FEED_NAME,
    MAX_ENTRIES,
    FeedEntry,
    agency_entries,
    newest_entries,
    sorted_entries,
    write_feed,
)
from report.findings import TABLES as FINDING_TABLES
from report.findings import agency_findings, unread_compliance_rows
from report.pages import PAGE_FOLDERS, AgencyLine, AgencyPage, Region, SentenceCounts, Totals, version_anchor
from report.render import script, stylesheet, template_environment
from report.reuse import CACHE, BuildCache, PreviousBuild, agency_digest, code_digest
from report.search_index import KEPT as KEPT_BIGRAMS
from report.search_index import SearchDocument, SearchIndexWriter
from report.story import write_summary
from report.summary_json import DESK_CLASSES, DataclassJson
from report.vocabulary import UNKNOWN_REGION

# Where the site will be served, for absolute links in the feed (optional: links are relative to it).
SITE_URL_ENV = "FAZHI_SITE_URL"
FINDINGS_DB = "findings.db"
# Below this many agencies, starting worker processes costs more than it saves.
PARALLEL_FROM = 32
# Agencies read, analysed and written together: memory holds one batch's texts, whatever the archive's size.
BATCH_AGENCIES = 64
# An agency's desk rows as JSON, for the build's temporary file of them (read back by the build that wrote it).
_DESK_JSON = DataclassJson(DESK_CLASSES)
# What the last build_report_site in this process did (agencies built, copied from the previous build; pairs
# of texts analysed, taken from its kept analyses): for the CLI.
LAST_BUILD: dict[str, int] = {}


@dataclass(frozen=True)
class SiteContext:
    """What every agency's pages need besides the agency: shared across worker processes."""

    out: Path
    generated: str | None
    shared_keys: SentenceCounts
    replay: ReplayLinks
    analyses: PairAnalyses
    # The site this build replaces (even with --rebuild): a page drawn the same as its file there is linked to it.
    previous: Path | None = None


def _group_by_region(agencies: list[AgencyLine]) -> list[Region]:
    """Regions, and agencies in them, with the most reports revised after publication first, then most plans dropped."""
    regions: dict[str, list[AgencyLine]] = {}
    for a in sorted(agencies, key=lambda a: (-a.revised_count, -a.dropped_count, a.name)):
        regions.setdefault(a.region or UNKNOWN_REGION, []).append(a)
    ordered = sorted(regions.items(), key=lambda item: (-item[1][0].revised_count, -item[1][0].dropped_count, item[0]))
    return [Region(name, members) for name, members in ordered]


def _same_file(path: Path, data: bytes) -> bool:
    """``path`` is a regular file (not a link to one elsewhere) holding exactly ``data``."""
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as file:
            return os.fstat(file.fileno()).st_size == len(data) and file.read() == data
    except OSError:
        return False


def _put(out: Path, relative: str, html: str, previous: Path | None) -> str:
    """Write a page, or hard-link the previous site's file when it holds the same bytes: the new site is the
    same either way, but the old one's removal then frees no data (it only unlinks), and nothing is written."""
    data = html.encode("utf-8")
    if previous is not None and _same_file(previous / relative, data):
        try:
            os.link(previous / relative, out / relative, follow_symlinks=False)
            return relative
        except OSError:  # another file system, or too many links: written below
            pass
    (out / relative).write_bytes(data)
    return relative


def _write(out: Path, relative: str, template: str, root: str, previous: Path | None = None, **context: Any) -> str:
    html = template_environment().get_template(template).render(root=root, **context)
    return _put(out, relative, html, previous)


def agency_last_seen(agency: AgencyPage) -> str | None:
    """When the archive last saw any of the agency's reports: its pages say this, not the archive's date, so
    they stay the same file from build to build while the agency's inputs do (``report.reuse`` links them)."""
    return max((s for d in agency.documents for s in [d.last_seen, *(v.last_seen for v in d.versions)] if s),
               default=None)  # fmt: skip


def _write_version_link(out: Path, document_id: int, version_id: int, number: int, previous: Path | None) -> str:
    """``versions/{id}.html``, the address a version had when it had a page of its own, kept as a pointer to
    its section of the report's page (written without Jinja: it holds numbers only, no scraped text)."""
    target = f"../{version_anchor(document_id, version_id)}"
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n<link rel="canonical" href="{target}">\n'
        f"<title>第 {number} 版 · 法治政府建设年度报告存档</title>\n</head>\n<body>\n"
        f'<p>第 {number} 版的正文和来源抓取在报告页上：<a href="{target}">{target}</a></p>\n</body>\n</html>\n'
    )
    return _put(out, f"versions/{version_id}.html", html, previous)


@dataclass(frozen=True)
class AcrossParts:
    """What the pages about every agency at once keep of one agency (:class:`_AcrossAgencies`): made by the
    worker that built it, so the parent never unpickles the agency nor encodes its desk rows."""

    line: AgencyLine
    desk: str  # its desk rows as one line of JSON ("" for none)
    entries: list[FeedEntry]

    @classmethod
    def of(cls, agency: AgencyPage) -> AcrossParts:
        desk = _DESK_JSON.dumps(agency.desk) if agency.desk else ""  # JSON has no raw line break
        return cls(AgencyLine.of(agency), desk, agency_entries(agency))


@dataclass(frozen=True)
class Built:
    """An agency as a worker hands it back: no documents, only what the parent keeps of it. ``used``/``made``:
    the kept pair analyses it took and those it made, ``pairs``: how many of each were pairs of texts,
    ``summary``: the agency's ``summary_json`` for the rebuild cache (``report.reuse``)."""

    id: int
    across: AcrossParts
    findings: dict[str, list[dict[str, Any]]]
    used: list[str]
    made: list[Entry]
    pairs: tuple[int, int]
    summary: str


def _build_agency(agency: AgencyPage, context: SiteContext) -> Built:
    """Analyse one agency's reports and write its pages; returns what the parent keeps of it (:class:`Built`):
    its index line, desk rows and feed entries, findings, the pair analyses it took from the last build and
    those it made, and its summary as JSON, all made here, in the worker, not by the parent while the workers
    wait for the next batch (the agency itself, pickled back and forth, was a tenth of the parent's work)."""
    out, generated, previous = context.out, agency_last_seen(agency), context.previous
    restore_own_keys(agency)
    analyse_agency(agency, context.shared_keys, context.analyses)
    pages = agency.pages = []
    pages.append(_write(out, f"agencies/{agency.id}.html", "agency.html", "../", previous, generated=generated,
                        agency=agency))  # fmt: skip
    for doc in agency.documents:
        captures = {v.id: [(c, context.replay.link(c)) for c in doc.captures.get(v.id, [])] for v in doc.versions}
        pages.append(_write(
            out, f"documents/{doc.id}.html", "document.html", "../", previous, generated=generated,
            agency=agency, doc=doc, versions=doc.versions, revisions=doc.revisions, captures=captures,
            replay_hint=context.replay.template is None,
        ))  # fmt: skip
        for number, version in enumerate(doc.versions, 1):
            pages.append(_write_version_link(out, doc.id, version.id, number, previous))
        if doc.yoy:
            pages.append(_write(
                out, f"agencies/{doc.yoy.page}", "yoy.html", "../", previous, generated=generated,
                agency=agency, old_year=doc.yoy.old_year, new_year=doc.year,
                old_doc=doc.yoy.old_doc, new_doc=doc, diff=doc.yoy.diff, plans=doc.yoy.plans,
                analysis=doc.yoy.analysis,
            ))  # fmt: skip
    agency.desk = agency_desk(agency)
    findings = {} if agency.findings_kept else agency_findings(agency)
    for doc in agency.documents:
        doc.without_texts()
    agency.keys, agency.shared_keys = set(), None
    used, made, pairs = context.analyses.take()
    return Built(agency.id, AcrossParts.of(agency), findings, used, made, pairs, summary_json.dumps(agency))


def _search_documents(agencies: list[AgencyPage]) -> list[SearchDocument]:
    """Every version as the site search lists it (search.js orders the results)."""
    return [
        SearchDocument(agency.name, agency.region or UNKNOWN_REGION, doc.year, doc.title, version_anchor(doc.id, v.id),
                       number, doc.version_count, v.text)  # fmt: skip
        for agency in agencies
        for doc in agency.documents
        for number, v in enumerate(doc.versions, 1)
    ]


# Set in each worker process by _start_worker.
_WORKER: dict[str, SiteContext] = {}


def _start_worker(context: SiteContext) -> None:
    _WORKER["context"] = context


def _build_in_worker(agency: AgencyPage) -> Built:
    return _build_agency(agency, _WORKER["context"])


def _fork_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


def _sentence_counts(reader: ArchiveReader, agency_ids: list[int], workers: int) -> SentenceCounts:
    """How many agencies use each sentence key: the pass over the archive before any agency can be built (its
    digest and analysis read the counts), so no worker is busy meanwhile: with workers, each of ``workers``
    processes (this one too) counts a run of agencies and the parts are added up."""
    parts = workers if workers > 1 and len(agency_ids) >= PARALLEL_FROM else 1
    ranges = agency_id_ranges(agency_ids, parts)
    if len(ranges) < 2:
        return streamed_sentence_keys(reader.current_texts())
    try:
        pool = ProcessPoolExecutor(len(ranges) - 1, mp_context=_fork_context())
        others = [pool.submit(part_sentence_keys, str(reader.path), run) for run in ranges[1:]]
    except (OSError, NotImplementedError):  # no semaphores (some sandboxes): one pass here
        return streamed_sentence_keys(reader.current_texts())
    with pool:
        counts = streamed_sentence_keys(reader.current_texts(ranges[0]))
        for part in others:
            counts.combine(part.result())
    return counts


def _share_before_fork(analyse: bool) -> None:
    """Load what every worker reads (jieba's dictionary and its part-of-speech tables, ~200 MB) here, then
    ``gc.freeze`` it all: the collector of a forked worker never walks (and so never writes to, and so
    never copies) those pages, and the workers share one copy instead of holding one each. ``analyse``
    False (the last build's analyses are at hand): jieba is left unloaded, for the few pairs that need it."""
    if analyse:
        diff_words("预热", "预备")
        gist("依法行政预热")
    gc.collect()
    gc.freeze()


class _Builders:
    """Where agencies are built: this process (a small site), or worker processes: every core's for a batch of
    many agencies, or one worker for the few a rebuild after some edits draws again (their pairs need jieba,
    ~240 MB: loaded by that worker, never by this process, which holds the site's summaries meanwhile)."""

    def __init__(self, context: SiteContext, workers: int, agencies: int) -> None:
        self.context, self.pool, self.pool_size = context, None, 0
        self.parallel = workers > 1 and agencies >= PARALLEL_FROM
        self.workers = workers

    def _start(self, workers: int) -> None:
        """Start ``workers`` processes when there is first something to build (a rebuild may copy every agency),
        or more of them when a batch of many agencies follows the one worker started for a few.

        They fork with the writers' files open, and leave by os._exit: they never flush or close them.
        """
        if self.pool is not None:
            self.pool.shutdown()  # what it was given is done: the results are read later, from their futures
        _share_before_fork(workers > 1 and not self.context.analyses.warm)
        try:
            self.pool = ProcessPoolExecutor(workers, mp_context=_fork_context(), initializer=_start_worker,
                                            initargs=(self.context,))  # fmt: skip
            self.pool_size = workers
        except (OSError, NotImplementedError):  # no semaphores (some sandboxes): build in this process
            self.pool, self.parallel = None, False

    def build(self, agencies: list[AgencyPage]) -> Iterable[Built]:
        """Agencies are independent once the shared sentence index exists: build them on every core, once a
        batch has enough of them to build, else (a rebuild after a few edits) in one worker. With workers,
        this returns at once: the results arrive as they are iterated, while this process reads the next batch."""
        if self.parallel and agencies:
            wanted = self.workers if len(agencies) >= PARALLEL_FROM else 1
            if wanted > self.pool_size:
                self._start(wanted)
        if self.pool is None:
            return [_build_agency(a, self.context) for a in agencies]
        return self.pool.map(_build_in_worker, agencies, chunksize=max(1, len(agencies) // 16))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool, self.pool_size = None, 0
            gc.unfreeze()


class _Background:
    """The search index's postings, written in a forked process while this one writes findings.db, the caches,
    the index, the feed and the summary: the build's serial tail (no worker is left by then), on two cores.
    With ``fork`` False (one process asked for, or a site too small for workers), or no fork or no process to be
    had, the work is done here, before this returns."""

    def __init__(self, work: Callable[[], None], fork: bool = True) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        if fork and "fork" in multiprocessing.get_all_start_methods():
            process = multiprocessing.get_context("fork").Process(target=work, name="fazhi-report-search")
            try:
                process.start()
                self.process = process
                return
            except OSError:
                pass
        work()

    def wait(self) -> None:
        """Wait for the work; raise if it failed (its traceback went to stderr)."""
        if self.process is not None:
            self.process.join()
            code, self.process = self.process.exitcode, None
            if code != 0:
                raise RuntimeError(f"writing the search index failed in its process (exit code {code})")

    def abort(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None


def _write_search_page(out: Path, count: int, generated: str | None) -> None:
    (out / "search.js").write_text(script("search.js"), encoding="utf-8")
    _write(out, "search.html", "search.html", "", generated=generated, count=count)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's
    except (OSError, AttributeError):
        return None


def _give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system after a batch: glibc keeps them otherwise (each batch's
    texts and results, freed, leave holes it does not hand back), and the build's resident size climbs
    batch by batch though what it holds does not. A no-op where the C library has no ``malloc_trim``."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _AcrossAgencies:
    """What the pages about every agency at once (the index and its desk, the feed, the summary) keep of
    each agency as it is built: its index line and feed entries, not the agency, and its desk rows in a
    temporary file beside the site (they are most of it, ~14 KB an agency: held through every batch they
    grew the build with the archive), read back only to write the index."""

    def __init__(self, folder: Path) -> None:
        self.lines: list[AgencyLine] = []
        # unnamed (O_TMPFILE): never a file of the site, gone with the process whatever ends it
        self.desks = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=folder)
        self.entries: list[FeedEntry] = []

    def add(self, parts: AcrossParts) -> None:
        self.lines.append(parts.line)
        if parts.desk:
            self.desks.write(parts.desk + "\n")
        self.entries.extend(parts.entries)
        if len(self.entries) > 2 * MAX_ENTRIES:  # the feed shows the newest MAX_ENTRIES: keep no more than those
            self.entries = newest_entries(self.entries, MAX_ENTRIES)

    def _kept_desks(self) -> list[AgencyDesk]:
        self.desks.seek(0)
        return [_DESK_JSON.loads(line) for line in self.desks]

    def write(self, out: Path, unread: list[CaptureRecord], generated: str | None) -> None:
        documents = [d for a in self.lines for d in a.documents]
        totals = Totals(len(self.lines), len(documents), sum(d.version_count for d in documents),
                        sum(d.revised for d in documents))  # fmt: skip
        desk = Desk.gather(self._kept_desks(), unread)
        self.close()
        # Streamed to the file as it is drawn: the index lists every agency's rows (25 MB at 50,000 reports), and
        # a page drawn whole is held twice over, as its pieces and as one string (the same bytes either way).
        template_environment().get_template("index.html").stream(
            root="", generated=generated, regions=_group_by_region(self.lines), totals=totals, desk=desk
        ).dump(str(out / "index.html"), encoding="utf-8")
        write_feed(out / FEED_NAME, sorted_entries(self.entries, desk), generated, os.environ.get(SITE_URL_ENV))
        write_summary(out, desk, totals)

    def close(self) -> None:
        self.desks.close()


def build_report_site(
    db_path: str | Path,
    out_dir: str | Path,
    workers: int | None = None,
    replay_url: str | None = None,
    previous: str | Path | None = None,
    reuse_pages: bool = True,
) -> Path:
    """Write the site for the archive at ``db_path`` into ``out_dir``; returns out_dir/index.html.

    ``workers`` processes build the agency pages (default: one per CPU, for large archives only).
    ``replay_url`` (default: the ``FAZHI_REPLAY_URL`` environment variable) is the template of a link
    to replay each capture (report.evidence.ReplayLinks). ``previous``: a site this function wrote
    before (for the same archive or an older copy of it); the agencies whose inputs are unchanged
    are copied from it, not analysed again (``report.reuse``), and with ``reuse_pages`` False every
    page is drawn again, from the pair analyses kept in it where their inputs are the same
    (``report.analysis_cache``). The site is the same either way.
    Agencies are read, analysed and written ``BATCH_AGENCIES`` at a time: memory holds one batch.
    """
    out = Path(out_dir)
    replay_template = replay_url if replay_url is not None else os.environ.get(REPLAY_ENV)
    replay = ReplayLinks(replay_template)
    code, settings = code_digest(), json.dumps({"replay": replay_template})
    last = PreviousBuild(Path(previous) if previous and reuse_pages else None, code, settings)
    kept_analyses = Path(previous) / CACHE / ANALYSES if previous else None
    for folder in PAGE_FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(stylesheet(), encoding="utf-8")
    (out / "desk.js").write_text(script("desk.js"), encoding="utf-8")
    with ArchiveReader(db_path) as reader:
        unread, generated = reader.unreadable_report_urls(), reader.last_seen()
        agency_ids = reader.reporting_agency_ids()
        analyses = PairAnalyses(kept_analyses, analysis_digest())
        processes = workers or os.cpu_count() or 1
        context = SiteContext(out, generated, _sentence_counts(reader, agency_ids, processes), replay, analyses,
                              Path(previous) if previous else None)  # fmt: skip
        builders = _Builders(context, processes, len(agency_ids))
        kept_bigrams = Path(previous) / CACHE / KEPT_BIGRAMS if previous else None
        search = SearchIndexWriter(out, kept_bigrams, out / CACHE / KEPT_BIGRAMS)
        kept_findings = Path(previous) / FINDINGS_DB if previous else None
        findings = FindingsDbWriter(out / FINDINGS_DB, FINDING_TABLES, kept_findings, code + settings)
        cache = BuildCache(out, code, settings, generated)
        analyses_out = PairStoreWriter(out / CACHE / ANALYSES, kept_analyses)
        across = _AcrossAgencies(out)
        reused = analysed = taken = 0
        searching: _Background | None = None
        try:
            def finish_batch(agencies: list[AgencyPage], digests: dict[int, str], kept: dict[int, AgencyPage | None],
                             building: Iterable[Built]) -> tuple[int, int, int]:  # fmt: skip
                """Keep a batch's agencies as they come back (in the archive's order, as a whole build): their
                analyses, summaries, findings and index lines; returns (copied, pairs analysed, pairs taken)."""
                fresh, made_count, used_count = list(building), 0, 0
                for built in fresh:
                    analyses_out.add(built.used, built.made)
                    made_count, used_count = made_count + built.pairs[1], used_count + built.pairs[0]
                for agency_id, agency in kept.items():
                    if agency is not None:  # copied: its analyses pass on too (a later --rebuild finds them)
                        analyses_out.add(last.analysis_keys(agency_id), [])
                built_by_id = {built.id: built for built in fresh}
                for agency_id in (a.id for a in agencies):
                    copied = kept[agency_id]
                    if copied is None:
                        built = built_by_id[agency_id]
                        # each agency's pair analyses, kept with its pages
                        cache.keep(agency_id, digests[agency_id], built.summary,
                                   [*built.used, *(key for key, _, _ in built.made)])  # fmt: skip
                        findings.add(built.findings, agency_id, digests[agency_id])
                        across.add(built.across)
                    else:
                        cache.keep_unchanged(copied, digests[agency_id], last)
                        findings.add(copied.findings, agency_id, digests[agency_id])
                        across.add(AcrossParts.of(copied))
                return len(agencies) - len(fresh), made_count, used_count

            # One batch is built by the workers while this process reads, indexes and copies the next: the
            # cores never wait for this process's share of the work (a third of it in a warm rebuild).
            pending: tuple[Any, ...] | None = None
            for start in range(0, len(agency_ids), BATCH_AGENCIES):
                agencies = load_agencies(reader, agency_ids[start : start + BATCH_AGENCIES])
                own_sentence_keys(agencies)  # each agency's own keys (the counts came from the whole archive)
                search.add(_search_documents(agencies))
                digests = {a.id: agency_digest(a, context.shared_keys, settings) for a in agencies}
                for agency in agencies if builders.parallel else ():
                    drop_own_keys(agency)  # a worker splits them again: cheaper than pickling them to it
                # An agency's findings rows are in findings.db, not its summary: one is copied, or built again
                # without making the rows the last findings.db holds for it (a warm rebuild makes none).
                for agency in agencies:
                    agency.findings_kept = findings.keeps(agency.id, digests[agency.id])
                kept = {a.id: last.reusable(a.id, digests[a.id]) if a.findings_kept else None for a in agencies}
                for agency in kept.values():
                    if agency is not None:
                        last.copy_pages(agency, out)
                building = builders.build([a for a in agencies if kept[a.id] is None])
                if pending is not None:
                    counts = finish_batch(*pending)
                    reused, analysed, taken = reused + counts[0], analysed + counts[1], taken + counts[2]
                    _give_back_freed_memory()
                pending = (agencies, digests, kept, building)
                del agencies, digests, kept, building
            if pending is not None:
                counts = finish_batch(*pending)
                reused, analysed, taken = reused + counts[0], analysed + counts[1], taken + counts[2]
                del pending
            findings.add({"compliance": unread_compliance_rows(unread)})
            builders.close()  # before the fork: no worker, nor the pool's threads, is left to copy
            searching = _Background(lambda: _write_search_page(out, search.finish(), generated), builders.parallel)
            findings.finish()
            cache.finish()
            analyses_out.finish()
        except BaseException:
            if searching is not None:
                searching.abort()
            search.abort()
            findings.abort()
            analyses_out.abort()
            across.close()
            raise
        finally:
            builders.close()
    try:
        across.write(out, unread, generated)
    finally:
        if searching is not None:
            searching.wait()
    LAST_BUILD.update(agencies=len(across.lines), reused=reused, pairs_analysed=analysed, pairs_kept=taken)
    return out / "index.html"
