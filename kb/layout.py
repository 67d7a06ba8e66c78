"""The conventions of a notebook's files, in one place: which files are notes, what `[N]` means,
which folders hold paper notes, and the reading statuses.

Pure and import-light: the models, every pipeline stage and the front ends use these rules.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

NOTE_SUFFIXES = (".md", ".mdx", ".markdown")
STATUSES = ("to-read", "reading", "read")
KINDS = ("paper", "chapter", "page")
# Paper notes live in `papers/` (kb's layout) or `blog/` (a Docusaurus site) at the top of the notebook.
PAPERS_DIRS = ("papers", "blog")
# A note's front matter starts on its second line, after the opening `---`: a problem with the front
# matter as a whole, or with a field whose own line is not known, is reported there.
FRONT_MATTER_LINE = 2

# `[7]Deep-Residual-Learning.md`: the number orders a note inside its folder (Docusaurus convention).
_ORDER_PREFIX = re.compile(r"^\[(\d+(?:\.\d+)?)\]\s*")


def is_note_file(name: str) -> bool:
    """True for a Markdown file name kb reads as a note (partials starting with `_` or `.` are not)."""
    return not name.startswith((".", "_")) and name.lower().endswith(NOTE_SUFFIXES)


def order_prefix(name: str) -> float | None:
    """The `[N]` number a file name starts with, if any."""
    match = _ORDER_PREFIX.match(name)
    return float(match.group(1)) if match else None


def note_number(path: PurePosixPath | str) -> int | None:
    """The whole `[N]` number of a note's file name (paper notes are numbered 1, 2, 3, …)."""
    number = order_prefix(PurePosixPath(path).name)
    return int(number) if number is not None and number == int(number) else None


def strip_note_suffix(name: str) -> str:
    """A file name without its Markdown extension."""
    lower = name.lower()
    for suffix in NOTE_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def strip_order_prefix(name: str) -> str:
    """A file name without its `[N]` prefix."""
    return _ORDER_PREFIX.sub("", name)


def slug_of(path: PurePosixPath | str) -> str:
    """File name without extension and without its `[N]` prefix."""
    return strip_order_prefix(strip_note_suffix(PurePosixPath(path).name)).strip()


def in_papers_folder(path: PurePosixPath) -> bool:
    """True when a notebook-relative note path sits in a papers folder (`papers/…`, `blog/…`)."""
    return len(path.parts) > 1 and path.parts[0] in PAPERS_DIRS


def reading_status(kind: str, status: str | None) -> str | None:
    """A note's reading status as lists and filters count it: a paper note without one has not been
    read yet (`to-read`); other notes have none."""
    return status or ("to-read" if kind == "paper" else None)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts `ch2` before `ch10` (numbers by value, the rest case-insensitively)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in re.split(r"(\d+)", text))
