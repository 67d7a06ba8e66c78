"""Keeping the index fresh while notes are edited: the loop that `kb index --watch` and `kb serve` share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from kb.models import IndexStats
from kb.notebook.base import NotebookBase


class LiveUseCases(NotebookBase):
    """Watching the notes folder."""

    def watch(self, *, stop: threading.Event | None = None,
              debounce_ms: int = 200) -> Iterator[tuple[IndexStats, list[str]]]:
        """Update the index incrementally each time files under the notes folder change; yields, per
        change, the run's stats and the changed paths (relative to the notes folder, sorted).

        Runs until `stop` is set or the caller stops iterating. Changes arriving within `debounce_ms`
        of each other are one update; changes inside the index folder (when it lives under the notes)
        are ignored, so indexing does not wake the watcher. Ctrl-C in the main thread raises
        `KeyboardInterrupt`; an update it cuts short is finished by the next `index()`.
        """
        from watchfiles import watch  # noqa: PLC0415 - only for watching

        root = self.paths.notes.resolve()
        index_dir = self.paths.index.resolve()
        for changes in watch(root, stop_event=stop, debounce=debounce_ms, step=50, rust_timeout=500):
            changed = set()
            for _, name in changes:
                path = Path(name).resolve()
                if path.is_relative_to(root) and not path.is_relative_to(index_dir):
                    changed.add(path.relative_to(root).as_posix())
            if not changed:
                continue
            yield self.index(), sorted(changed)  # a repair is in the stats (`repair_note`)
