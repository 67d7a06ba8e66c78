"""Lists over the whole notebook: tags with their counts, chapters in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag and how many notes carry it."""

    tag: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: tag, count."""
        return {"tag": self.tag, "count": self.count}


@dataclass(frozen=True, slots=True)
class TocChapter:
    """A chapter with its notes in reading order."""

    folder: str | None  # None for notes at the top of the notebook
    label: str
    notes: tuple[tuple[str, str], ...]  # (path, title)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: chapter (folder), label, notes [{path, title}]."""
        return {"chapter": self.folder, "label": self.label,
                "notes": [{"path": p, "title": t} for p, t in self.notes]}
