"""kb.Notebook, the application core: each use case on a real notebook in tmp_path, through the
Python API (the CLI tests check the same through `kb`)."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import Filters, Notebook, PaperMeta
from kb.cli import cli
from kb.errors import AmbiguousNote, DuplicatePaperError, FrontMatterError, NoteExistsError, NoteNotFound
from tests.conftest import write

PAPER = """---
title: Deep Residual Learning for Image Recognition
kind: paper
tags: [residual]
status: to-read
aliases: [ResNet, RN]
paper: {title: Deep Residual Learning for Image Recognition, arxiv: "1512.03385", year: 2016}
---
Residual blocks learn $F(x) + x$. See [the chapter](../ch/[1]resnet.md).
"""
CHAPTER = """---
title: 残差网络
tags: [residual]
aliases: [ResNet, RN]
---
# 残差网络

残差连接让深层网络可以训练。

```python
# kb-snippet: tiny
# expect: x = 2
print("x = 2")
```
"""


@pytest.fixture
def nb(tmp_path: Path) -> Notebook:
    notes = tmp_path / "notes"
    write(notes, "papers/[1]Deep-Residual-Learning.md", PAPER)
    write(notes, "ch/[1]resnet.md", CHAPTER)
    write(notes, "ch/_category_.yml", "label: 第二章下\nposition: 2\n")
    write(notes, "papers/_category_.yml", "label: 无尽模式\nposition: 3\n")
    write(notes, "flow.md", "---\n{title: Flow, kind: paper, status: to-read}\n---\nbody\n")
    return Notebook.open(notes, tmp_path / "index")


def test_reads_build_the_index_and_answer(nb: Notebook) -> None:
    result = nb.search("残差")
    assert [h.path for h in result.hits][0] == "ch/[1]resnet.md"
    assert nb.search("resnt").corrected == "resnet"
    assert sorted(h.path for h in nb.search("", filters=Filters(kinds=("paper",))).hits) == [
        "flow.md", "papers/[1]Deep-Residual-Learning.md"]  # filters alone
    assert [h.path for h in nb.search("residual", filters=Filters(kinds=("chapter",))).hits] == ["ch/[1]resnet.md"]
    assert [c.label for c in nb.toc()] == ["(top level)", "第二章下", "无尽模式"]
    assert {t.tag: t.count for t in nb.tags()} == {"residual": 2}
    view = nb.show("papers/[1]Deep-Residual-Learning")
    assert view.note.paper.arxiv == "1512.03385"
    assert [b.path for b in view.backlinks] == []
    assert [b.path for b in nb.show("残差网络").backlinks] == ["papers/[1]Deep-Residual-Learning.md"]


def test_note_arguments_resolve_by_path_title_slug_alias(nb: Notebook) -> None:
    assert str(nb.note("Deep Residual Learning for Image Recognition").path) == "papers/[1]Deep-Residual-Learning.md"
    assert str(nb.note("ResNet").path) == "ch/[1]resnet.md"  # the slug beats the aliases
    with pytest.raises(AmbiguousNote):
        nb.note("RN")
    with pytest.raises(NoteNotFound):
        nb.note("nothing like this")


def test_json_shapes_are_the_cli_shapes(nb: Notebook) -> None:
    """The CLI prints the models' to_dict(): same keys, same values (an object also gets the
    command's `notices`, here none)."""
    runner = CliRunner()
    args = ["--notes", str(nb.paths.notes), "--index", str(nb.paths.index)]
    shown = json.loads(runner.invoke(cli, [*args, "show", "ch/[1]resnet.md", "--json"], catch_exceptions=False).stdout)
    assert shown.pop("notices") == []
    assert shown == nb.show("ch/[1]resnet.md").to_dict()
    toc = json.loads(runner.invoke(cli, [*args, "toc", "--json"], catch_exceptions=False).stdout)
    assert toc == [c.to_dict() for c in nb.toc()]
    found = json.loads(runner.invoke(cli, [*args, "search", "残差", "--json"], catch_exceptions=False).stdout)
    assert found == {**nb.search("残差").to_dict(), "offset": 0, "notices": []}


