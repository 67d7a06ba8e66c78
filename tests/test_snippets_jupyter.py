"""`kb snippets export NOTE --format ipynb`: a note's prose and Python snippets as a Jupyter notebook, in
document order, validated by nbformat; the slow test runs the shipped ResNet paper note's notebook in
a real ipykernel through nbclient."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import write

from kb.cli import cli
from kb.config import Paths
from kb.notebook import Notebook
from kb.snippets.jupyter import note_cells

ROOT = Path(__file__).resolve().parent.parent
RESNET_PAPER = "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md"

NOTE = """---
title: Mixed "cells" [1]
tags: [demo]
status: reading
paper: {title: A Paper, authors: [Ada Lovelace], year: 2020, venue: CVPR, arxiv: "2001.00001"}
snippets: [code/attached.py, code/helper.sh]
added: 2026-11-20
---
Intro with $y = F(x) + x$.

```python
a = 1
```

Between the blocks.

```bash
echo not python
```

~~~~py
b = a + 1
```
still code: a shorter or other fence does not close it
~~~~
## After

```python
# the last block is never closed
print(a + b)
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write(tmp_path / "notes", "papers/[1]Mixed.md", NOTE)
    write(tmp_path / "notes", "papers/code/attached.py", "print('attached')\n")
    write(tmp_path / "notes", "papers/code/helper.sh", "echo shell\n")
    return tmp_path


def kb(runner, home: Path, *args: str, code: int = 0):
    result = runner.invoke(cli, ["--notes", str(home / "notes"), "--index", str(home / "index"), *args])
    assert result.exit_code == code, (result.output, result.stderr, result.exception)
    return result


def test_cells_follow_the_document(home):
    nb = Notebook(Paths(home / "notes", home / "index"))
    cells = [(c.kind, c.source) for c in note_cells(nb.note("Mixed"))]
    assert cells[0][0] == "markdown" and cells[0][1].startswith('# Mixed "cells" [1]\n')
    assert "Ada Lovelace" in cells[0][1] and "2001.00001" in cells[0][1] and "CVPR, 2020" in cells[0][1]
    assert cells[1:] == [
        ("markdown", "Intro with $y = F(x) + x$."),
        ("code", "a = 1"),
        ("markdown", "Between the blocks.\n\n```bash\necho not python\n```"),  # not Python: stays prose
        ("code", "b = a + 1\n```\nstill code: a shorter or other fence does not close it"),
        ("markdown", "## After"),
        ("code", "# the last block is never closed\nprint(a + b)"),
        ("markdown", "Attached file `papers/code/attached.py`:"),
        ("code", "print('attached')"),
    ]


def test_export_writes_a_valid_v4_notebook(runner, home):
    out = home / "mixed.ipynb"
    result = kb(runner, home, "snippets", "export", "papers/[1]Mixed.md", "--format", "ipynb", "-o", str(out))
    assert result.stderr.strip() == f"wrote {out} (9 cells)"
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code", "markdown", "code", "markdown", "code",
                                              "markdown", "code"]
    assert nb.cells[2].source == "a = 1" and nb.cells[2].outputs == []
    assert nb.metadata.kernelspec.name == "python3" and nb.metadata.language_info.name == "python"
    assert nb.metadata.kb.path == "papers/[1]Mixed.md"
    front = nb.metadata.kb.front_matter
    assert front["status"] == "reading" and front["added"] == "2026-11-20"  # a YAML date, as text
    assert json.loads(out.read_text(encoding="utf-8"))["nbformat_minor"] >= 4


def test_export_refuses_to_overwrite_without_force(runner, home):
    out = home / "x.ipynb"
    out.write_text("mine", encoding="utf-8")
    result = kb(runner, home, "snippets", "export", "Mixed", "--format", "ipynb", "-o", str(out), code=1)
    assert result.stderr.splitlines() == [f"Error: {out}: already exists", "Hint: pass --force to overwrite it"]
    assert out.read_text(encoding="utf-8") == "mine"
    result = kb(runner, home, "snippets", "export", "Mixed", "--format", "ipynb", "-o", str(out), "--force", "--json")
    assert json.loads(result.stdout) == {"note": "Mixed", "output": str(out), "format": "ipynb", "cells": 9,
                                         "notices": []}
    nbformat.validate(nbformat.read(out, as_version=4))


def test_export_of_an_unknown_note_writes_nothing(runner, home):
    out = home / "x.ipynb"
    result = kb(runner, home, "snippets", "export", "Nope", "--format", "ipynb", "-o", str(out), code=1)
    assert result.stderr.startswith("Error: no note matches 'Nope'")
    assert not out.exists()


def test_without_nbformat_one_line_names_the_install_command(runner, home, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbformat", None)  # as if it were not installed: importing it fails
    out = home / "x.ipynb"
    result = kb(runner, home, "snippets", "export", "Mixed", "--format", "ipynb", "-o", str(out), code=1)
    assert result.stderr.splitlines() == [
        "Error: exporting a Jupyter notebook needs the nbformat package: pip install nbformat  "
        "(or: pip install 'kb[jupyter]')"]
    assert not out.exists()


def test_the_code_format_still_exports_one_snippet(runner, home):
    out = home / "a.py"
    kb(runner, home, "snippets", "export", "attached.py", "-o", str(out))
    assert out.read_text(encoding="utf-8") == "print('attached')\n"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the ResNet note's code needs torch")
def test_the_shipped_resnet_paper_note_runs_as_a_notebook(runner, tmp_path):
    from nbclient import NotebookClient

    shutil.copytree(ROOT / "notes", tmp_path / "notes")
    out = tmp_path / "resnet.ipynb"
    kb(runner, tmp_path, "snippets", "export", "Deep Residual Learning for Image Recognition", "--format", "ipynb",
       "-o", str(out))
    nb = nbformat.read(out, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "class BasicBlock" in code[0].source
    # One more cell, run in the same kernel, checks that the note's code did what it says.
    nb.cells.append(nbformat.v4.new_code_cell(
        "block = BasicBlock(64, 128, stride=2)\n"
        "print(tuple(block(torch.zeros(1, 64, 8, 8)).shape))"))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert outputs[-1].text.strip() == "(1, 128, 4, 4)"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the ResNet chapter's code needs torch")
def test_the_shipped_resnet_chapter_runs_top_to_bottom_with_its_attached_files(runner, tmp_path):
    """Cells share one kernel, so a later block may use an earlier one's names, and the attached
    files print what their `expect:` lines say."""
    from nbclient import NotebookClient

    shutil.copytree(ROOT / "notes", tmp_path / "notes")
    out = tmp_path / "resnet-chapter.ipynb"
    kb(runner, tmp_path, "snippets", "export", "ch2b/[5]ResNet.md", "--format", "ipynb", "-o", str(out))
    nb = nbformat.read(out, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    for line in ("params = 11689512", "params = 21797672", "params = 25557032", "output_shape = (1, 1000)"):
        assert line in printed
