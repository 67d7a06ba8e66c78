"""The frozen dataclasses that travel between pipeline stages. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

STATUSES = ("to-read", "reading", "read")
KINDS = ("paper", "chapter", "page")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one note: reported by `kb index`/`kb check`, never fatal."""

    path: str
    line: int
    kind: str  # bad-yaml, unreadable, not-utf8, missing-title, duplicate-title, broken-link, empty, unknown-key, unknown-tag, ...
    message: str
    severity: str = "warning"  # "error" for problems that lost information (bad YAML, unreadable file)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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


@dataclass(frozen=True, slots=True)
class PaperMeta:
    """The paper a note is about (front matter `paper:`)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None


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
        from kb.parse import slug_of  # noqa: PLC0415  (models stay import-light)

        return slug_of(self.path)


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

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.problems)} problems in {self.seconds:.2f}s"
        )


@dataclass(frozen=True, slots=True)
class Highlight:
    """An excerpt of a field with the character offsets of each match inside it."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked search result."""

    path: str
    title: str
    score: float
    kind: str
    tags: tuple[str, ...] = ()
    chapter: str | None = None
    year: int | None = None
    matched_fields: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits plus what the search did to the query (spelling fix, fallback to any word)."""

    hits: tuple[SearchHit, ...]
    query: str
    corrected: str | None = None  # "showing results for …"
    fallback_any: bool = False  # no note had every word; these match some
    total: int = 0
