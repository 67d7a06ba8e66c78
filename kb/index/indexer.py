"""The index pipeline: scan → diff → read and parse → store (SQLite) and full text (Whoosh).

A full build writes a new generation and then swaps `CURRENT` atomically (`kb.index.generations`),
so searches keep answering from the old one until the new one is complete, and a build killed
half-way leaves the old one intact. An incremental run updates the live generation: SQLite first
(recording what Whoosh still has to receive in `fulltext_pending`), then Whoosh, then it clears the
pending list. A run killed between the two leaves the pending list behind, and the next run replays
it, so the two stores converge.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kb.config import Paths
from kb.index import store
from kb.index.checks import notebook_config_fingerprint, notebook_problems, problems_of_kind
from kb.index.datasette import describe_tags
from kb.index.diff import Diff, Stored, classify, diff_files
from kb.index.generations import (
    Generation,
    current_generation,
    link_stable_path,
    new_generation,
    remove_stale_generations,
    require_generation,
    swap_current,
    writer_lock,
)
from kb.index.health import generation_damage, index_damage
from kb.index.manifest import TOKEN_KEY, new_token, read_manifest, stored_after, write_manifest
from kb.index.reading import BuildLog, parse_stream, stat_deps
from kb.index.resolve import resolve_links
from kb.index.scan import load_context, load_vocabulary, scan_notes
from kb.index.schema import Store, connect_readonly, open_store
from kb.models import IndexStats, Problem

if TYPE_CHECKING:
    from kb.models import Note

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def index_notebook(paths: Paths, *, rebuild: bool = False, progress: Progress | None = None,
                   procs: int | None = None, on_wait: Callable[[str], None] | None = None) -> IndexStats:
    """Bring the index up to date with the notes folder (under the writer lock); returns what changed.

    `on_wait` is told, once, when the lock is held by another process (see `writer_lock`)."""
    with writer_lock(paths.index, on_wait=on_wait):
        return index_locked(paths, rebuild=rebuild, progress=progress, procs=procs)


def index_locked(paths: Paths, *, rebuild: bool = False, progress: Progress | None = None,
                 procs: int | None = None) -> IndexStats:
    """`index_notebook` for a caller that already holds the writer lock.

    A damaged live generation (see `kb.index.health`) is rebuilt, and the stats say why (`repaired`).
    """
    started = time.perf_counter()
    gen = None if rebuild else current_generation(paths.index)
    damage = None
    if gen is not None:
        damage, _ = generation_damage(gen)
        if damage:
            gen = None
    if gen is not None and _stored_fingerprint(gen) != notebook_config_fingerprint(paths.notes):
        gen = None  # chapter labels, authors, tags or synonyms changed: every note may read differently
    stats = None
    if gen is not None:
        try:
            stats = _incremental(paths, gen, progress)
        except _FulltextDamaged as exc:
            damage = exc.reason
    if stats is None:
        stats = replace(_full_build(paths, progress, procs), repaired=damage)
    remove_stale_generations(paths.index)
    link_stable_path(paths.index)  # after a crash between the last swap and its link, or an older index
    return replace(stats, seconds=time.perf_counter() - started)


def repair_locked(paths: Paths, *, fulltext: bool = False) -> IndexStats | None:
    """Build the index if there is none, rebuild it if damaged (under the writer lock, which the caller
    holds); the build's stats, or None when the index was whole. `fulltext` checks Whoosh's table of
    contents too (see `kb.index.health.index_damage`)."""
    gen = current_generation(paths.index)
    if gen is None:
        return index_locked(paths)
    damage = index_damage(gen, fulltext=fulltext)
    if damage is None:
        return None
    return replace(index_locked(paths, rebuild=True), repaired=damage)


class _FulltextDamaged(Exception):
    """The Whoosh index cannot take an incremental update: rebuild instead."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _write_synonyms(root: Path, gen: Generation) -> list[Problem]:
    from kb.search.synonyms import notebook_synonyms, save_synonym_map  # noqa: PLC0415 - YAML, only when building

    mapping, problems = notebook_synonyms(root / "synonyms.yml")
    save_synonym_map(mapping, gen.synonyms_path)
    return problems


def _stored_fingerprint(gen: Generation) -> str | None:
    conn = connect_readonly(gen.db_path)
    try:
        return store.meta_value(conn, "config_fingerprint")
    finally:
        conn.close()


# --- full build -------------------------------------------------------------------------------------


