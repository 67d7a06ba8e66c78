"""kb.index.manifest: the file manifest that spares a no-op `kb index` reading every row of SQLite,
and the token that keeps a stale manifest from hiding a change."""

from __future__ import annotations

import os
import shutil

from conftest import write

from kb.config import Paths
from kb.index import store
from kb.index.generations import current_generation
from kb.index.indexer import index_notebook
from kb.index.manifest import MANIFEST_NAME, TOKEN_KEY, read_manifest
from kb.index.schema import connect_readonly, open_store


def token(paths: Paths) -> str | None:
    gen = current_generation(paths.index)
    conn = connect_readonly(gen.db_path)
    try:
        return store.meta_value(conn, TOKEN_KEY)
    finally:
        conn.close()


def manifest(paths: Paths):
    gen = current_generation(paths.index)
    return read_manifest(gen.folder, token(paths))


def test_build_and_update_keep_the_manifest_equal_to_the_store(paths: Paths):
    index_notebook(paths)
    gen = current_generation(paths.index)
    conn = connect_readonly(gen.db_path)
    try:
        assert manifest(paths) == store.stored_files(conn)
    finally:
        conn.close()
    write(paths.notes, "new.md", "# New\n\nwords\n")
    (paths.notes / "unicode.md").unlink()
    index_notebook(paths)
    conn = connect_readonly(gen.db_path)
    try:
        assert manifest(paths) == store.stored_files(conn) and "new.md" in manifest(paths)
    finally:
        conn.close()


def test_a_stale_manifest_never_hides_a_change(paths: Paths):
    """A run killed after SQLite committed but before the manifest was written leaves the old manifest;
    a note edited and then put back with its old bytes and mtime must still be seen as changed."""
    index_notebook(paths)
    gen = current_generation(paths.index)
    old_manifest = (gen.folder / MANIFEST_NAME).read_bytes()
    note = paths.notes / "valid.md"
    before, st = note.read_bytes(), note.stat()
    note.write_bytes(before + b"\nan edit\n")
    assert index_notebook(paths).changed == 1
    (gen.folder / MANIFEST_NAME).write_bytes(old_manifest)  # as if the run had died before writing it
    note.write_bytes(before)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))  # the manifest's size and mtime again
    stats = index_notebook(paths)
    assert (stats.changed, stats.unchanged) == (1, 5)


def test_a_writer_that_does_not_know_the_manifest_invalidates_it(paths: Paths):
    index_notebook(paths)
    gen = current_generation(paths.index)
    db = open_store(gen.db_path)
    try:
        with store.transaction(db):
            store.touch_notes(db, [("valid.md", 1, 1)])
    finally:
        db.conn.close()
    assert token(paths) is None and manifest(paths) is None
    stats = index_notebook(paths)  # reads SQLite, sees valid.md as a candidate, writes a manifest again
    assert (stats.changed, stats.unchanged) == (0, 6) and manifest(paths) is not None


def test_a_missing_or_garbled_manifest_falls_back_to_sqlite(paths: Paths):
    index_notebook(paths)
    gen = current_generation(paths.index)
    (gen.folder / MANIFEST_NAME).write_bytes(b"\x00garbage")
    assert manifest(paths) is None
    write(paths.notes, "new.md", "# New\n")
    assert index_notebook(paths).added == 1 and manifest(paths) is not None
    (gen.folder / MANIFEST_NAME).unlink()
    stats = index_notebook(paths)
    assert (stats.added, stats.changed, stats.unchanged) == (0, 0, 7) and manifest(paths) is not None


def test_rebuild_writes_a_manifest_in_the_new_generation(paths: Paths):
    index_notebook(paths)
    shutil.rmtree(paths.index)
    index_notebook(paths, rebuild=True)
    assert len(manifest(paths)) == 6
