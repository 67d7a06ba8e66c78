"""`index/kb.sqlite`: the live SQLite file at a path that survives rebuilds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from conftest import write

from kb.config import Paths
from kb.index.generations import STABLE_DB, current_generation, link_stable_path
from kb.index.indexer import index_notebook


def titles(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT title FROM notes")}
    finally:
        conn.close()


def notebook(tmp_path: Path) -> Paths:
    write(tmp_path / "notes", "a.md", "# First\n")
    return Paths(tmp_path / "notes", tmp_path / "index")


def test_the_stable_path_leads_to_the_live_file_through_rebuilds(tmp_path: Path):
    paths = notebook(tmp_path)
    index_notebook(paths)
    stable = paths.index / STABLE_DB
    assert stable.is_symlink() and stable.resolve() == current_generation(paths.index).db_path.resolve()
    assert os.readlink(stable) == f"{current_generation(paths.index).folder.name}/kb.sqlite"  # relative
    assert titles(stable) == {"First"}

    # A reader holding the file open keeps its generation; reopening the path follows the rebuild.
    held = sqlite3.connect(f"file:{stable}?mode=ro", uri=True)
    write(paths.notes, "a.md", "# Second\n")
    index_notebook(paths, rebuild=True)
    assert titles(stable) == {"Second"}
    assert held.execute("SELECT title FROM notes").fetchall() == [("First",)]
    held.close()

    # An incremental run writes the live file in place: readers of the path see it, WAL included
    # (SQLite follows the symlink to name the -wal file, so there is none beside the link).
    write(paths.notes, "b.md", "# Third\n")
    assert index_notebook(paths).added == 1
    assert titles(stable) == {"Second", "Third"}
    assert not (paths.index / "kb.sqlite-wal").exists()
    assert sorted(p.name for p in paths.index.iterdir() if p.name.startswith("kb.sqlite")) == ["kb.sqlite"]


def test_a_stale_or_missing_link_is_mended_by_the_next_run(tmp_path: Path):
    paths = notebook(tmp_path)
    index_notebook(paths)
    index_notebook(paths, rebuild=True)
    stable = paths.index / STABLE_DB
    previous = (paths.index / "PREVIOUS").read_text(encoding="utf-8").strip()
    # As if kb died between renaming CURRENT and renaming the link.
    stable.unlink()
    os.symlink(f"{previous}/kb.sqlite", stable)
    index_notebook(paths)  # nothing changed in the notes
    assert stable.resolve() == current_generation(paths.index).db_path.resolve()
    # An index made before the link existed gets one on the next run.
    stable.unlink()
    index_notebook(paths)
    assert stable.resolve() == current_generation(paths.index).db_path.resolve()


def test_link_without_an_index_does_nothing(tmp_path: Path):
    (tmp_path / "index").mkdir()
    link_stable_path(tmp_path / "index")
    assert list((tmp_path / "index").iterdir()) == []
