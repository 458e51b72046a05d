"""The site's own search: a static index of every version's text, written at ``fazhi report`` time.

Chinese has no spaces, and the words people look for are often two characters (复议, 普法) inside
longer ones (行政复议): a word segmenter would file 行政复议 as one token and miss 复议. So the
index is of character bigrams — every two adjacent characters of every line, NFKC-normalised
and lower-cased — with the versions that contain each; the page intersects the bigrams of a
query and then confirms each candidate against its text (which also gives the snippet). Both
are plain ``<script>`` files (``search/``), so the search works from file:// with no server,
loaded in shards: a query reads only the shards of its own bigrams and the texts of its candidates.
"""

from __future__ import annotations

import json
import operator
import tempfile
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHARDS = 32  # bigram postings files
CHUNK = 64  # version texts per file
SPILL_EVERY = 1 << 21  # postings held before they go to their shards' spill files (~16 MB)


@dataclass(frozen=True)
class SearchDocument:
    """One version as a search result shows it."""

    agency: str
    region: str
    year: int
    title: str
    href: str  # relative to the site's root
    version: int
    versions: int
    text: str


def normalise(text: str) -> str:
    """What both the index and the page compare: NFKC (full-width → half-width), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def bigrams(text: str) -> set[str]:
    """Every two adjacent non-space characters within a line of the normalised text."""
    return _normalised_bigrams(normalise(text))


def _normalised_bigrams(normalised: str) -> set[str]:
    found: set[str] = set()
    for line in normalised.splitlines():
        chars = "".join(line.split())
        found.update(map(operator.add, chars, chars[1:]))  # each character and the next, joined in C
    return found


def shard_of(gram: str) -> int:
    """The postings file of a bigram; search.js computes the same."""
    return (ord(gram[0]) * 31 + ord(gram[1])) % SHARDS


def _script(call: str, *args: object) -> str:
    return _script_raw(call, *(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args))


def _script_raw(call: str, *arguments: str) -> str:
    """``call(arguments…);`` of arguments already JSON. "</" cannot close a script when written as "<\\/";
    the texts are untrusted."""
    body = ",".join(arguments).replace("</", "<\\/")
    return f"{call}({body});\n"


class SearchIndexWriter:
    """``out/search/*.js`` written as versions come (``fazhi report`` streams agency by agency).

    Texts go out a chunk at a time. Each bigram gets a number the first time it is seen; a version's
    postings are (bigram number, version number) pairs in numpy arrays, sent to a spill file of their
    shard every ``SPILL_EVERY`` postings, and :meth:`finish` groups one shard at a time: memory holds a
    shard's postings as arrays, not the index's as Python objects.
    """

    def __init__(self, out: Path) -> None:
        self.folder = out / "search"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._spill = tempfile.TemporaryDirectory(prefix=".spill-", dir=self.folder)
        self._spills = [Path(self._spill.name) / f"{k}.bin" for k in range(SHARDS)]
        for path in self._spills:
            path.touch()
        self._rows: list[list[object]] = []
        self._texts: list[str] = []
        self._numbers: dict[str, int] = {}  # bigram → its number, in the order first seen
        self._grams: list[str] = []  # number → bigram
        self._shard_of = array("B")  # number → shard
        self._pending: list[tuple[np.ndarray, int]] = []  # (bigram numbers, version) not yet spilled
        self._pending_count = 0

    def add(self, documents: Iterable[SearchDocument]) -> None:
        numbers = self._numbers
        for doc in documents:
            n = len(self._rows)
            text = normalise(doc.text)
            grams = _normalised_bigrams(text)
            for gram in sorted(grams - numbers.keys()):
                numbers[gram] = len(self._grams)
                self._grams.append(gram)
                self._shard_of.append(shard_of(gram))
            found = np.fromiter(map(numbers.__getitem__, grams), dtype=np.int32, count=len(grams))
            self._pending.append((found, n))
            self._pending_count += len(found)
            if self._pending_count >= SPILL_EVERY:
                self._spill_pending()
            self._rows.append([doc.agency, doc.region, doc.year, doc.title, doc.href, doc.version, doc.versions])
            self._texts.append(text)
            if len(self._texts) == CHUNK:
                self._write_texts()

    def _spill_pending(self) -> None:
        """Append the pending postings to their shards' spill files, as (bigram, version) int32 pairs."""
        if not self._pending:
            return
        grams = np.concatenate([found for found, _ in self._pending])
        versions = np.repeat(np.array([n for _, n in self._pending], dtype=np.int32),
                             [len(found) for found, _ in self._pending])  # fmt: skip
        shards = np.frombuffer(self._shard_of, dtype=np.uint8)[grams]
        order = np.argsort(shards, kind="stable")  # versions stay ascending within a shard
        pairs = np.stack([grams[order], versions[order]], axis=1)
        bounds = np.searchsorted(shards[order], np.arange(SHARDS + 1))
        for k in range(SHARDS):
            if bounds[k + 1] > bounds[k]:
                with open(self._spills[k], "ab") as fh:
                    fh.write(pairs[bounds[k] : bounds[k + 1]].tobytes())
        self._pending, self._pending_count = [], 0

    def _write_texts(self) -> None:
        chunk = (len(self._rows) - 1) // CHUNK
        (self.folder / f"text-{chunk}.js").write_text(_script("FAZHI_SEARCH.texts", chunk, self._texts), encoding="utf-8")
        self._texts = []

    def _shard_script(self, k: int) -> tuple[str, int]:
        """One shard's postings file (bigrams in order, each with its versions ascending) and its bigram count."""
        pairs = np.fromfile(self._spills[k], dtype=np.int32).reshape(-1, 2)
        order = np.argsort(pairs[:, 0], kind="stable")  # by bigram; versions were spilled ascending
        grams, versions = pairs[order, 0], pairs[order, 1]
        present, starts = np.unique(grams, return_index=True)
        ends = np.append(starts[1:], len(grams))[: len(starts)]  # none for an empty shard
        spans = sorted(zip((self._grams[g] for g in present.tolist()), starts.tolist(), ends.tolist(), strict=True))
        body = ",".join(
            f"{json.dumps(gram, ensure_ascii=False)}:[{','.join(map(str, versions[a:b].tolist()))}]"
            for gram, a, b in spans
        )
        return _script_raw("FAZHI_SEARCH.shard", json.dumps(k), "{" + body + "}"), len(spans)

    def finish(self) -> int:
        """Write the postings and the document list; returns the number of distinct bigrams."""
        if self._texts:
            self._write_texts()
        self._spill_pending()
        meta = {"shards": SHARDS, "chunk": CHUNK, "count": len(self._rows)}
        (self.folder / "docs.js").write_text(_script("FAZHI_SEARCH.documents", meta, self._rows), encoding="utf-8")
        distinct = 0
        for k in range(SHARDS):
            script, count = self._shard_script(k)
            (self.folder / f"index-{k}.js").write_text(script, encoding="utf-8")
            distinct += count
        self._spill.cleanup()
        return distinct


def write_search_index(out: Path, documents: list[SearchDocument]) -> int:
    """Write ``out/search/*.js`` for ``documents``; returns the number of distinct bigrams."""
    writer = SearchIndexWriter(out)
    writer.add(documents)
    return writer.finish()
