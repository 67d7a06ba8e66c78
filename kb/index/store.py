"""All the SQL: notes, tags, links, snippets, snippet runs and problems in the SQLite file (the
queries behind the notebook-wide checks are in `kb.index.store_checks`).

Plain `sqlite3` on connections from `kb.index.schema` (which owns the schema and its migrations).
Writes take a `Store` (a write connection); reads take any connection, read-only ones included.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from kb import models  # each model's module loads on first use: `kb search` needs none of these
from kb.index import sqlfts
from kb.index.schema import Store, upsert_rows

if TYPE_CHECKING:
    from kb.models import Backlink, Link, Note, Problem, Snippet, TagCount

_LINK_COLS = "label, line, style, external, arxiv_id, COALESCE(resolved, asset)"  # a Link's fields after target
_PRUNE_RUNS = "DELETE FROM snippet_runs WHERE snippet_id NOT IN (SELECT id FROM snippets)"  # FK checked at commit
# --- conversions between Note and rows ------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def note_to_row(note: Note) -> dict[str, Any]:
    """A note as a row of the `notes` table."""
    paper = note.paper or models.PaperMeta()
    return {
        "path": str(note.path), "title": note.title, "kind": note.kind, "chapter": note.chapter,
        "chapter_label": note.chapter_label, "ord": note.order, "status": note.status, "tldr": note.tldr,
        "added": note.added, "authors": _dumps(list(note.authors)), "aliases": _dumps(list(note.aliases)),
        "tags": _dumps(list(note.tags)), "headings": _dumps(list(note.headings)),
        "paper_title": paper.title, "paper_authors": _dumps(list(paper.authors)), "year": paper.year,
        "venue": paper.venue, "arxiv": paper.arxiv, "doi": paper.doi, "url": paper.url,
        "body": note.body, "body_line": note.body_line, "text": note.text, "code": note.code,
        "meta": _dumps(note.meta), "field_lines": _dumps(note.field_lines), "checksum": note.checksum, "size": note.size,
        "mtime_ns": int(note.mtime), "indexed_at": time.time(),
    }


def _json_list(value: str | None) -> tuple[Any, ...]:
    # Most list columns of most notes are empty: listing 10k notes decoded 70k of them.
    return tuple(json.loads(value)) if value and value != "[]" else ()


def row_to_note(row: dict[str, Any] | sqlite3.Row, links: Iterable[Link] = (), snippets: Iterable[Snippet] = (),
                problems: Iterable[Problem] = ()) -> Note:
    """Rebuild a `Note` from its row (and, optionally, its links, snippets and problems)."""
    row = dict(row)
    paper_authors = _json_list(row["paper_authors"])
    has_paper = paper_authors or any(row.get(k) for k in ("paper_title", "year", "venue", "arxiv", "doi", "url"))
    paper = models.PaperMeta(row["paper_title"], paper_authors, row["year"],
                      row["venue"], row["arxiv"], row["doi"], row["url"]) if has_paper else None
    return models.Note(
        path=PurePosixPath(row["path"]), title=row["title"], kind=row["kind"], body=row.get("body", ""),
        text=row.get("text", ""), code=row.get("code", ""), chapter=row["chapter"], chapter_label=row["chapter_label"],
        order=row["ord"], tags=_json_list(row["tags"]),
        authors=_json_list(row["authors"]), aliases=_json_list(row["aliases"]),
        status=row["status"], tldr=row["tldr"], added=row["added"], paper=paper,
        headings=_json_list(row["headings"]), links=tuple(links), snippets=tuple(snippets),
        problems=tuple(problems), body_line=row["body_line"] or 1, meta=json.loads(row["meta"] or "{}"),
        field_lines=json.loads(row.get("field_lines") or "{}"),
        checksum=row["checksum"], size=row["size"], mtime=row["mtime_ns"],
    )


# The `notes` columns but body, text and code: what listing notes reads.
_LIST_COLUMNS = ("path, title, kind, chapter, chapter_label, ord, status, tldr, added, authors, aliases, tags, headings, "
                 "paper_title, paper_authors, year, venue, arxiv, doi, url, body_line, meta, field_lines, checksum, size, mtime_ns")

# --- writes -----------------------------------------------------------------------------------


@contextmanager
def transaction(db: Store) -> Iterator[None]:
    """One SQLite transaction: everything inside lands together or not at all."""
    with db.conn:
        yield


def _forgetting(db: Store) -> sqlite3.Connection:  # every write of notes: kb.index.manifest is stale
    return db.conn.execute("DELETE FROM kb_meta WHERE key = 'files_token'").connection


def delete_notes(db: Store, paths: Iterable[str]) -> None:
    """Remove notes and everything hanging off them (call inside a transaction)."""
    conn = _forgetting(db)
    for path in sqlfts.forget_rows(conn, paths):
        conn.execute("DELETE FROM note_tags WHERE path = ?", (path,))
        conn.execute("DELETE FROM links WHERE source = ?", (path,))
        conn.execute("UPDATE links SET resolved = NULL WHERE resolved = ?", (path,))
        conn.execute("DELETE FROM snippets WHERE path = ?", (path,))
        conn.execute("DELETE FROM problems WHERE path = ?", (path,))
        conn.execute("DELETE FROM notes WHERE path = ?", (path,))
    conn.execute(_PRUNE_RUNS)


def upsert_notes(db: Store, notes: Sequence[Note], deps: dict[str, dict[str, list[int]]] | None = None,
                 fresh: bool = False) -> None:
    """Insert or replace notes with their tags, links, snippets and problems (inside a transaction).

    `deps` maps a note's path to the attached files it was built from ({file: [size, mtime_ns]}), so a
    changed snippet file re-indexes its note. `fresh` says the notes are not stored yet (a full build).
    """
    conn = _forgetting(db)
    deps = deps or {}
    if not fresh:
        paths = [(p,) for p in sqlfts.forget_rows(conn, [str(n.path) for n in notes])]
        for table, col in (("note_tags", "path"), ("links", "source"), ("snippets", "path"), ("problems", "path")):
            conn.executemany(f"DELETE FROM {table} WHERE {col} = ?", paths)  # noqa: S608 - fixed names
    rows = []
    for note in notes:
        row = note_to_row(note)
        row["deps"] = _dumps(deps.get(str(note.path), {}))
        rows.append(row)
    upsert_rows(conn, "notes", rows, "path", replace=not fresh)
    sqlfts.index_rows(conn, rows)
    tags, note_tags, links, snippets, problems = {}, [], [], [], []
    for note in notes:
        path = str(note.path)
        for position, tag in enumerate(note.tags):
            tags.setdefault(tag.casefold(), tag)
            note_tags.append((path, tag.casefold(), position))
        links += [(path, k.target, k.label, k.line, k.style, int(k.external), k.arxiv_id, k.resolved) for k in note.links]
        snippets += [(s.id, path, s.index, s.language, s.start_line, s.code, s.source, s.info) for s in note.snippets]
        problems += [(p.path, p.line, p.kind, p.message, p.severity, path) for p in note.problems]
    conn.executemany("INSERT OR IGNORE INTO tags(tag, name) VALUES (?, ?)", list(tags.items()))
    conn.executemany("INSERT OR IGNORE INTO note_tags(path, tag, position) VALUES (?, ?, ?)", note_tags)
    conn.executemany(
        "INSERT INTO links(source, target, label, line, style, external, arxiv_id, resolved) VALUES (?,?,?,?,?,?,?,?)", links)
    conn.executemany(
        "INSERT INTO snippets(id, path, idx, language, start_line, code, source, info) VALUES (?,?,?,?,?,?,?,?)", snippets)
    conn.executemany("INSERT INTO problems(path, line, kind, message, severity, note) VALUES (?,?,?,?,?,?)", problems)
    conn.execute(_PRUNE_RUNS)  # a full build has no runs yet: nothing to scan


def replace_notebook_problems(db: Store, problems: Iterable[Problem], only: list[str] | None = None) -> None:
    """Replace the problems that are not a single note's own: unreadable files, and duplicate titles,
    broken links and unknown tags (of every note; with `only`, the broken links and unknown tags of
    those notes, keeping the duplicate titles, which cannot have changed)."""
    db.conn.execute("DELETE FROM problems WHERE path NOT IN (SELECT path FROM notes)")
    db.conn.execute("DELETE FROM problems WHERE kind = 'duplicate-citekey'")  # always checked in full
    if only is None:
        db.conn.execute("DELETE FROM problems WHERE kind IN ('duplicate-title', 'broken-link', 'missing-asset', 'unknown-tag')")
    else:
        db.conn.executemany("DELETE FROM problems WHERE path = ? AND kind IN ('broken-link', 'missing-asset', 'unknown-tag')",
                            [(p,) for p in only])
    db.conn.executemany("INSERT INTO problems(path, line, kind, message, severity, note) "  # `note`: when a note
                        "VALUES (?,?,?,?,?, (SELECT path FROM notes WHERE path = ?))",
                        [(p.path, p.line, p.kind, p.message, p.severity, p.path) for p in problems])


def internal_links(conn: sqlite3.Connection, sources: Iterable[str] | None = None) -> list[tuple[int, str, Link]]:
    """(row id, source path, link) of internal links, of every note or only of `sources`."""
    sql = "SELECT id, source, target, label, line, style, external, arxiv_id, resolved FROM links WHERE external = 0"
    if sources is None:
        rows = conn.execute(sql).fetchall()
    else:
        rows = []
        for source in sources:
            rows += conn.execute(sql + " AND source = ?", (source,)).fetchall()
    return [(r[0], r[1], models.Link(r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8])) for r in rows]


def set_link_resolution(db: Store, resolutions: Iterable[tuple[int, str | None]]) -> None:
    """Store resolved targets, (link row id, path or None): a note's in `resolved`, an image's or file's in `asset`."""
    db.conn.executemany("UPDATE links SET resolved = iif(style IN ('image', 'asset'), NULL, ?1), asset = iif(style IN "
                        "('image', 'asset'), ?1, NULL) WHERE id = ?2", [(r, i) for i, r in resolutions])


