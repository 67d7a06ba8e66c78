"""Where the live index is: `index/CURRENT` names a generation folder holding SQLite and Whoosh.

Kept apart from `kb.indexer` so that reading commands (`kb search`, `kb show`) can find the index
without importing the indexing pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.errors import IndexMissing


@dataclass(frozen=True, slots=True)
class Generation:
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
