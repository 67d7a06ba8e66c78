"""`Notebook`: every use case of kb, over the pipeline, for every front end.

    from kb import Notebook
    nb = Notebook.open("notes")            # or Notebook(Paths(notes, index))
    nb.index()                             # bring the index up to date
    for hit in nb.search("残差 resnet").hits:
        print(hit.title, hit.path)

The rules that cut across use cases live here and nowhere else:

- **Freshness.** Reading methods (`search`, `show`, `tags`, `toc`, `notes`, `snippet`) build the index
  when there is none and otherwise answer from it as it is: run `index()` after editing notes.
  Methods whose answer must reflect the files as they are now (`check`, `snippets`,
  `run_snippet`, `check_snippets`) update the index incrementally first.
- **Writes.** Changing a note (`add_note`, `mark`) takes the index's writer lock *before* touching
  the file, checks under it, writes, and indexes the note before letting go: a lock that cannot be
  had leaves the notebook as it was, and two writers never interleave.
- **Damage.** Opening the index checks it cheaply (`kb.index.health`): a damaged index is rebuilt
  under the writer lock, and `repairs` records a sentence saying so for the front end to show; where
  it cannot be rebuilt (a read-only index folder), `IndexDamaged` names the repair command.
- **Errors.** Only `KbError` subclasses, with a message and a hint; nothing is printed.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kb.config import Paths, resolve_paths
from kb.errors import FrontMatterError, IndexDamaged, IndexNotWritable, InvalidField, NotWritable
from kb.index import store
from kb.index.generations import Generation, current_generation, require_generation, writer_lock
from kb.index.health import index_damage
from kb.index.lookup import find_note, find_snippet
from kb.index.schema import connect_readonly
from kb.layout import STATUSES
from kb.models import (
    AddedNote,
    IndexStats,
    Note,
    NoteView,
    PaperMeta,
    Problem,
    SearchHit,
    SearchResult,
    Snippet,
    SnippetCheck,
    SnippetInfo,
    SnippetRun,
    TagCount,
    TocChapter,
)
from kb.search.query import Filters

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Notebook:
    """A notebook folder and its index: the one object the CLI and the web app call."""

    def __init__(self, paths: Paths, *, on_wait: Callable[[str], None] | None = None):
        self.paths = paths
        # Called once with a sentence when a write has waited ~1 s for another process's lock (the CLI
        # prints it); the library itself never prints.
        self.on_wait = on_wait
        self.repairs: list[str] = []  # what this object repaired in the index, as sentences to show
        # The generation this object last found whole, and whether Whoosh's TOC was read for it: the
        # index is checked once per generation and object, not on every read (kb search reads twice).
        # A long-lived object (a server) that must notice later damage makes a new Notebook.
        self._whole: tuple[Path, bool] | None = None

    @classmethod
    def open(cls, notes: str | Path | None = None, index: str | Path | None = None) -> Notebook:
        """The notebook at `notes` (else `KB_NOTES`, else the nearest `notes/`), indexed in `index`."""
        return cls(resolve_paths(notes, index))

    # --- the index ---------------------------------------------------------------------------------

    def index(self, *, rebuild: bool = False, progress: Progress | None = None) -> IndexStats:
        """Update the index incrementally (or rebuild it); returns what changed."""
        from kb.index.indexer import index_notebook  # noqa: PLC0415 - the pipeline is slow to import

        return index_notebook(self.paths, rebuild=rebuild, progress=progress, on_wait=self.on_wait)

    def _update(self) -> IndexStats:
        """`index()` for methods that answer about the notes as they are now; records a repair."""
        return self._record(self.index())

    def _record(self, stats: IndexStats | None) -> IndexStats | None:
        note = stats.repair_note() if stats is not None else None
        if note:
            self.repairs.append(note)
        return stats

    def ensure_index(self, *, fulltext: bool = False) -> IndexStats | None:
        """Build the index when there is none yet, rebuild it when it is damaged; the build's stats
        (`repaired` says why it was rebuilt), or None when the index was there and whole.

        `fulltext` checks Whoosh's table of contents too (it imports Whoosh: for searching). An index
        that is damaged but cannot be rebuilt here (no write access) raises `IndexDamaged`.
        """
        gen = current_generation(self.paths.index)
        if gen is None:
            return self._record(self.index())
        if self._whole is not None and self._whole[0] == gen.folder and (self._whole[1] or not fulltext):
            return None
        damage = index_damage(gen, fulltext=fulltext)
        if damage is None:
            self._whole = (gen.folder, fulltext)
            return None
        from kb.index.indexer import repair_locked  # noqa: PLC0415 - the pipeline, only to rebuild

        try:
            with self._lock():
                return self._record(repair_locked(self.paths, fulltext=fulltext))  # None: whole after all
        except IndexNotWritable as exc:
            raise IndexDamaged(f"the index in {self.paths.index} is damaged ({damage}) and cannot be rebuilt "
                               f"here: {str(exc).rsplit(': ', 1)[-1]}") from None
        except OSError as exc:
            raise IndexDamaged(f"the index in {self.paths.index} is damaged ({damage}) and cannot be rebuilt "
                               f"here: {exc.strerror or exc}") from None

    def _lock(self):
        """The index's writer lock, telling `on_wait` when another process holds it."""
        return writer_lock(self.paths.index, on_wait=self.on_wait)

    @contextmanager
    def _reading(self, *, fulltext: bool = False) -> Iterator[tuple[Generation, sqlite3.Connection]]:
        """The live generation and a read-only connection to its store (building the index if missing,
        rebuilding it if damaged)."""
        self.ensure_index(fulltext=fulltext)
        gen = require_generation(self.paths.index)
        conn = connect_readonly(gen.db_path)
        try:
            yield gen, conn
        finally:
            conn.close()

    # --- reading -----------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 10, filters: Filters | None = None) -> SearchResult:
        """Ranked notes for `query` (see `kb.search.query` for the language)."""
        from kb.search.analyse import analyse  # noqa: PLC0415 - imports Whoosh with the engine
        from kb.search.engine import open_searcher  # noqa: PLC0415
        from kb.search.highlight import highlights_for  # noqa: PLC0415
        from kb.search.query import parse_query  # noqa: PLC0415
        from kb.search.synonyms import load_synonym_map  # noqa: PLC0415

        parsed = parse_query(query)
        with self._reading(fulltext=True) as (gen, conn):
            with open_searcher(gen.whoosh_path) as searcher:
                analysed = analyse(parsed, synonyms=load_synonym_map(gen.synonyms_path), filters=filters,
                                   lexicon=searcher.lexicon)
                ranked = searcher.rank(analysed, limit=limit)
            fields = store.search_fields(conn, [row[0] for row in ranked.rows])
        hits = []
        for path, score, kind, year in ranked.rows:
            note = fields.get(path)
            if note is None:
                continue  # in Whoosh but not (yet) in SQLite: the two must agree on which notes exist
            matched, highlights = highlights_for(note, analysed)
            hits.append(SearchHit(path, note["title"], round(float(score), 4), kind, tuple(note["tag_list"]),
                                  note["chapter"], year, matched, highlights))
        return SearchResult(tuple(hits), analysed.text, analysed.corrected, ranked.fallback_any, ranked.total)

    def show(self, key: str) -> NoteView:
        """One note (by path, title, slug or alias) with its links, backlinks and snippets."""
        with self._reading() as (_, conn):
            path = find_note(conn, key)
            note = store.get_note(conn, path)
            assert note is not None  # find_note only returns stored paths
            return NoteView(note, tuple(store.backlinks(conn, path)))

    def note(self, key: str) -> Note:
        """One note by path, title, slug or alias."""
        return self.show(key).note

    def notes(self, *, full: bool = False, tag: str | None = None) -> list[Note]:
        """Every note (or every note with `tag`, compared case-insensitively), by path (with links and
        snippets when `full`)."""
        with self._reading() as (_, conn):
            notes = store.list_notes(conn, full=full)
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

    # --- snippets ----------------------------------------------------------------------------------

    def snippets(self, note: str | None = None, *, runnable_only: bool = False,
                 refresh: bool = True) -> list[SnippetInfo]:
        """Snippets of one note (any NOTE form) or of all, with their last results; `refresh=False` for a
        front end that keeps the index fresh itself (the web app's watcher), so a page does not scan."""
        from kb.snippets.header import is_runnable, parse_header  # noqa: PLC0415

        if refresh:
            self._update()
        with self._reading() as (_, conn):
            path = find_note(conn, note) if note else None
            runs = store.snippet_runs(conn)
            rows = store.snippets_with_titles(conn, path)
        out = []
        for snippet, note_title in rows:
            runnable = is_runnable(snippet)
            if runnable_only and not runnable:
                continue
            spec = parse_header(snippet.code)
            run = runs.get(snippet.id)
            out.append(SnippetInfo(snippet, note_title, runnable, spec.title, spec.requires, spec.expects,
                                   run["status"] if run else None, run["duration"] if run else None))
        return out

    def snippet(self, key: str) -> Snippet:
        """A snippet by id (`path#N`), by `NOTE#N` with any NOTE form, or by its attached file name."""
        with self._reading() as (_, conn):
            return find_snippet(conn, key)

    def run_snippet(self, key: str, *, timeout: float | None = None) -> SnippetRun:
        """Run one runnable snippet in a contained subprocess (see `kb.snippets.runner`).

        Only Python snippets with a `# requires:` or `# expect:` header run, as `check_snippets` would
        run them: a bad header or a module named in `requires:` that cannot be imported raises
        `SnippetNotRunnable` before anything runs.
        """
        from kb.snippets.environment import obstacle, refusal  # noqa: PLC0415
        from kb.snippets.header import DEFAULT_TIMEOUT, parse_header  # noqa: PLC0415
        from kb.snippets.runner import run_code  # noqa: PLC0415

        self._update()
        snippet = self.snippet(key)
        spec = parse_header(snippet.code)
        found = obstacle(snippet, spec)
        if found is not None:
            raise refusal(snippet, found)
        run = run_code(snippet.code, timeout=timeout or spec.timeout or DEFAULT_TIMEOUT)
        return SnippetRun(snippet, run.returncode, run.stdout, run.stderr, run.duration, run.timed_out, run.truncated)

    def check_snippets(self, note: str | None = None, *, force: bool = False, timeout: float | None = None,
                       progress: Callable[[SnippetCheck, int, int], None] | None = None) -> list[SnippetCheck]:
        """Run every runnable snippet (of one note, or all), check its expectations, store the results;
        one whose code is unchanged and passed under the same Python and torch is reused unless `force`."""
        from kb.index.schema import open_store  # noqa: PLC0415
        from kb.snippets.environment import code_checksum, runtime_fingerprint  # noqa: PLC0415
        from kb.snippets.runner import check_snippet  # noqa: PLC0415

        runnable = self.snippets(note, runnable_only=True)
        gen = require_generation(self.paths.index)
        fingerprint = runtime_fingerprint()
        db = open_store(gen.db_path)
        try:
            previous = store.snippet_runs(db.conn)
            results = []
            for n, info in enumerate(runnable, 1):
                snippet = info.snippet
                digest = code_checksum(snippet.code)
                last = previous.get(snippet.id)
                if (not force and last and last["status"] == "pass" and last["code_checksum"] == digest
                        and last["fingerprint"] == fingerprint):
                    results.append(SnippetCheck(snippet, "pass", "unchanged since it passed", (), last["duration"], True))
                else:
                    result = check_snippet(snippet, timeout=timeout)
                    store.save_snippet_run(db, snippet.id, digest, fingerprint, result.status, result.reason,
                                           result.mismatches, result.duration, result.output)
                    results.append(SnippetCheck(snippet, result.status, result.reason, result.mismatches,
                                                result.duration, False))
                if progress:
                    progress(results[-1], n, len(runnable))
            return results
        finally:
            db.conn.close()

    def export_snippet(self, key: str, output: str | Path, *, force: bool = False) -> Snippet:
        """Write one snippet's code to `output` (an existing file is kept unless `force`)."""
        from kb.output import write_output  # noqa: PLC0415

        snippet = self.snippet(key)
        write_output(output, snippet.code if snippet.code.endswith("\n") else snippet.code + "\n", force=force)
        return snippet

    # --- writing notes -----------------------------------------------------------------------------

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
        unless `force`, claim the next number, write the file from the notebook's template, index it.
        Then `edit(file)` (an editor, on a terminal) and index again; a broken edit is kept and
        reported in the returned problems, never repaired or deleted.
        """
        from kb.index.indexer import index_locked, repair_locked  # noqa: PLC0415
        from kb.papers.create import create_paper_note, load_template  # noqa: PLC0415
        from kb.papers.fields import parse_tags  # noqa: PLC0415

        if not paper.title:
            raise InvalidField("the paper needs a title", hint="give TITLE, --arxiv (online) or --bibtex")
        papers = self.paths.papers
        with self._lock():
            self._record(repair_locked(self.paths))
            template = load_template(self.paths.notes)
            try:
                papers.mkdir(parents=True, exist_ok=True)
                file = create_paper_note(papers, paper, today=today or datetime.date.today(), tags=parse_tags(tags),
                                         status=status, template=template, notes=self.notes(), force=force)
            except OSError as exc:  # a read-only notes folder: no note was created
                raise NotWritable(str(papers), exc.strerror or str(exc)) from None
            stats = index_locked(self.paths)
        if edit is not None:
            edit(file)
            stats = self._update()
        rel = file.resolve().relative_to(self.paths.notes.resolve()).as_posix()
        return AddedNote(rel, str(file), paper.title, tuple(p for p in stats.problems if p.path == rel))

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

        notes = self.notes(full=unnoted)
        if unnoted:
            text = export.export_unnoted(export.unnoted_papers(notes), fmt)
        else:
            if query:
                wanted = {h.path for h in self.search(query, limit=1000, filters=Filters(kinds=("paper",))).hits}
                notes = [n for n in notes if str(n.path) in wanted]
            chosen = export.select_papers(notes, tag=tag, status=status, chapter=chapter)
            text = export.export_reading_list(chosen, fmt, order=order, group_by=group_by)
        if output is not None:
            write_output(output, text, force=force)
        return text
