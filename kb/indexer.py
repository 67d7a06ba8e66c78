"""Orchestration: walk notes/, diff against the store, parse, store, index.

Layout of the index folder:

    index/CURRENT          names the live generation, e.g. `gen-20261126T140512-1234`
    index/gen-…/kb.sqlite  the SQLite store
    index/gen-…/whoosh/    the Whoosh index
    index/.lock            held by the one process that may write

A full build writes a new generation and then swaps `CURRENT` atomically, so searches keep answering
from the old one until the new one is complete, and a build killed half-way leaves the old one intact.
An incremental run updates the live generation: SQLite first (recording what Whoosh still has to
receive in `fulltext_pending`), then Whoosh, then it clears the pending list. A run killed between the
two leaves the pending list behind, and the next run replays it, so the two stores converge.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath

from kb import store
from kb.config import Paths
from kb.errors import IndexBusy
from kb.generations import Generation, current_generation, require_generation
from kb.models import IndexStats, Note, Problem, Snippet
from kb.parse import (
    LinkTargets,
    attached_snippet_paths,
    checksum,
    decode_note,
    parse_note,
    resolve_link,
)
from kb.scan import NoteFile, load_context, load_vocabulary, scan_notes

Progress = Callable[[str, int, int], None]  # (stage, done, total)
LOCK_WAIT_SECONDS = 30.0


@contextmanager
def writer_lock(index_dir: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the index's writer lock (released by the OS even if the process is killed)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / ".lock", "a+")  # noqa: SIM115 - held for the whole block
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"another kb process is writing the index in {index_dir}") from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()


def _read(root: Path, file: NoteFile) -> tuple[bytes | None, Problem | None]:
    try:
        return (root / file.path).read_bytes(), None
    except OSError as exc:
        return None, Problem(file.path, 1, "unreadable", f"cannot read file: {exc.strerror or exc}", "error")


def _stat_deps(root: Path, files: list[str]) -> dict[str, list[int]]:
    out = {}
    for rel in files:
        try:
            st = (root / rel).stat()
            out[rel] = [st.st_size, st.st_mtime_ns]
        except OSError:
            out[rel] = [-1, -1]
    return out


def build_note(root: Path, file: NoteFile, data: bytes, ctx) -> tuple[Note | None, dict[str, list[int]], list[Problem]]:
    """Parse one file's bytes into a Note with its attached snippet files read in."""
    path = file.path
    text, problems = decode_note(data, path)
    if text is None:
        return None, {}, problems
    note = parse_note(text, file.path, ctx)
    extra: list[Problem] = list(problems)
    snippets = list(note.snippets)
    attached = attached_snippet_paths(note)
    for rel in attached:
        target = (root / rel)
        try:
            resolved_ok = target.resolve().is_relative_to(root.resolve())
            code = target.read_text(encoding="utf-8") if resolved_ok else None
        except (OSError, UnicodeDecodeError) as exc:
            code = None
            extra.append(Problem(path, 1, "missing-snippet", f"snippet file {rel} cannot be read: {exc}"))
        else:
            if code is None:
                extra.append(Problem(path, 1, "missing-snippet", f"snippet file {rel} is outside the notebook"))
        if code is not None:
            language = "python" if rel.endswith(".py") else rel.rsplit(".", 1)[-1].lower()
            snippets.append(Snippet(path, len(snippets), language, 1, code, rel, ""))
    code_text = "\n\n".join(s.code for s in snippets) if attached else note.code
    note = replace(
        note, snippets=tuple(snippets), code=code_text, problems=note.problems + tuple(extra),
        checksum=checksum(data), size=file.size, mtime=file.mtime_ns,
    )
    return note, _stat_deps(root, attached), []


def _deps_changed(root: Path, deps: dict[str, list[int]]) -> bool:
    return any(_stat_deps(root, [rel])[rel] != list(stat) for rel, stat in deps.items())


