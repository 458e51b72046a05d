"""The analyses of pairs of texts (revision diffs, year-over-year comparisons) kept across builds of the site.

A national archive holds ~40,000 year pairs at ~20 ms of analysis each; a new archive date, new
templates or ``--rebuild`` redraw every page but change no analysis. Each pair's result is kept in
``.report-cache/analyses.sqlite`` of the site, under a digest of everything the analysis reads: the
analysis code (``ANALYSIS_CODE`` and jieba's version), both reports as extraction stored them
(text, sections, metadata), the agency's name and, for a year pair, which of the new report's
sentences other agencies also use. Any change to those is a different key, so a stale entry is never
found. An entry is JSON of a closed set of dataclasses (``report.summary_json.DataclassJson``: data,
never code) with a checksum over key and body; one that does not decode, fails its checksum or
decodes to the wrong types is refused with a warning and the pair analysed again. Someone who can
write the site directory can also rewrite its pages; the checksum does not guard against that, it
catches a damaged or hand-edited entry.

Each report's own compliance findings (late, a part missing, the years missing before it) are kept the same
way, under the inputs of it and of the report before it: finding a report's parts again was a tenth of a
warm agency's cost.

Worker processes read the previous build's file (never written during a build); the parent writes
the new one: the entries this build used, found or made, so the file holds one build's pairs.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from archive.pair_store import Entry, PairStoreReader
from diffing.commitments import CommitmentMatch
from diffing.figures import ChangedFigure
from diffing.followthrough import FollowThrough
from diffing.outline import Commitment
from diffing.textdiff import SentenceOp, TextDiff, TokenOp
from diffing.yoy import Boilerplate, ComplianceFinding, PairedFigure, ProblemMatch, YearOverYear
from report.summary_json import DataclassJson, SummaryError

FILE = "analyses.sqlite"
FORMAT = 3  # 2: dataclasses as their fields in order (report.summary_json); 3: lists of one class as rows
# What the analysis of a pair reads besides its inputs: a change to any of these analyses every pair again.
ANALYSIS_CODE = ("diffing", "extraction/sections.py", "extraction/section_terms.py", "extraction/report.py",
                 "archive/versions.py", "archive/readmodel.py",  # a version's stored Report, as the key reads it
                 "report/analysis.py", "report/analysis_cache.py", "report/summary_json.py")  # fmt: skip
_ROOT = Path(__file__).resolve().parent.parent
class _AnalysisJson(DataclassJson):
    """An analysis's lists of one dataclass (a diff's sentences, a pair's figures, plans, problems …) as rows:
    ``{"$rows": [class, [[fields in order], …]]}``, one JSON object a list, not one an item (reading a kept
    analysis back was most of a warm rebuild's cost of a pair, and most of that the decoder's call an object).
    A sentence's row holds its text once where both sides have it alike, and its runs of words as plain
    ``[op, old]`` / ``[op, old, new]`` lists."""

    def plain(self, value: Any) -> Any:
        if type(value) is list and value:
            name = self.names.get(type(value[0]))
            if name is not None and all(type(item) is type(value[0]) for item in value):
                if name == "SentenceOp":
                    return {"$rows": [name, [_sentence_row(op) for op in value]]}
                fields = self.fields[name]
                return {"$rows": [name, [[self.plain(getattr(item, f)) for f in fields] for item in value]]}
        return super().plain(value)

    def _object(self, value: dict[str, Any]) -> Any:
        if len(value) == 1:
            members = value.get("$rows")
            if members is not None:
                return self._rows(members)
        return super()._object(value)

    def _rows(self, members: Any) -> list[Any]:
        if type(members) is not list or len(members) != 2 or type(members[1]) is not list:
            raise SummaryError("not an analysis this program wrote: misshapen rows")
        name, rows = members
        if name == "SentenceOp":
            if not all(type(row) is list and 6 <= len(row) <= 7 for row in rows):
                raise SummaryError("not an analysis this program wrote: a misshapen sentence")
            return [  # a call a sentence was a third of reading them: one expression
                SentenceOp(r[0], r[1], r[1], r[2], r[3], r[4], [] if r[5] == [] else _tokens(r[5])) if len(r) == 6
                else SentenceOp(r[0], r[1], r[2], r[3], r[4], r[5], [] if r[6] == [] else _tokens(r[6]))
                for r in rows
            ]  # fmt: skip
        fields = self.fields.get(name) if type(name) is str else None
        if fields is None:
            raise SummaryError(f"not an analysis this program wrote: {str(name)[:40]!r}")
        if not all(type(row) is list and len(row) == len(fields) for row in rows):
            raise SummaryError(f"not an analysis this program wrote: a misshapen {name}")
        cls = self.classes[name]
        return [cls(*row) for row in rows]


def _sentence_row(op: SentenceOp) -> list[Any]:
    """A sentence as :meth:`_AnalysisJson._rows` reads it: ``[op, text, old_index, new_index, similarity, runs]`` where
    both sides are the same text, else ``[op, old, new, old_index, new_index, similarity, runs]``."""
    if type(op.tokens) is not list or any(type(t) is not TokenOp for t in op.tokens):
        raise TypeError("no JSON form for a sentence whose words are not TokenOps")
    runs = [[t.op, t.old] if t.old == t.new else [t.op, t.old, t.new] for t in op.tokens]
    if op.old == op.new and op.old is not None:
        return [op.op, op.old, op.old_index, op.new_index, op.similarity, runs]
    return [op.op, op.old, op.new, op.old_index, op.new_index, op.similarity, runs]


def _tokens(runs: Any) -> list[TokenOp]:
    """A sentence's runs of words as :func:`_sentence_row` wrote them: ``[op, old]`` (both sides alike) or
    ``[op, old, new]``."""
    if type(runs) is not list or not all(type(run) is list and 2 <= len(run) <= 3 for run in runs):
        raise SummaryError("not an analysis this program wrote: a misshapen run of words")
    return [TokenOp(run[0], run[1], run[-1]) for run in runs]


_JSON = _AnalysisJson((TextDiff, SentenceOp, TokenOp, ChangedFigure, YearOverYear, CommitmentMatch, Commitment,
                       FollowThrough, ProblemMatch, PairedFigure, Boilerplate, ComplianceFinding))  # fmt: skip
log = logging.getLogger(__name__)


def analysis_digest() -> str:
    """The analysis code (``ANALYSIS_CODE``) and the word segmenter's version, as one digest (the version
    from the package's metadata: importing jieba costs a second, and a build whose pairs are all kept
    never needs it)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} jieba {metadata.version('jieba')}".encode())
    for name in ANALYSIS_CODE:
        path = _ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and file.suffix in (".py", ".txt", ".json", ".toml", ".npz", ".bin"):
                h.update(str(file.relative_to(_ROOT)).encode())
                h.update(file.read_bytes())
    return h.hexdigest()


