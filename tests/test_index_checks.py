"""The checks over the whole notebook name the line of the field they are about: an unknown tag
its note's `tags:` line, a duplicate citation key its `citekey:` line, also after an edit moves them."""

from __future__ import annotations

from pathlib import Path

from conftest import write

from kb.config import Paths
from kb.notebook import Notebook


def _problems(paths: Paths, kind: str) -> dict[str, int]:
    return {p.path: p.line for p in Notebook(paths).check() if p.kind == kind}


def test_an_unknown_tag_is_reported_at_the_tags_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "tags.yml", "cnn: 卷积网络\n")
    write(notes, "a.md", "---\ntitle: A\nstatus: read\naliases: [aa]\ntags:\n  - cnn\n  - resnt\n---\n\nBody.\n")
    write(notes, "b.md", "---\ntitle: B\ntags: [nope]\n---\n\nBody.\n")
    write(notes, "c.md", "# C\n\nNo front matter, no tags.\n")
    paths = Paths(notes, tmp_path / "index")
    assert _problems(paths, "unknown-tag") == {"a.md": 5, "b.md": 3}
    # An edit that moves the field moves the line the next check names (an incremental update).
    write(notes, "a.md", "---\ntitle: A\n# a comment line\n\nstatus: read\ntags: [resnt]\n---\n\nBody.\n")
    assert _problems(paths, "unknown-tag") == {"a.md": 6, "b.md": 3}


def test_a_duplicate_citekey_is_reported_at_its_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    paper = "paper:\n  title: {0}\n  authors: [Kaiming He]\n  year: 2016\n"
    write(notes, "papers/[1]A.md", "---\ntitle: A\nstatus: read\n" + paper.format("A") + "citekey: he2016deep\n---\n\nA.\n")
    write(notes, "papers/[2]B.md", "---\ntitle: B\ncitekey: He2016Deep\n" + paper.format("B") + "---\n\nB.\n")
    paths = Paths(notes, tmp_path / "index")
    assert _problems(paths, "duplicate-citekey") == {"papers/[1]A.md": 8, "papers/[2]B.md": 3}


def test_field_lines_survive_the_store(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "---\ntitle: A\npaper:\n  year: 2016\ntags: [x]\n---\n\nBody.\n")
    note = Notebook(Paths(notes, tmp_path / "index")).note("a.md")
    assert note.field_lines == {"title": 2, "paper": 3, "paper.year": 4, "tags": 5}
