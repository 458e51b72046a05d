"""The search index of version texts: which two-character runs each version holds (``versions_bigrams``).

Chinese has no spaces between words, so the index is of every two-character run of letters and
digits in the normalised title and text (法治政府 → 法治 治政 政府), plus the last character of each
run, so that every character starts some token. Written as space-separated tokens into an FTS5
table with the standard ``unicode61`` tokenizer, it needs nothing registered to be read: any SQLite
answers ``versions_bigrams MATCH '"复议"'``.

- a two-character query is one token, answered by the index alone;
- a one-character query is a prefix query (``"法"*``: the tokens that start with it);
- a longer query is every token of it (行政复议 → 行政 AND 政复 AND 复议): the candidates hold all its
  runs, and archive.search keeps those whose text holds the query itself.

The table is contentless (``content=''``: the tokens, not another copy of the text) with
``detail=none`` (which rows hold a token, not where): about a fifth of the text's own bytes, where
a trigram index with positions took 1.3 times them. It keeps its column sizes (a few bytes a row):
without them FTS5 refuses to scan a contentless table, and ``.dump`` and other tools that read
every table would fail on it. It is written in the
same transaction as the version (archive.store), so it is never behind; rowid = ``versions.id``.
"""

from __future__ import annotations

import re
from typing import Any

INDEX_TABLE = "versions_bigrams"
CREATE_INDEX = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX_TABLE} USING fts5(terms, "
    "tokenize='unicode61 remove_diacritics 0', content='', detail=none)"
)
# What separates runs of letters and digits (query terms are such runs too: archive.search.query_terms).
_BETWEEN_RUNS = re.compile(r"[\W_]+")


def tokens(*texts: str) -> str:
    """The index tokens of ``texts`` (already normalised), space-separated, each once.

    Every adjacent pair of the text with its separators folded to one space, taken at C speed
    (``map`` over the string and itself shifted by one, made distinct by a set). The second string
    has a space wherever the first has one, so a pair that would start at a separator is two spaces,
    which the tokenizer skips; a pair ending at one is a run's last character ("法 " is 法).
    """
    flat = " " + " ".join(_BETWEEN_RUNS.sub(" ", text or "") for text in texts) + " "
    firsts, seconds = flat[:-1], _AFTER_A_SPACE.sub(" ", flat[1:])
    return " ".join(set(map(str.__add__, firsts, seconds)))


# In ``flat[1:]``: a character whose predecessor in ``flat`` is a space (the first one always is).
_AFTER_A_SPACE = re.compile(r"^\S|(?<= )\S")


def index_version(conn: Any, version_id: int, title: str | None, normalized: str) -> None:
    """Add a version to the index (the writer, inside the version's own transaction)."""
    conn.execute(f"INSERT INTO {INDEX_TABLE} (rowid, terms) VALUES (?, ?)", [version_id, tokens(title or "", normalized)])


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_expression(term: str) -> str:
    """The FTS5 query for one term (letters and digits only, as query_terms splits them)."""
    if len(term) == 1:
        return _quoted(term) + "*"
    return " AND ".join(_quoted(t) for t in dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1)))


def exact(term: str) -> bool:
    """Whether the index alone answers ``term`` (1–2 characters), or candidates need checking against the text."""
    return len(term) <= 2
