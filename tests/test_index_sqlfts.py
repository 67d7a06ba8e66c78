"""`notes_search`, the SQLite FTS5 table that finds Chinese: the split, the query expression, and the
table kept in step with the notes through full builds, incremental updates and removals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import write

from kb.config import Paths
from kb.index.generations import current_generation
from kb.index.indexer import index_notebook
from kb.index.sqlfts import search_expression, split_cjk


def test_split_cjk_writes_bigrams_and_the_last_character():
    assert split_cjk("残差网络").split() == ["残差", "差网", "网络", "络"]
    assert split_cjk("用 SE模块 提升").split() == ["用", "SE", "模块", "块", "提升", "升"]
    assert split_cjk("ResNet-50 works") == "ResNet-50 works"
    assert split_cjk("") == ""


@pytest.mark.parametrize(("query", "expression"), [
    ("残差", '"残差"'),
    ("残差网络", '"残差 差网 网络"'),
    ("残", '"残"*'),
    ("resnet", '"resnet"'),
    ("SE模块", '"SE" "模块"'),
    ('"batch normalization" 残差', '"batch normalization" "残差"'),
    ('"unbalanced', '"unbalanced"'),
    ("NOT OR AND *", '"NOT" "OR" "AND"'),  # operators are words, never syntax
    ("", ""),
])
def test_search_expression(query: str, expression: str):
    assert search_expression(query) == expression


@pytest.fixture
def indexed(tmp_path: Path) -> Paths:
    notes = tmp_path / "notes"
    write(notes, "a.md", "---\ntitle: 残差网络\ntags: [residual]\n---\n残差网络用跳跃连接。ResNet-50 works.\n")
    write(notes, "b.md", "# 注意力\n\n通道注意力机制，残差在这里也出现：残\n")
    write(notes, "c.md", "---\ntitle: Plain English\naliases: [批量归一化]\n---\nbatch normalization helps\n")
    write(notes, "d.md", "```python\n# 计算残差\nx = 1\n```\n")
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    return paths


def found(paths: Paths, query: str) -> set[str]:
    conn = sqlite3.connect(current_generation(paths.index).db_path)
    try:
        return {r[0] for r in conn.execute(
            "SELECT path FROM notes WHERE rowid IN (SELECT rowid FROM notes_search WHERE notes_search MATCH ?)",
            (search_expression(query),))}
    finally:
        conn.close()


def test_chinese_and_english_are_found_in_every_field(indexed: Paths):
    assert found(indexed, "残差") == {"a.md", "b.md", "d.md"}  # body, text, and code
    assert found(indexed, "残差网络") == {"a.md"}
    assert found(indexed, "残") == {"a.md", "b.md", "d.md"}
    assert found(indexed, "注意力机制") == {"b.md"}
    assert found(indexed, "批量归一化") == {"c.md"}  # an alias
    assert found(indexed, "resnet") == found(indexed, "ResNet-50") == {"a.md"}
    assert found(indexed, "residual") == {"a.md"}  # a tag
    assert found(indexed, "网络用跳") == {"a.md"}
    assert found(indexed, "络用跳网") == set()


def test_the_table_follows_edits_and_removals(indexed: Paths):
    (indexed.notes / "a.md").write_text("# 换了\n\n全新的内容 transformer\n", encoding="utf-8")
    (indexed.notes / "b.md").unlink()
    stats = index_notebook(indexed)
    assert (stats.changed, stats.removed) == (1, 1)
    assert found(indexed, "残差") == {"d.md"}
    assert found(indexed, "全新") == found(indexed, "transformer") == {"a.md"}
    write(indexed.notes, "b.md", "残差 again\n")
    index_notebook(indexed)
    assert found(indexed, "残差") == {"b.md", "d.md"}
    conn = sqlite3.connect(current_generation(indexed.index).db_path)
    try:
        conn.execute("INSERT INTO notes_search(notes_search) VALUES ('integrity-check')")
        # Every row of the table is a note (the rowids match), and every note has its row.
        rowids = {r[0] for r in conn.execute("SELECT rowid FROM notes")}
        docs = {r[0] for r in conn.execute("SELECT id FROM notes_search_docsize")}
        assert rowids == docs
    finally:
        conn.close()