def _hash_parts(h: Any, parts: tuple[object, ...]) -> None:
    for part in parts:
        text = (b"s" + part.encode("utf-8", "surrogatepass")) if type(part) is str else (b"r" + repr(part).encode())
        h.update(len(text).to_bytes(8, "little"))
        h.update(text)


def inputs_digest(*parts: object) -> str:
    """One report's inputs to its analyses (``report.analysis._inputs``: its stored Report, text and metadata) as
    one digest, for :meth:`PairAnalyses.key` (hashed as that hashes its parts)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(b"inputs")
    _hash_parts(h, parts)
    return h.hexdigest()


def _checksum(key: str, body: bytes) -> bytes:
    return hashlib.blake2b(key.encode() + b"\0" + body, digest_size=16).digest()


class PairAnalyses:
    """Look pairs up in the previous build's file (any process); collect what this process found and made."""

    def __init__(self, source: Path | None, code: str) -> None:
        self.store = PairStoreReader(source)
        self.code = code
        self.used: list[str] = []  # keys found in the source, for the new file to keep
        self.made: list[Entry] = []  # analysed here
        self.pairs = [0, 0]  # of those, the pairs of texts (not a report's own findings): found, made
        self.refused = 0

    @property
    def warm(self) -> bool:
        """Whether there is a previous file to read (else every pair is analysed: a cold build)."""
        return self.store.path is not None

    def key(self, kind: str, *parts: object) -> str:
        """A digest of the analysis code, the kind of pair and its inputs (a str as its UTF-8, anything else as its
        repr: the two marked apart, so no text stands for another value). A report's inputs come as their
        :func:`inputs_digest`: a report is in up to four keys, its texts hashed once."""
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{self.code}\0{kind}".encode())
        _hash_parts(h, parts)
        return h.hexdigest()

    def _lookup(self, key: str) -> bytes | None:
        found = self.store.get(key)
        if found is None:
            return None
        body, checksum = found
        if not isinstance(body, bytes) or checksum != _checksum(key, body):
            return self._refuse(key, "its checksum does not match")
        return body

    def _refuse(self, key: str, why: str) -> None:
        self.refused += 1
        log.warning("%s: entry %s refused (%s): the pair is analysed again", self.store.path, key, why)
        return None

    def get_or_make(self, key: str, make: Callable[[], Any], shape: Callable[[Any], bool], pair: bool = True) -> Any:
        """The kept analysis under ``key`` if it is one this program wrote and ``shape`` accepts, else ``make()``.
        ``pair`` False: an analysis of one report (kept the same way, not counted among the pairs)."""
        body = self._lookup(key)
        if body is not None:
            try:
                value = _JSON.loads(zlib.decompress(body))
            except (SummaryError, zlib.error) as exc:
                value = self._refuse(key, str(exc)[:80])
            else:
                if not shape(value):
                    value = self._refuse(key, "not the shape of this analysis")
            if value is not None:
                self.used.append(key)
                self.pairs[0] += pair
                return value
        value = make()
        body = zlib.compress(_JSON.dumps(value).encode("utf-8", "surrogatepass"), 6)
        self.made.append((key, body, _checksum(key, body)))
        self.pairs[1] += pair
        return value

    def take(self) -> tuple[list[str], list[Entry], tuple[int, int]]:
        """What this process found and made since the last call, for the parent to keep, and how many of each
        were pairs of texts."""
        taken = self.used, self.made, (self.pairs[0], self.pairs[1])
        self.used, self.made, self.pairs = [], [], [0, 0]
        return taken
