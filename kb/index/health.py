"""Is the live generation readable? Cheap checks, run before the index is used.

`store_health` opens the SQLite file read-only and checks its header, its length against the page
count the header records, the schema version and the `notes` table. `fulltext_files_damage` looks at
the Whoosh folder's file names only (no Whoosh import, so an unchanged `kb index` stays fast): a table
of contents with a sane header, and the term and postings files of every segment. The deeper check
that reads Whoosh's table of contents is `kb.index.fulltext.fulltext_damage`, used where Whoosh is
imported anyway (searching, applying changes).

Each check returns None when the index looks whole, else one short reason for the user.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import NamedTuple

from kb.index.generations import Generation
from kb.index.schema import SCHEMA_VERSION, connect_readonly

_SQLITE_MAGIC = b"SQLite format 3\x00"
# A Whoosh TOC starts with the varints 4, 8, 4 (int, long and float sizes) and the int -12345.
_TOC_MAGIC = b"\x04\x08\x04\xff\xff\xcf\xc7"
_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")
_SEGMENT_FILE = re.compile(r"MAIN_([0-9a-z]+)\.(.+)")


# A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost to create (~0.1 ms against
# ~0.55 ms), which every cold `kb search` pays for each class it imports.
class StoreHealth(NamedTuple):
    """What the SQLite check found: a reason when damaged, else the note and pending counts."""

    damage: str | None = None
    notes: int = 0
    pending: int = 0


def store_health(db_path: Path) -> StoreHealth:
    """Check the SQLite store: header, length, schema version, `notes` table."""
    try:
        with open(db_path, "rb") as handle:
            header = handle.read(100)
        size = db_path.stat().st_size
    except OSError as exc:
        return StoreHealth(f"kb.sqlite cannot be read: {exc.strerror or exc}")
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return StoreHealth("kb.sqlite is not a SQLite database: empty, truncated or overwritten")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_size_valid = header[24:28] == header[92:96]  # the size field is valid only then
    wal = db_path.with_name(db_path.name + "-wal")
    if header_size_valid and pages and not wal.exists() and size < pages * page_size:
        return StoreHealth(f"kb.sqlite is truncated to {size} of {pages * page_size} bytes")
    try:
        conn = connect_readonly(db_path)
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreHealth()  # a writer holds it: busy, not damaged
        return StoreHealth(f"kb.sqlite cannot be opened: {exc}")
    try:
        row = conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return StoreHealth("kb.sqlite has no schema version")
        if row[0] != str(SCHEMA_VERSION):
            return StoreHealth(f"kb.sqlite was written by another version of kb (schema {row[0]}, not {SCHEMA_VERSION})")
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM fulltext_pending").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreHealth()  # a writer holds it: busy, not damaged
        return StoreHealth(f"kb.sqlite cannot be read: {exc}")
    finally:
        conn.close()
    return StoreHealth(None, notes, pending)


def fulltext_files_damage(folder: Path, notes: int) -> str | None:
    """Check the Whoosh folder by its file names: a table of contents, and whole segments."""
    try:
        names = os.listdir(folder)
    except OSError:
        return "the Whoosh index folder is missing"
    tocs = [(int(m.group(1)), name) for name in names if (m := _TOC_NAME.fullmatch(name))]
    if not tocs:
        return "the Whoosh index has no table of contents"
    try:
        with open(folder / max(tocs)[1], "rb") as handle:
            if handle.read(len(_TOC_MAGIC)) != _TOC_MAGIC:
                return "the Whoosh table of contents is garbled"
    except OSError as exc:
        return f"the Whoosh table of contents cannot be read: {exc.strerror or exc}"
    segments: dict[str, set[str]] = {}
    for name in names:
        m = _SEGMENT_FILE.fullmatch(name)
        if m:
            segments.setdefault(m.group(1), set()).add(m.group(2))
    for segid, exts in sorted(segments.items()):
        if "seg" not in exts and not {"trm", "pst"} <= exts:
            return f"Whoosh segment {segid} is missing files"
    if notes and not segments:
        return "the Whoosh index has no segment files"
    return None


def generation_damage(gen: Generation) -> tuple[str | None, StoreHealth]:
    """The cheap check of a whole generation: (reason or None, what the store check found)."""
    health = store_health(gen.db_path)
    if health.damage:
        return health.damage, health
    return fulltext_files_damage(gen.whoosh_path, health.notes), health


def index_damage(gen: Generation, *, fulltext: bool = False) -> str | None:
    """`generation_damage`, and with `fulltext` Whoosh's own table of contents read too (imports Whoosh)
    and its note count compared with SQLite's when no change is on its way to Whoosh."""
    reason, health = generation_damage(gen)
    if reason is None and fulltext:
        from kb.index.fulltext import fulltext_damage  # noqa: PLC0415 - imports Whoosh

        reason = fulltext_damage(gen.whoosh_path, None if health.pending else health.notes)
    return reason
