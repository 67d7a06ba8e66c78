"""The kb command line, through click's CliRunner on a real notebook in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write

from kb.cli import cli


def run(runner, kb_home: Path, *args, ok=True):
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"), *args],
                           catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def test_index_summary_and_json(runner, kb_home):
    out = run(runner, kb_home, "index").stdout
    assert "6 added, 0 changed, 0 removed, 0 unchanged" in out
    data = json.loads(run(runner, kb_home, "index", "--json").stdout)
    assert data["unchanged"] == 6 and data["added"] == 0 and "seconds" in data
    data = json.loads(run(runner, kb_home, "index", "--rebuild", "--json").stdout)
    assert data["added"] == 6 and data["rebuilt"]


def test_search_builds_index_first_and_prints_json(runner, kb_home):
    result = run(runner, kb_home, "search", "残差", "--json")
    result_data = json.loads(result.stdout)
    assert result_data["notices"][0]["notice"] == "indexed" and result_data["total"] >= 2
    data = result_data["hits"]
    assert {d["path"] for d in data} >= {"unicode.md", "valid.md"}
    first = data[0]
    assert {"path", "title", "score", "kind", "tags", "matched_fields", "highlights"} <= set(first)
    for h in first["highlights"]:
        for start, end in h["matches"]:
            assert h["text"][start:end]


def test_search_terminal_output(runner, kb_home):
    out = run(runner, kb_home, "search", "residual", "--limit", "1").stdout
    assert out.startswith(" 1. Valid Note  valid.md")
    assert "#cnn #Residual" in out and "\x1b[" not in out  # no colour when not a terminal


def test_search_typo_message_and_no_results(runner, kb_home):
    result = run(runner, kb_home, "search", "residul")
    assert "Showing results for residual" in result.stderr
    result = run(runner, kb_home, "search", "zzzqqq")
    assert "No notes found." in result.stderr and result.stdout == ""


def test_search_options_filter(runner, kb_home):
    data = json.loads(run(runner, kb_home, "search", "note", "--tag", "cnn", "--json").stdout)["hits"]
    assert [d["path"] for d in data] == ["valid.md"]
    result = run(runner, kb_home, "search", "x", "--year", "20x", ok=False)
    assert result.exit_code == 2


@pytest.mark.parametrize("query", ['"unbalanced', "-", "title:", "((", "\x07", "a" * 2000, "year:2015..", "OR"])
def test_search_odd_queries_never_crash(runner, kb_home, query):
    result = run(runner, kb_home, "search", query, ok=False)
    assert result.exit_code == 0


def test_show_by_title_slug_alias_and_json(runner, kb_home):
    run(runner, kb_home, "index")
    for key in ("Valid Note", "valid", "valid.md", "残差网络", "notes/valid.md"):
        data = json.loads(run(runner, kb_home, "show", key, "--json").stdout)
        assert data["path"] == "valid.md"
    assert data["tags"] == ["cnn", "Residual"]
    assert {link["target"]: link["resolved"] for link in data["links"] if not link["external"]} == {
        "./[1]LeNet": None, "No Front Matter": "no-front-matter.md"}
    assert [b["path"] for b in data["backlinks"]] == ["no-front-matter.md"]
    assert data["snippets"][0]["language"] == "python"
    out = run(runner, kb_home, "show", "valid").stdout
    assert "broken: ./[1]LeNet" in out and "Backlinks:" in out and "ResNet 引入残差连接" in out


def test_show_unknown_note_is_a_one_line_error(runner, kb_home):
    run(runner, kb_home, "index")
    result = run(runner, kb_home, "show", "nope", ok=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: no note matches 'nope'"


def test_tags_toc_check(runner, kb_home):
    run(runner, kb_home, "index")
    tags = json.loads(run(runner, kb_home, "tags", "--json").stdout)
    assert {"tag": "cnn", "count": 1} in tags
    toc = json.loads(run(runner, kb_home, "toc", "--json").stdout)
    assert toc[0]["label"] == "(top level)"
    problems = json.loads(run(runner, kb_home, "check", "--json").stdout)
    kinds = {(p["path"], p["kind"]) for p in problems}
    assert ("bad-yaml.md", "bad-yaml") in kinds and ("valid.md", "broken-link") in kinds
    strict = run(runner, kb_home, "check", "--strict", ok=False)
    assert strict.exit_code == 1


def test_missing_notes_folder(runner, tmp_path):
    result = runner.invoke(cli, ["--notes", str(tmp_path / "none"), "search", "x"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: notes folder")


def test_notes_found_from_a_subfolder(runner, kb_home, monkeypatch):
    monkeypatch.chdir(kb_home / "notes" / "code")
    result = runner.invoke(cli, ["search", "residual", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert (kb_home / "index" / "CURRENT").exists()


def test_env_variables(runner, kb_home, tmp_path):
    env = {"KB_NOTES": str(kb_home / "notes"), "KB_INDEX": str(tmp_path / "elsewhere")}
    result = runner.invoke(cli, ["index", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and (tmp_path / "elsewhere" / "CURRENT").exists()


def test_add_note_mark_and_export(runner, kb_home):
    result = run(runner, kb_home, "add-note", "Mask R-CNN", "--arxiv", "https://arxiv.org/abs/1703.06870v3",
                 "--authors", "Kaiming He; Piotr Dollár", "--year", "2017", "--venue", "ICCV", "--tags", "detection",
                 "--offline", "--no-edit", "--json")
    data = json.loads(result.stdout)
    assert data["path"] == "papers/[1]Mask-R-CNN.md" and data["id"] == 1
    note = kb_home / "notes" / data["path"]
    before = note.read_bytes()
    # The new note is already indexed.
    assert json.loads(run(runner, kb_home, "search", "mask", "--json").stdout)["hits"][0]["path"] == data["path"]
    dup = run(runner, kb_home, "add-note", "--arxiv", "1703.06870", "--offline", "--no-edit", "Other", ok=False)
    assert dup.exit_code == 1 and "papers/[1]Mask-R-CNN.md" in dup.stderr
    run(runner, kb_home, "mark", "Mask R-CNN", "read")
    after = note.read_bytes()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [(b"status: to-read", b"status: read")]
    md = run(runner, kb_home, "export", "reading-list", "--format", "md").stdout
    assert "- [x] **Mask R-CNN**" in md and "arxiv.org/abs/1703.06870" in md
    out = kb_home / "list.bib"
    run(runner, kb_home, "export", "reading-list", "--format", "bibtex", "-o", str(out))
    assert "@inproceedings{he2017mask" in out.read_text(encoding="utf-8")
    again = run(runner, kb_home, "export", "reading-list", "--format", "bibtex", "-o", str(out), ok=False)
    assert again.exit_code == 1 and "already exists" in again.stderr
    unnoted = json.loads(run(runner, kb_home, "export", "reading-list", "--unnoted", "--format", "json").stdout)
    assert [u["arxiv"] for u in unnoted] == ["1512.03385"]


def test_add_note_without_title_offline_fails_clearly(runner, kb_home):
    result = run(runner, kb_home, "add-note", "--arxiv", "1512.03385", "--offline", "--no-edit", ok=False)
    assert result.exit_code == 1 and "needs a title" in result.stderr


def test_snippets_list_run_check_export(runner, kb_home, tmp_path):
    run(runner, kb_home, "index")
    listed = json.loads(run(runner, kb_home, "snippets", "list", "With Snippets", "--json").stdout)
    assert [s["source"] for s in listed] == [None, None, "code/tiny.py"]
    assert [s["runnable"] for s in listed] == [False, False, True]
    out = run(runner, kb_home, "snippets", "run", "tiny.py").stdout
    assert out == "answer = 42\n"
    checked = json.loads(run(runner, kb_home, "snippets", "check", "--json").stdout)
    assert [(c["status"], c["cached"]) for c in checked] == [("pass", False)]
    checked = json.loads(run(runner, kb_home, "snippets", "check", "--json").stdout)
    assert [(c["status"], c["cached"]) for c in checked] == [("pass", True)]
    checked = json.loads(run(runner, kb_home, "snippets", "check", "--json", "--force").stdout)
    assert [(c["status"], c["cached"]) for c in checked] == [("pass", False)]
    target = tmp_path / "tiny.py"
    run(runner, kb_home, "snippets", "export", "with-snippets.md#2", "-o", str(target))
    assert "answer = 42" in target.read_text(encoding="utf-8")


def test_snippet_failure_exits_1(runner, kb_home):
    write(kb_home / "notes", "fail.md", "# Fails\n\n```python\n# expect: x = 1\nprint('x = 2')\n```\n")
    result = run(runner, kb_home, "snippets", "check", ok=False)
    assert result.exit_code == 1 and "expected x = 1" in result.stdout
    result = run(runner, kb_home, "snippets", "run", "fail.md#0")
    assert result.stdout == "x = 2\n"
    missing = run(runner, kb_home, "snippets", "run", "nothing#9", ok=False)
    assert missing.exit_code == 1 and missing.stderr.startswith("Error:")


def test_help_is_fast_path_without_whoosh():
    code = "import sys, kb.cli; kb.cli.cli(['--help'], standalone_mode=False); print(sorted(m for m in sys.modules if m.startswith(('whoosh', 'sqlite_utils', 'yaml', 'markdown', 'kb.models', 'kb.notebook'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_python_m_kb(kb_home):
    result = subprocess.run([sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index",
                             str(kb_home / "index"), "index", "--json"], capture_output=True, text=True,
                            env={**os.environ}, check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["added"] == 6


def test_add_note_on_a_terminal_opens_the_editor_and_keeps_a_broken_edit(kb_home, tmp_path):
    """A real pseudo-terminal: the editor runs, breaks the YAML, and the note is kept and reported."""
    import pty

    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf -- "---\\ntitle: [broken\\n---\\nbody\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    primary, secondary = pty.openpty()
    env = {**os.environ, "VISUAL": str(editor), "EDITOR": str(editor)}
    proc = subprocess.run(
        [sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"),
         "add-note", "Edited Paper", "--authors", "A. Author", "--year", "2020", "--tags", "cnn", "--offline"],
        stdin=secondary, stdout=secondary, stderr=subprocess.PIPE, env=env, timeout=60, check=False,
    )
    os.close(secondary)
    out = b""
    try:
        while chunk := os.read(primary, 4096):
            out += chunk
    except OSError:
        pass
    os.close(primary)
    assert proc.returncode == 0, proc.stderr
    created = kb_home / "notes" / "papers" / "[1]Edited-Paper.md"
    assert created.read_text(encoding="utf-8") == "---\ntitle: [broken\n---\nbody\n"
    assert b"bad-yaml" in proc.stderr or b"invalid front matter" in proc.stderr
    assert str(created).encode() in out


@pytest.mark.parametrize(("args", "line"), [
    (["index", "--rebuild"], "Interrupted; the index was left as it was."),
    (["index"], "Interrupted; the next `kb index` finishes the update."),
    (["search", "resnet"], "Interrupted."),
])
def test_ctrl_c_is_one_line_and_exit_130(runner, kb_home, monkeypatch, args, line):
    from kb.notebook import Notebook

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Notebook, "index", interrupted)
    monkeypatch.setattr(Notebook, "search", interrupted)
    result = run(runner, kb_home, *args, ok=False)
    assert result.exit_code == 130
    assert result.stderr == line + "\n"
    assert result.stdout == ""
