"""A notes folder kb may not write: `add-note`, `mark` and `export -o` fail with one line and change
nothing, never a traceback. The folder is really read-only (see the `read_only_kb` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import Paths
from kb.notebook import Notebook

pytestmark = pytest.mark.slow

HINT = "Hint: check that you may write that folder (and that the disk has room)"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error(result) -> str:
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1] == HINT, lines
    assert lines[0].startswith("Error: cannot write ") and lines[0].endswith("; nothing was changed")
    return lines[0]


@pytest.fixture
def notebook(kb_home: Path) -> Path:
    nb = Notebook(Paths(kb_home / "notes", kb_home / "index"))
    nb.add_note(nb.describe_paper("A Paper", offline=True)[0], status="to-read")
    return kb_home


def test_add_note_in_a_read_only_notes_folder(notebook, read_only_kb):
    before = _files(notebook / "notes")
    run = read_only_kb(notebook / "notes")
    line = _one_error(run("add-note", "Another Paper", "--no-edit", "--offline"))
    assert str(notebook / "notes" / "papers") in line
    assert _files(notebook / "notes") == before


def test_mark_in_a_read_only_notes_folder(notebook, read_only_kb):
    before = _files(notebook / "notes")
    run = read_only_kb(notebook / "notes")
    line = _one_error(run("mark", "A Paper", "read"))
    assert "[1]A-Paper.md" in line
    assert _files(notebook / "notes") == before


def test_export_to_a_read_only_folder(notebook, read_only_kb):
    out = notebook / "out"
    out.mkdir()
    run = read_only_kb(out)
    line = _one_error(run("export", "reading-list", "-o", str(out / "list.md")))
    assert line.startswith(f"Error: cannot write {out / 'list.md'}: ")
    assert not any(out.iterdir())
