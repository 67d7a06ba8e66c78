"""Read operations over an indexed notebook: search, show, tags, toc, check.

Each function takes `Paths`, opens what it needs read-only and returns values for the CLI to format.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from kb import store
from kb.config import Paths
from kb.errors import AmbiguousNote, NoteNotFound
from kb.indexer import Generation, current_generation, index_notebook, require_generation
from kb.models import IndexStats, Note, Problem, SearchResult
from kb.parse import slug_of
from kb.query import Filters


@contextmanager
def reading(paths: Paths) -> Iterator[tuple[Generation, sqlite3.Connection]]:
    """The live generation and a read-only connection to its store."""
    gen = require_generation(paths.index)
    conn = store.connect_readonly(gen.db_path)
    try:
        yield gen, conn
    finally:
        conn.close()


def ensure_index(paths: Paths) -> IndexStats | None:
    """Build the index when there is none yet; returns the build's stats, or None if one existed."""
    if current_generation(paths.index) is not None:
        return None
    return index_notebook(paths)


def search(paths: Paths, query: str, *, limit: int = 10, filters: Filters | None = None) -> SearchResult:
    """Ranked notes for `query` (see `kb.query` for the language)."""
    from kb import search as fulltext  # noqa: PLC0415 - imports Whoosh
    from kb.synonyms import load_synonym_map  # noqa: PLC0415

    with reading(paths) as (gen, conn):
        def fetch(paths_: list[str]) -> dict[str, dict[str, str]]:
            if not paths_:
                return {}
            marks = ",".join("?" * len(paths_))
            rows = conn.execute(
                f"SELECT path, title, aliases, tags, text, code FROM notes WHERE path IN ({marks})", paths_  # noqa: S608
            )
            return {r[0]: {"title": r[1], "aliases": ", ".join(json.loads(r[2] or "[]")),
                           "tags": ", ".join(json.loads(r[3] or "[]")), "body": r[4], "code": r[5]} for r in rows}

        return fulltext.search_notes(gen.whoosh_path, query, limit=limit, extra_filters=filters,
                                     synonyms=load_synonym_map(gen.synonyms_path), fetch_fields=fetch)


def find_note(conn: sqlite3.Connection, key: str) -> str:
    """Resolve a NOTE argument (path, title, slug or alias) to a stored note path."""
    raw = key.strip()
    candidate = unquote(raw).replace("\\", "/")
    for prefix in ("./", "notes/"):
        if candidate.startswith(prefix):
            candidate = candidate[len(prefix):]
    keys = store.note_keys(conn)
    paths = {p for p, _, _ in keys}
    if candidate in paths:
        return candidate
    for suffix in (".md", ".mdx", ".markdown"):
        if candidate + suffix in paths:
            return candidate + suffix
    folded = raw.casefold()
    for matcher in (
        lambda p, t, a: t.casefold() == folded,
        lambda p, t, a: slug_of(p).casefold() == folded or PurePosixPath(p).stem.casefold() == folded,
        lambda p, t, a: any(x.casefold() == folded for x in a),
    ):
        found = sorted({p for p, t, a in keys if matcher(p, t, a)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguousNote(key, found)
    raise NoteNotFound(key)


@dataclass(frozen=True, slots=True)
class NoteView:
    """A note with the notes that link to it."""

    note: Note
    backlinks: tuple[tuple[str, str, int], ...]  # (source path, source title, line)


def show(paths: Paths, key: str) -> NoteView:
    """One note with its metadata, links, backlinks and snippets."""
    with reading(paths) as (_, conn):
        path = find_note(conn, key)
        note = store.get_note(conn, path)
        assert note is not None  # find_note only returns stored paths
        return NoteView(note, tuple(store.backlinks(conn, path)))


def tags(paths: Paths) -> list[tuple[str, int]]:
    """(tag, number of notes), most used first."""
    with reading(paths) as (_, conn):
        return store.tag_counts(conn)


@dataclass(frozen=True, slots=True)
class TocChapter:
    """A chapter with its notes in reading order."""

    folder: str | None  # None for notes at the top of the notebook
    label: str
    notes: tuple[tuple[str, str], ...]  # (path, title)


def toc(paths: Paths) -> list[TocChapter]:
    """Chapters in order (by `_category_` position, then name), each with its notes in order."""
    from kb.scan import load_chapters  # noqa: PLC0415

    chapters, _ = load_chapters(paths.notes)
    with reading(paths) as (_, conn):
        rows = conn.execute("SELECT path, title, chapter, chapter_label, ord FROM notes").fetchall()
    grouped: dict[str | None, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[2], []).append(row)

    def chapter_key(folder: str | None) -> tuple:
        if folder is None:
            return (0, 0.0, "")
        pos = chapters[folder].position if folder in chapters else None
        return (1, pos if pos is not None else float("inf"), folder)

    out = []
    for folder in sorted(grouped, key=chapter_key):
        items = sorted(grouped[folder], key=lambda r: (r[4] is None, r[4] if r[4] is not None else 0, r[0]))
        label = (chapters[folder].label if folder in chapters else grouped[folder][0][3] or folder) if folder else "(top level)"
        out.append(TocChapter(folder, label, tuple((r[0], r[1]) for r in items)))
    return out


def problems(paths: Paths) -> list[Problem]:
    """Every problem recorded by the last `kb index`."""
    with reading(paths) as (_, conn):
        return store.all_problems(conn)


def all_notes(paths: Paths, full: bool = True) -> list[Note]:
    """Every stored note (with links and snippets when `full`)."""
    with reading(paths) as (_, conn):
        return store.list_notes(conn, full=full)
