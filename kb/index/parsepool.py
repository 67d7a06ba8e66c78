"""Parse a full build's notes in a worker process, so the parent only stores them and feeds Whoosh.

A full build with Whoosh's two worker processes used to parse in the parent, which also writes
SQLite (with the Datasette table) and hands every document to the workers: at 10k notes the parent
needed 33 s of CPU, the workers waited for it, and the build took longer than its CPU allowed on two
cores. Here one more process reads and parses the files (`kb.index.reading.build_note`) and sends
the notes back, in file order, a bounded window ahead of the parent (two windows of parsed notes at
most in memory). Like Whoosh's workers (`kb.index.workers`), it ignores Ctrl-C, is ended by its
parent, and on Linux dies with it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kb.index.reading import BuildLog, collect_notes, read_and_build
from kb.index.scan import NoteFile
from kb.models import Note, Problem

if TYPE_CHECKING:
    from kb.index.parse import NotebookContext

WINDOW = 500  # notes per window: ~4 MB of notes, ~15 MB parsed
_CHUNK = 25  # notes per task sent to the worker

_worker_state: dict[str, object] = {}  # in the worker process: the notes folder and its context


def _start_worker(parent: int, root: Path, ctx: NotebookContext) -> None:
    from kb.index.workers import die_with_parent  # noqa: PLC0415 - imports Whoosh, as a build does anyway

    die_with_parent(parent)
    _worker_state["root"], _worker_state["ctx"] = root, ctx


def _parse(file: NoteFile) -> tuple[Problem | None, Note | None, dict[str, list[int]], list[Problem]]:
    return read_and_build(_worker_state["root"], file, _worker_state["ctx"])  # type: ignore[arg-type]


def _in_windows(pool, windows: list[list[NoteFile]]) -> Iterator[tuple]:
    """`_parse` of every file of `windows`, in order; the next window is parsed while this one is used."""
    ahead = pool.imap(_parse, windows[0], _CHUNK) if windows else None
    for k in range(len(windows)):
        results, ahead = ahead, (pool.imap(_parse, windows[k + 1], _CHUNK) if k + 1 < len(windows) else None)
        yield from results


def parse_in_worker(root: Path, files: list[NoteFile], ctx: NotebookContext, log: BuildLog,
                    progress: Callable[[str, int, int], None] | None) -> Iterator[Note]:
    """What `kb.index.reading.parse_stream` yields, in the same order and with the same `log`, parsed
    in a worker process."""
    windows = [files[i : i + WINDOW] for i in range(0, len(files), WINDOW)]
    pool = multiprocessing.get_context("fork").Pool(1, initializer=_start_worker, initargs=(os.getpid(), root, ctx))
    try:
        yield from collect_notes(_in_windows(pool, windows), len(files), log, progress)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
