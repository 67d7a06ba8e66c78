"""The part of `Notebook` every use case stands on: paths, index freshness, the writer lock, repair."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb.config import Paths
from kb.errors import IndexDamaged, IndexNotWritable
from kb.index.generations import Generation, current_generation, require_generation, writer_lock
from kb.index.health import index_damage
from kb.index.schema import connect_readonly

if TYPE_CHECKING:
    from kb.models import IndexStats

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class NotebookBase:
    """A notebook folder and its index, and the rules every use case shares (see `kb.notebook`)."""

    def __init__(self, paths: Paths, *, on_wait: Callable[[str], None] | None = None):
        self.paths = paths
        # Called once with a sentence when a write has waited ~1 s for another process's lock (the CLI
        # prints it); the library itself never prints.
        self.on_wait = on_wait
        self.repairs: list[str] = []  # what this object repaired in the index, as sentences to show
        # The generation this object last found whole, and whether Whoosh's TOC was read for it: the
        # index is checked once per generation and object, not on every read (kb search reads twice).
        # A long-lived object (a server) that must notice later damage makes a new Notebook.
        self._whole: tuple[Path, bool] | None = None
        self._kept = None  # a KeptSearcher once `keep_index_open()` is called, with its lock
        self._kept_lock = None

    def index(self, *, rebuild: bool = False, progress: Progress | None = None) -> IndexStats:
        """Update the index incrementally (or rebuild it); returns what changed."""
        from kb.index.indexer import index_notebook  # noqa: PLC0415 - the pipeline is slow to import

        return index_notebook(self.paths, rebuild=rebuild, progress=progress, on_wait=self.on_wait)

    def _update(self) -> IndexStats:
        """`index()` for methods that answer about the notes as they are now; records a repair."""
        return self._record(self.index())

    def _record(self, stats: IndexStats | None) -> IndexStats | None:
        note = stats.repair_note() if stats is not None else None
        if note:
            self.repairs.append(note)
        return stats

    def ensure_index(self, *, fulltext: bool = False, progress: Progress | None = None) -> IndexStats | None:
        """Build the index when there is none yet, rebuild it when it is damaged; the build's stats
        (`repaired` says why it was rebuilt), or None when the index was there and whole.

        `fulltext` checks Whoosh's table of contents too (it imports Whoosh: for searching). An index
        that is damaged but cannot be rebuilt here (no write access) raises `IndexDamaged`. `progress` is
        told about a first build.
        """
        gen = current_generation(self.paths.index)
        if gen is None:
            return self._record(self.index(progress=progress))
        if self._whole is not None and self._whole[0] == gen.folder and (self._whole[1] or not fulltext):
            return None
        damage = index_damage(gen, fulltext=fulltext)
        if damage is None:
            self._whole = (gen.folder, fulltext)
            return None
        from kb.index.indexer import repair_locked  # noqa: PLC0415 - the pipeline, only to rebuild

        try:
            with self._lock():
                return self._record(repair_locked(self.paths, fulltext=fulltext))  # None: whole after all
        except IndexNotWritable as exc:
            raise IndexDamaged(f"the index in {self.paths.index} is damaged ({damage}) and cannot be rebuilt "
                               f"here: {str(exc).rsplit(': ', 1)[-1]}") from None
        except OSError as exc:
            raise IndexDamaged(f"the index in {self.paths.index} is damaged ({damage}) and cannot be rebuilt "
                               f"here: {exc.strerror or exc}") from None

    def _lock(self):
        """The index's writer lock, telling `on_wait` when another process holds it."""
        return writer_lock(self.paths.index, on_wait=self.on_wait)

    @contextmanager
    def _reading(self, *, fulltext: bool = False) -> Iterator[tuple[Generation, sqlite3.Connection]]:
        """The live generation and a read-only connection to its store (building the index if missing,
        rebuilding it if damaged)."""
        self.ensure_index(fulltext=fulltext)
        gen = require_generation(self.paths.index)
        conn = connect_readonly(gen.db_path)
        try:
            yield gen, conn
        finally:
            conn.close()
