"""A Datasette plugin, installed with kb (entry point `datasette`): Chinese search, and rebuilds followed.

- **Search.** `notes_search` holds Chinese as two-character terms (`kb.index.sqlfts`). Datasette
  passes the search box's text through its SQL function `escape_fts`; for a kb index this plugin
  registers its own `escape_fts` on the connection, which splits Chinese the way the table was split,
  so `_search=残差网络` finds the notes holding 残差网络, and English words are escaped as Datasette
  escapes them.
- **Rebuilds.** Datasette opens a database file once and keeps its connections. `index/kb.sqlite`
  is a symlink that `kb index --rebuild` points at a new file, so before each request this plugin
  compares the file the path leads to with the one Datasette opened, and when they differ replaces
  the database with a freshly opened one under the same name. The connections to the old file are
  closed at the following replacement: by then the requests that used them have long finished
  (Datasette stops a query after a second by default), and kb keeps the old file until that rebuild.

Datasette imports this module only when it runs; kb never imports it.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from datasette import database as datasette_database
from datasette import hookimpl
from datasette.database import Database

from kb.index import sqlfts

# (Datasette instance, database name) -> (device, inode) of the file that database opened
_opened: dict[tuple[int, str], tuple[int, int]] = {}
_retired: list[Database] = []  # replaced databases, closed at the next replacement


def _is_kb_index(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (sqlfts.TABLE,)).fetchone() is not None
    except sqlite3.Error:
        return False


@hookimpl(trylast=True)  # after Datasette's own `escape_fts`, so that this one replaces it
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register the Chinese-aware `escape_fts` on connections to a kb index."""
    if _is_kb_index(conn):
        conn.create_function("escape_fts", 1, sqlfts.search_expression, deterministic=True)


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)  # follows the symlink
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _file_databases(datasette: Any) -> list[tuple[str, Database]]:
    return [(name, db) for name, db in datasette.databases.items()
            if db.path and db.is_mutable and not db.is_memory]


@hookimpl
def startup(datasette: Any) -> None:
    """Remember which file each database path leads to when Datasette starts."""
    for name, db in _file_databases(datasette):
        found = _file_id(db.path)
        if found:
            _opened[id(datasette), name] = found


class _ReopenedDatabase(Database):
    """A database opened again after a rebuild, under the name of the one it replaces.

    Datasette keeps each worker thread's connection in a thread-local slot named after the database,
    so a thread would go on using its connection to the old file. Before running a query, this one
    swaps such a connection (one it did not open) for a new one of its own, in that thread's slot.
    """

    async def execute_fn(self, fn):
        """Datasette's `execute_fn`, on a connection this database opened."""

        def own_connection(conn: sqlite3.Connection):
            if conn not in self._all_file_connections:
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                if self.ds.executor is not None:
                    setattr(datasette_database.connections, self.name, conn)
                else:
                    self._read_connection = conn
            return fn(conn)

        return await super().execute_fn(own_connection)


def reopen_swapped(datasette: Any) -> list[str]:
    """Reopen the databases whose path now leads to another file; returns their names."""
    reopened = []
    for name, db in _file_databases(datasette):
        found = _file_id(db.path)
        if found is None or found == _opened.setdefault((id(datasette), name), found):
            continue
        fresh = _ReopenedDatabase(datasette, path=db.path, is_mutable=True)
        datasette.remove_database(name)
        datasette.add_database(fresh, name=name, route=db.route)
        _opened[id(datasette), name] = found
        while _retired:
            _retired.pop().close()
        _retired.append(db)
        reopened.append(name)
    return reopened


@hookimpl
def asgi_wrapper(datasette: Any):
    """Check for a rebuilt index before each request (one `stat` per database file)."""

    def wrap(app):
        async def checked(scope, receive, send):
            if scope.get("type") == "http":
                reopen_swapped(datasette)
            await app(scope, receive, send)

        return checked

    return wrap
