"""The file manifest: size, mtime and attached files of every indexed note, in one file beside the store.

A no-op `kb index` compares the notes folder with what was indexed. Reading that from SQLite means
walking the `notes` table, whose rows are long (each note's text), so 10k rows cost more than stat-ing
the files; the same facts as one marshal file load in a few milliseconds.

SQLite stays the truth. The manifest is used only when the token it was written with is the token in
`kb_meta`; the indexer sets a new token in the same transaction that changes notes and writes the
manifest after that commits, and every write of a note in `kb.index.store` deletes the token. So a run
killed in between, or a writer that does not know about the manifest, leaves a manifest that is not
used (the next run reads SQLite and writes a new one), never one that hides a change.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

from kb.index.diff import Stored

MANIFEST_NAME = "files.manifest"
TOKEN_KEY = "files_token"  # noqa: S105 - a key in kb_meta, not a secret
_FORMAT = 1


def new_token() -> str:
    """A fresh token naming one state of the store."""
    return os.urandom(8).hex()


def read_manifest(folder: Path, token: str | None) -> Stored | None:
    """What the store holds, from the manifest in the generation `folder`, or None when there is none,
    it is unreadable, or it was written for another state of the store than `token`."""
    if not token:
        return None
    try:
        # One read, then marshal: `marshal.load` on a file reads it a few bytes at a time (100x slower).
        # marshal builds values and never runs code; the file is kb's own, in the index folder.
        data = marshal.loads((folder / MANIFEST_NAME).read_bytes())  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(data, tuple) and len(data) == 3 and data[0] == _FORMAT and data[1] == token
            and isinstance(data[2], dict)):
        return None
    return data[2]


def write_manifest(folder: Path, token: str, stored: Stored) -> None:
    """Write the manifest for the store state `token` (atomically: a reader sees the old file or this one)."""
    tmp = folder / f"{MANIFEST_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(marshal.dumps((_FORMAT, token, stored)))
        os.replace(tmp, folder / MANIFEST_NAME)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def stored_after(stored: Stored, removed: list[str], touched: list[tuple[str, int, int]],
                 written: list[tuple[str, int, int, dict[str, list[int]]]]) -> Stored:
    """What the store holds once an update is applied: `removed` paths, `touched` (path, size, mtime)
    with the same content, and `written` (path, size, mtime, attached files) notes."""
    after = dict(stored)
    for path in removed:
        after.pop(path, None)
    for path, size, mtime in touched:
        after[path] = (size, mtime, stored[path][2])
    for path, size, mtime, deps in written:
        after[path] = (size, mtime, deps)
    return after
