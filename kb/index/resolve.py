"""Resolving the stored links of some notes (or all) against the notes and files of the notebook."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from kb.index import store
from kb.index.schema import Store


def resolve_links(db: Store, root: Path, sources: list[str] | None) -> None:
    """Resolve internal links to notes, and links to files (images, PDFs) to the files that exist."""
    from kb.index.links import ASSET_STYLES, LinkTargets, asset_path, resolve_link  # noqa: PLC0415

    rows = store.internal_links(db.conn, sources)
    if not rows:
        return
    if any(link.style == "wiki" for _, _, link in rows):
        targets = LinkTargets(store.note_keys(db.conn))
    elif sources is not None:
        # A few notes' links: look up only the folders they can lead to, not every note's file name.
        folders = _link_folders(rows)
        targets = LinkTargets((path, "", ()) for path in store.note_paths(db.conn)
                              if path.rpartition("/")[0] in folders)
    else:
        targets = LinkTargets((path, "", ()) for path in store.note_paths(db.conn))
    resolutions = []
    for row_id, src, link in rows:
        if link.style in ASSET_STYLES:
            path = asset_path(link, PurePosixPath(src))
            resolutions.append((row_id, path if path is not None and (root / path).is_file() else None))
        else:
            resolutions.append((row_id, resolve_link(link, PurePosixPath(src), targets)))
    store.set_link_resolution(db, resolutions)


class _FolderProbe:
    """Stands in for `LinkTargets` while path links are resolved, to learn which folders the lookups
    read: a candidate's own folder, and the candidate itself when it names a folder (its index note)."""

    def __init__(self) -> None:
        self.folders: set[str] = set()

    def by_path(self, candidate: str) -> None:
        from kb.layout import strip_note_suffix  # noqa: PLC0415

        stem = strip_note_suffix(candidate.strip("/"))
        self.folders.add(stem.rpartition("/")[0])
        self.folders.add(stem)


def _link_folders(rows) -> set[str]:
    """The folders `LinkTargets` would look into to resolve these (non-wiki) links."""
    from kb.index.links import ASSET_STYLES, resolve_link  # noqa: PLC0415

    probe = _FolderProbe()
    for _, src, link in rows:
        if link.style not in ASSET_STYLES:
            resolve_link(link, PurePosixPath(src), probe)  # type: ignore[arg-type]
    return probe.folders
