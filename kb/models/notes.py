"""A note and what it is made of (links, snippets, its paper), a note with its backlinks, and what
`kb open` opens for a note."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.layout import note_number, slug_of

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from kb.models.problems import Problem


@dataclass(frozen=True, slots=True)
class Link:
    """A link written in a note; `resolved` is filled in once every note is known."""

    target: str  # as written (for wiki links: the text before `|`)
    label: str
    line: int
    style: str  # "markdown" | "wiki"
    external: bool
    arxiv_id: str | None = None
    resolved: str | None = None  # path of the target note, relative to notes/

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: target, label, line, external, resolved, arxiv_id."""
        return {"target": self.target, "label": self.label, "line": self.line, "external": self.external,
                "resolved": self.resolved, "arxiv_id": self.arxiv_id}


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of code attached to a note: a fenced block or a file listed in `snippets:`."""

    note_path: str  # relative to notes/, posix
    index: int  # 0-based: fenced blocks in order of appearance, then attached files
    language: str  # lower-case, "" when the fence names none
    start_line: int  # 1-based line in the note of the code's first line (1 for attached files)
    code: str
    source: str | None = None  # attached file, relative to notes/; None for fenced blocks
    info: str = ""  # the fence's raw info string

    @property
    def id(self) -> str:
        """Stable id used on the command line: `<note path>#<index>`."""
        return f"{self.note_path}#{self.index}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape (as listed with a note): id, language, line, source, lines."""
        return {"id": self.id, "language": self.language, "line": self.start_line, "source": self.source,
                "lines": self.code.count("\n") + 1}


@dataclass(frozen=True, slots=True)
class PaperMeta:
    """A paper: what a note's `paper:` block says, or what arXiv/BibTeX/options say of a new one.

    Empty values mean "unknown"; `abstract`, `citekey` (the key a BibTeX entry gave it) and `files`
    (its PDFs and other attachments, as a BibTeX `file` field lists them) are only known while a note
    is being created.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None  # id without version: 1512.03385, math/0501001
    doi: str | None = None
    url: str | None = None
    abstract: str | None = None
    citekey: str | None = None
    files: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: title, authors, year, venue, arxiv, doi, url (the front matter's `paper:` keys)."""
        return {"title": self.title, "authors": list(self.authors), "year": self.year, "venue": self.venue,
                "arxiv": self.arxiv, "doi": self.doi, "url": self.url}


@dataclass(frozen=True, slots=True)
class Note:
    """One parsed note. `path` is relative to the notes folder."""

    path: PurePosixPath
    title: str
    kind: str
    body: str  # Markdown after the front matter
    text: str = ""  # prose for search: no Markdown syntax, no code
    code: str = ""  # all code blocks, for low-weight search
    chapter: str | None = None  # top-level folder name
    chapter_label: str | None = None
    order: float | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # display names of the note's authors
    aliases: tuple[str, ...] = ()
    status: str | None = None
    tldr: str | None = None
    added: str | None = None
    paper: PaperMeta | None = None
    headings: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    snippets: tuple[Snippet, ...] = ()
    problems: tuple[Problem, ...] = ()
    body_line: int = 1  # line of the file where `body` starts
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The file line of each front-matter key (`paper.year` for one under `paper:`): where a problem with
    # a field is reported, also by the notebook-wide checks that run on the store.
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    checksum: str = ""
    size: int = 0
    mtime: float = 0.0

    @property
    def year(self) -> int | None:
        """The paper's year, when the note is about a paper."""
        return self.paper.year if self.paper else None

    @property
    def slug(self) -> str:
        """The file name without extension and `[N]` prefix, used to refer to a note."""
        return slug_of(self.path)

    @property
    def number(self) -> int | None:
        """The `[N]` number of the note's file name, if any."""
        return note_number(self.path)

    def to_dict(self, *, body: bool = True) -> dict[str, Any]:
        """JSON shape of a note (without backlinks, which only a `NoteView` knows)."""
        data = {
            "path": str(self.path), "title": self.title, "kind": self.kind, "chapter": self.chapter,
            "chapter_label": self.chapter_label, "order": self.order, "tags": list(self.tags),
            "authors": list(self.authors), "aliases": list(self.aliases), "status": self.status,
            "tldr": self.tldr, "added": self.added, "paper": self.paper.to_dict() if self.paper else None,
            "links": [link.to_dict() for link in self.links],
            "snippets": [s.to_dict() for s in self.snippets],
            "problems": [p.to_dict() for p in self.problems],
        }
        if body:
            data["body"] = self.body
        return data


@dataclass(frozen=True, slots=True)
class Backlink:
    """A link to a note from another note."""

    path: str
    title: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, title, line."""
        return {"path": self.path, "title": self.title, "line": self.line}


@dataclass(frozen=True, slots=True)
class NoteView:
    """A note with the notes that link to it: what `kb show` and a note's page display."""

    note: Note
    backlinks: tuple[Backlink, ...]

    def to_dict(self, *, body: bool = True) -> dict[str, Any]:
        """The note's JSON shape with `backlinks` after its links."""
        data = self.note.to_dict(body=False)
        out: dict[str, Any] = {}
        for key, value in data.items():
            out[key] = value
            if key == "links":
                out["backlinks"] = [b.to_dict() for b in self.backlinks]
        if body:
            out["body"] = self.note.body
        return out


@dataclass(frozen=True, slots=True)
class Opening:
    """What `kb open` opens for a note: its PDF, its paper's web page, or the note file itself."""

    note: str  # the note's path, relative to notes/
    kind: str  # "pdf" | "url" | "file"
    target: str  # an absolute file path or a URL
    source: str  # where it came from: "pdf", "arxiv", "doi", "url" or "note"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: note, kind, target, source."""
        return {"note": self.note, "kind": self.kind, "target": self.target, "source": self.source}
