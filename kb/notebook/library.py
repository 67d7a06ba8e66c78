"""Importing a BibTeX library (Zotero, Better BibTeX, JabRef …): one paper note per new entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kb import models
from kb.errors import BibtexError, KbError
from kb.notebook.reading import ReadingUseCases

if TYPE_CHECKING:
    from kb.models import ImportedEntry, ImportReport, Problem


class LibraryUseCases(ReadingUseCases):
    """Bringing papers in from a reference manager's BibTeX library."""

    # Long on purpose: the loop keeps three promises at once (each entry decided against the notes
    # created before it, one failure never stopping the rest, the notes written so far indexed even
    # when the run is interrupted); split up, the `finally` would no longer guard the whole loop.
    def import_bibtex(self, library: str | Path, *, dry_run: bool = False, tags: str | Sequence[str] = (),
                      status: str | None = None, today: datetime.date | None = None) -> ImportReport:
        """One paper note per entry of the BibTeX file `library` that the notebook does not have yet.

        An entry is a duplicate when a paper note has its DOI, arXiv id (from `eprint`, `url`, …) or
        normalised title, or an earlier entry of the file was already taken. A new note keeps the
        entry's key as its `citekey:` (suffixed when another note uses it), its abstract, DOI, URL,
        authors, year, venue and files (`pdf:`, `files:`). Notes are written under the writer lock
        and indexed once at the end, even if interrupted; an entry that cannot be read or written
        fails alone. `dry_run` decides the same way and writes nothing.
        """
        from kb.index.indexer import index_locked, repair_locked  # noqa: PLC0415 - the pipeline, on demand
        from kb.papers.bibimport import ImportPlan  # noqa: PLC0415
        from kb.papers.bibread import read_library  # noqa: PLC0415 - bibtexparser
        from kb.papers.citekeys import assign_citekeys  # noqa: PLC0415
        from kb.papers.create import create_note_file, load_template, next_number  # noqa: PLC0415
        from kb.papers.fields import parse_tags  # noqa: PLC0415
        from kb.papers.templates import render_note, slugify  # noqa: PLC0415

        source = str(library)
        path = Path(library)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise BibtexError(f"cannot read {source}: {exc.strerror or exc}", hint="give the path of a .bib file") from None
        except UnicodeDecodeError as exc:
            line = path.read_bytes().count(b"\n", 0, exc.start) + 1
            raise BibtexError(f"{source}:{line}: not UTF-8 ({exc.reason})", hint="save the library as UTF-8") from None
        entries = read_library(text, source=source, base_dir=path.resolve().parent)
        if not entries:  # most likely not a BibTeX file at all (RIS, CSL JSON): say so rather than "0 created"
            raise BibtexError(f"no BibTeX entry (@article{{…}}, @inproceedings{{…}}, …) found in {source}",
                              hint="export the library as BibTeX (.bib), e.g. with Zotero's Better BibTeX")
        tag_list = parse_tags(tags)
        today = today or datetime.date.today()
        papers = self.paths.papers
        prefix = papers.relative_to(self.paths.notes).as_posix() if papers.is_relative_to(self.paths.notes) else ""
        results: list[ImportedEntry] = []
        created: list[str] = []

        def record(entry, status, path=None, title=None, citekey=None, reason=None) -> None:
            results.append(models.ImportedEntry(source, entry.line, entry.key, status, path, title, citekey, reason))

        def run() -> None:
            notes = self.notes(text=False)
            plan = ImportPlan(notes, assign_citekeys(notes))
            template = load_template(self.paths.notes)
            number = next_number(papers)
            for entry in entries:
                decision = plan.decide(entry)
                if decision.action != "create":
                    record(entry, "failed" if decision.action == "fail" else "skipped", decision.path,
                           entry.paper.title if entry.paper else None, reason=decision.reason)
                    continue
                paper = decision.paper
                try:
                    note_text = render_note(template, paper, today, tags=tag_list, status=status)
                    if dry_run:
                        rel = f"{prefix}/[{number}]{slugify(paper.title or '')}.md".lstrip("/")
                        number += 1
                    else:
                        papers.mkdir(parents=True, exist_ok=True)
                        file = create_note_file(papers, paper.title or "", note_text)
                        rel = file.resolve().relative_to(self.paths.notes.resolve()).as_posix()
                        created.append(rel)
                except KbError as exc:  # a title the template refuses, a number that cannot be claimed
                    record(entry, "failed", title=paper.title, reason=str(exc))
                    continue
                except OSError as exc:  # a read-only or full folder: this entry fails, nothing half-written
                    record(entry, "failed", title=paper.title, reason=f"cannot write {papers}: {exc.strerror or exc}")
                    continue
                plan.planned(decision, rel)
                record(entry, "created", rel, paper.title, paper.citekey, decision.reason)

        problems: tuple[Problem, ...] = ()
        if dry_run:
            run()
        else:
            with self._lock():
                self._record(repair_locked(self.paths))
                try:
                    run()
                finally:  # what was written is indexed, whatever stopped the loop
                    if created:
                        stats, new = index_locked(self.paths), set(created)
                        problems = tuple(p for p in stats.problems if p.path in new)
        return models.ImportReport(source, tuple(results), dry_run, problems)
