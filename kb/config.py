"""Where the notes and the index live: `--notes`/`--index`, `KB_NOTES`/`KB_INDEX`, or found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.errors import IndexNotWritable, NotebookNotFound
from kb.layout import PAPERS_DIRS


@dataclass(frozen=True, slots=True)
class Paths:
    """The notes folder (source of truth) and the index folder (generated)."""

    notes: Path
    index: Path

    @property
    def papers(self) -> Path:
        """Folder where `kb add-note` creates paper notes."""
        for name in PAPERS_DIRS:
            if (self.notes / name).is_dir():
                return self.notes / name
        return self.notes / "papers"


def find_notes(start: Path) -> Path | None:
    """The `notes/` folder in `start` or its nearest parent that has one."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "notes"
        if candidate.is_dir():
            return candidate
    return None


def resolve_paths(notes: str | os.PathLike | None = None, index: str | os.PathLike | None = None,
                  cwd: Path | None = None) -> Paths:
    """Apply the precedence: option, then environment variable, then discovery from `cwd`."""
    notes = notes or os.environ.get("KB_NOTES") or None
    index = index or os.environ.get("KB_INDEX") or None
    if notes:
        notes_dir = Path(notes).expanduser()
        if not notes_dir.is_dir():
            raise NotebookNotFound(f"notes folder {notes_dir} does not exist")
    else:
        found = find_notes(cwd or Path.cwd())
        if found is None:
            raise NotebookNotFound(f"no notes/ folder in {cwd or Path.cwd()} or any parent")
        notes_dir = found
    notes_dir = notes_dir.resolve()
    if index:
        return Paths(notes_dir, Path(index).expanduser().resolve())
    index_dir = notes_dir.parent / "index"
    if is_system_location(index_dir):
        raise IndexNotWritable(f"{notes_dir} is a system folder: its index would go in {index_dir}, outside any "
                               "notebook folder")
    return Paths(notes_dir, index_dir)


# Top-level folders that belong to the operating system: an index beside notes here would litter it.
_SYSTEM_DIRS = tuple(Path(p) for p in ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/run",
                                       "/sbin", "/sys", "/usr"))


def is_system_location(index_dir: Path) -> bool:
    """Whether the default index folder would land at the top of the file system or in a system
    folder (`kb --notes /etc` would create `/index`): the notebook then has no folder of its own."""
    parent = index_dir.parent
    return parent == Path(parent.anchor) or any(d == index_dir or d in index_dir.parents for d in _SYSTEM_DIRS)
