"""The SQLite file's schema, its migrations, and opening it for reading or writing.

sqlite-utils creates and migrates the schema (named migrations, recorded in `_kb_migrations`);
everyday reads and writes are plain `sqlite3` on the same file (`kb.index.store`), because importing
sqlite-utils costs ~50 ms that a search or a one-note update should not pay.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

SCHEMA_VERSION = 3  # an index with another version is rebuilt (kb.index.health)


def _m001_initial(db: Store) -> None:
    db["notes"].create(
        {
            # Change detection reads these for every note on every `kb index`: they come first, so that
            # SQLite finds them without walking the overflow pages of the long text columns.
            "path": str, "checksum": str, "size": int, "mtime_ns": int, "deps": str,
            "title": str, "kind": str, "chapter": str, "chapter_label": str, "ord": float,
            "status": str, "tldr": str, "added": str, "authors": str, "aliases": str, "tags": str,
            "headings": str, "paper_title": str, "paper_authors": str, "year": int, "venue": str,
            "arxiv": str, "doi": str, "url": str, "body": str, "body_line": int, "text": str, "code": str,
            "meta": str, "indexed_at": float,
        },
        pk="path",
    )
    db["tags"].create({"tag": str, "name": str}, pk="tag")
    db["note_tags"].create(
        {"path": str, "tag": str, "position": int}, pk=("path", "tag"),
        foreign_keys=[("path", "notes", "path"), ("tag", "tags", "tag")],
    )
    db["links"].create(
        {"id": int, "source": str, "target": str, "label": str, "line": int, "style": str,
         "external": int, "arxiv_id": str, "resolved": str},
        pk="id", foreign_keys=[("source", "notes", "path")],
    )
    db["snippets"].create(
        {"id": str, "path": str, "idx": int, "language": str, "start_line": int, "code": str,
         "source": str, "info": str},
        pk="id", foreign_keys=[("path", "notes", "path")],
    )
    db["snippet_runs"].create(
        {"snippet_id": str, "code_checksum": str, "fingerprint": str, "status": str, "reason": str,
         "mismatches": str, "duration": float, "output": str, "ran_at": float},
        pk="snippet_id",
    )
    db["problems"].create(
        {"id": int, "path": str, "line": int, "kind": str, "message": str, "severity": str}, pk="id",
    )
    # Changes made to SQLite but not yet to Whoosh; replayed by the next `kb index` (crash safety).
    db["fulltext_pending"].create({"path": str, "op": str}, pk="path")
    db["kb_meta"].create({"key": str, "value": str}, pk="key")
    for table, cols in (("note_tags", ["tag"]), ("links", ["source"]), ("links", ["resolved"]),
                        ("links", ["arxiv_id"]), ("snippets", ["path"]), ("problems", ["path"]),
                        ("notes", ["arxiv"])):
        db[table].create_index(cols, if_not_exists=True)
    # FTS5 so the database is useful in Datasette as it is; kb itself searches with Whoosh.
    # unicode61, not trigram: trigram tripled the time of a full build, and it cannot match the
    # two-character Chinese words people search for anyway. Chinese search is Whoosh's job.
    db["notes"].enable_fts(["title", "aliases", "tags", "text"], create_triggers=True)


def _m002_outside_readers(db: Store) -> None:
    # For Datasette and other readers of the file (issue 14): tag descriptions, foreign keys for every
    # reference, and an FTS table that finds Chinese. Existing indexes are rebuilt rather than
    # migrated (SCHEMA_VERSION), since tag descriptions come from tags.yml; this still migrates one
    # correctly, as the tests check.
    from kb.index import sqlfts  # noqa: PLC0415 - only when the schema changes

    db["tags"].add_column("description", str)
    # `links.resolved` held the path of a linked image or file too; a foreign key to notes needs those
    # in a column of their own.
    db["links"].add_column("asset", str)
    db.execute("UPDATE links SET asset = resolved, resolved = NULL WHERE style IN ('image', 'asset')")
    # `problems.path` may be a file that gave no note (unreadable, a chapter's _category_.yml):
    # `problems.note` is the path when it is a note.
    db["problems"].add_column("note", str)
    db.execute("UPDATE problems SET note = path WHERE path IN (SELECT path FROM notes)")
    db["links"].transform(add_foreign_keys=[("resolved", "notes", "path")])
    db["problems"].transform(add_foreign_keys=[("note", "notes", "path")])
    db["problems"].create_index(["note"], if_not_exists=True)
    db["links"].create_index(["resolved"], if_not_exists=True)
    # A run outlives its snippet's row while the note is re-indexed (its snippets are deleted and
    # inserted again in one transaction), so this key is checked at commit (DEFERRABLE, which
    # sqlite-utils cannot declare); runs whose snippet is gone are deleted in that transaction.
    db.execute("DELETE FROM snippet_runs WHERE snippet_id NOT IN (SELECT id FROM snippets)")
    db.execute("ALTER TABLE snippet_runs RENAME TO snippet_runs_m001")
    db.execute(
        "CREATE TABLE snippet_runs (snippet_id TEXT PRIMARY KEY REFERENCES snippets(id) DEFERRABLE INITIALLY "
        "DEFERRED, code_checksum TEXT, fingerprint TEXT, status TEXT, reason TEXT, mismatches TEXT, "
        "duration FLOAT, output TEXT, ran_at FLOAT)")
    db.execute("INSERT INTO snippet_runs SELECT snippet_id, code_checksum, fingerprint, status, reason, "
               "mismatches, duration, output, ran_at FROM snippet_runs_m001")
    db.execute("DROP TABLE snippet_runs_m001")
    # The unicode61 table over the raw text could not find Chinese; notes_search replaces it.
    db["notes"].disable_fts()
    sqlfts.create_table(db.conn)


def _m003_field_lines(db: Store) -> None:
    # The line of each front-matter key, so that the checks over the whole notebook (unknown tags,
    # duplicate citation keys) name the line of the field, not the front matter's first line.
    db["notes"].add_column("field_lines", str)
    # The long text last: SQLite reaches a column stored after them through the row's overflow pages,
    # so listing notes (which reads `meta` and `body_line`) read every note's text (at 10k notes,
    # 106 ms warm for the list columns, 54 ms without those two). The rowids, which the contentless
    # `notes_search` table is keyed by, are kept.
    text = ("body", "text", "code")
    columns = [c.name for c in db["notes"].columns]
    db["notes"].transform(column_order=[c for c in columns if c not in text] + list(text))


MIGRATIONS: list[tuple[str, Callable[[Any], None]]] = [
    ("m001_initial", _m001_initial), ("m002_outside_readers", _m002_outside_readers),
    ("m003_field_lines", _m003_field_lines),
]


class Store:
    """A write connection to the store.

    The schema is created and migrated through sqlite-utils; everyday writes are plain SQL on the same
    file, so that `kb index` after editing one note does not pay ~50 ms to import sqlite-utils.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn


def _needs_migration(conn: sqlite3.Connection) -> bool:
    try:
        done = {r[0] for r in conn.execute("SELECT name FROM _kb_migrations")}
    except sqlite3.OperationalError:  # no such table: a new store
        return True
    return any(name not in done for name, _ in MIGRATIONS)


def open_store(path: Path) -> Store:
    """Open (creating and migrating as needed) the SQLite store at `path` for writing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = wal")
    if _needs_migration(conn):
        from sqlite_utils import Database  # noqa: PLC0415 - slow import, only to change the schema

        migrate(Database(conn))
    return Store(conn)


def migrate(db: Database) -> list[str]:
    """Apply, in order, every migration not yet recorded in `_kb_migrations`; return their names."""
    db["_kb_migrations"].create({"name": str, "applied_at": float}, pk="name", if_not_exists=True)
    done = {row["name"] for row in db["_kb_migrations"].rows}
    applied = []
    for name, func in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            func(db)
            db["_kb_migrations"].insert({"name": name, "applied_at": time.time()})
            db["kb_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
        applied.append(name)
    return applied


def readonly_uri(path: Path, *, immutable: bool = False) -> str:
    """The SQLite URI that opens `path` read-only (`immutable`: without WAL side files or locks)."""
    return Path(os.path.abspath(path)).as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for reading, without the cost of importing sqlite-utils.

    It never writes the database. The store is in WAL mode, and even a read-only connection needs the
    `-wal` and `-shm` files beside it, which SQLite creates when they are missing (the last writer
    deletes them): in a folder this process cannot write, that fails ("attempt to write a readonly
    database", "unable to open database file"). Then the file is opened immutable: no side files, no
    locks, and changes still in a leftover `-wal` file are not seen. This process cannot be writing
    that folder, so the only risk is another user who can, updating the index incrementally at the same
    moment (a rebuild writes a new generation and is safe): the read may then fail or miss that update.
    """
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the WAL, if it can
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.parent, os.W_OK) or not os.access(path, os.R_OK):
            raise
        conn = sqlite3.connect(readonly_uri(path, immutable=True), uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def upsert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[dict[str, Any]], pk: str, *,
                replace: bool = True) -> None:
    """Insert rows (all with the same keys), updating those whose `pk` exists when `replace`."""
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
    if replace:
        sql += f" ON CONFLICT({pk}) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in cols if c != pk)
    conn.executemany(sql, [tuple(row[c] for c in cols) for row in rows])