def mark_fulltext_pending(db: Store, ops: Iterable[tuple[str, str]]) -> None:
    """Record (path, 'upsert'|'delete') changes that Whoosh has yet to receive."""
    db.conn.executemany("INSERT OR REPLACE INTO fulltext_pending(path, op) VALUES (?, ?)", list(ops))


def clear_fulltext_pending(db: Store) -> None:
    """Whoosh has committed every pending change."""
    db.conn.execute("DELETE FROM fulltext_pending")


def save_snippet_run(db: Store, snippet_id: str, code_checksum: str, fingerprint: str, status: str,
                     reason: str, mismatches: Iterable[str], duration: float, output: str) -> None:
    """Remember the last result of running a snippet."""
    with db.conn:
        upsert_rows(db.conn, "snippet_runs", [
            {"snippet_id": snippet_id, "code_checksum": code_checksum, "fingerprint": fingerprint,
             "status": status, "reason": reason, "mismatches": _dumps(list(mismatches)), "duration": duration,
             "output": output[-20000:], "ran_at": time.time()}], "snippet_id")


# --- reads (sqlite3 connections or sqlite-utils Database.conn alike) ------------------------------


def stored_files(conn: sqlite3.Connection) -> dict[str, tuple[int, int, dict[str, list[int]]]]:
    """path → (size, mtime_ns, attached files) of every stored note; the cheap side of change detection."""
    out = {}
    for path, size, mtime, deps in conn.execute("SELECT path, size, mtime_ns, deps FROM notes"):
        out[path] = (size, mtime, json.loads(deps) if deps and deps != "{}" else {})
    return out


