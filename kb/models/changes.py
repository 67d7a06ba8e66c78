"""What a write did: an index run, a note created by `add_note`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kb.layout import note_number

if TYPE_CHECKING:
    from kb.models.problems import Problem


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What one `kb index` run did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()
    rebuilt: bool = False
    repaired: str | None = None  # why the index was rebuilt: it was damaged (the reason)
    replayed: int = 0  # search-index updates an interrupted run left behind, applied by this one

    def repair_note(self) -> str | None:
        """What this run repaired, as a sentence for the terminal, or None."""
        if self.repaired:  # a schema from another version of kb is an upgrade, not damage
            kind = "index for this version of kb" if "another version of kb" in self.repaired else "damaged index"
            return f"Rebuilt the {kind} ({self.repaired})"
        if self.replayed:
            return f"Finished an interrupted run ({self.replayed} search-index updates applied)"
        return None

    def summary(self) -> str:
        """One line for the terminal."""
        note = self.repair_note()
        return (
            (f"{note}: " if note else "")
            + f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.problems)} problems in {self.seconds:.2f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the counts, seconds, rebuilt, and `problem_list`."""
        return {"added": self.added, "changed": self.changed, "removed": self.removed,
                "unchanged": self.unchanged, "problems": len(self.problems), "seconds": round(self.seconds, 3),
                "rebuilt": self.rebuilt, "repaired": self.repaired, "replayed": self.replayed,
                "problem_list": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True, slots=True)
class AddedNote:
    """A paper note that `add_note` created, with the problems found when indexing it."""

    path: str  # relative to notes/
    file: str  # absolute path of the new file
    title: str
    problems: tuple[Problem, ...] = ()

    @property
    def number(self) -> int | None:
        """The `[N]` the note was given."""
        return note_number(self.path)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb add-note --json`: path, id (its number), title, file, problems."""
        return {"path": self.path, "id": self.number, "title": self.title, "file": self.file,
                "problems": [p.to_dict() for p in self.problems]}
