"""Keeping the index fresh while notes are edited: the loop that `kb index --watch` and `kb serve` share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kb.notebook.base import NotebookBase

if TYPE_CHECKING:
    from kb.models import IndexStats


class LiveUseCases(NotebookBase):
    """Watching the notes folder."""

    def watch(self, *, stop: threading.Event | None = None, debounce_ms: int = 200,
              on_ready: Callable[[], None] | None = None) -> Iterator[tuple[IndexStats, list[str]]]:
        """Update the index incrementally each time files under the notes folder change; yields, per
        change, the run's stats and the changed paths (relative to the notes folder, sorted).

        Runs until `stop` is set or the caller stops iterating. Changes arriving within `debounce_ms`
        of each other are one update; changes inside the index folder (when it lives under the notes)
        are ignored, so indexing does not wake the watcher. Ctrl-C in the main thread raises
        `KeyboardInterrupt`; an update it cuts short is finished by the next `index()`.

        `on_ready()` is called once the watcher is armed, after an update that catches the edits saved
        before it was (yielded with no paths when it changed anything): an edit saved after
        `on_ready` is never missed.
        """
        from watchfiles import watch  # noqa: PLC0415 - only for watching

        root = self.paths.notes.resolve()
        index_dir = self.paths.index.resolve()
        armed = False
        # yield_on_timeout: an empty first yield says the watcher is armed and has seen nothing yet.
        for changes in watch(root, stop_event=stop, debounce=debounce_ms, step=50, rust_timeout=500,
                             yield_on_timeout=True):
            if not armed:
                armed = True
                caught_up = None if changes else self.index()  # with changes, the update below covers them
                if on_ready is not None:
                    on_ready()
                if caught_up is not None and (caught_up.added or caught_up.changed or caught_up.removed):
                    yield caught_up, []
            changed = set()
            for _, name in changes:
                path = Path(name).resolve()
                if path.is_relative_to(root) and not path.is_relative_to(index_dir):
                    changed.add(path.relative_to(root).as_posix())
            if not changed:
                continue
            yield self.index(), sorted(changed)  # a repair is in the stats (`repair_note`)