def notebook_problems(conn, vocabulary: dict[str, str] | None, only: list[str] | None = None) -> list[Problem]:
    """Problems that need the whole notebook: duplicate titles, broken links, unknown tags.

    With `only` (no title or path changed), these are checked for those notes alone; the other
    notes' results still stand.
    """
    problems: list[Problem] = []
    duplicates: dict[str, list[str]] = {}
    if only is None:
        rows = conn.execute(
            "SELECT path, title FROM notes WHERE title COLLATE NOCASE IN "
            "(SELECT title FROM notes GROUP BY title COLLATE NOCASE HAVING COUNT(*) > 1) ORDER BY path")
    else:
        rows = []
        for path in only:
            rows += conn.execute(
                "SELECT path, title FROM notes WHERE title = (SELECT title FROM notes WHERE path = ?) "
                "COLLATE NOCASE ORDER BY path", (path,)).fetchall()
    for path, title in rows:
        if path not in duplicates.setdefault(title.casefold(), []):
            duplicates[title.casefold()].append(path)
    for paths in duplicates.values():
        if len(paths) < 2:
            continue
        for path in paths:
            if only is None or path in only:
                others = ", ".join(p for p in paths if p != path)
                problems.append(Problem(path, 1, "duplicate-title", f"title is also used by {others}"))
    scope, args = "", ()
    if only is not None:
        scope = f" AND {{col}} IN ({','.join('?' * len(only))})"
        args = tuple(only)
    for source, target, line in conn.execute(
        "SELECT source, target, line FROM links WHERE external = 0 AND resolved IS NULL"
        + scope.format(col="source") + " ORDER BY source, line", args
    ):
        problems.append(Problem(source, line, "broken-link", f"link to {target!r} matches no note"))
    if vocabulary is not None:
        for path, name in conn.execute(
            "SELECT nt.path, t.name FROM note_tags nt JOIN tags t ON t.tag = nt.tag WHERE 1"
            + scope.format(col="nt.path") + " ORDER BY nt.path, nt.position", args
        ):
            if name.casefold() not in vocabulary:
                problems.append(Problem(path, 2, "unknown-tag", f"tag {name!r} is not in tags.yml"))
    return problems


def _resolve_links(db, sources: list[str] | None) -> None:
    rows = store.internal_links(db.conn, sources)
    if not rows:
        return
    if any(link.style == "wiki" for _, _, link in rows):
        targets = LinkTargets(store.note_keys(db.conn))
    else:
        targets = LinkTargets((path, "", ()) for path in store.note_paths(db.conn))
    store.set_link_resolution(db, [(row_id, resolve_link(link, PurePosixPath(src), targets)) for row_id, src, link in rows])


def _write_synonyms(root: Path, gen: Generation) -> list[Problem]:
    from kb.synonyms import load_synonyms, save_synonym_map  # noqa: PLC0415

    groups, problems = load_synonyms(root / "synonyms.yml")
    save_synonym_map(groups, gen.synonyms_path)
    return problems


def index_notebook(paths: Paths, *, rebuild: bool = False, progress: Progress | None = None,
                   procs: int | None = None) -> IndexStats:
    """Bring the index up to date with the notes folder; returns what changed."""
    started = time.perf_counter()
    with writer_lock(paths.index):
        gen = None if rebuild else current_generation(paths.index)
        if gen is not None and _stored_fingerprint(gen) != notebook_config_fingerprint(paths.notes):
            gen = None  # chapter labels, authors, tags or synonyms changed: every note may read differently
        if gen is None:
            stats = _full_build(paths, progress, procs)
        else:
            stats = _incremental(paths, gen, progress)
        _remove_stale_generations(paths.index)
    return replace(stats, seconds=time.perf_counter() - started)


def _parse_stream(paths: Paths, files: list[NoteFile], ctx, problems: list[Problem], note_problems: list[Problem],
                  deps: dict[str, dict[str, list[int]]], progress: Progress | None) -> Iterator[Note]:
    """Parse files one at a time (a full build never holds every note in memory).

    Problems of files that yield no note go to `problems`; those of parsed notes to `note_problems`
    (they are stored with their note).
    """
    for i, file in enumerate(files):
        data, problem = _read(paths.notes, file)
        if problem:
            problems.append(problem)
            continue
        note, note_deps, skipped = build_note(paths.notes, file, data, ctx)
        problems += skipped
        if note is not None:
            deps[str(note.path)] = note_deps
            note_problems += note.problems
            yield note
        if progress and (i % 200 == 0 or i + 1 == len(files)):
            progress("index", i + 1, len(files))


