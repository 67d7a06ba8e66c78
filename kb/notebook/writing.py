"""Use cases that write: add a paper note, mark its status, export a reading list."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kb import models
from kb.errors import FrontMatterError, InvalidField, NotWritable
from kb.index.lookup import find_note
from kb.layout import STATUSES
from kb.notebook.reading import ReadingUseCases
from kb.search.query import Filters

if TYPE_CHECKING:
    from kb.models import AddedNote, PaperMeta


class WritingUseCases(ReadingUseCases):
    """Changes to notes (under the writer lock) and files written from them."""

    @staticmethod
    def describe_paper(title: str | None = None, **sources) -> tuple[PaperMeta, tuple[str, ...]]:
        """The paper a new note will be about, from options, BibTeX text and arXiv, with warnings
        (see `kb.papers.gather.describe_paper` for the sources)."""
        from kb.papers.gather import describe_paper  # noqa: PLC0415 - bibtexparser, the network, on demand

        return describe_paper(title, **sources)

    def add_note(self, paper: PaperMeta, *, tags: str | Sequence[str] = (), status: str | None = None,
                 force: bool = False, today: datetime.date | None = None,
                 edit: Callable[[Path], None] | None = None) -> AddedNote:
        """Create the paper note `papers/[N]Title.md` for `paper` and index it.

        Under the writer lock: refuse a paper that already has a note (same arXiv id, DOI or title)
        unless `force`, pin its citation key (`paper.citekey` or the derived one, unique in the
        notebook), claim the next number, write the file from the notebook's template, index it.
        Then `edit(file)` (an editor, on a terminal) and index again; a broken edit is kept and
        reported in the returned problems, never repaired or deleted.
        """
        from kb.index.indexer import index_locked, repair_locked  # noqa: PLC0415
        from kb.papers.citekeys import assign_citekeys, new_citekey  # noqa: PLC0415
        from kb.papers.create import create_paper_note, load_template  # noqa: PLC0415
        from kb.papers.fields import parse_tags  # noqa: PLC0415

        if not paper.title:
            raise InvalidField("the paper needs a title", hint="give TITLE, --arxiv (online) or --bibtex")
        papers = self.paths.papers
        with self._lock():
            self._record(repair_locked(self.paths))
            template = load_template(self.paths.notes)
            notes = self.notes(text=False)  # duplicates and citation keys are found by metadata
            paper = replace(paper, citekey=new_citekey(paper, {k.casefold() for k in assign_citekeys(notes).values()}))
            try:
                papers.mkdir(parents=True, exist_ok=True)
                file = create_paper_note(papers, paper, today=today or datetime.date.today(), tags=parse_tags(tags),
                                         status=status, template=template, notes=notes, force=force)
            except OSError as exc:  # a read-only notes folder: no note was created
                raise NotWritable(str(papers), exc.strerror or str(exc)) from None
            stats = index_locked(self.paths)
        if edit is not None:
            edit(file)
            stats = self._update()
        rel = file.resolve().relative_to(self.paths.notes.resolve()).as_posix()
        return models.AddedNote(rel, str(file), paper.title, tuple(p for p in stats.problems if p.path == rel))

    def mark(self, key: str, status: str) -> tuple[str, bool]:
        """Set a paper note's reading status; only its `status:` line changes. Returns (path, changed).

        The edit is checked before it is written: if the front matter would not read back with the
        new status and every other value as it was, nothing is written and FrontMatterError says why.
        """
        from kb.index.frontmatter import set_status_checked  # noqa: PLC0415
        from kb.index.indexer import index_locked, repair_locked  # noqa: PLC0415
        from kb.output import replace_file  # noqa: PLC0415

        if status not in STATUSES:
            raise InvalidField(f"invalid status {status!r}", hint="use one of: " + ", ".join(STATUSES))
        with self._lock():
            self._record(repair_locked(self.paths))
            with self._reading() as (_, conn):
                path = find_note(conn, key, kind="paper")
            file = self.paths.notes / path
            raw = file.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FrontMatterError(path, 1, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
            new = set_status_checked(text, status, path)
            if new == text:
                return path, False
            replace_file(file, new.encode("utf-8"))
            index_locked(self.paths)
        return path, True

    def reading_list(self, *, query: str | None = None, tag: str | None = None, status: str | None = None,
                     chapter: str | None = None, order: str = "number", fmt: str = "md", group_by: str = "status",
                     unnoted: bool = False, output: str | Path | None = None, force: bool = False) -> str:
        """A reading list of paper notes (or, with `unnoted`, of cited papers without a note) as text,
        also written to `output` when given (an existing file is kept unless `force`)."""
        from kb.output import write_output  # noqa: PLC0415
        from kb.papers import export  # noqa: PLC0415
        from kb.papers.citekeys import assign_citekeys  # noqa: PLC0415

        notes = self.notes(full=unnoted, text=False)
        if unnoted:
            text = export.export_unnoted(export.unnoted_papers(notes), fmt)
        else:
            keys = assign_citekeys(notes)  # over the whole notebook: a key never depends on the filter
            if query:
                wanted = {h.path for h in self.search(query, limit=1000, filters=Filters(kinds=("paper",))).hits}
                notes = [n for n in notes if str(n.path) in wanted]
            wanted = Filters(tags=() if tag is None else (tag,), kinds=("paper",),
                             chapters=() if chapter is None else (chapter,), statuses=() if status is None else (status,))
            chosen = [n for n in notes if wanted.admits(n)]
            text = export.export_reading_list(chosen, fmt, order=order, group_by=group_by, keys=keys)
        if output is not None:
            write_output(output, text, force=force)
        return text
