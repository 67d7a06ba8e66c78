"""Find the notes of a notebook and what the notebook says about itself (authors, chapter labels)."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.index.parse import NotebookContext
from kb.layout import PAPERS_DIRS, is_note_file
from kb.models import Problem

SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A note file on disk, as the change detector sees it."""

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
    """
    found: list[NoteFile] = []
    problems: list[Problem] = []
    stack = [("", str(root))]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", 1, "unreadable", f"cannot read folder: {exc.strerror}", "error"))
            continue
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skip_dir(name):
                        stack.append((rel, entry.path))
                    continue
            except OSError:
                continue
            if not is_note_file(name):
                continue
            try:
                st = entry.stat()  # follows a symlinked file
            except OSError as exc:
                problems.append(Problem(rel, 1, "unreadable", f"cannot read file: {exc.strerror}", "error"))
                continue
            if stat.S_ISREG(st.st_mode):
                found.append(NoteFile(rel, st.st_size, st.st_mtime_ns))
    found.sort(key=lambda f: f.path)
    return found, problems


def _read_yaml_or_json(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.safe_load(text)


def load_chapters(root: Path) -> tuple[dict[str, Chapter], list[Problem]]:
    """Top-level folders with their `_category_.yml`/`.json` label and position."""
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
    authors: dict[str, str] = {}
    for candidate in (root / "authors.yml", *(root / d / "authors.yml" for d in PAPERS_DIRS)):
        if not candidate.is_file():
            continue
        try:
            data = yaml.safe_load(candidate.read_text(encoding="utf-8"))
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
    chapters, problems = load_chapters(root)
    ctx = NotebookContext(
        authors=load_authors(root),
        chapter_labels={k: c.label for k, c in chapters.items()},
    )
    return ctx, chapters, problems


def load_vocabulary(root: Path) -> dict[str, str] | None:
    """The controlled tag vocabulary (`tags.yml`), lower-cased, or None when the notebook has none."""
    path = root / "tags.yml"
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    return {str(k).casefold(): str(v) for k, v in data.items()}
