"""The site's own search: a static index of every version's text, written at ``fazhi report`` time.

Chinese has no spaces, and the words people look for are often two characters (复议, 普法) inside
longer ones (行政复议): a word segmenter would file 行政复议 as one token and miss 复议. So the
index is of character bigrams — every two adjacent characters of every line, NFKC-normalised
and lower-cased — with the versions that contain each; the page intersects the bigrams of a
query and then confirms each candidate against its text (which also gives the snippet). Both
are plain ``<script>`` files (``search/``), so the search works from file:// with no server,
loaded in shards: a query reads only the shards of its own bigrams and the texts of its candidates.

A bigram is handled as one integer (its two code points, 21 bits each: ordered as the strings are), and
the bigrams of a text are found with numpy, not a Python set. Rebuilds re-tokenise only what changed:
each agency's bigrams are kept in ``.report-cache/search.sqlite`` under a digest of its texts (the
version numbers are positions in ``docs.js`` and shift when any agency before changes, so what is
kept is each text's bigrams, not its postings; the numbers are given when the files are written).
The files are the same bytes whether their bigrams were kept or found again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np

from archive.pair_store import Entry, PairStoreReader, PairStoreWriter, StoreLabel

SHARDS = 32  # bigram postings files at the least (a multiple of it for a large index: shard_count)
SHARD_POSTINGS = 1 << 20  # postings a shard holds on average at most: what writing one holds (~32 MB)
PIECE = 1 << 16  # postings of a shard turned into text at a time
CHUNK = 64  # version texts per file
SPILL_EVERY = 1 << 20  # postings held before they go to their shards' spill files (~12 MB)
KEPT = "search.sqlite"  # each agency's bigrams, in the site's .report-cache
FORMAT = 1
_BITS = 21  # a code point's bits: a bigram is first << 21 | second
_LOW = (1 << _BITS) - 1
_SPILLED = np.dtype([("gram", "<i8"), ("version", "<i4")])
_LABEL = StoreLabel("agencies' bigrams", "found again")  # what the warnings of search.sqlite say
log = logging.getLogger(__name__)


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
    return {_gram(k) for k in gram_keys(normalise(text)).tolist()}


@functools.cache
def _kinds() -> np.ndarray:
    """Each code point's kind for the tokeniser: 0 a character, 1 a space (``str.split`` drops it), 2 a
    line break (``str.splitlines`` splits there; a break is also a space)."""
    kinds = np.zeros(_LOW + 1, dtype=np.uint8)
    spaces = [c for c in range(0x110000) if chr(c).isspace()]
    kinds[spaces] = 1
    kinds[[c for c in spaces if len(f"a{chr(c)}a".splitlines()) == 2]] = 2
    return kinds


def gram_keys(normalised: str) -> np.ndarray:
    """The distinct bigrams of a normalised text as sorted int64 keys: adjacent characters of a line once
    its spaces are removed (what joining ``line.split()`` of each of ``splitlines()`` gives)."""
    points = np.frombuffer(normalised.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = _kinds()[points]
    lines = np.cumsum(kinds == 2)
    kept = kinds == 0
    chars, line = points[kept].astype(np.int64), lines[kept]
    keys = ((chars[:-1] << _BITS) | chars[1:])[line[1:] == line[:-1]]
    keys.sort()
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys


def _gram(key: int) -> str:
    return chr(key >> _BITS) + chr(key & _LOW)


def shard_count(postings: int) -> int:
    """How many postings files an index of ``postings`` has: ``SHARDS``, or a multiple of it so that a file
    averages at most ``SHARD_POSTINGS`` (docs.js says how many; a multiple, so that shard k of them lies in
    the spill file k mod ``SHARDS``)."""
    return SHARDS * max(1, -(-postings // (SHARDS * SHARD_POSTINGS)))


def shard_of(gram: str, shards: int = SHARDS) -> int:
    """The postings file of a bigram among ``shards`` (docs.js's ``shards``); search.js computes the same."""
    return (ord(gram[0]) * 31 + ord(gram[1])) % shards


def _shards_of(keys: np.ndarray, shards: int = SHARDS, dtype: type = np.uint8) -> np.ndarray:
    """:func:`shard_of` of each key, as small integers (numpy sorts 8- and 16-bit integers stably by radix,
    not by merging)."""
    return (((keys >> _BITS) * 31 + (keys & _LOW)) % shards).astype(dtype)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _in_script(json_text: str) -> str:
    """JSON as a script may hold it: "</" cannot close a script when written as "<\\/"; the texts are untrusted."""
    return json_text.replace("</", "<\\/")


def _script(call: str, *args: object) -> str:
    """``call(args…);`` with each argument as JSON."""
    return f"{call}({_in_script(','.join(map(_json, args)))});\n"


@functools.cache
def _code() -> bytes:
    """What the kept bigrams depend on besides the texts: this module's code."""
    return hashlib.blake2b(f"{FORMAT}".encode() + Path(__file__).read_bytes(), digest_size=16).digest()


def _checksum(key: str, body: bytes) -> bytes:
    return hashlib.blake2b(key.encode() + b"\0" + body, digest_size=16).digest()


def _encode(grams: list[np.ndarray]) -> bytes:
    """One agency's texts' bigrams: the agency's distinct bigrams, and each text's as positions among them."""
    vocabulary = np.unique(np.concatenate(grams)) if grams else np.zeros(0, np.int64)
    width = 2 if len(vocabulary) <= 1 << 16 else 4
    head = np.array([len(grams), len(vocabulary), width], dtype="<i8")
    counts = np.array([len(g) for g in grams], dtype="<i4")
    positions = [np.searchsorted(vocabulary, g).astype(f"<u{width}").tobytes() for g in grams]
    return zlib.compress(
        b"".join([head.tobytes(), counts.tobytes(), vocabulary.astype("<i8").tobytes(), *positions]), 1
    )


def _decode(body: bytes, texts: int) -> list[np.ndarray] | None:
    """:func:`_encode` undone, or None when the body is not one it wrote for ``texts`` texts."""
    try:
        data = zlib.decompress(body)
    except zlib.error:
        return None
    if len(data) < 24:
        return None
    count, size, width = np.frombuffer(data, "<i8", 3).tolist()
    if count != texts or size < 0 or width not in (2, 4):
        return None
    at = 24 + 4 * count
    counts = np.frombuffer(data, "<i4", count, 24) if len(data) >= at else None
    if counts is None or (counts < 0).any() or len(data) != at + 8 * size + width * int(counts.sum()):
        return None
    vocabulary = np.frombuffer(data, "<i8", size, at)
    positions = np.frombuffer(data, f"<u{width}", int(counts.sum()), at + 8 * size)
    if positions.size and int(positions.max()) >= size:
        return None
    bounds = np.concatenate(([0], np.cumsum(counts)))
    return [
        vocabulary[positions[a:b]] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]


class KeptBigrams:
    """Each agency's texts' bigrams from the last build's ``search.sqlite``, and this build's file of them
    (the entries found and made: one build's agencies). An entry that does not check is found again."""

    def __init__(self, previous: Path | None, path: Path | None) -> None:
        self.reader = PairStoreReader(previous, _LABEL)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = PairStoreWriter(path, previous, _LABEL) if path is not None else None
        self.used: list[str] = []
        self.made: list[Entry] = []
        self.found = self.tokenised = 0

    @staticmethod
    def key(texts: list[str]) -> str:
        h = hashlib.blake2b(_code(), digest_size=20)
        for text in texts:
            data = text.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def grams(self, texts: list[str], normalised: list[str]) -> list[np.ndarray]:
        """The bigrams of each of one agency's texts: kept, or found (and kept for the next build)."""
        key = self.key(texts)
        stored = self.reader.get(key)
        if stored is not None:
            body, checksum = stored
            kept = (
                _decode(body, len(texts))
                if isinstance(body, bytes) and checksum == _checksum(key, body)
                else None
            )
            if kept is not None:
                self.used.append(key)
                self.found += len(texts)
                return kept
            log.warning("%s: entry %s refused: its texts are tokenised again", self.reader.path, key)
        grams = [gram_keys(t) for t in normalised]
        self.tokenised += len(texts)
        if self.writer is not None:
            body = _encode(grams)
            self.made.append((key, body, _checksum(key, body)))
        return grams

    def flush(self) -> None:
        if self.writer is not None:
            self.writer.add(self.used, self.made)
        self.used, self.made = [], []

    def finish(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.finish()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


def _by_agency(documents: Iterable[SearchDocument]) -> Iterator[list[SearchDocument]]:
    """Runs of one agency's documents (the unit kept from build to build)."""
    for _, run in groupby(documents, key=lambda d: d.agency):
        yield list(run)


class SearchIndexWriter:
    """``out/search/*.js`` written as versions come (``fazhi report`` streams agency by agency).

    Texts go out a chunk at a time, and the document list's rows to a file of their own until
    :meth:`finish` writes ``docs.js``. A version's postings are (bigram key, version number) pairs in numpy
    arrays, sent every ``SPILL_EVERY`` postings to the spill file of their bigram's shard modulo ``SHARDS``;
    :meth:`finish` splits a spill file into the shards it holds (:func:`shard_count`: more shards as the
    postings grow) and writes one shard at a time, a piece at a time: memory holds one shard's postings as
    arrays, about ``SHARD_POSTINGS`` of them whatever the archive's size, and no Python object a posting.
    ``previous``/``kept``: the last build's file of bigrams and this build's (:class:`KeptBigrams`).
    """

    def __init__(self, out: Path, previous: Path | None = None, kept: Path | None = None) -> None:
        self.folder = out / "search"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.kept = KeptBigrams(previous, kept)
        self._spill = tempfile.TemporaryDirectory(prefix=".spill-", dir=self.folder)
        self._spills = [Path(self._spill.name) / f"{k}.bin" for k in range(SHARDS)]
        for path in self._spills:
            path.touch()
        self._rows_file = (Path(self._spill.name) / "rows.json").open("w", encoding="utf-8", newline="\n")
        self._count = 0  # versions added
        self._postings = 0  # spilled
        self._texts: list[str] = []
        self._pending: list[tuple[np.ndarray, int]] = []  # (bigram keys, version) not yet spilled
        self._pending_count = 0

    def add(self, documents: Iterable[SearchDocument]) -> None:
        for run in _by_agency(documents):
            normalised = [normalise(doc.text) for doc in run]
            for doc, text, grams in zip(
                run, normalised, self.kept.grams([d.text for d in run], normalised), strict=True
            ):
                self._pending.append((grams, self._count))
                self._pending_count += len(grams)
                if self._pending_count >= SPILL_EVERY:
                    self._spill_pending()
                row = [doc.agency, doc.region, doc.year, doc.title, doc.href, doc.version, doc.versions]
                self._rows_file.write(_json(row) + "\n")
                self._count += 1
                self._texts.append(text)
                if len(self._texts) == CHUNK:
                    self._write_texts()
            self.kept.flush()  # an agency a transaction: the file's bytes do not depend on the batches

    def _spill_pending(self) -> None:
        """Append the pending postings to their spill files, as (bigram, version) records."""
        if not self._pending:
            return
        grams = np.concatenate([found for found, _ in self._pending])
        versions = np.repeat(np.array([n for _, n in self._pending], dtype=np.int32),
                             [len(found) for found, _ in self._pending])  # fmt: skip
        self._pending, self._pending_count = [], 0
        _append_by_shard(grams, versions, _shards_of(grams), self._spills)
        self._postings += len(grams)

    def _write_texts(self) -> None:
        chunk = (self._count - 1) // CHUNK
        (self.folder / f"text-{chunk}.js").write_text(
            _script("FAZHI_SEARCH.texts", chunk, self._texts), encoding="utf-8"
        )
        self._texts = []

    def _write_documents(self, shards: int) -> None:
        """``docs.js``: the rows kept a line each, behind the index's shape (the same bytes as one ``_script``
        call of the meta and the list of rows)."""
        meta = {"shards": shards, "chunk": CHUNK, "count": self._count}
        self._rows_file.close()
        with (
            open(self._rows_file.name, encoding="utf-8", newline="\n") as rows,
            (self.folder / "docs.js").open("w", encoding="utf-8") as fh,
        ):
            fh.write(f"FAZHI_SEARCH.documents({_json(meta)},[")
            for n, row in enumerate(rows):  # JSON has no raw line break: a line is a row
                fh.write(("," if n else "") + _in_script(row[:-1]))
            fh.write("]);\n")

    def _split(self, k: int, parts: int) -> list[Path]:
        """The spill file of shards ≡ ``k`` (mod ``SHARDS``) as ``parts`` files, of shards k, k + SHARDS, …
        (a block at a time; each file keeps the spill's order: versions ascending)."""
        if parts == 1:
            return [self._spills[k]]
        paths = [self._spills[k].with_suffix(f".{j}.bin") for j in range(parts)]
        for path in paths:
            path.touch()
        with open(self._spills[k], "rb") as fh:
            while (block := np.fromfile(fh, dtype=_SPILLED, count=SPILL_EVERY)).size:
                part = (_shards_of(block["gram"], SHARDS * parts, np.uint16) // SHARDS).astype(np.uint16)
                _append_by_shard(block["gram"], block["version"], part, paths)
        self._spills[k].unlink()
        return paths

    def finish(self) -> int:
        """Write the postings and the document list; returns the number of distinct bigrams."""
        if self._texts:
            self._write_texts()
        self._spill_pending()
        shards = shard_count(self._postings)
        self._write_documents(shards)
        names = np.array(list(map(str, range(self._count))), dtype=object)
        widths = np.array([len(n) + 1 for n in names], dtype=np.int64)
        distinct = 0
        for k in range(SHARDS):
            for part, spill in enumerate(self._split(k, shards // SHARDS)):
                distinct += _write_shard(self.folder, k + part * SHARDS, spill, names, widths)
                spill.unlink()
        self._spill.cleanup()
        self.kept.finish()
        return distinct

    def abort(self) -> None:
        self._rows_file.close()
        self._spill.cleanup()
        self.kept.abort()


def _append_by_shard(grams: np.ndarray, versions: np.ndarray, shards: np.ndarray, paths: list[Path]) -> None:
    """Append (bigram, version) records to the file of each one's shard (``shards``: an index into ``paths``),
    keeping their order within a file (a stable sort, by radix on 8- and 16-bit integers)."""
    order = np.argsort(shards, kind="stable")
    pairs = np.empty(len(grams), dtype=_SPILLED)
    pairs["gram"], pairs["version"] = grams[order], versions[order]
    bounds = np.searchsorted(shards[order], np.arange(len(paths) + 1))
    for k, path in enumerate(paths):
        if bounds[k + 1] > bounds[k]:
            with open(path, "ab") as fh:
                fh.write(pairs[bounds[k] : bounds[k + 1]].tobytes())


def _write_shard(folder: Path, k: int, spill: Path, names: np.ndarray, widths: np.ndarray) -> int:
    """``index-{k}.js`` from its spill file (bigrams in order, each with its versions ascending), a piece of
    about ``PIECE`` postings at a time; returns its bigram count. ``names``: each version number as written,
    ``widths`` its length and a comma: a piece's numbers are joined once and each bigram's list is a slice."""
    pairs = np.fromfile(spill, dtype=_SPILLED)
    order = np.argsort(pairs["gram"], kind="stable")  # by bigram; versions were spilled ascending
    grams, versions = pairs["gram"][order], pairs["version"][order]
    del pairs, order
    present, starts = np.unique(grams, return_index=True)  # ascending keys: the order of the strings
    del grams
    ends = np.append(starts[1:], len(versions))[: len(starts)]  # none for an empty shard
    cuts = np.unique(np.append(np.searchsorted(starts, np.arange(0, len(versions), PIECE)), len(starts)))
    with (folder / f"index-{k}.js").open("w", encoding="utf-8") as fh:
        fh.write(f"FAZHI_SEARCH.shard({k},{{")
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            first = int(starts[lo])
            numbers = versions[first : int(ends[hi - 1])]
            joined = ",".join(names[numbers])
            after = np.concatenate(([0], np.cumsum(widths[numbers])))  # where each number's text begins
            begin, end = after[starts[lo:hi] - first].tolist(), after[ends[lo:hi] - first].tolist()
            body = ",".join(
                f"{json.dumps(_gram(gram), ensure_ascii=False)}:[{joined[a : b - 1]}]"
                for gram, a, b in zip(present[lo:hi].tolist(), begin, end, strict=True)
            )
            fh.write(("," if lo else "") + _in_script(body))  # pieces meet at "],": no "</" across
        fh.write("});\n")
    return len(present)


def write_search_index(out: Path, documents: list[SearchDocument], previous: Path | None = None,
                       kept: Path | None = None) -> int:  # fmt: skip
    """Write ``out/search/*.js`` for ``documents``; returns the number of distinct bigrams."""
    writer = SearchIndexWriter(out, previous, kept)
    writer.add(documents)
    return writer.finish()
