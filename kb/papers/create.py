"""Creating a paper note: the next free `[N]`, claimed exclusively, filled from the template.

    path = create_paper_note(notes_dir / "papers", paper, today=date.today(), tags=("resnet",),
                             template=load_template(notes_dir), notes=existing_notes)

Duplicate detection lives in `kb.papers.fields`; `kb.Notebook.add_note` runs the whole use case
under the index's writer lock, so that two `kb add-note` of the same paper cannot both pass the
duplicate check.
"""

from __future__ import annotations

import datetime
import os
import random
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from kb.errors import NoteExistsError, TemplateError
from kb.layout import is_note_file, note_number
from kb.models import Note, PaperMeta
from kb.papers.fields import check_duplicate
from kb.papers.templates import DEFAULT_PAPER_TEMPLATE, render_note, slugify

TEMPLATE_PATH = Path("_templates") / "paper.md"
_MAX_ATTEMPTS = 1000


def _numbers_in(folder: Path) -> dict[str, int]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return {}
    found = {}
    for name in names:
        number = note_number(name)
        if number is not None and is_note_file(name):
            found[name] = number
    return found


def next_number(folder: Path) -> int:
    """1 + the largest `[N]` file-name prefix among the folder's Markdown files (1 if none)."""
    return max(_numbers_in(folder).values(), default=0) + 1


def create_note_file(folder: Path, title: str, text: str) -> Path:
    """Create `folder/[N]slug.md` holding `text` (UTF-8), with N the next free number.

    The file is created exclusively (O_CREAT|O_EXCL), so nothing is ever overwritten. Two
    processes that pick the same N with different slugs both succeed at O_EXCL, but each then
    sees the other's file; both remove their own (still empty) file and try again after a random
    pause, so numbers are never shared (under contention a number may be skipped). No lock file
    is involved, so a crashed process leaves nothing stale behind.
    Raises NoteExistsError if no number could be claimed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    slug = slugify(title)
    data = text.encode("utf-8")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    for attempt in range(_MAX_ATTEMPTS):
        number = next_number(folder)
        path = folder / f"[{number}]{slug}.md"
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue  # someone created this very name since we listed the folder
        rivals = [n for n, num in _numbers_in(folder).items() if num == number and n != path.name]
        if rivals:
            # Another process claimed the same number under another slug. Back off; the
            # random pause lets one of two simultaneous claimers win the next round.
            os.close(fd)
            os.unlink(path)
            time.sleep(random.uniform(  # noqa: S311 - back-off jitter, not cryptography
                0, 0.002 * min(attempt + 1, 50)))
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:  # a full disk, Ctrl-C: no half-written note is left behind
            path.unlink(missing_ok=True)
            raise
        return path
    raise NoteExistsError(str(folder), "could not claim a free note number", hint="try again")


def load_template(notes_dir: Path) -> str:
    """The notebook's paper template (`notes/_templates/paper.md`), else DEFAULT_PAPER_TEMPLATE."""
    path = notes_dir / TEMPLATE_PATH
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return DEFAULT_PAPER_TEMPLATE
    except UnicodeDecodeError as e:
        raise TemplateError(f"{TEMPLATE_PATH.as_posix()}: the template is not UTF-8 ({e.reason})") from None


def create_paper_note(
    folder: Path,
    paper: PaperMeta,
    *,
    today: datetime.date,
    tags: Sequence[str] = (),
    status: str | None = None,
    template: str = DEFAULT_PAPER_TEMPLATE,
    notes: Iterable[Note] = (),
    force: bool = False,
    note_authors: Sequence[str] = (),
) -> Path:
    """Refuse a duplicate of one of `notes` (unless `force`), render the note, create its file.

    Returns the new file's path. Raises DuplicatePaperError, TemplateError (no title, bad status).
    """
    if not force:
        check_duplicate(paper, notes)
    text = render_note(template, paper, today, tags=tags, status=status, note_authors=note_authors)
    return create_note_file(folder, paper.title or "", text)

