"""The SQL behind the problems that need the whole notebook (`kb.index.checks`): duplicate titles
and citation keys, broken links, missing assets, tag uses. Reads only, on any connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_PINNED = "kind = 'paper' AND json_type(meta, '$.citekey') = 'text'"  # a note whose front matter pins a key


def duplicate_titles(conn: sqlite3.Connection, only: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(path, title) of notes sharing a title (case-insensitively) with another note; with `only`,
    the notes sharing a title with one of those."""
    if only is None:
        return conn.execute(
            "SELECT path, title FROM notes WHERE title COLLATE NOCASE IN "
            "(SELECT title FROM notes GROUP BY title COLLATE NOCASE HAVING COUNT(*) > 1) ORDER BY path").fetchall()
    rows: list[tuple[str, str]] = []
    for path in only:
        rows += conn.execute(
            "SELECT path, title FROM notes WHERE title = (SELECT title FROM notes WHERE path = ?) "
            "COLLATE NOCASE ORDER BY path", (path,)).fetchall()
    return rows


def _scope(column: str, only: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    if only is None:
        return "", ()
    return f" AND {column} IN ({','.join('?' * len(only))})", tuple(only)


def broken_links(conn: sqlite3.Connection, only: Sequence[str] | None = None) -> list[tuple[str, str, int]]:
    """(source, target, line) of internal links that resolve to no note (of every note or of `only`)."""
    scope, args = _scope("source", only)
    return conn.execute("SELECT source, target, line FROM links WHERE external = 0 AND resolved IS NULL"  # noqa: S608 - fixed SQL, values bound
                        " AND style NOT IN ('image', 'asset')" + scope + " ORDER BY source, line", args).fetchall()


def missing_assets(conn: sqlite3.Connection, only: Sequence[str] | None = None) -> list[tuple[str, str, int, str]]:
    """(source, target, line, style) of links to images and files that do not exist in the notebook."""
    scope, args = _scope("source", only)
    return conn.execute("SELECT source, target, line, style FROM links WHERE external = 0 AND asset IS NULL"  # noqa: S608 - fixed SQL, values bound
                        " AND style IN ('image', 'asset')" + scope + " ORDER BY source, line", args).fetchall()


def note_tag_names(conn: sqlite3.Connection, only: Sequence[str] | None = None) -> list[tuple[str, str, int | None]]:
    """(path, tag as written, line of the note's `tags:` key) of every tag use (of every note or of
    `only`), in the notes' order."""
    scope, args = _scope("nt.path", only)
    return conn.execute("SELECT nt.path, t.name, json_extract(n.field_lines, '$.tags') FROM note_tags nt "  # noqa: S608 - fixed SQL, values bound
                        "JOIN tags t ON t.tag = nt.tag JOIN notes n ON n.path = nt.path WHERE 1"
                        + scope + " ORDER BY nt.path, nt.position", args).fetchall()


def pinned_citekeys(conn: sqlite3.Connection) -> list[tuple[str, str, int | None]]:
    """(path, citekey, line of the `citekey:` key) of every paper note whose front matter pins a
    `citekey:`, by path."""
    columns = "path, json_extract(meta, '$.citekey'), json_extract(field_lines, '$.citekey')"
    return conn.execute(f"SELECT {columns} FROM notes WHERE {_PINNED} ORDER BY path").fetchall()  # noqa: S608 - fixed SQL


def any_pins_citekey(conn: sqlite3.Connection, paths: Sequence[str]) -> bool:
    """Whether one of the notes at `paths` pins a `citekey:`."""
    return any(conn.execute(f"SELECT 1 FROM notes WHERE path = ? AND {_PINNED}", (p,)).fetchone()  # noqa: S608 - fixed SQL
               for p in paths)


def has_problem_kind(conn: sqlite3.Connection, kind: str) -> bool:
    """Whether any problem of `kind` is recorded."""
    return conn.execute("SELECT 1 FROM problems WHERE kind = ? LIMIT 1", (kind,)).fetchone() is not None