def stored_checksum(conn: sqlite3.Connection, path: str) -> str | None:
    """Content hash of a stored note (looked up only for files whose size or mtime moved)."""
    row = conn.execute("SELECT checksum FROM notes WHERE path = ?", (path,)).fetchone()
    return row[0] if row else None


def pending_fulltext(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Changes not yet applied to Whoosh."""
    return [(r[0], r[1]) for r in conn.execute("SELECT path, op FROM fulltext_pending")]


def _links_for(conn: sqlite3.Connection, path: str) -> list[Link]:
    rows = conn.execute(f"SELECT target, {_LINK_COLS} FROM links WHERE source = ? ORDER BY id", (path,))  # noqa: S608
    return [models.Link(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows]


def _snippets_for(conn: sqlite3.Connection, path: str) -> list[Snippet]:
    rows = conn.execute(
        "SELECT path, idx, language, start_line, code, source, info FROM snippets WHERE path = ? ORDER BY idx", (path,)
    )
    return [models.Snippet(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


def get_note(conn: sqlite3.Connection, path: str, full: bool = True) -> Note | None:
    """One stored note by path, with links, snippets and problems when `full`."""
    prev = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM notes WHERE path = ?", (path,)).fetchone()
    finally:
        conn.row_factory = prev
    if row is None:
        return None
    if not full:
        return row_to_note(row)
    problems = [models.Problem(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(
        "SELECT path, line, kind, message, severity FROM problems WHERE path = ? ORDER BY line, id", (path,))]
    return row_to_note(row, _links_for(conn, path), _snippets_for(conn, path), problems)


def list_notes(conn: sqlite3.Connection, full: bool = False, text: bool = True) -> list[Note]:
    """Every stored note, ordered by path; `full` adds links and snippets (slower); `text=False` leaves
    body, text and code empty, for listing: they are most of each row's bytes, and need not be read."""
    prev = conn.row_factory
    conn.row_factory = sqlite3.Row
    columns = "*" if text else _LIST_COLUMNS
    try:
        rows = conn.execute(f"SELECT {columns} FROM notes ORDER BY path").fetchall()  # noqa: S608 - fixed names
    finally:
        conn.row_factory = prev
    if not full:
        return [row_to_note(r) for r in rows]
    links: dict[str, list[Link]] = {}
    for r in conn.execute(f"SELECT source, target, {_LINK_COLS} FROM links ORDER BY id"):  # noqa: S608 - fixed SQL
        links.setdefault(r[0], []).append(models.Link(r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]))
    snippets: dict[str, list[Snippet]] = {}
    for r in conn.execute("SELECT path, idx, language, start_line, code, source, info FROM snippets ORDER BY path, idx"):
        snippets.setdefault(r[0], []).append(models.Snippet(*r))
    return [row_to_note(r, links.get(r["path"], ()), snippets.get(r["path"], ())) for r in rows]


