"""The frozen dataclasses that travel between the stages and up to the front ends.

No I/O and nothing of the pipeline here. Each model a front end shows has one JSON shape, its
`to_dict()`: the CLI's `--json` and the web API print the same dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from kb.layout import STATUSES, note_number, slug_of

__all__ = [
    "STATUSES", "AddedNote", "Backlink", "Highlight", "IndexStats", "Link", "Note", "NoteView", "PaperMeta", "Problem",
    "SearchHit", "SearchResult", "Snippet", "SnippetCheck", "SnippetInfo", "SnippetRun", "TagCount", "TocChapter",
]


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

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, line, kind, message, severity."""
        return {"path": self.path, "line": self.line, "kind": self.kind, "message": self.message,
                "severity": self.severity}


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
        if self.repaired:
            return f"Rebuilt the damaged index ({self.repaired})"
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
class Highlight:
    """An excerpt of a field with the character offsets of each match inside it."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: field, text, matches ([start, end] pairs)."""
        return {"field": self.field, "text": self.text, "matches": [list(s) for s in self.spans]}


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
    matched_words: int = 0  # how many of the query's words the note matches (graded matching)
    listing: bool = False  # a listing page (mostly links to other notes), ranked below content notes

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, title, score, kind, tags, chapter, year, matched_fields, highlights,
        matched_words, listing."""
        return {"path": self.path, "title": self.title, "score": self.score, "kind": self.kind,
                "tags": list(self.tags), "chapter": self.chapter, "year": self.year,
                "matched_fields": list(self.matched_fields), "highlights": [h.to_dict() for h in self.highlights],
                "matched_words": self.matched_words, "listing": self.listing}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits plus what the search did to the query (spelling fix, fallback to any word)."""

    hits: tuple[SearchHit, ...]
    query: str
    corrected: str | None = None  # "showing results for …"
    fallback_any: bool = False  # no note had every word; these match some
    total: int = 0
    words: int = 0  # how many words the query has (a hit's `matched_words` is out of these)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the whole result, notices included."""
        return {"query": self.query, "corrected": self.corrected, "fallback_any": self.fallback_any,
                "total": self.total, "words": self.words, "hits": [h.to_dict() for h in self.hits]}


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


@dataclass(frozen=True, slots=True)
class SnippetInfo:
    """A snippet with what its header declares and its last recorded run."""

    snippet: Snippet
    note_title: str
    runnable: bool
    title: str | None
    requires: tuple[str, ...]
    expects: tuple[tuple[str, str], ...]
    last_status: str | None
    last_duration: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets list`."""
        s = self.snippet
        return {"id": s.id, "note": s.note_path, "note_title": self.note_title, "language": s.language,
                "line": s.start_line, "source": s.source, "runnable": self.runnable, "title": self.title,
                "requires": list(self.requires), "expects": [f"{k} = {v}" for k, v in self.expects],
                "last_status": self.last_status, "last_duration": self.last_duration}


@dataclass(frozen=True, slots=True)
class SnippetCheck:
    """The outcome of checking one snippet; `cached` when an earlier pass was reused."""

    snippet: Snippet
    status: str  # "pass" | "fail" | "skip" | "error"
    reason: str
    mismatches: tuple[str, ...]
    duration: float
    cached: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets check`."""
        return {"id": self.snippet.id, "source": self.snippet.source, "status": self.status,
                "reason": self.reason, "mismatches": list(self.mismatches), "duration": round(self.duration, 3),
                "cached": self.cached}


@dataclass(frozen=True, slots=True)
class SnippetRun:
    """What running one snippet printed."""

    snippet: Snippet
    returncode: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets run --json`: the snippet, returncode, stdout, stderr, duration,
        timed_out, truncated."""
        return {"snippet": self.snippet.to_dict(), "returncode": self.returncode, "stdout": self.stdout,
                "stderr": self.stderr, "duration": round(self.duration, 3), "timed_out": self.timed_out,
                "truncated": self.truncated}


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

