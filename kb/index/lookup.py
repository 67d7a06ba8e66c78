"""Resolving what a user typed to what the store holds: a NOTE argument (path, title, slug or alias)
and a snippet id (`path#N`, `NOTE#N` or an attached file name)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kb.errors import AmbiguousNote, NoteNotFound, SnippetNotFound
from kb.index import store
from kb.layout import NOTE_SUFFIXES, slug_of

if TYPE_CHECKING:
    from kb.models import Snippet


def find_note(conn: sqlite3.Connection, key: str, *, kind: str | None = None) -> str:
    """Resolve a NOTE argument (path, title, slug or alias) to a stored note path.

    Tried in order: path (with or without extension), title, file-name slug, alias; the first kind of
    match that finds exactly one note wins, several at one level are `AmbiguousNote`. With `kind`,
    only notes of that kind are candidates.
    """
    raw = key.strip()
    candidate = unquote(raw).replace("\\", "/")
    for prefix in ("./", "notes/"):
        if candidate.startswith(prefix):
            candidate = candidate[len(prefix):]
    # A path (what the web app and scripts pass) is one indexed lookup; reading every note's keys
    # for it took ~100 ms per call on 10,000 notes.
    for suffix in ("", *NOTE_SUFFIXES):
        if store.has_note(conn, candidate + suffix, kind):
            return candidate + suffix
    keys = store.note_keys(conn, kind)
    folded = raw.casefold()
    for matcher in (
        lambda p, t, a: t.casefold() == folded,
        lambda p, t, a: slug_of(p).casefold() == folded or Path(p).stem.casefold() == folded,
        lambda p, t, a: any(x.casefold() == folded for x in a),
    ):
        found = sorted({p for p, t, a in keys if matcher(p, t, a)})
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguousNote(key, found)
    if kind is not None and store.note_keys(conn):
        try:
            other = find_note(conn, key)
        except NoteNotFound:
            pass
        else:
            raise NoteNotFound(key, f"{other} is not a {kind} note; only {kind} notes can be used here")
    raise NoteNotFound(key)



def find_snippet(conn: sqlite3.Connection, key: str) -> Snippet:
    """A snippet by id (`path#N`), by `NOTE#N` with any NOTE form, or by its attached file name."""
    rows = [snippet for snippet, _ in store.snippets_with_titles(conn)]
    by_id = {s.id: s for s in rows}
    if key in by_id:
        return by_id[key]
    by_file = [s for s in rows if s.source and (s.source == key or s.source.endswith("/" + key))]
    if len(by_file) == 1:
        return by_file[0]
    if "#" in key:
        note_key, _, index = key.rpartition("#")
        if index.isdigit():
            path = find_note(conn, note_key)
            if f"{path}#{index}" in by_id:
                return by_id[f"{path}#{index}"]
    raise SnippetNotFound(f"no snippet {key!r}")
