"""Reading use cases: search, one note, lists of notes, tags, the table of contents, problems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kb import models
from kb.errors import InvalidField
from kb.index import store
from kb.index.lookup import find_note
from kb.index.openfiles import is_too_many_open_files, too_many_open_files
from kb.notebook.base import NotebookBase

if TYPE_CHECKING:
    from kb.models import Note, NoteView, Problem, SearchResult, TagCount, TocChapter
    from kb.search.engine import Searcher
    from kb.search.query import Filters


class ReadingUseCases(NotebookBase):
    """What the notebook says, answered from the index."""

    def keep_index_open(self) -> None:
        """Keep the search index open between searches (for a long-lived front end: the web server);
        it is refreshed after every update and reopened after a rebuild. Searches then take turns."""
        import threading  # noqa: PLC0415

        from kb.search.engine import KeptSearcher  # noqa: PLC0415

        if self._kept is None:
            self._kept, self._kept_lock = KeptSearcher(), threading.Lock()

    @contextmanager
    def _searcher(self, folder: Path) -> Iterator[Searcher]:
        """The kept searcher (under its lock) when `keep_index_open()` was called, else a new one."""
        from kb.search.engine import open_searcher  # noqa: PLC0415

        if self._kept is None:
            with open_searcher(folder) as searcher:
                yield searcher
            return
        with self._kept_lock:
            yield self._kept.current(folder)

    def search(self, query: str, *, limit: int = 10, offset: int = 0, filters: Filters | None = None) -> SearchResult:
        """Ranked notes for `query` (see `kb.search.query` for the language): the `limit` hits after the
        first `offset` (a page). `query` may hold only filters (`tag:cnn`), or be empty with `filters`."""
        from kb.search.analyse import analyse  # noqa: PLC0415 - imports Whoosh with the engine
        from kb.search.highlight import highlights_for  # noqa: PLC0415
        from kb.search.query import parse_query  # noqa: PLC0415
        from kb.search.synonyms import load_synonym_map  # noqa: PLC0415

        if offset < 0 or limit < 1:
            raise InvalidField(f"a page needs offset >= 0 and limit >= 1 (got offset {offset}, limit {limit})")
        parsed = parse_query(query)
        with self._reading(fulltext=True) as (gen, conn):
            try:
                with self._searcher(gen.whoosh_path) as searcher:
                    analysed = analyse(parsed, synonyms=load_synonym_map(gen.synonyms_path), filters=filters,
                                       lexicon=searcher.lexicon)
                    # The engine ranks from the top; a page is the tail of the first offset + limit hits.
                    ranked = searcher.rank(analysed, limit=offset + limit)
            except OSError as exc:
                if is_too_many_open_files(exc):
                    raise too_many_open_files(f"reading the search index in {gen.whoosh_path}") from None
                raise
            rows = ranked.rows[offset:]
            fields = store.search_fields(conn, [row.path for row in rows])
        hits = []
        for row in rows:
            note = fields.get(row.path)
            if note is None:
                continue  # in Whoosh but not (yet) in SQLite: the two must agree on which notes exist
            matched, highlights = highlights_for(note, analysed)
            hits.append(models.SearchHit(row.path, note["title"], round(float(row.score), 4), row.kind, tuple(note["tag_list"]),
                                  note["chapter"], row.year, matched, highlights, row.matched_words, row.listing))
        return models.SearchResult(tuple(hits), analysed.text, analysed.corrected, ranked.fallback_any, ranked.total,
                            ranked.words)

    def show(self, key: str) -> NoteView:
        """One note (by path, title, slug or alias) with its links, backlinks and snippets."""
        with self._reading() as (_, conn):
            path = find_note(conn, key)
            note = store.get_note(conn, path)
            assert note is not None  # find_note only returns stored paths
            return models.NoteView(note, tuple(store.backlinks(conn, path)))

    def note(self, key: str) -> Note:
        """One note by path, title, slug or alias."""
        return self.show(key).note

    def notes(self, *, full: bool = False, tag: str | None = None, text: bool = True) -> list[Note]:
        """Every note (or every note with `tag`, compared case-insensitively), by path (with links and
        snippets when `full`). `text=False` leaves each note's body, text and code empty: most of its
        bytes, which a list of notes does not need (at 10k notes, reading them is a second)."""
        with self._reading() as (_, conn):
            notes = store.list_notes(conn, full=full, text=text)
        if tag is not None:
            wanted = tag.casefold()
            notes = [n for n in notes if any(t.casefold() == wanted for t in n.tags)]
        return notes

    def tags(self) -> list[TagCount]:
        """Tags with their number of notes, most used first."""
        with self._reading() as (_, conn):
            return store.tag_counts(conn)

    def toc(self) -> list[TocChapter]:
        """Chapters in order (by `_category_` position, then name), each with its notes in order."""
        from kb.index.scan import load_chapters  # noqa: PLC0415
        from kb.index.toc import reading_order  # noqa: PLC0415

        chapters, _ = load_chapters(self.paths.notes)
        with self._reading() as (_, conn):
            rows = store.toc_rows(conn)
        return reading_order(rows, chapters)

    def problems(self) -> list[Problem]:
        """The problems recorded by the last `index()` (see `check` for the notebook as it is now)."""
        with self._reading() as (_, conn):
            return store.all_problems(conn)

    def check(self) -> list[Problem]:
        """Every problem in the notebook as it is now (the index is updated first)."""
        self._update()
        return self.problems()
