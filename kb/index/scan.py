"""Find the notes of a notebook and what the notebook says about itself (authors, chapter labels)."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kb.layout import PAPERS_DIRS, is_note_file
from kb.models import Problem

if TYPE_CHECKING:
    from kb.index.parse import NotebookContext

SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


class NoteFile(NamedTuple):
    """A note file on disk, as the change detector sees it.

    A named tuple, not a dataclass: every `kb index` makes one per note, and a tuple is made in a
    third of the time (10k of them are part of a no-op's budget)."""

    path: str  # relative to notes/, with / separators
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Chapter:
    """A top-level folder of the notebook."""

    folder: str
    label: str
    position: float | None


def _skip_dir(name: str) -> bool:
    # Docusaurus treats `_`-prefixed files and folders as partials, not pages.
    return name.startswith((".", "_")) or name in SKIPPED_DIRS


def scan_notes(root: Path) -> tuple[list[NoteFile], list[Problem]]:
    """Every Markdown note under `root`, sorted by path; unreadable entries become problems.

    os.scandir with plain strings: this runs on every `kb index`, and for 10k notes pathlib objects
    cost more than the walk itself. Folder symlinks are not followed, so a symlink loop cannot trap it.
    Listing the folders is cheap; the stat of every note (its size and mtime, which no folder listing
    gives) is most of a no-op `kb index`. So each note is stat-ed by name relative to its open folder:
    the kernel does not walk the whole path again for each (half the time of a full path).
    """
    problems: list[Problem] = []
    folders: list[tuple[str, str, list[str]]] = []  # (absolute folder, relative prefix, note file names)
    stack = [("", str(root))]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", 1, "unreadable", f"cannot read folder: {exc.strerror}", "error"))
            continue
        prefix = f"{rel_dir}/" if rel_dir else ""
        names = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skip_dir(name):
                        stack.append((prefix + name, entry.path))
                    continue
            except OSError:
                continue
            # is_note_file, with the common case (`x.md`) first: this line runs for every file.
            if (name.endswith(".md") and not name.startswith((".", "_"))) or is_note_file(name):
                names.append(name)
        if names:
            folders.append((abs_dir, prefix, names))
    found, unreadable = _stat_notes(folders)
    problems += [Problem(rel, 1, "unreadable", f"cannot read file: {reason}", "error") for rel, reason in unreadable]
    found.sort()
    return found, problems


def _stat_notes(folders: list[tuple[str, str, list[str]]]) -> tuple[list[NoteFile], list[tuple[str, str]]]:
    """NoteFiles of the regular files named in `folders` (symlinks followed), and (path, reason) of
    those that cannot be stat-ed.

    Threads were tried (stat releases the GIL): on this 2-core machine they helped only while other
    processes kept it busy, and cost ~15% when it was idle."""
    found: list[NoteFile] = []
    unreadable: list[tuple[str, str]] = []
    is_reg = stat.S_ISREG
    for abs_dir, prefix, names in folders:
        try:
            fd = os.open(abs_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:  # gone or closed since it was listed
            unreadable += [(prefix + name, str(exc.strerror)) for name in names]
            continue
        try:
            for name in names:
                try:
                    st = os.stat(name, dir_fd=fd)
                except OSError as exc:
                    unreadable.append((prefix + name, str(exc.strerror)))
                    continue
                if is_reg(st.st_mode):
                    found.append(NoteFile(prefix + name, st.st_size, st.st_mtime_ns))
        finally:
            os.close(fd)
    return found, unreadable


def _yaml_load(text: str) -> object:
    """YAML through libyaml's loader where PyYAML has it (several times faster); imported here, not at
    the top, so that a no-op `kb index` never imports PyYAML."""
    import yaml  # noqa: PLC0415

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders


def _read_yaml_or_json(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return _yaml_load(text)


def load_chapters(root: Path) -> tuple[dict[str, Chapter], list[Problem]]:
    """Top-level folders with their `_category_.yml`/`.json` label and position."""
    import yaml  # noqa: PLC0415 - see _yaml_load

    chapters: dict[str, Chapter] = {}
    problems: list[Problem] = []
    try:
        entries = sorted(p for p in root.iterdir() if p.is_dir() and not _skip_dir(p.name))
    except OSError:
        return chapters, problems
    for folder in entries:
        label, position = folder.name, None
        for name in ("_category_.yml", "_category_.yaml", "_category_.json"):
            meta_path = folder / name
            if not meta_path.is_file():
                continue
            try:
                data = _read_yaml_or_json(meta_path)
            except (OSError, ValueError, yaml.YAMLError) as exc:
                problems.append(Problem(f"{folder.name}/{name}", 1, "bad-yaml", f"cannot read chapter label: {exc}".splitlines()[0], "error"))
                break
            if isinstance(data, dict):
                label = str(data.get("label") or folder.name)
                pos = data.get("position")
                position = float(pos) if isinstance(pos, (int, float)) and not isinstance(pos, bool) else None
            break
        chapters[folder.name] = Chapter(folder.name, label, position)
    return chapters, problems


def load_authors(root: Path) -> dict[str, str]:
    """Author id → display name, from `authors.yml` at the top or in `blog/` (Docusaurus)."""
    import yaml  # noqa: PLC0415 - see _yaml_load

    authors: dict[str, str] = {}
    for candidate in (root / "authors.yml", *(root / d / "authors.yml" for d in PAPERS_DIRS)):
        if not candidate.is_file():
            continue
        try:
            data = _yaml_load(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, dict) and value.get("name"):
                    authors.setdefault(str(key), str(value["name"]))
                elif isinstance(value, str):
                    authors.setdefault(str(key), value)
    return authors


def load_context(root: Path) -> tuple[NotebookContext, dict[str, Chapter], list[Problem]]:
    """Everything about the notebook that parsing a single note needs."""
    from kb.index.parse import NotebookContext  # noqa: PLC0415 - the parser, only when notes are parsed

    chapters, problems = load_chapters(root)
    ctx = NotebookContext(
        authors=load_authors(root),
        chapter_labels={k: c.label for k, c in chapters.items()},
    )
    return ctx, chapters, problems


def load_vocabulary(root: Path) -> dict[str, str] | None:
    """The controlled tag vocabulary (`tags.yml`), lower-cased, or None when the notebook has none."""
    import yaml  # noqa: PLC0415 - see _yaml_load

    path = root / "tags.yml"
    if not path.is_file():
        return None
    try:
        data = _yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(k).casefold(): str(v) for k, v in data.items()}
