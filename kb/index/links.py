"""Resolving links between notes: relative paths (with or without extension, `[N]` or `#anchor`),
Docusaurus routes and `[[wiki links]]` by title, alias or slug."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from urllib.parse import unquote

from kb.layout import strip_note_suffix, strip_order_prefix
from kb.models import Link

ASSET_STYLES = ("image", "asset")


def asset_path(link: Link, source: PurePosixPath) -> str | None:
    """The notebook-relative path a link to a file (an image, a PDF) names, or None when it leaves
    the notebook. `/x` is read from the notebook's top."""
    target = unquote(link.target.split("#", 1)[0].split("?", 1)[0])
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(str(source)), target)
    path = posixpath.normpath(joined)
    return None if path == ".." or path.startswith(("../", "/")) else path


def resolve_link(link: Link, source: PurePosixPath, lookup: LinkTargets) -> str | None:
    """The path of the note an internal link points to, or None when it resolves to no note
    (links to files that are not notes are resolved by `asset_path` and a look at the disk)."""
    if link.external or link.style in ASSET_STYLES:
        return None
    if link.style == "wiki":
        return lookup.by_name(link.target)
    target = link.target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return str(source) if link.target.startswith("#") else None
    target = unquote(target)
    if target.startswith("/"):
        candidates = [target.lstrip("/")]
        # Docusaurus routes: /docs/<chapter>/<slug>, /blog/<slug>
        parts = target.lstrip("/").split("/", 1)
        if len(parts) == 2 and parts[0] == "docs":
            candidates.append(parts[1])
    else:
        candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(str(source)), target))]
    for candidate in candidates:
        found = lookup.by_path(candidate)
        if found:
            return found
    return None


class LinkTargets:
    """Lookup tables for resolving links: by path (with or without extension or `[N]`), title, alias, slug.

    Per-folder tables are built on first use: a one-note update resolves a handful of links and
    should not pay for indexing ten thousand file names.
    """

    def __init__(self, notes: Iterable[tuple[str, str, Sequence[str]]]):
        """`notes` holds (path, title, aliases) for every note; title and aliases may be empty when
        no wiki link needs resolving."""
        self._paths: set[str] = set()
        self._folders: dict[str, list[str]] = {}
        self._folder_tables: dict[str, dict[str, str]] = {}
        self._names: dict[str, str] = {}
        named = []
        for path, title, aliases in notes:
            self._paths.add(path)
            folder, _, name = path.rpartition("/")
            self._folders.setdefault(folder, []).append(name)
            if title or aliases:
                named.append((path, title, aliases))
        for path, title, aliases in named:
            for key in (title, *aliases):
                if key:
                    self._names.setdefault(key.casefold().strip(), path)
        if named:  # slugs and file names count as names too, after titles and aliases
            for folder in self._folders:
                for key, path in self._folder_table(folder).items():
                    self._names.setdefault(key.casefold().rpartition("/")[2], path)

    def _folder_table(self, folder: str) -> dict[str, str]:
        """Stem → path and `[N]`-less stem → path for the notes of one folder (stems win)."""
        table = self._folder_tables.get(folder)
        if table is None:
            table = {}
            prefix = f"{folder}/" if folder else ""
            names = sorted(self._folders.get(folder, ()))
            for name in names:
                table.setdefault(prefix + strip_note_suffix(name), prefix + name)
            for name in names:
                stem = strip_note_suffix(name)
                table.setdefault(prefix + strip_order_prefix(stem), prefix + name)
                if stem.lower() in ("index", "readme") and folder:
                    table.setdefault(folder, prefix + name)
            self._folder_tables[folder] = table
        return table

    def by_path(self, candidate: str) -> str | None:
        """Resolve a notes-relative path, trying it as written, without extension and without `[N]`."""
        candidate = candidate.strip("/")
        if candidate in self._paths:
            return candidate
        stem = strip_note_suffix(candidate)
        folder = stem.rpartition("/")[0]
        found = self._folder_table(folder).get(stem)
        if found is None and stem in self._folders:  # a folder: its index or README note
            found = self._folder_table(stem).get(stem)
        return found

    def by_name(self, name: str) -> str | None:
        """Resolve a wiki-link target: a title, alias, slug or path."""
        name = name.split("#", 1)[0].strip()
        return self._names.get(name.casefold()) or self.by_path(name)