def _full_build(paths: Paths, progress: Progress | None, procs: int | None) -> IndexStats:
    from kb.index import fulltext  # noqa: PLC0415 - imports Whoosh

    if progress:
        progress("scan", 0, 0)
    files, problems = scan_notes(paths.notes)
    ctx, _, chapter_problems = load_context(paths.notes)
    log = BuildLog(problems=problems + chapter_problems)
    gen = new_generation(paths.index)
    db = open_store(gen.db_path)
    # Nothing reads this generation before `swap_current`, and a build that fails is deleted: no fsync
    # per batch (the file is synced once, before the swap).
    db.conn.execute("PRAGMA synchronous = OFF")
    if procs is None:
        # Worker processes only pay off past one batch of text; small notebooks index in-process.
        big = sum(f.size for f in files) > fulltext.BATCH_TEXT_BYTES
        procs = 2 if big and (os.cpu_count() or 1) > 1 else 1

    def store_batch(batch: list[Note]) -> None:
        # Runs while Whoosh's worker processes index the same batch.
        with store.transaction(db):
            store.upsert_notes(db, batch, {str(n.path): log.deps.get(str(n.path), {}) for n in batch}, fresh=True)

    token, notebook = new_token(), []

    def finish_store() -> None:
        # The notebook-wide work, once every note is stored; runs while the workers write the last batch.
        nonlocal notebook
        with store.transaction(db):
            resolve_links(db, paths.notes, None)
            store.set_meta(db, "config_fingerprint", notebook_config_fingerprint(paths.notes))
            log.problems += _write_synonyms(paths.notes, gen)
            vocabulary = load_vocabulary(paths.notes)
            describe_tags(db, vocabulary)
            notebook = notebook_problems(db.conn, vocabulary)
            store.replace_notebook_problems(db, log.problems + notebook)
            store.set_meta(db, TOKEN_KEY, token)

    try:
        try:
            if procs > 1:  # parsed in one more process: this one stores and feeds Whoosh's workers
                from kb.index.parsepool import parse_in_worker  # noqa: PLC0415

                notes = parse_in_worker(paths.notes, files, ctx, log, progress)
            else:
                notes = parse_stream(paths.notes, files, ctx, log, progress)
            with contextlib.closing(notes):  # on failure or Ctrl-C, the parsing process ends too
                count = fulltext.build_index(gen.whoosh_path, notes, procs=procs, on_batch=store_batch,
                                             before_last_commit=finish_store)
        finally:
            db.conn.close()
        with open(gen.db_path, "rb") as handle:
            os.fsync(handle.fileno())
        write_manifest(gen.folder, token, {f.path: (f.size, f.mtime_ns, log.deps[f.path])
                                           for f in files if f.path in log.deps})
    except BaseException:
        # Failed or interrupted (Ctrl-C): the live generation was never touched; drop the new one.
        shutil.rmtree(gen.folder, ignore_errors=True)
        raise
    swap_current(paths.index, gen)
    return IndexStats(added=count, problems=tuple(log.problems + log.note_problems + notebook), rebuilt=True)


# --- incremental ------------------------------------------------------------------------------------


@dataclass
class _Update:
    """The apply step's plan: what to write to the store and to Whoosh."""

    notes: list[Note] = field(default_factory=list)  # added or changed, parsed
    deps: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    touched: list[tuple[str, int, int]] = field(default_factory=list)  # same content, new mtime
    problems: list[Problem] = field(default_factory=list)
    added: int = 0
    changed: int = 0


@dataclass
class _Seen:
    """What the read-only first step found: the diff and what the store holds."""

    diff: Diff
    stored: Stored
    checksums: dict[str, str | None]  # stored checksums of the candidates
    pending: list[tuple[str, str]]  # Whoosh work an interrupted run left
    manifest_stale: bool  # `stored` came from SQLite: write a new manifest


def _diff(paths: Paths, gen: Generation) -> _Seen:
    """Read-only: the diff, what the store holds, the stored checksums of candidates, pending Whoosh work.

    What the store holds comes from the manifest when it is current (see `kb.index.manifest`), else
    from SQLite."""
    files, _ = scan_notes(paths.notes)
    conn = connect_readonly(gen.db_path)
    try:
        stored = read_manifest(gen.folder, store.meta_value(conn, TOKEN_KEY))
        stale = stored is None
        if stored is None:
            stored = store.stored_files(conn)
        attachments = {p: stat_deps(paths.notes, list(deps)) for p, (_, _, deps) in stored.items() if deps}
        diff = diff_files(files, stored, attachments)
        checksums = {f.path: store.stored_checksum(conn, f.path) for f in diff.candidates if f.path in stored}
        pending = store.pending_fulltext(conn)
    finally:
        conn.close()
    return _Seen(diff, stored, checksums, pending, stale)


def _read_candidates(paths: Paths, diff: Diff, stored: Stored, checksums: dict[str, str | None]) -> _Update:
    """Read and parse the candidates the diff found; classify each as added, changed or touched."""
    update = _Update(removed=list(diff.removed))
    if not diff.candidates:
        return update
    from kb.index.parse import checksum  # noqa: PLC0415 - the parser, only when there is something to read
    from kb.index.reading import build_note, read_file  # noqa: PLC0415

    ctx = None
    for file in diff.candidates:
        data, problem = read_file(paths.notes, file)
        if problem:
            update.problems.append(problem)
            if file.path in stored:
                update.removed.append(file.path)
            continue
        attached_now = stat_deps(paths.notes, list(stored[file.path][2])) if file.path in stored else {}
        verdict = classify(file.path, checksum(data), stored, checksums.get(file.path), attached_now)
        if verdict == "touched":
            update.touched.append((file.path, file.size, file.mtime_ns))
            continue
        if ctx is None:
            ctx, _, chapter_problems = load_context(paths.notes)
            update.problems += chapter_problems
        note, note_deps, skipped = build_note(paths.notes, file, data, ctx)
        update.problems += skipped
        if note is None:
            if file.path in stored:
                update.removed.append(file.path)
            continue
        update.notes.append(note)
        update.deps[file.path] = note_deps
        if verdict == "added":
            update.added += 1
        else:
            update.changed += 1
    return update


