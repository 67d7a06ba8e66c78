"""Indexing real files into a real SQLite store and a real Whoosh index in tmp_path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write

from kb.config import Paths
from kb.index import store
from kb.index.generations import current_generation
from kb.index.indexer import check_consistency, index_notebook
from kb.index.schema import connect_readonly
from kb.notebook import Notebook


def kinds(stats):
    return sorted({p.kind for p in stats.problems})


def test_full_then_noop_then_incremental(paths: Paths):
    first = index_notebook(paths)
    assert first.added == 6 and first.rebuilt
    second = index_notebook(paths)
    assert (second.added, second.changed, second.removed, second.unchanged) == (0, 0, 0, 6)
    write(paths.notes, "new.md", "# New One\n\nfresh words\n")
    (paths.notes / "hr-in-body.md").write_text("---\ntitle: Changed\n---\nnew body\n", encoding="utf-8")
    (paths.notes / "unicode.md").unlink()
    third = index_notebook(paths)
    assert (third.added, third.changed, third.removed, third.unchanged) == (1, 1, 1, 4)
    titles = {str(n.path): n.title for n in Notebook(paths).notes(full=True)}
    assert titles["hr-in-body.md"] == "Changed" and "unicode.md" not in titles and titles["new.md"] == "New One"
    assert check_consistency(paths) == (set(), set())
    assert [h.path for h in Notebook(paths).search("fresh").hits] == ["new.md"]
    assert Notebook(paths).search("残差网络").hits == () or all(h.path != "unicode.md" for h in Notebook(paths).search("残差网络").hits)


def test_touch_without_change_is_unchanged(paths: Paths):
    index_notebook(paths)
    os.utime(paths.notes / "valid.md", (time.time() + 10, time.time() + 10))
    stats = index_notebook(paths)
    assert (stats.changed, stats.unchanged) == (0, 6)


def test_changed_snippet_file_reindexes_its_note(paths: Paths):
    index_notebook(paths)
    code = paths.notes / "code" / "tiny.py"
    code.write_text("# expect: answer = 43\nprint('answer = 43')\n", encoding="utf-8")
    os.utime(code, (time.time() + 5, time.time() + 5))
    stats = index_notebook(paths)
    assert stats.changed == 1
    note = Notebook(paths).show("With Snippets").note
    assert any("answer = 43" in s.code for s in note.snippets)


def test_links_resolve_and_backlinks(paths: Paths):
    index_notebook(paths)
    valid = Notebook(paths).show("valid.md")
    links = {link.target: link.resolved for link in valid.note.links if not link.external}
    assert links == {"./[1]LeNet": None, "No Front Matter": "no-front-matter.md"}
    assert [b.path for b in valid.backlinks] == ["no-front-matter.md"]
    # Adding the missing note fixes the broken link without touching the linking note.
    write(paths.notes, "[1]LeNet.md", "# LeNet\n")
    index_notebook(paths)
    assert {link.target: link.resolved for link in Notebook(paths).show("valid.md").note.links if not link.external}["./[1]LeNet"] == "[1]LeNet.md"


def test_bad_inputs_are_problems_not_crashes(paths: Paths):
    notes = paths.notes
    write(notes, "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00rest")
    write(notes, "latin1.md", b"# Caf\xe9\n\nline two \xff\n")
    write(notes, "empty.md", "")
    write(notes, "dup1.md", "# Same Title\n")
    write(notes, "dup2.md", "# Same Title\n")
    write(notes, "name with spaces [3] 中文.md", "# Spaces And 中文\n")
    write(notes, "crlf.md", "\ufeff---\r\ntitle: Crlf\r\ntags: a, b\r\nsidebar_position: 0\r\n---  \r\nbody\r\n")
    write(notes, "tab.md", "#\tTab\tHeading\n")
    (notes / "loop").mkdir()
    os.symlink("..", notes / "loop" / "up")  # a folder symlink loop
    os.symlink("does-not-exist.md", notes / "dangling.md")
    stats = index_notebook(paths)
    found = {(p.path, p.kind) for p in Notebook(paths).problems()}
    assert ("binary.md", "not-text") in found
    assert ("latin1.md", "not-utf8") in found
    assert ("empty.md", "empty") in found
    assert ("dup1.md", "duplicate-title") in found and ("dup2.md", "duplicate-title") in found
    assert ("bad-yaml.md", "bad-yaml") in found
    assert ("dangling.md", "unreadable") in found
    assert {"not-text", "not-utf8", "unreadable", "bad-yaml"} <= set(kinds(stats))
    titles = {str(n.path): n for n in Notebook(paths).notes(full=True)}
    assert "binary.md" not in titles
    assert titles["latin1.md"].title == "Caf\ufffd"
    assert titles["crlf.md"].order == 0.0 and titles["crlf.md"].tags == ("a", "b")
    assert titles["tab.md"].title == "Tab Heading"
    assert titles["name with spaces [3] 中文.md"].title == "Spaces And 中文"
    assert check_consistency(paths) == (set(), set())


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(paths: Paths):
    target = write(paths.notes, "secret.md", "# Secret\n")
    target.chmod(0)
    try:
        stats = index_notebook(paths)
    finally:
        target.chmod(0o644)
    assert ("secret.md", "unreadable") in {(p.path, p.kind) for p in stats.problems}


def test_big_note(paths: Paths):
    paragraph = "ResNet 残差 residual learning makes very deep networks trainable. " * 20 + "\n\n"
    write(paths.notes, "big.md", "# Big\n\n" + paragraph * (5_000_000 // len(paragraph)))
    assert (paths.notes / "big.md").stat().st_size >= 4_900_000
    index_notebook(paths)
    assert "big.md" in [h.path for h in Notebook(paths).search("residual", limit=20).hits]


def test_rebuild_swaps_generation(paths: Paths):
    index_notebook(paths)
    old = current_generation(paths.index)
    index_notebook(paths, rebuild=True)
    new = current_generation(paths.index)
    # The replaced generation stays for searches that opened it before the swap, until the next one.
    assert new.folder != old.folder and old.folder.exists()
    assert len(Notebook(paths).notes(full=True)) == 6
    index_notebook(paths, rebuild=True)
    assert not old.folder.exists() and new.folder.exists()
    assert len(list(paths.index.glob("gen-*"))) == 2


def test_toc_orders_chapters_and_notes(tmp_path: Path):
    notes = tmp_path / "notes"
    write(notes, "b/_category_.yml", "label: 第二章\nposition: 2\n")
    write(notes, "a/_category_.json", '{"label": "第一章", "position": 1}')
    write(notes, "b/[2]second.md", "# B2\n")
    write(notes, "b/[10]tenth.md", "# B10\n")
    write(notes, "b/zero.md", "---\ntitle: B0\nsidebar_position: 0\n---\n")
    write(notes, "a/[1]one.md", "# A1\n")
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    chapters = Notebook(paths).toc()
    assert [c.label for c in chapters] == ["第一章", "第二章"]
    assert [t for _, t in chapters[1].notes] == ["B0", "B2", "B10"]


def test_docusaurus_layout(tmp_path: Path):
    site = tmp_path / "notes"
    write(site, "blog/authors.yml", "akasaki:\n  name: Akasaki\n  url: https://example.com\n")
    write(site, "blog/[01]Deep-Residual.md", "---\ntitle: Deep Residual\nauthors: [akasaki]\ntags: [cnn]\n---\n\n正文\n")
    write(site, "docs/ch1/[1]intro.mdx", "import X from '@site/x';\n\n# 引言\n\n:::tip\n提示\n:::\n")
    write(site, "node_modules/pkg/readme.md", "# Should Be Skipped\n")
    write(site, ".hidden/x.md", "# Hidden\n")
    write(site, "docs/ch1/picture.png", b"\x89PNG")
    paths = Paths(site, tmp_path / "index")
    stats = index_notebook(paths)
    assert stats.added == 2
    notes = {str(n.path): n for n in Notebook(paths).notes(full=True)}
    assert notes["blog/[01]Deep-Residual.md"].kind == "paper"
    assert notes["blog/[01]Deep-Residual.md"].authors == ("Akasaki",)
    assert notes["docs/ch1/[1]intro.mdx"].title == "引言"


KILLER = """
import sys
from kb.config import Paths
from kb.index.indexer import index_notebook
from pathlib import Path
index_notebook(Paths(Path(sys.argv[1]), Path(sys.argv[2])), rebuild=sys.argv[3] == "1")
"""


@pytest.mark.slow
@pytest.mark.parametrize("rebuild", ["0", "1"])
def test_kill_during_index_then_reindex_is_consistent(tmp_path: Path, rebuild: str):
    notes = tmp_path / "notes"
    for i in range(400):
        write(notes, f"ch/[{i}]n{i}.md", f"---\ntitle: Note {i}\ntags: [t{i % 7}]\n---\n\n" + f"word{i} 残差网络 residual " * 300)
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    for i in range(0, 400, 3):
        (notes / f"ch/[{i}]n{i}.md").write_text(f"# Changed {i}\n\nchanged{i}\n", encoding="utf-8")
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, str(notes), str(paths.index), rebuild])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert check_consistency(paths) == (set(), set()) or current_generation(paths.index) is not None
    index_notebook(paths)
    assert check_consistency(paths) == (set(), set())
    notes_now = {str(n.path): n.title for n in Notebook(paths).notes()}
    assert len(notes_now) == 400
    assert notes_now["ch/[3]n3.md"] == "Changed 3"
    assert [h.path for h in Notebook(paths).search("changed3").hits] == ["ch/[3]n3.md"]
    assert index_notebook(paths).changed == 0


@pytest.mark.slow
def test_search_answers_while_rebuilding(tmp_path: Path):
    notes = tmp_path / "notes"
    for i in range(600):
        write(notes, f"[{i}]n{i}.md", f"# Note {i}\n\n" + f"alpha{i} beta 残差 " * 400)
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(notes), str(paths.index), "1"])
    answered = 0
    try:
        while proc.poll() is None:
            result = Notebook(paths).search("alpha5")
            assert [h.path for h in result.hits] == ["[5]n5.md"]
            answered += 1
    finally:
        proc.wait()
    assert proc.returncode == 0 and answered > 0
    assert check_consistency(paths) == (set(), set())


def test_store_schema(paths: Paths):
    index_notebook(paths)
    gen = current_generation(paths.index)
    conn = connect_readonly(gen.db_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"notes", "tags", "note_tags", "links", "snippets", "problems", "_kb_migrations", "notes_search"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    fts = conn.execute("SELECT path FROM notes WHERE rowid IN (SELECT rowid FROM notes_search WHERE notes_search MATCH ?)", ("residual",)).fetchall()
    assert {r[0] for r in fts} == {"valid.md"}
    assert {t.tag: t.count for t in store.tag_counts(conn)}["cnn"] == 1


def test_changed_chapter_label_reindexes(tmp_path: Path):
    notes = tmp_path / "notes"
    write(notes, "a/_category_.yml", "label: Old Label\nposition: 1\n")
    write(notes, "a/[1]one.md", "# One\n")
    paths = Paths(notes, tmp_path / "index")
    index_notebook(paths)
    assert index_notebook(paths).rebuilt is False
    label = notes / "a" / "_category_.yml"
    label.write_text("label: New Label\nposition: 1\n", encoding="utf-8")
    os.utime(label, (time.time() + 5, time.time() + 5))
    assert index_notebook(paths).rebuilt
    assert Notebook(paths).notes(full=True)[0].chapter_label == "New Label"


def test_problems_of_unchanged_notes_survive_an_edit(paths: Paths):
    index_notebook(paths)
    before = {(p.path, p.kind) for p in Notebook(paths).problems()}
    assert ("valid.md", "broken-link") in before
    (paths.notes / "hr-in-body.md").write_text("---\ntitle: Rule In Body\n---\n\n[gone](./missing.md)\n", encoding="utf-8")
    index_notebook(paths)
    after = {(p.path, p.kind) for p in Notebook(paths).problems()}
    assert after == before | {("hr-in-body.md", "broken-link")}
    write(paths.notes, "missing.md", "# Missing No More\n")
    index_notebook(paths)
    assert ("hr-in-body.md", "broken-link") not in {(p.path, p.kind) for p in Notebook(paths).problems()}


def test_duplicate_title_problem_survives_editing_the_body(paths: Paths):
    write(paths.notes, "dup1.md", "# Same Title\n")
    write(paths.notes, "dup2.md", "# Same Title\n")
    index_notebook(paths)
    (paths.notes / "dup1.md").write_text("# Same Title\n\nnew body\n", encoding="utf-8")
    index_notebook(paths)
    found = [(p.path, p.kind) for p in Notebook(paths).problems() if p.kind == "duplicate-title"]
    assert sorted(found) == [("dup1.md", "duplicate-title"), ("dup2.md", "duplicate-title")]
    (paths.notes / "dup1.md").write_text("# Other Title\n", encoding="utf-8")
    index_notebook(paths)
    assert [p for p in Notebook(paths).problems() if p.kind == "duplicate-title"] == []


def test_images_and_files_are_checked_as_assets(tmp_path: Path):
    """Links to files that are not notes are assets: kept, resolved when the file exists, reported
    as missing-asset otherwise, and never as broken links to notes (issue 13; issue 11)."""
    notes = tmp_path / "notes"
    (notes / "ch" / "img").mkdir(parents=True)
    (notes / "ch" / "img" / "here.svg").write_text("<svg/>", encoding="utf-8")
    (notes / "ch" / "a.md").write_text(
        "# A\n\n![exists](./img/here.svg)\n\n![gone](./img/gone.png \"t\")\n\n"
        "[the pdf](../papers/x.pdf) and [notebook](demo.ipynb#cell) and [B](./b.md)\n\n"
        "```python\nprint(tensor([[0.99, -0.99]]))  # [[True]]\n```\n", encoding="utf-8")
    (notes / "ch" / "b.md").write_text("# B\n\n![escape](../../etc/passwd.png)\n", encoding="utf-8")
    paths = Paths(notes, tmp_path / "index")
    stats = index_notebook(paths)
    found = sorted((p.path, p.line, p.kind) for p in stats.problems)
    assert found == [("ch/a.md", 5, "missing-asset"), ("ch/a.md", 7, "missing-asset"),
                     ("ch/a.md", 7, "missing-asset"), ("ch/b.md", 3, "missing-asset")]
    links = {link.target: link for link in Notebook(paths).show("ch/a.md").note.links}
    assert links["./img/here.svg"].style == "image" and links["./img/here.svg"].resolved == "ch/img/here.svg"
    assert links["../papers/x.pdf"].style == "asset" and links["../papers/x.pdf"].resolved is None
    assert links["./b.md"].style == "markdown" and links["./b.md"].resolved == "ch/b.md"
    (notes / "ch" / "img" / "gone.png").write_bytes(b"\x89PNG")
    (notes / "ch" / "a.md").write_text((notes / "ch" / "a.md").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    index_notebook(paths)
    assert [(p.path, p.line) for p in Notebook(paths).problems() if p.kind == "missing-asset"] == [
        ("ch/a.md", 7), ("ch/a.md", 7), ("ch/b.md", 3)]
