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
from kb.papers.fields import duplicate_reason, identities


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
        # Each paper note under its arXiv id, DOI and titles (the first by path wins, as in
        # `find_duplicate`), so that a library of thousands of entries is matched in linear time.
        self.known: dict[tuple[str, str], Note] = {}
        for note in sorted((n for n in notes if n.kind == "paper"), key=lambda n: str(n.path)):
            self._remember(note)
        self.owners = {key.casefold(): path for path, key in keys.items()}  # key -> note using it

    def _remember(self, note: Note) -> None:
        for identity in identities(note.paper, [note.title]):
            self.known.setdefault(identity, note)

    def _twin(self, paper: PaperMeta) -> Note | None:
        """The note already about `paper`: same arXiv id, else DOI, else title (`find_duplicate`'s order)."""
        found = identities(paper)
        for kind in ("arxiv", "doi", "title"):
            for identity in found:
                if identity[0] == kind and identity in self.known:
                    return self.known[identity]
        return None

    def decide(self, entry: LibraryEntry) -> Decision:
        """The decision for `entry` (not yet recorded: call `planned` once its note exists)."""
        if entry.paper is None:
            return Decision(entry, "fail", reason=entry.error or "the entry could not be read")
        paper = entry.paper
        if not paper.title:
            return Decision(entry, "fail", reason="the entry has no title")
        twin = self._twin(paper)
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
        self._remember(Note(path=PurePosixPath(path), title=paper.title or "", kind="paper", body="", paper=paper))
        self.owners[paper.citekey.casefold()] = path