def has_note(conn: sqlite3.Connection, path: str, kind: str | None = None) -> bool:
    """Whether a note (of `kind`) is stored at `path`."""
    sql, args = "SELECT 1 FROM notes WHERE path = ?", (path,)
    if kind is not None:
        sql, args = sql + " AND kind = ?", (path, kind)
    return conn.execute(sql, args).fetchone() is not None


def note_keys(conn: sqlite3.Connection, kind: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(path, title, aliases) of every note (of one kind): what NOTE arguments and wiki links are matched against."""
    sql, args = "SELECT path, title, aliases FROM notes", ()
    if kind is not None:
        sql, args = sql + " WHERE kind = ?", (kind,)
    return [(r[0], r[1], json.loads(r[2] or "[]")) for r in conn.execute(sql, args)]


def note_keys_of(conn: sqlite3.Connection, paths: list[str]) -> dict[str, tuple[str, list[str]]]:
    """path → (title, aliases) for the given notes."""
    out = {}
    for path in paths:
        row = conn.execute("SELECT title, aliases FROM notes WHERE path = ?", (path,)).fetchone()
        if row:
            out[path] = (row[0], json.loads(row[1] or "[]"))
    return out


def search_fields(conn: sqlite3.Connection, paths: list[str]) -> dict[str, dict[str, str]]:
    """path → the text fields excerpts come from (title, aliases, tags, body, code), with tag_list and chapter."""
    if not paths:
        return {}
    marks = ",".join("?" * len(paths))
    rows = conn.execute(f"SELECT path, title, aliases, tags, text, code, chapter FROM notes WHERE path IN ({marks})", paths)  # noqa: S608
    out = {}
    for r in rows:
        tags = json.loads(r[3] or "[]")
        out[r[0]] = {"title": r[1], "aliases": ", ".join(json.loads(r[2] or "[]")), "tags": ", ".join(tags),
                     "body": r[4], "code": r[5], "tag_list": tags, "chapter": r[6]}
    return out


def snippets_with_titles(conn: sqlite3.Connection, note_path: str | None = None) -> list[tuple[Snippet, str]]:
    """(snippet, its note's title) for every snippet, or for one note's, in note and block order."""
    sql = ("SELECT s.path, s.idx, s.language, s.start_line, s.code, s.source, s.info, n.title "
           "FROM snippets s JOIN notes n ON n.path = s.path")
    args: tuple = ()
    if note_path is not None:
        sql += " WHERE s.path = ?"
        args = (note_path,)
    return [(models.Snippet(*r[:7]), r[7]) for r in conn.execute(sql + " ORDER BY s.path, s.idx", args)]


def snippet_names(conn: sqlite3.Connection) -> list[tuple[str, int, str | None, str]]:
    """(note path, index, attached file or None, note title) of every snippet, without its code."""
    return conn.execute("SELECT s.path, s.idx, s.source, n.title FROM snippets s JOIN notes n ON n.path = s.path "
                        "ORDER BY s.path, s.idx").fetchall()


def toc_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str | None, str | None, float | None]]:
    """(path, title, chapter, chapter label, order) of every note."""
    return [tuple(r) for r in conn.execute("SELECT path, title, chapter, chapter_label, ord FROM notes")]


def note_paths(conn: sqlite3.Connection) -> list[str]:
    """Every stored note's path."""
    return [r[0] for r in conn.execute("SELECT path FROM notes")]


def backlinks(conn: sqlite3.Connection, path: str) -> list[Backlink]:
    """Links from other notes that resolve to `path`, by source and line."""
    return [models.Backlink(*r) for r in conn.execute(
        "SELECT l.source, n.title, l.line FROM links l JOIN notes n ON n.path = l.source "
        "WHERE l.resolved = ? AND l.source != ? ORDER BY l.source, l.line", (path, path))]


def tag_counts(conn: sqlite3.Connection) -> list[TagCount]:
    """Tags as first written with their number of notes, most used first."""
    return [models.TagCount(r[0], r[1]) for r in conn.execute(
        "SELECT t.name, COUNT(*) AS n FROM note_tags nt JOIN tags t ON t.tag = nt.tag "
        "GROUP BY nt.tag ORDER BY n DESC, t.tag")]


def all_problems(conn: sqlite3.Connection) -> list[Problem]:
    """Every recorded problem, by path and line."""
    return [models.Problem(*r) for r in conn.execute(
        "SELECT path, line, kind, message, severity FROM problems ORDER BY path, line, id")]


def snippet_runs(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Last run of each snippet, by snippet id."""
    prev = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        return {r["snippet_id"]: dict(r) for r in conn.execute("SELECT * FROM snippet_runs")}
    finally:
        conn.row_factory = prev


def meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    """A value recorded in `kb_meta`, or None."""
    row = conn.execute("SELECT value FROM kb_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(db: Store, key: str, value: str) -> None:
    """Record a value in `kb_meta`."""
    upsert_rows(db.conn, "kb_meta", [{"key": key, "value": value}], "key")


def touch_notes(db: Store, files: Iterable[tuple[str, int, int]]) -> None:
    """Record new (size, mtime) for notes whose content did not change: (path, size, mtime_ns)."""
    _forgetting(db).executemany("UPDATE notes SET size = ?, mtime_ns = ? WHERE path = ?",
                        [(size, mtime, path) for path, size, mtime in files])
