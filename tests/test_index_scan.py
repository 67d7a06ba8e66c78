"""kb.index.scan: which files are notes, and what the notebook says about itself."""

from __future__ import annotations

import os
from pathlib import Path

from kb.index.scan import load_authors, load_chapters, load_vocabulary, scan_notes
from tests.conftest import write


def test_scan_finds_notes_and_skips_the_rest(tmp_path: Path) -> None:
    for rel in ("a.md", "ch/[1]b.mdx", "ch/c.markdown", "ch/_partial.md", ".hidden/x.md", "node_modules/y.md",
                "_templates/paper.md", "ch/code/z.py", "ch/img/i.svg", "ch/.draft.md"):
        write(tmp_path, rel, "# x\n")
    os.symlink(tmp_path / "ch", tmp_path / "ch" / "loop")  # a folder symlink is not followed
    files, problems = scan_notes(tmp_path)
    assert [f.path for f in files] == ["a.md", "ch/[1]b.mdx", "ch/c.markdown"]
    assert problems == [] and all(f.size == 4 and f.mtime_ns > 0 for f in files)


def test_chapters_labels_and_positions(tmp_path: Path) -> None:
    write(tmp_path, "ch1/_category_.yml", "label: 第一章\nposition: 2\n")
    write(tmp_path, "ch0/_category_.json", '{"label": "第零章", "position": 1}')
    write(tmp_path, "ch2/x.md", "# x\n")
    write(tmp_path, "bad/_category_.yml", "label: [unclosed\n")
    chapters, problems = load_chapters(tmp_path)
    assert {k: (c.label, c.position) for k, c in chapters.items()} == {
        "bad": ("bad", None), "ch0": ("第零章", 1.0), "ch1": ("第一章", 2.0), "ch2": ("ch2", None)}
    assert [(p.path, p.kind) for p in problems] == [("bad/_category_.yml", "bad-yaml")]


def test_authors_and_tag_vocabulary(tmp_path: Path) -> None:
    write(tmp_path, "authors.yml", "kb: {name: The kb notebook}\nme: Someone\n")
    write(tmp_path, "blog/authors.yml", "kb: {name: ignored, the top file wins}\nguest: {name: Guest}\n")
    assert load_authors(tmp_path) == {"kb": "The kb notebook", "me": "Someone", "guest": "Guest"}
    assert load_vocabulary(tmp_path) is None
    write(tmp_path, "tags.yml", "CNN: 卷积\nresidual: 残差\n")
    assert load_vocabulary(tmp_path) == {"cnn": "卷积", "residual": "残差"}
