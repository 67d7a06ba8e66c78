"""Importing a BibTeX library: which entries become notes, which are already in the notebook (pure).

`ImportPlan` walks a library's entries in order against the notebook's paper notes and their
citation keys, and grows both with every note it plans, so that a paper listed twice in one
library is created once and two entries never pin the same key. Writing the notes is the
`Notebook`'s job (`kb.notebook.library`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from kb.models import Note, PaperMeta
from kb.papers.bibread import LibraryEntry
from kb.papers.citekeys import new_citekey
from kb.papers.fields import duplicate_reason, find_duplicate


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one entry: `create` (with the paper and its pinned key), `skip` a duplicate
    (`path` is the note it duplicates) or `fail` (`reason` says why)."""

    entry: LibraryEntry
    action: str  # "create" | "skip" | "fail"
    paper: PaperMeta | None = None
    path: str | None = None
    reason: str | None = None


class ImportPlan:
    """Decides entry by entry; `planned` records each created note so later entries see it."""

    def __init__(self, notes: Iterable[Note], keys: dict[str, str]):
        self.notes = [n for n in notes if n.kind == "paper"]
        self.owners = {key.casefold(): path for path, key in keys.items()}  # key -> note using it

    def decide(self, entry: LibraryEntry) -> Decision:
        """The decision for `entry` (not yet recorded: call `planned` once its note exists)."""
        if entry.paper is None:
            return Decision(entry, "fail", reason=entry.error or "the entry could not be read")
        paper = entry.paper
        if not paper.title:
            return Decision(entry, "fail", reason="the entry has no title")
        twin = find_duplicate(paper, self.notes)
        if twin is not None:
            return Decision(entry, "skip", path=str(twin.path), reason=duplicate_reason(paper, twin))
        key = new_citekey(paper, self.owners)
        note = None
        if paper.citekey and key != paper.citekey:
            owner = self.owners.get(paper.citekey.casefold())
            note = f"the key {paper.citekey} is already used by {owner}; pinned {key}"
        return Decision(entry, "create", paper=replace(paper, citekey=key), reason=note)

    def planned(self, decision: Decision, path: str) -> None:
        """Record the note created (or that would be) for a `create` decision at `path`."""
        paper = decision.paper
        assert paper is not None and paper.citekey is not None
        self.notes.append(Note(path=PurePosixPath(path), title=paper.title or "", kind="paper", body="",
                               paper=paper))
        self.owners[paper.citekey.casefold()] = path
