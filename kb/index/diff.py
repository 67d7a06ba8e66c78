"""What changed since the last `kb index`: a pure comparison of the files on disk with the store.

The cheap test comes first: a note whose size, mtime and attached files are as stored is unchanged
without being read. The others are candidates; reading them decides (`classify`) whether their
content really changed or they were only touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.index.scan import NoteFile

# path -> (size, mtime_ns, {attached file: [size, mtime_ns]}), as `kb.index.store.stored_files` gives it
Stored = dict[str, tuple[int, int, dict[str, list[int]]]]


@dataclass(frozen=True, slots=True)
class Diff:
    """Notes to read again, notes gone from disk, and how many need nothing."""

    candidates: tuple[NoteFile, ...]  # new, or size/mtime/attachments moved
    removed: tuple[str, ...]
    unchanged: int


def diff_files(on_disk: list[NoteFile], stored: Stored, attachments_now: dict[str, dict[str, list[int]]]) -> Diff:
    """Compare the scan with the store; `attachments_now` is the current stat of each stored note's
    attached files (as `stored` records them)."""
    # Runs over every note on every `kb index`: plain tuples and one dict lookup per note.
    present = set()
    candidates = []
    unchanged = 0
    get = stored.get
    for file in on_disk:
        path, size, mtime = file
        present.add(path)
        old = get(path)
        if old is not None and old[0] == size and old[1] == mtime and (not old[2] or attachments_now.get(path) == old[2]):
            unchanged += 1
        else:
            candidates.append(file)
    gone = stored.keys() - present
    removed = tuple(p for p in stored if p in gone) if gone else ()
    return Diff(tuple(candidates), removed, unchanged)


def classify(path: str, new_checksum: str, stored: Stored, stored_checksum: str | None,
             attachments_now: dict[str, list[int]]) -> str:
    """"added", "touched" (same content, new mtime) or "changed" for a candidate that was read."""
    old = stored.get(path)
    if old is None:
        return "added"
    if stored_checksum == new_checksum and attachments_now == old[2]:
        return "touched"
    return "changed"
