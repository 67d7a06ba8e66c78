"""Browsing use cases: notes chosen by filters alone (`kb list`), the link graph (`kb graph`) and
what opening a note means (`kb open`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb import models
from kb.errors import KbError
from kb.index import store
from kb.index.lookup import find_note
from kb.layout import natural_key
from kb.notebook.reading import ReadingUseCases

if TYPE_CHECKING:
    from kb.index.graph import LinkGraph
    from kb.models import Note, Opening
    from kb.search.query import Filters

SORTS = ("path", "number", "year", "title")


def _sort_key(sort: str):
    def by_number(n: Note) -> tuple[Any, ...]:
        return (n.number is None, n.number or 0, natural_key(str(n.path)))

    if sort == "path":
        return lambda n: natural_key(str(n.path))
    if sort == "number":
        return by_number
    if sort == "year":
        return lambda n: (n.year is None, n.year or 0, *by_number(n))
    if sort == "title":
        return lambda n: (n.title.casefold(), natural_key(str(n.path)))
    raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")


class BrowseUseCases(ReadingUseCases):
    """Notes by their properties and links, rather than by words."""

    def list_notes(self, filters: Filters | None = None, *, orphans: bool = False, links_to: str | None = None,
                   linked_from: str | None = None, sort: str = "path") -> list[Note]:
        """Notes passing `filters` (see `matches`), sorted by path, number, year or title; their body,
        text, code, links and snippets are left empty (`note()` gives one note in full).

        `orphans`: only notes with no link to another note and none from another note (only links
        that resolve to a note count; links to itself do not). `links_to`/`linked_from` (any NOTE
        form): only notes with a link to that note, or that it links to.
        """
        from kb.search.query import Filters  # noqa: PLC0415 - the query language, only for its default

        filters = filters or Filters()
        key = _sort_key(sort)
        with self._reading() as (_, conn):
            notes = store.list_notes(conn, text=False)
            # Every link of the notebook, read only when a link filter asks (45k links at 10k notes:
            # about a fifth of a plain `kb list`).
            edges = _edges(conn) if orphans or links_to or linked_from else set()
            wanted_to = find_note(conn, links_to) if links_to else None
            wanted_from = find_note(conn, linked_from) if linked_from else None
        linked = {s for s, _ in edges} | {t for _, t in edges}
        chosen = []
        for note in notes:
            path = str(note.path)
            if orphans and path in linked:
                continue
            if wanted_to is not None and (path, wanted_to) not in edges:
                continue
            if wanted_from is not None and (wanted_from, path) not in edges:
                continue
            if filters.admits(note):
                chosen.append(note)
        return sorted(chosen, key=key)

    def graph(self, *, around: str | None = None, depth: int = 1) -> LinkGraph:
        """The graph of notes and the links between them that resolve (see `kb.index.graph`); with
        `around` (any NOTE form), only the notes at most `depth` links from it, either way."""
        if depth < 0:
            raise KbError(f"depth must be 0 or more, not {depth}")
        with self._reading() as (_, conn):
            nodes = [(str(n.path), n.title, n.kind) for n in store.list_notes(conn, text=False)]
            links = [(source, link.resolved, link.style, link.line)
                     for _, source, link in store.internal_links(conn) if link.resolved]
            centre = find_note(conn, around) if around else None
        from kb.index.graph import build_graph, neighbourhood  # noqa: PLC0415 - only `kb graph` needs it

        graph = build_graph(nodes, links)
        return neighbourhood(graph, centre, depth) if centre is not None else graph

    def opening(self, key: str) -> Opening:
        """What opening a note (any NOTE form) shows: the file its `pdf:` names (relative to the notes
        folder; a URL there is opened as a URL), else its paper's arXiv, DOI or URL page, else the
        note's own file. A `pdf:` naming a missing file is an error, never silently skipped."""
        note = self.note(key)
        path = str(note.path)
        pdf = note.meta.get("pdf") if isinstance(note.meta, dict) else None
        if pdf is not None:
            if not isinstance(pdf, str) or not pdf.strip():
                raise KbError(f"{path}: pdf: should be a file path or a URL")
            pdf = pdf.strip()
            if re.match(r"^https?://", pdf, re.I):
                return models.Opening(path, "url", pdf, "pdf")
            file = Path(pdf).expanduser()
            file = file if file.is_absolute() else self.paths.notes / file
            if not file.is_file():
                raise KbError(f"{path}: pdf: {pdf} does not exist ({file})",
                              hint="fix the note's pdf: path (relative paths are read from the notes folder)")
            return models.Opening(path, "pdf", str(file.resolve()), "pdf")
        paper = note.paper
        if paper is not None and paper.arxiv:
            return models.Opening(path, "url", f"https://arxiv.org/abs/{paper.arxiv}", "arxiv")
        if paper is not None and paper.doi:
            return models.Opening(path, "url", f"https://doi.org/{paper.doi}", "doi")
        if paper is not None and paper.url and re.match(r"^https?://", paper.url, re.I):
            return models.Opening(path, "url", paper.url, "url")
        return models.Opening(path, "file", str((self.paths.notes / path).resolve()), "note")


def _edges(conn) -> set[tuple[str, str]]:
    """(source, target) pairs of links between two different notes."""
    return {(source, link.resolved) for _, source, link in store.internal_links(conn)
            if link.resolved and link.resolved != source}
