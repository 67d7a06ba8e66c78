"""Read operations over an indexed notebook: search, show, tags, toc, check.

Each function takes `Paths`, opens what it needs read-only and returns values for the CLI to format.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from kb import store
from kb.config import Paths
from kb.errors import AmbiguousNote, NoteNotFound
from kb.generations import Generation, current_generation, require_generation
from kb.models import IndexStats, Note, Problem, SearchResult, Snippet
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


def index_notebook(paths: Paths, **kwargs) -> IndexStats:
    """Update the index (see `kb.indexer.index_notebook`); imported only when needed."""
    from kb.indexer import index_notebook as run  # noqa: PLC0415 - the pipeline is slow to import

    return run(paths, **kwargs)


def search(paths: Paths, query: str, *, limit: int = 10, filters: Filters | None = None) -> SearchResult:
    """Ranked notes for `query` (see `kb.query` for the language)."""
    from kb import search as fulltext  # noqa: PLC0415 - imports Whoosh
    from kb.synonyms import load_synonym_map  # noqa: PLC0415

    with reading(paths) as (gen, conn):
        def fetch(paths_: list[str]) -> dict[str, dict[str, str]]:
            return store.search_fields(conn, paths_)

        return fulltext.search_notes(gen.whoosh_path, query, limit=limit, extra_filters=filters,
                                     synonyms=load_synonym_map(gen.synonyms_path), fetch_fields=fetch)


def find_note(conn: sqlite3.Connection, key: str) -> str:
    """Resolve a NOTE argument (path, title, slug or alias) to a stored note path."""
    from kb.parse import slug_of  # noqa: PLC0415

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
        rows = store.toc_rows(conn)
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


# --- snippets ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnippetInfo:
    """A snippet with what its header declares and its last recorded run."""

    snippet: Snippet
    note_title: str
    runnable: bool
    title: str | None
    requires: tuple[str, ...]
    expects: tuple[tuple[str, str], ...]
    last_status: str | None
    last_duration: float | None


def _snippet_infos(conn: sqlite3.Connection, note_path: str | None = None) -> list[SnippetInfo]:
    from kb.snippets import is_runnable, parse_header  # noqa: PLC0415

    runs = store.snippet_runs(conn)
    out = []
    for snippet, note_title in store.snippets_with_titles(conn, note_path):
        spec = parse_header(snippet.code)
        run = runs.get(snippet.id)
        out.append(SnippetInfo(snippet, note_title, is_runnable(snippet), spec.title, spec.requires, spec.expects,
                               run["status"] if run else None, run["duration"] if run else None))
    return out


def list_snippets(paths: Paths, note: str | None = None, runnable_only: bool = False) -> list[SnippetInfo]:
    """Snippets of one note (any NOTE form) or of the whole notebook."""
    with reading(paths) as (_, conn):
        path = find_note(conn, note) if note else None
        infos = _snippet_infos(conn, path)
    return [i for i in infos if i.runnable or not runnable_only]


def find_snippet(paths: Paths, key: str) -> Snippet:
    """A snippet by id (`path#N`), by `NOTE#N` with any NOTE form, or by its attached file name."""
    from kb.errors import SnippetNotFound  # noqa: PLC0415

    with reading(paths) as (_, conn):
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


def run_snippet(paths: Paths, key: str, timeout: float | None = None):
    """Run one snippet (whatever its header says) and return the `RunResult`."""
    from kb.snippets import DEFAULT_TIMEOUT, parse_header, run_code  # noqa: PLC0415

    snippet = find_snippet(paths, key)
    spec = parse_header(snippet.code)
    return snippet, run_code(snippet.code, timeout=timeout or spec.timeout or DEFAULT_TIMEOUT)


@dataclass(frozen=True, slots=True)
class SnippetCheck:
    """The outcome of checking one snippet; `cached` when an earlier pass was reused."""

    snippet: Snippet
    status: str
    reason: str
    mismatches: tuple[str, ...]
    duration: float
    cached: bool


def check_snippets(paths: Paths, *, note: str | None = None, force: bool = False, timeout: float | None = None,
                   progress=None) -> list[SnippetCheck]:
    """Run every runnable snippet (of one note, or all), check expectations, store the results.

    A snippet whose code is unchanged and which passed under the same Python and torch versions is not
    run again unless `force`.
    """
    from kb.snippets import check_snippet, code_checksum, runtime_fingerprint  # noqa: PLC0415

    gen = require_generation(paths.index)
    infos = list_snippets(paths, note)
    fingerprint = runtime_fingerprint()
    db = store.open_store(gen.db_path)
    try:
        previous = store.snippet_runs(db.conn)
        results = []
        runnable = [i for i in infos if i.runnable]
        for n, info in enumerate(runnable, 1):
            snippet = info.snippet
            digest = code_checksum(snippet.code)
            last = previous.get(snippet.id)
            if (not force and last and last["status"] == "pass" and last["code_checksum"] == digest
                    and last["fingerprint"] == fingerprint):
                results.append(SnippetCheck(snippet, "pass", "unchanged since it passed", (), last["duration"], True))
            else:
                result = check_snippet(snippet, timeout=timeout)
                store.save_snippet_run(db, snippet.id, digest, fingerprint, result.status, result.reason,
                                       result.mismatches, result.duration, result.output)
                results.append(SnippetCheck(snippet, result.status, result.reason, result.mismatches,
                                            result.duration, False))
            if progress:
                progress(results[-1], n, len(runnable))
        return results
    finally:
        db.conn.close()


# --- adding and marking notes, reading lists -------------------------------------------------------


def create_paper(paths: Paths, fields, *, force: bool = False, today=None) -> Path:
    """Create a paper note from `fields` in the papers folder (refusing duplicates unless `force`)."""
    import datetime  # noqa: PLC0415

    from kb.add import create_paper_note, load_template  # noqa: PLC0415

    ensure_index(paths)
    existing = all_notes(paths, full=False)
    paths.papers.mkdir(parents=True, exist_ok=True)
    return create_paper_note(paths.papers, fields, today=today or datetime.date.today(),
                             template=load_template(paths.notes), notes=existing, force=force)


def finish_note(paths: Paths, file: Path) -> tuple[str, list[Problem]]:
    """Validate a note just written or edited and index it; returns (path, its problems).

    A broken front matter is reported, never repaired or deleted: the file stays as the user left it.
    """
    stats = index_notebook(paths)
    rel = file.resolve().relative_to(paths.notes.resolve()).as_posix()
    return rel, [p for p in stats.problems if p.path == rel]


def mark(paths: Paths, key: str, status: str) -> tuple[str, bool]:
    """Set a note's reading status; only its `status:` line changes. Returns (path, changed)."""
    from kb.add import set_status_file  # noqa: PLC0415

    ensure_index(paths)
    with reading(paths) as (_, conn):
        path = find_note(conn, key)
    changed = set_status_file(paths.notes / path, status, display_path=path)
    if changed:
        index_notebook(paths)
    return path, changed


def reading_list(paths: Paths, *, query: str | None = None, tag: str | None = None, status: str | None = None,
                 chapter: str | None = None, order: str = "number", fmt: str = "md", group_by: str = "status",
                 unnoted: bool = False) -> str:
    """A reading list of paper notes (or, with `unnoted`, of cited papers without a note) as text."""
    from kb import export  # noqa: PLC0415

    ensure_index(paths)
    notes = all_notes(paths, full=unnoted)
    if unnoted:
        return export.export_unnoted(export.unnoted_papers(notes), fmt)
    if query:
        wanted = {h.path for h in search(paths, query, limit=1000, filters=Filters(kinds=("paper",))).hits}
        notes = [n for n in notes if str(n.path) in wanted]
    chosen = export.select_papers(notes, tag=tag, status=status, chapter=chapter)
    return export.export_reading_list(chosen, fmt, order=order, group_by=group_by)
