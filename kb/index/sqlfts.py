"""`notes_search`: an SQLite FTS5 table over the notes that finds Chinese, for readers outside kb.

kb itself searches with Whoosh. This table is for Datasette and plain `sqlite3` users. FTS5's
built-in tokenizers cannot split Chinese (unicode61 makes `残差网络是` one token; trigram cannot match
two-character words), so the text is split before it reaches SQLite: every run of CJK characters is
written as its overlapping bigrams plus its last character (`残差网络` → `残差 差网 网络 络`), the same
terms kb's Whoosh index uses, and unicode61 splits the rest into words. Then:

- a two-character query word is one token (`残差` matches wherever 残差 occurs);
- a longer one is the phrase of its bigrams (`"残差 差网 网络"`), which `search_expression` writes;
- one character is a prefix (`"残"*`): every character either starts a bigram or ends its run.

The table is contentless (`content=''`): it stores the index, not a second copy of the text, and a
row's rowid is its note's rowid in `notes`. Removing a row therefore needs the terms it was given,
which `forget_rows` recomputes from the stored note before the note changes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

TABLE = "notes_search"
CREATE_SQL = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, content='', "
              "tokenize='unicode61 remove_diacritics 2')")
# The shadow tables FTS5 keeps beside a contentless table (hidden in Datasette's metadata).
SHADOW_TABLES = tuple(f"{TABLE}_{s}" for s in ("data", "idx", "docsize", "config"))
# The columns of `notes` a search document is built from.
SOURCE_COLUMNS = ("title", "aliases", "paper_title", "paper_authors", "tags", "tldr", "text", "code")

_PAIRS = re.compile("(?=(..))", re.S)
_WORD = re.compile(r"\w")
_SPLIT_QUERY = re.compile(r'\s+|(".*?")')  # split as Datasette's escaping does: at spaces, "quoted phrases" whole


@cache
def _cjk_run() -> re.Pattern[str]:
    # Compiled on first use: `kb.index.store` imports this module, and reading commands never split.
    from kb.search.analysis import CJK_RANGES  # noqa: PLC0415 - the one definition of what CJK is

    return re.compile(f"[{CJK_RANGES}]+")


def _bigrams(match: re.Match[str]) -> str:
    run = match.group()
    # The overlapping pairs found by the regex engine: faster than slicing the run in a Python loop.
    return " " + " ".join(_PAIRS.findall(run)) + " " + run[-1] + " "


def split_cjk(text: str) -> str:
    """`text` with each CJK run replaced by its bigrams and last character, separated by spaces."""
    return _cjk_run().sub(_bigrams, text) if text else ""


def _words(value: str | None) -> str:
    """A JSON list column as space-separated words."""
    return " ".join(json.loads(value)) if value and value != "[]" else ""


def document(row: dict[str, Any] | sqlite3.Row) -> tuple[str, str]:
    """(title, body) as indexed for a `notes` row: title, aliases and the paper's title; then tags,
    TL;DR, the paper's authors, the plain text and the code."""
    title = " ".join(filter(None, (row["title"], _words(row["aliases"]), row["paper_title"])))
    body = " ".join(filter(None, (_words(row["tags"]), row["tldr"], _words(row["paper_authors"]),
                                  row["text"], row["code"])))
    return split_cjk(title), split_cjk(body)


def create_table(conn: sqlite3.Connection) -> None:
    """Create the table and index every stored note (a migration: once per store)."""
    conn.execute(CREATE_SQL)
    conn.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - fixed name
    rows = conn.execute(f"SELECT rowid, {', '.join(SOURCE_COLUMNS)} FROM notes")  # noqa: S608 - fixed names
    conn.executemany(f"INSERT INTO {TABLE}(rowid, title, body) VALUES (?, ?, ?)",  # noqa: S608 - fixed name
                     [(r[0], *document(dict(zip(("rowid", *SOURCE_COLUMNS), r)))) for r in rows])


def forget_rows(conn: sqlite3.Connection, paths: Iterable[str]) -> list[str]:
    """Remove the stored notes at `paths` from the table (before they are changed or deleted); returns
    `paths` as a list."""
    paths = list(paths)
    cols = ", ".join(SOURCE_COLUMNS)
    sql = f"SELECT rowid, {cols} FROM notes WHERE path = ?"  # noqa: S608 - fixed names
    gone = []
    for path in paths:
        row = conn.execute(sql, (path,)).fetchone()
        if row is not None:
            gone.append((row[0], *document(dict(zip(("rowid", *SOURCE_COLUMNS), row)))))
    # A contentless table deletes a row by being told the terms it holds: the 'delete' command.
    conn.executemany(f"INSERT INTO {TABLE}({TABLE}, rowid, title, body) VALUES ('delete', ?, ?, ?)", gone)  # noqa: S608
    return paths


def index_rows(conn: sqlite3.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Index `notes` rows just written (dicts with `path` and the source columns)."""
    conn.executemany(f"INSERT INTO {TABLE}(rowid, title, body) SELECT rowid, ?, ? FROM notes WHERE path = ?",  # noqa: S608
                     [(*document(row), row["path"]) for row in rows])


def _query_part(text: str, quoted: bool) -> str:
    """One word of a query (or the inside of a quoted phrase) as an FTS5 expression."""
    parts = []
    pos = 0
    for match in _cjk_run().finditer(text):
        if text[pos : match.start()].strip():
            parts.append((False, text[pos : match.start()]))
        parts.append((True, match.group()))
        pos = match.end()
    if text[pos:].strip():
        parts.append((False, text[pos:]))
    out = []
    for is_cjk, part in parts:
        if is_cjk and len(part) == 1:
            out.append(f'"{part}"*')  # the character starts a bigram or ends its run
        elif is_cjk:
            out.append('"' + " ".join(part[i : i + 2] for i in range(len(part) - 1)) + '"')
        elif _WORD.search(part):
            out.append('"' + part.replace('"', "") + '"')
    # A quoted phrase stays one phrase where it can (only CJK, or no CJK); mixed text becomes an AND.
    if quoted and len(out) == 1:
        return out[0]
    return " ".join(out)


def search_expression(query: str) -> str:
    """A user's search words as an FTS5 expression for `notes_search` (every word must match).

    Like Datasette's own escaping (words and "quoted phrases", each taken literally, so FTS5 operators
    in the input cannot cause a syntax error), with Chinese split the way the table was.
    """
    if query.count('"') % 2:
        query += '"'
    bits = [b for b in _SPLIT_QUERY.split(query) if b and b != '""']
    out = []
    for bit in bits:
        quoted = bit.startswith('"')
        expr = _query_part(bit.strip('"'), quoted)
        if expr:
            out.append(expr)
    return " ".join(out)
