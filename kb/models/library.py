"""What importing a BibTeX library did, entry by entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.models.problems import Problem


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """What `kb import bibtex` did with one entry of a BibTeX library."""

    source: str  # the .bib file, as named to the user
    line: int  # 1-based line where the entry starts
    key: str | None  # the entry's citation key
    status: str  # "created" | "skipped" (a duplicate) | "failed"
    path: str | None = None  # the note created (or that would be), or the note it duplicates
    title: str | None = None
    citekey: str | None = None  # the key pinned in the created note
    reason: str | None = None  # why skipped ("same DOI …") or failed; a note on a changed key

    @property
    def where(self) -> str:
        """`library.bib:12`."""
        return f"{self.source}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: source, line, key, status, path, title, citekey, reason."""
        return {"source": self.source, "line": self.line, "key": self.key, "status": self.status,
                "path": self.path, "title": self.title, "citekey": self.citekey, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of importing a BibTeX library: one `ImportedEntry` per entry, in file order."""

    source: str
    entries: tuple[ImportedEntry, ...]
    dry_run: bool = False
    problems: tuple[Problem, ...] = ()  # found when indexing the created notes

    def count(self, status: str) -> int:
        """How many entries ended with `status`."""
        return sum(1 for e in self.entries if e.status == status)

    def summary(self) -> str:
        """One line: `3 created, 2 skipped as duplicates, 1 failed`."""
        created = "would be created" if self.dry_run else "created"
        line = (f"{self.count('created')} {created}, {self.count('skipped')} skipped as duplicates, "
                f"{self.count('failed')} failed")
        return line + (" (dry run: nothing was written)" if self.dry_run else "")

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: source, dry_run, created, skipped, failed (counts), entries, problems."""
        return {"source": self.source, "dry_run": self.dry_run, "created": self.count("created"),
                "skipped": self.count("skipped"), "failed": self.count("failed"),
                "entries": [e.to_dict() for e in self.entries], "problems": [p.to_dict() for p in self.problems]}
