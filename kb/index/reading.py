"""Reading note files into `Note`s: the bytes of the file, its attached snippet files, and the
stat of those attachments (so that editing a snippet file re-indexes its note)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kb import models  # the note models load on first use: a no-op `kb index` parses nothing
from kb.index.scan import NoteFile
from kb.models import Problem

if TYPE_CHECKING:
    from kb.index.parse import NotebookContext
    from kb.models import Note


def read_file(root: Path, file: NoteFile) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or a problem saying why it cannot be read."""
    try:
        return (root / file.path).read_bytes(), None
    except OSError as exc:
        return None, Problem(file.path, 1, "unreadable", f"cannot read file: {exc.strerror or exc}", "error")


def stat_deps(root: Path, files: list[str]) -> dict[str, list[int]]:
    """{file: [size, mtime_ns]} of attached files ([-1, -1] for one that is gone)."""
    out = {}
    for rel in files:
        try:
            st = (root / rel).stat()
            out[rel] = [st.st_size, st.st_mtime_ns]
        except OSError:
            out[rel] = [-1, -1]
    return out


def build_note(root: Path, file: NoteFile, data: bytes, ctx: NotebookContext) -> tuple[Note | None, dict[str, list[int]], list[Problem]]:
    """Parse one file's bytes into a Note with its attached snippet files read in."""
    # Imported here: `stat_deps` serves a no-op `kb index`, which must not pay for the parser.
    from kb.index.parse import attached_snippet_paths, checksum, decode_note, parse_note  # noqa: PLC0415

    path = file.path
    text, problems = decode_note(data, path)
    if text is None:
        return None, {}, problems
    note = parse_note(text, file.path, ctx)
    extra: list[Problem] = list(problems)
    snippets = list(note.snippets)
    attached = attached_snippet_paths(note)
    for rel in attached:
        target = (root / rel)
        try:
            resolved_ok = target.resolve().is_relative_to(root.resolve())
            code = target.read_text(encoding="utf-8") if resolved_ok else None
        except (OSError, UnicodeDecodeError) as exc:
            code = None
            extra.append(Problem(path, 1, "missing-snippet", f"snippet file {rel} cannot be read: {exc}"))
        else:
            if code is None:
                extra.append(Problem(path, 1, "missing-snippet", f"snippet file {rel} is outside the notebook"))
        if code is not None:
            language = "python" if rel.endswith(".py") else rel.rsplit(".", 1)[-1].lower()
            snippets.append(models.Snippet(path, len(snippets), language, 1, code, rel, ""))
    code_text = "\n\n".join(s.code for s in snippets) if attached else note.code
    note = replace(
        note, snippets=tuple(snippets), code=code_text, problems=note.problems + tuple(extra),
        checksum=checksum(data), size=file.size, mtime=file.mtime_ns,
    )
    return note, stat_deps(root, attached), []


@dataclass
class BuildLog:
    """What parsing the stream of notes found, filled in while Whoosh consumes it."""

    problems: list[Problem] = field(default_factory=list)  # of files that gave no note
    note_problems: list[Problem] = field(default_factory=list)  # stored with their notes
    deps: dict[str, dict[str, list[int]]] = field(default_factory=dict)


def read_and_build(root: Path, file: NoteFile, ctx: NotebookContext
                   ) -> tuple[Problem | None, Note | None, dict[str, list[int]], list[Problem]]:
    """One file of a full build: (why it cannot be read, or None; its note or None; the note's
    attached files; the problems of what it skipped)."""
    data, problem = read_file(root, file)
    if problem:
        return problem, None, {}, []
    note, deps, skipped = build_note(root, file, data, ctx)  # type: ignore[arg-type]
    return None, note, deps, skipped


def collect_notes(results: Iterable[tuple[Problem | None, Note | None, dict[str, list[int]], list[Problem]]],
                  total: int, log: BuildLog, progress: Callable[[str, int, int], None] | None) -> Iterator[Note]:
    """The notes among `results` (`read_and_build`'s, in file order, `total` of them), with what they
    hold besides notes put into `log` and the progress reported."""
    for i, (problem, note, deps, skipped) in enumerate(results):
        if problem:
            log.problems.append(problem)
            continue
        log.problems += skipped
        if note is not None:
            log.deps[str(note.path)] = deps
            log.note_problems += note.problems
            yield note
        if progress and (i % 20 == 0 or i + 1 == total):
            progress("index", i + 1, total)
    if progress:
        # Whoosh now sorts and writes the last batch, the longest step of a build (seconds for the
        # shipped notes), which reports no progress of its own: name it, so the bar does not look stuck.
        progress("write", 0, 0)


def parse_stream(root: Path, files: list[NoteFile], ctx: NotebookContext, log: BuildLog,
                 progress: Callable[[str, int, int], None] | None) -> Iterator[Note]:
    """Parse files one at a time, for a full build (which never holds every note in memory); what
    they hold besides notes goes into `log`."""
    return collect_notes((read_and_build(root, file, ctx) for file in files), len(files), log, progress)