def _full_build(paths: Paths, progress: Progress | None, procs: int | None) -> IndexStats:
    from kb import search  # noqa: PLC0415 - imports Whoosh

    files, problems = scan_notes(paths.notes)
    ctx, _, chapter_problems = load_context(paths.notes)
    problems += chapter_problems
    folder = paths.index / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    gen = Generation(folder)
    folder.mkdir(parents=True)
    db = store.open_store(gen.db_path)
    deps: dict[str, dict[str, list[int]]] = {}
    note_problems: list[Problem] = []
    if procs is None:
        # Worker processes only pay off past one batch of text; small notebooks index in-process.
        big = sum(f.size for f in files) > search.BATCH_TEXT_BYTES
        procs = 2 if big and (os.cpu_count() or 1) > 1 else 1

    def store_batch(batch: list[Note]) -> None:
        # Runs while Whoosh's worker processes index the same batch.
        with store.transaction(db):
            store.upsert_notes(db, batch, {str(n.path): deps.get(str(n.path), {}) for n in batch}, fresh=True)

    count = search.build_index(gen.whoosh_path, _parse_stream(paths, files, ctx, problems, note_problems, deps, progress),
                               procs=procs, on_batch=store_batch)
    with store.transaction(db):
        _resolve_links(db, None)
        store.set_meta(db, "config_fingerprint", notebook_config_fingerprint(paths.notes))
        problems += _write_synonyms(paths.notes, gen)
        notebook = notebook_problems(db.conn, load_vocabulary(paths.notes))
        store.replace_notebook_problems(db, problems + notebook)
    db.conn.close()
    _swap_current(paths.index, gen)
    return IndexStats(added=count, problems=tuple(problems + note_problems + notebook), rebuilt=True)