def test_mark_changes_only_the_status_line_of_a_paper_note(nb: Notebook) -> None:
    file = nb.paths.notes / "papers/[1]Deep-Residual-Learning.md"
    before = file.read_text(encoding="utf-8")
    assert nb.mark("ResNet", "read") == ("papers/[1]Deep-Residual-Learning.md", True)  # the paper, not the chapter
    assert file.read_text(encoding="utf-8") == before.replace("status: to-read", "status: read")
    assert nb.mark("ResNet", "read") == ("papers/[1]Deep-Residual-Learning.md", False)
    assert nb.note("papers/[1]Deep-Residual-Learning.md").status == "read"
    with pytest.raises(NoteNotFound, match="not a paper note"):
        nb.mark("残差网络", "read")


def test_mark_refuses_flow_style_front_matter_and_keeps_the_file(nb: Notebook) -> None:
    file = nb.paths.notes / "flow.md"
    before = file.read_bytes()
    with pytest.raises(FrontMatterError, match="flow-style"):
        nb.mark("flow.md", "read")
    assert file.read_bytes() == before


def test_add_note_refuses_a_duplicate_and_indexes_the_new_note(nb: Notebook) -> None:
    with pytest.raises(DuplicatePaperError):
        nb.add_note(PaperMeta(title="Something", arxiv="1512.03385"))
    added = nb.add_note(PaperMeta(title="Mask R-CNN", arxiv="1703.06870", year=2017), tags="detection, segmentation",
                        status="reading", today=datetime.date(2026, 11, 29))
    assert added.path == "papers/[2]Mask-R-CNN.md" and added.number == 2 and added.problems == ()
    note = nb.note("Mask R-CNN")
    assert note.tags == ("detection", "segmentation") and note.status == "reading" and note.added == "2026-11-29"
    assert [h.path for h in nb.search("Mask R-CNN").hits][0] == "papers/[2]Mask-R-CNN.md"


def test_check_and_problems(nb: Notebook) -> None:
    assert nb.check() == []
    write(nb.paths.notes, "ch/[2]broken.md", "# Broken\n\n[gone](./nowhere.md)\n")
    assert nb.problems() == []  # recorded by the last index: not updated yet
    assert [(p.path, p.kind) for p in nb.check()] == [("ch/[2]broken.md", "broken-link")]


def test_snippets_list_check_and_export(nb: Notebook, tmp_path: Path) -> None:
    infos = nb.snippets("残差网络")
    assert [(i.snippet.id, i.runnable) for i in infos] == [("ch/[1]resnet.md#0", True)]
    results = nb.check_snippets()
    assert [(r.snippet.id, r.status, r.cached) for r in results] == [("ch/[1]resnet.md#0", "pass", False)]
    assert [r.cached for r in nb.check_snippets()] == [True]
    assert nb.snippets()[0].last_status == "pass"
    out = tmp_path / "tiny.py"
    nb.export_snippet("残差网络#0", out)
    assert out.read_text(encoding="utf-8").endswith('print("x = 2")\n')
    with pytest.raises(NoteExistsError):
        nb.export_snippet("残差网络#0", out)


def test_reading_list_writes_its_output_once(nb: Notebook, tmp_path: Path) -> None:
    out = tmp_path / "list.md"
    text = nb.reading_list(output=out)
    assert out.read_text(encoding="utf-8") == text and "Deep Residual Learning" in text
    with pytest.raises(NoteExistsError):
        nb.reading_list(output=out)
    assert nb.reading_list(fmt="json", status="read") == "[]\n"


def test_notes_without_text_keep_every_field_but_body_text_and_code(nb: Notebook) -> None:
    full, light = nb.notes(full=True), nb.notes(full=True, text=False)
    assert [n.path for n in light] == [n.path for n in full] and any(n.body and n.text for n in full)
    for a, b in zip(full, light):
        assert (b.body, b.text, b.code) == ("", "", "")
        assert dataclasses.replace(a, body="", text="", code="") == b
        assert (b.meta, b.field_lines) == (a.meta, a.field_lines)  # not compared by ==