def _incremental(paths: Paths, gen: Generation, progress: Progress | None) -> IndexStats:
    """Diff the notes folder against the store; write (and import Whoosh) only if something changed."""
    seen = _diff(paths, gen)
    diff, stored, pending = seen.diff, seen.stored, seen.pending
    update = _read_candidates(paths, diff, stored, seen.checksums)
    removed = sorted(set(update.removed))
    stats = IndexStats(added=update.added, changed=update.changed, removed=len(removed),
                       unchanged=diff.unchanged + len(update.touched),
                       problems=tuple(update.problems + [p for n in update.notes for p in n.problems]))
    something_changed = bool(update.notes or removed)
    if not (something_changed or update.touched or pending or seen.manifest_stale):
        return stats  # the common case: nothing to write
    if something_changed or pending:
        from kb.index.fulltext import fulltext_damage  # noqa: PLC0415 - imports Whoosh, needed next anyway

        damage = fulltext_damage(gen.whoosh_path, None if pending else len(stored))
        if damage:
            raise _FulltextDamaged(damage)
    if pending:
        # An interrupted run left these for Whoosh; say so (they are applied below with this run's).
        stats = replace(stats, replayed=len(pending))
    db = open_store(gen.db_path)
    # WAL without an fsync per commit: a power cut may lose the last update, never corrupt the file
    # (and the index can be rebuilt from the notes).
    db.conn.execute("PRAGMA synchronous = NORMAL")
    try:
        token = new_token()
        with store.transaction(db):
            store.touch_notes(db, update.touched)
            if something_changed:
                _store_changes(db, paths, update, removed)
            store.set_meta(db, TOKEN_KEY, token)
        written = [(str(n.path), n.size, n.mtime, update.deps.get(str(n.path), {})) for n in update.notes]
        write_manifest(gen.folder, token, stored_after(stored, removed, update.touched, written))
        pending = store.pending_fulltext(db.conn)
        if pending:
            _apply_pending(db, gen, pending, {str(n.path): n for n in update.notes}, progress)
    finally:
        db.conn.close()
    return stats


def _store_changes(db: Store, paths: Paths, update: _Update, removed: list[str]) -> None:
    """Write changed notes, resolve the links they affect, record what Whoosh still owes (one transaction)."""
    changed_paths = [str(n.path) for n in update.notes]
    old_keys = store.note_keys_of(db.conn, changed_paths)
    keys_changed = bool(removed) or any(old_keys.get(str(n.path)) != (n.title, list(n.aliases)) for n in update.notes)
    # With no title or path changed, the changed notes' duplicate-title problems are what they were:
    # keep them rather than look for duplicates again, which reads every note's row.
    kept = [] if keys_changed else problems_of_kind(db.conn, changed_paths, "duplicate-title")
    store.delete_notes(db, removed)
    store.upsert_notes(db, update.notes, update.deps)
    # New, removed or renamed notes can fix or break links anywhere; otherwise only the changed
    # notes' own links need resolving.
    scope = None if keys_changed else changed_paths
    resolve_links(db, paths.notes, scope)
    store.mark_fulltext_pending(db, [(p, "delete") for p in removed] + [(p, "upsert") for p in changed_paths])
    notebook = notebook_problems(db.conn, load_vocabulary(paths.notes), only=scope, titles=keys_changed)
    store.replace_notebook_problems(db, update.problems + kept + notebook, only=scope)


def _apply_pending(db: Store, gen: Generation, pending: list[tuple[str, str]], fresh: dict[str, Note],
                   progress: Progress | None) -> None:
    from kb.index import fulltext  # noqa: PLC0415 - imports Whoosh

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
    fulltext.update_index(gen.whoosh_path, upserts, deletes)
    with store.transaction(db):
        store.clear_fulltext_pending(db)
    if progress:
        progress("fulltext", len(pending), len(pending))


def check_consistency(paths: Paths) -> tuple[set[str], set[str]]:
    """(paths only in SQLite, paths only in Whoosh): both empty when the stores agree."""
    from kb.index import fulltext  # noqa: PLC0415

    gen = require_generation(paths.index)
    conn = connect_readonly(gen.db_path)
    try:
        in_sqlite = set(store.note_paths(conn))
    finally:
        conn.close()
    in_whoosh = fulltext.indexed_paths(gen.whoosh_path)
    return in_sqlite - in_whoosh, in_whoosh - in_sqlite
