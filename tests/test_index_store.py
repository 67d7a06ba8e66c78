"""kb.index.store and kb.index.schema: notes in and out of a real SQLite file, and the queries the
checks and the core use."""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath

import pytest

from kb.index import store, store_checks
from kb.index.schema import SCHEMA_VERSION, connect_readonly, open_store
from kb.models import Link, Note, PaperMeta, Problem, Snippet


def note(path: str, title: str, **kw) -> Note:
    return Note(path=PurePosixPath(path), title=title, kind=kw.pop("kind", "chapter"), body="body", **kw)


@pytest.fixture
def db(tmp_path: Path):
    db = open_store(tmp_path / "kb.sqlite")
    yield db
    db.conn.close()


def test_schema_is_migrated_once_and_versioned(tmp_path: Path, db) -> None:
    assert store.meta_value(db.conn, "schema_version") == str(SCHEMA_VERSION)
    names = [r[0] for r in db.conn.execute("SELECT name FROM _kb_migrations")]
    db.conn.close()
    again = open_store(tmp_path / "kb.sqlite")  # opening again applies nothing new
    assert [r[0] for r in again.conn.execute("SELECT name FROM _kb_migrations")] == names
    again.conn.close()


def test_notes_round_trip_with_links_snippets_and_problems(db) -> None:
    paper = note("papers/[1]a.md", "A", kind="paper", tags=("cnn", "Residual"), aliases=("RA",), status="read",
                 paper=PaperMeta("A paper", ("X Y",), 2016, "CVPR", "1512.03385"),
                 links=(Link("./b.md", "B", 3, "markdown", False), Link("https://arxiv.org/abs/1", "x", 4, "markdown", True, "1")),
                 snippets=(Snippet("papers/[1]a.md", 0, "python", 5, "print(1)"),),
                 problems=(Problem("papers/[1]a.md", 2, "unknown-key", "huh"),))
    with store.transaction(db):
        store.upsert_notes(db, [paper, note("b.md", "B")], fresh=True)
    got = store.get_note(db.conn, "papers/[1]a.md")
    assert (got.title, got.tags, got.aliases, got.status, got.paper) == (
        "A", ("cnn", "Residual"), ("RA",), "read", PaperMeta("A paper", ("X Y",), 2016, "CVPR", "1512.03385"))
    assert [link.target for link in got.links] == ["./b.md", "https://arxiv.org/abs/1"]
    assert [s.id for s in got.snippets] == ["papers/[1]a.md#0"]
    assert [p.kind for p in got.problems] == ["unknown-key"]
    assert [(t.tag, t.count) for t in store.tag_counts(db.conn)] == [("cnn", 1), ("Residual", 1)]
    assert store.note_keys(db.conn, "paper") == [("papers/[1]a.md", "A", ["RA"])]


def test_links_resolution_backlinks_and_broken_links(db) -> None:
    a = note("a.md", "A", links=(Link("./b.md", "B", 3, "markdown", False), Link("./gone.md", "G", 4, "markdown", False)))
    with store.transaction(db):
        store.upsert_notes(db, [a, note("b.md", "B")], fresh=True)
        rows = store.internal_links(db.conn)
        store.set_link_resolution(db, [(row_id, "b.md" if link.target == "./b.md" else None) for row_id, _, link in rows])
    assert [(b.path, b.title, b.line) for b in store.backlinks(db.conn, "b.md")] == [("a.md", "A", 3)]
    assert store_checks.broken_links(db.conn) == [("a.md", "./gone.md", 4)]
    assert store_checks.broken_links(db.conn, only=["b.md"]) == []
    with store.transaction(db):
        store.delete_notes(db, ["b.md"])
    assert store.backlinks(db.conn, "b.md") == []
    assert [link.resolved for link in store.get_note(db.conn, "a.md").links] == [None, None]


def test_duplicate_titles_are_case_insensitive(db) -> None:
    with store.transaction(db):
        store.upsert_notes(db, [note("a.md", "ResNet"), note("b.md", "resnet"), note("c.md", "VGG")], fresh=True)
    assert sorted(store_checks.duplicate_titles(db.conn)) == [("a.md", "ResNet"), ("b.md", "resnet")]
    assert store_checks.duplicate_titles(db.conn, only=["c.md"]) == [("c.md", "VGG")]


def test_readonly_connections_cannot_write(tmp_path: Path, db) -> None:
    conn = connect_readonly(tmp_path / "kb.sqlite")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM notes")
    finally:
        conn.close()