def _stored_fingerprint(gen: Generation) -> str | None:
    conn = store.connect_readonly(gen.db_path)
    try:
        row = conn.execute("SELECT value FROM kb_meta WHERE key = 'config_fingerprint'").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def _swap_current(index_dir: Path, gen: Generation) -> None:
    old = current_generation(index_dir)
    if old is not None:
        (index_dir / "PREVIOUS").write_text(old.folder.name + "\n", encoding="utf-8")
    tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(gen.folder.name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")


def _remove_stale_generations(index_dir: Path) -> None:
    """Delete generations that are neither live nor the one just replaced (`PREVIOUS`): a search that
    opened that one just before the swap may still be reading it."""
    live = current_generation(index_dir)
    try:
        previous = (index_dir / "PREVIOUS").read_text(encoding="utf-8").strip()
    except OSError:
        previous = ""
    for child in index_dir.glob("gen-*"):
        if (live is None or child != live.folder) and child.name != previous:
            shutil.rmtree(child, ignore_errors=True)


def notebook_config_fingerprint(root: Path) -> str:
    """Sizes and mtimes of the files that change how every note is read (labels, authors, tags, synonyms)."""
    parts = []
    candidates = [root / "synonyms.yml", root / "tags.yml", root / "authors.yml", root / "blog" / "authors.yml"]
    try:
        folders = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
    except OSError:
        folders = []
    for folder in folders:
        candidates += [Path(folder) / n for n in ("_category_.yml", "_category_.yaml", "_category_.json")]
    for path in sorted(candidates):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def _incremental(paths: Paths, gen: Generation, progress: Progress | None) -> IndexStats:
    """Diff the notes folder against the store; write (and import sqlite-utils) only if something changed."""
    files, problems = scan_notes(paths.notes)
    conn = store.connect_readonly(gen.db_path)
    try:
        stored = store.stored_files(conn)
        pending = store.pending_fulltext(conn)
        candidates_checksums: dict[str, str | None] = {}  # only for files whose size or mtime moved
        on_disk = {f.path: f for f in files}
        removed = [p for p in stored if p not in on_disk]
        candidates: list[NoteFile] = []
        unchanged = 0
        for path, file in on_disk.items():
            old = stored.get(path)
            if old is not None and old[0] == file.size and old[1] == file.mtime_ns and not _deps_changed(paths.notes, old[2]):
                unchanged += 1
            else:
                candidates.append(file)
                if old is not None:
                    candidates_checksums[path] = store.stored_checksum(conn, path)
    finally:
        conn.close()
    ctx = None
    changed_notes: list[Note] = []
    deps: dict[str, dict[str, list[int]]] = {}
    added = changed = 0
    touched: list[tuple[str, int, int]] = []
    for file in candidates:
        path = file.path
        data, problem = _read(paths.notes, file)
        if problem:
            problems.append(problem)
            if path in stored:
                removed.append(path)
            continue
        old = stored.get(path)
        if old is not None and candidates_checksums.get(path) == checksum(data) and not _deps_changed(paths.notes, old[2]):
            touched.append((path, file.size, file.mtime_ns))  # touched, not changed
            unchanged += 1
            continue
        if ctx is None:
            ctx, _, chapter_problems = load_context(paths.notes)
            problems += chapter_problems
        note, note_deps, skipped = build_note(paths.notes, file, data, ctx)
        problems += skipped
        if note is None:
            if path in stored:
                removed.append(path)
            continue
        changed_notes.append(note)
        deps[path] = note_deps
        if old is None:
            added += 1
        else:
            changed += 1
    stats = IndexStats(added=added, changed=changed, removed=len(set(removed)), unchanged=unchanged,
                       problems=tuple(problems + [p for n in changed_notes for p in n.problems]))
    something_changed = bool(changed_notes or removed)
    if not (something_changed or touched or pending):
        return stats  # the common case: nothing to write
    db = store.open_store(gen.db_path)
    try:
        with store.transaction(db):
            for path, size, mtime in touched:
                db.conn.execute("UPDATE notes SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime, path))
            if something_changed:
                old_keys = store.note_keys_of(db.conn, [str(n.path) for n in changed_notes])
                store.delete_notes(db, removed)
                store.upsert_notes(db, changed_notes, deps)
                keys_changed = bool(removed) or any(
                    old_keys.get(str(n.path)) != (n.title, list(n.aliases)) for n in changed_notes
                )
                # New, removed or renamed notes can fix or break links anywhere; otherwise only the
                # changed notes' own links need resolving.
                _resolve_links(db, None if keys_changed else [str(n.path) for n in changed_notes])
                store.mark_fulltext_pending(
                    db, [(p, "delete") for p in removed] + [(str(n.path), "upsert") for n in changed_notes]
                )
                scope = None if keys_changed else [str(n.path) for n in changed_notes]
                notebook = notebook_problems(db.conn, load_vocabulary(paths.notes), only=scope)
                store.replace_notebook_problems(db, problems + notebook, only=scope)
        pending = store.pending_fulltext(db.conn)
        if pending:
            _apply_pending(db, gen, pending, {str(n.path): n for n in changed_notes}, progress)
    finally:
        db.conn.close()
    return stats


def _apply_pending(db, gen: Generation, pending: list[tuple[str, str]], fresh: dict[str, Note],
                   progress: Progress | None) -> None:
    from kb import search  # noqa: PLC0415 - imports Whoosh

    deletes = [p for p, op in pending if op == "delete"]
    upserts = []
    for path, op in pending:
        if op != "upsert":
            continue
        note = fresh.get(path) or store.get_note(db.conn, path, full=False)
        if note is None:
            deletes.append(path)
        else:
            upserts.append(note)
    if progress:
        progress("fulltext", 0, len(pending))
    search.update_index(gen.whoosh_path, upserts, deletes)
    with store.transaction(db):
        store.clear_fulltext_pending(db)
    if progress:
        progress("fulltext", len(pending), len(pending))


def check_consistency(paths: Paths) -> tuple[set[str], set[str]]:
    """(paths only in SQLite, paths only in Whoosh): both empty when the stores agree."""
    from kb import search  # noqa: PLC0415

    gen = require_generation(paths.index)
    conn = store.connect_readonly(gen.db_path)
    try:
        in_sqlite = {r[0] for r in conn.execute("SELECT path FROM notes")}
    finally:
        conn.close()
    in_whoosh = search.indexed_paths(gen.whoosh_path)
    return in_sqlite - in_whoosh, in_whoosh - in_sqlite
