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
import unicodedata
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


def write_search_index(out: Path, documents: list[SearchDocument]) -> int:
    """Write ``out/search/*.js`` for ``documents``; returns the number of distinct bigrams."""
    folder = out / "search"
    folder.mkdir(parents=True, exist_ok=True)
    postings: list[dict[str, list[int]]] = [{} for _ in range(SHARDS)]
    for n, doc in enumerate(documents):
        for gram in bigrams(doc.text):
            postings[shard_of(gram)].setdefault(gram, []).append(n)
    meta = {"shards": SHARDS, "chunk": CHUNK, "count": len(documents)}
    rows = [[d.agency, d.region, d.year, d.title, d.href, d.version, d.versions] for d in documents]
    (folder / "docs.js").write_text(_script("FAZHI_SEARCH.documents", meta, rows), encoding="utf-8")
    for k, shard in enumerate(postings):
        (folder / f"index-{k}.js").write_text(_script("FAZHI_SEARCH.shard", k, shard), encoding="utf-8")
    for start in range(0, len(documents), CHUNK):
        texts = [normalise(d.text) for d in documents[start : start + CHUNK]]
        (folder / f"text-{start // CHUNK}.js").write_text(
            _script("FAZHI_SEARCH.texts", start // CHUNK, texts), encoding="utf-8"
        )
    return sum(len(s) for s in postings)
