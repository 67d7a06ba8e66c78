"""The schema outside readers see: foreign keys for every reference (kept valid through incremental
updates), tag descriptions from tags.yml, and the migration from the first schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import write

from kb.config import Paths
from kb.index import schema, store
from kb.index.generations import current_generation
from kb.index.indexer import index_notebook
from kb.index.schema import open_store
from kb.index.sqlfts import search_expression
from kb.notebook import Notebook

SNIPPET = "```python\n# kb-snippet: one\n# expect: x = 1\nprint('x = 1')\n```\n"


@pytest.fixture
def notebook(tmp_path: Path) -> Paths:
    notes = tmp_path / "notes"
    write(notes, "tags.yml", "cnn: 卷积网络\nunused: 没有笔记用它\n")
    write(notes, "ch/_category_.yml", "label: [unclosed\n")
    write(notes, "ch/a.md", "---\ntitle: A\ntags: [CNN, nope]\n---\nsee [B](b.md), ![fig](img/x.png), "
                            "![gone](img/none.png) and [missing](zzz.md)\n\n" + SNIPPET)
    write(notes, "ch/b.md", "# B\n\nback to [A](a.md)\n")
    write(notes, "ch/img/x.png", b"\x89PNG")
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    return paths


def connect(paths: Paths) -> sqlite3.Connection:
    return sqlite3.connect(current_generation(paths.index).db_path)


def foreign_keys(conn: sqlite3.Connection, table: str) -> set[tuple[str, str, str]]:
    return {(r[3], r[2], r[4]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")}


def test_every_reference_is_a_foreign_key_and_holds(notebook: Paths):
    conn = connect(notebook)
    assert ("resolved", "notes", "path") in foreign_keys(conn, "links")
    assert ("source", "notes", "path") in foreign_keys(conn, "links")
    assert foreign_keys(conn, "snippet_runs") == {("snippet_id", "snippets", "id")}
    assert foreign_keys(conn, "problems") == {("note", "notes", "path")}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    links = dict(conn.execute("SELECT target, COALESCE(resolved, '') || '|' || COALESCE(asset, '') FROM links"))
    assert links == {"b.md": "ch/b.md|", "a.md": "ch/a.md|", "img/x.png": "|ch/img/x.png", "img/none.png": "|", "zzz.md": "|"}
    problems = set(conn.execute("SELECT kind, path, note FROM problems"))
    assert ("bad-yaml", "ch/_category_.yml", None) in problems  # a file that is not a note
    assert {("broken-link", "ch/a.md", "ch/a.md"), ("missing-asset", "ch/a.md", "ch/a.md"),
            ("unknown-tag", "ch/a.md", "ch/a.md")} <= problems
    # What kb shows did not change with the new column: an existing image is a resolved link.
    view = Notebook(notebook).show("A")
    assert {(k.target, k.resolved) for k in view.note.links} >= {("img/x.png", "ch/img/x.png"), ("b.md", "ch/b.md")}


def test_tag_descriptions_come_from_tags_yml(notebook: Paths):
    conn = connect(notebook)
    assert set(conn.execute("SELECT tag, name, description FROM tags")) == {
        ("cnn", "CNN", "卷积网络"), ("unused", "unused", "没有笔记用它"), ("nope", "nope", None)}
    assert [(t.tag, t.count) for t in Notebook(notebook).tags()] == [("CNN", 1), ("nope", 1)]  # as before


def test_snippet_runs_survive_reindexing_and_go_with_their_snippet(notebook: Paths):
    nb = Notebook(notebook)
    (snippet,) = nb.snippets("A")
    with store.transaction(db := open_store(current_generation(notebook.index).db_path)):
        store.save_snippet_run(db, snippet.snippet.id, "sum", "fp", "pass", "", [], 0.1, "x = 1\n")
    db.conn.close()
    a = notebook.notes / "ch/a.md"
    a.write_text(a.read_text(encoding="utf-8").replace("see [B]", "now see [B]"), encoding="utf-8")
    assert index_notebook(notebook).changed == 1  # the note's snippets were deleted and inserted again
    conn = connect(notebook)
    assert [r[0] for r in conn.execute("SELECT snippet_id FROM snippet_runs")] == [snippet.snippet.id]
    a.write_text("# A\n\nno code any more\n", encoding="utf-8")
    index_notebook(notebook)
    assert conn.execute("SELECT count(*) FROM snippet_runs").fetchone()[0] == 0
    (notebook.notes / "ch/b.md").unlink()  # a link target removed: `resolved` is cleared, not dangling
    index_notebook(notebook)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_migration_from_the_first_schema_keeps_the_data(tmp_path: Path):
    from sqlite_utils import Database

    conn = sqlite3.connect(tmp_path / "kb.sqlite")
    db = Database(conn)
    first = schema.MIGRATIONS[:1]
    db["_kb_migrations"].create({"name": str, "applied_at": float}, pk="name")
    for name, func in first:  # the store as the first schema made it, with the data it wrote
        func(db)
        db["_kb_migrations"].insert({"name": name, "applied_at": 0.0})
    db["notes"].insert_all([{"path": "a.md", "title": "A", "text": "残差网络", "tags": "[]", "aliases": "[]"},
                            {"path": "b.md", "title": "B", "text": "plain", "tags": "[]", "aliases": "[]"}])
    db["links"].insert_all([{"source": "a.md", "target": "b.md", "style": "markdown", "resolved": "b.md"},
                            {"source": "a.md", "target": "x.png", "style": "image", "resolved": "x.png"}])
    db["problems"].insert_all([{"path": "a.md", "kind": "unknown-tag"}, {"path": "c.md", "kind": "unreadable"}])
    db["snippets"].insert({"id": "a.md#1", "path": "a.md"})
    db["snippet_runs"].insert_all([{"snippet_id": "a.md#1", "status": "pass"}, {"snippet_id": "gone.md#1"}])
    assert schema.migrate(db) == ["m002_outside_readers", "m003_field_lines"]
    assert set(conn.execute("SELECT target, resolved, asset FROM links")) == {
        ("b.md", "b.md", None), ("x.png", None, "x.png")}
    assert set(conn.execute("SELECT path, note FROM problems")) == {("a.md", "a.md"), ("c.md", None)}
    assert list(conn.execute("SELECT snippet_id, status FROM snippet_runs")) == [("a.md#1", "pass")]
    assert ("resolved", "notes", "path") in foreign_keys(conn, "links")
    assert foreign_keys(conn, "snippet_runs") == {("snippet_id", "snippets", "id")}
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'notes_fts'").fetchone() is None
    hits = conn.execute("SELECT rowid FROM notes_search WHERE notes_search MATCH ?", (search_expression("残差"),))
    assert [r[0] for r in hits] == [conn.execute("SELECT rowid FROM notes WHERE path = 'a.md'").fetchone()[0]]
    assert conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()[0] == "3"
    assert list(conn.execute("SELECT path, field_lines FROM notes ORDER BY path")) == [("a.md", None), ("b.md", None)]
    assert [c[1] for c in conn.execute("PRAGMA table_info(notes)")][-3:] == ["body", "text", "code"]  # the long text last
    conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_index_of_an_older_schema_is_rebuilt(notebook: Paths):
    conn = connect(notebook)
    with conn:
        conn.execute("UPDATE kb_meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()
    old = current_generation(notebook.index).folder
    nb = Notebook(notebook)
    nb.tags()  # a reading command finds it and rebuilds it under the writer lock
    assert current_generation(notebook.index).folder != old
    assert nb.repairs == ["Rebuilt the index for this version of kb (kb.sqlite was written by another version of kb "
                          "(schema 1, not 3))"]
