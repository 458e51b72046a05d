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
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SHARDS = 32  # bigram postings files
CHUNK = 64  # version texts per file


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
    found: set[str] = set()
    for line in normalise(text).splitlines():
        chars = "".join(line.split())
        found.update(chars[k : k + 2] for k in range(len(chars) - 1))
    return found


def shard_of(gram: str) -> int:
    """The postings file of a bigram; search.js computes the same."""
    return (ord(gram[0]) * 31 + ord(gram[1])) % SHARDS


def _script(call: str, *args: object) -> str:
    # "</" cannot close a script when written as "<\/"; the texts are untrusted.
    body = ",".join(json.dumps(a, ensure_ascii=False, separators=(",", ":")) for a in args).replace("</", "<\\/")
    return f"{call}({body});\n"


class SearchIndexWriter:
    """``out/search/*.js`` written as versions come (``fazhi report`` streams agency by agency).

    Texts go out a chunk at a time; each version's bigrams go to a spill file of their shard, and
    :meth:`finish` groups one shard at a time, so memory holds a shard's postings, not the index's.
    """

    def __init__(self, out: Path) -> None:
        self.folder = out / "search"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._spill = tempfile.TemporaryDirectory(prefix=".spill-", dir=self.folder)
        self._shards = [
            open(Path(self._spill.name) / f"{k}.tsv", "w", encoding="utf-8")  # noqa: SIM115 (closed in finish)
            for k in range(SHARDS)
        ]
        self._rows: list[list[object]] = []
        self._texts: list[str] = []
        self._shard_of: dict[str, int] = {}  # shard_of, remembered: a few thousand bigrams, millions of look-ups

    def add(self, documents: Iterable[SearchDocument]) -> None:
        for doc in documents:
            n = len(self._rows)
            by_shard: dict[int, list[str]] = {}
            known = self._shard_of
            for gram in bigrams(doc.text):
                k = known.get(gram)
                if k is None:
                    k = known[gram] = shard_of(gram)
                by_shard.setdefault(k, []).append(gram)
            for k, grams in by_shard.items():  # one line a shard: the version, then its grams (2 characters each)
                self._shards[k].write(f"{n}\t{''.join(grams)}\n")
            self._rows.append([doc.agency, doc.region, doc.year, doc.title, doc.href, doc.version, doc.versions])
            self._texts.append(normalise(doc.text))
            if len(self._texts) == CHUNK:
                self._write_texts()

    def _write_texts(self) -> None:
        chunk = (len(self._rows) - 1) // CHUNK
        (self.folder / f"text-{chunk}.js").write_text(_script("FAZHI_SEARCH.texts", chunk, self._texts), encoding="utf-8")
        self._texts = []

    def finish(self) -> int:
        """Write the postings and the document list; returns the number of distinct bigrams."""
        if self._texts:
            self._write_texts()
        meta = {"shards": SHARDS, "chunk": CHUNK, "count": len(self._rows)}
        (self.folder / "docs.js").write_text(_script("FAZHI_SEARCH.documents", meta, self._rows), encoding="utf-8")
        distinct = 0
        for k, spill in enumerate(self._shards):
            spill.close()
            postings: dict[str, list[int]] = {}
            with open(spill.name, encoding="utf-8") as fh:
                for line in fh:
                    n, grams = line.rstrip("\n").split("\t", 1)
                    number = int(n)
                    for i in range(0, len(grams), 2):
                        postings.setdefault(grams[i : i + 2], []).append(number)
            postings = dict(sorted(postings.items()))  # the same bytes every build (set order varies by process)
            (self.folder / f"index-{k}.js").write_text(_script("FAZHI_SEARCH.shard", k, postings), encoding="utf-8")
            distinct += len(postings)
        self._spill.cleanup()
        return distinct


def write_search_index(out: Path, documents: list[SearchDocument]) -> int:
    """Write ``out/search/*.js`` for ``documents``; returns the number of distinct bigrams."""
    writer = SearchIndexWriter(out)
    writer.add(documents)
    return writer.finish()
