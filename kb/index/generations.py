"""The index folder: generations, the `CURRENT` pointer and the writer lock.

    index/CURRENT          names the live generation, e.g. `gen-20261126T140512-1234`
    index/PREVIOUS         the generation it replaced, kept for searches that opened it just before
    index/kb.sqlite        a symlink to the live generation's SQLite file, for outside readers
    index/gen-…/kb.sqlite  the SQLite store
    index/gen-…/whoosh/    the Whoosh index
    index/.lock            held by the one process that may write

Kept apart from `kb.index.indexer` so that reading commands (`kb search`, `kb show`) can find the
index without importing the indexing pipeline.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from kb.errors import IndexBusy, IndexMissing, IndexNotWritable

LOCK_WAIT_SECONDS = 30.0  # how long a writer waits for the lock before giving up
LOCK_NOTICE_SECONDS = 1.0  # how long it waits before saying that it waits
LOCK_WAIT_MESSAGE = "waiting for another kb process to finish writing the index…"


# A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost to create (~0.1 ms against
# ~0.55 ms), which every cold `kb search` pays for each class it imports.
class Generation(NamedTuple):
    """One complete index: a SQLite store and a Whoosh index built together."""

    folder: Path

    @property
    def db_path(self) -> Path:
        """The SQLite file."""
        return self.folder / "kb.sqlite"

    @property
    def whoosh_path(self) -> Path:
        """The Whoosh folder."""
        return self.folder / "whoosh"

    @property
    def synonyms_path(self) -> Path:
        """Synonym groups copied from the notebook, as JSON (no YAML import when searching)."""
        return self.folder / "synonyms.json"


def current_generation(index_dir: Path) -> Generation | None:
    """The live generation, or None when the notebook has never been indexed."""
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    folder = index_dir / name
    if not name or not (folder / "kb.sqlite").is_file():
        return None
    return Generation(folder)


def require_generation(index_dir: Path) -> Generation:
    """The live generation, or `IndexMissing`."""
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index in {index_dir}")
    return gen


@contextmanager
def writer_lock(index_dir: Path, wait: float | None = None,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's writer lock (released by the OS even if the process is killed).

    When another process holds it, wait up to `wait` seconds (default `LOCK_WAIT_SECONDS`), calling
    `on_wait(LOCK_WAIT_MESSAGE)` once after `LOCK_NOTICE_SECONDS`, then raise `IndexBusy`.

    Every write of the index goes through here, so this is where an index folder that cannot be
    written is refused (`IndexNotWritable`), before anything else is touched.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / ".lock", "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise IndexNotWritable(f"cannot write the index in {index_dir}: {exc.strerror or exc}") from None
    if not os.access(index_dir, os.W_OK):
        handle.close()
        raise IndexNotWritable(f"cannot write the index in {index_dir}: the folder is read-only")
    started = time.monotonic()
    deadline = started + (LOCK_WAIT_SECONDS if wait is None else wait)
    told = on_wait is None
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise IndexBusy(f"another kb process kept the index in {index_dir} locked for "
                                    f"{now - started:.0f} s; nothing was changed") from None
                if not told and now - started >= LOCK_NOTICE_SECONDS:
                    told = True
                    on_wait(LOCK_WAIT_MESSAGE)
                time.sleep(0.1)
        yield
    finally:
        handle.close()


def new_generation(index_dir: Path) -> Generation:
    """A new, empty generation folder (not live until `swap_current`)."""
    folder = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    folder.mkdir(parents=True)
    return Generation(folder)


def swap_current(index_dir: Path, gen: Generation) -> None:
    """Make `gen` the live generation atomically; the one it replaces becomes `PREVIOUS`."""
    old = current_generation(index_dir)
    if old is not None:
        (index_dir / "PREVIOUS").write_text(old.folder.name + "\n", encoding="utf-8")
    tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(gen.folder.name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")
    link_stable_path(index_dir, gen)


STABLE_DB = "kb.sqlite"  # index/kb.sqlite: the live SQLite file at a path that survives rebuilds


def link_stable_path(index_dir: Path, gen: Generation | None = None) -> None:
    """Point `index/kb.sqlite` at the SQLite file of `gen` (default: the live generation).

    A symlink, not a hard link or a copy: SQLite resolves symlinks when it names the `-wal` and `-shm`
    files, so a reader that opens `index/kb.sqlite` shares the WAL with kb's writers and sees every
    incremental update at once. A hard link would give it a WAL of its own beside the link, which
    SQLite documents as a way to corrupt the database. The new link is made under a temporary name and
    renamed over the old one, so a reader opening the path finds the old file or the new one, never
    none. A reader that keeps the old file open keeps reading the old generation (the one the next
    rebuild deletes); it must reopen the path to follow a rebuild. Called on every swap and at the end
    of every `kb index`, so a crash between the swap and this rename is mended by the next run.
    Where symlinks cannot be made (some file systems), there is no stable path; the index works as before.
    """
    gen = gen if gen is not None else current_generation(index_dir)
    if gen is None:
        return
    link = index_dir / STABLE_DB
    target = f"{gen.folder.name}/{STABLE_DB}"
    try:
        if os.readlink(link) == target:
            return
    except OSError:
        pass  # missing, or not a symlink: (re)made below
    tmp = index_dir / f"{STABLE_DB}.{os.getpid()}.tmp"
    try:
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, link)
    except OSError:
        tmp.unlink(missing_ok=True)


def remove_stale_generations(index_dir: Path) -> None:
    """Delete generations that are neither live nor the one just replaced (`PREVIOUS`): a search that
    opened that one just before the swap may still be reading it."""
    import shutil  # noqa: PLC0415 - only writers delete; readers import this module too

    live = current_generation(index_dir)
    try:
        previous = (index_dir / "PREVIOUS").read_text(encoding="utf-8").strip()
    except OSError:
        previous = ""
    for child in index_dir.glob("gen-*"):
        if (live is None or child != live.folder) and child.name != previous:
            shutil.rmtree(child, ignore_errors=True)

