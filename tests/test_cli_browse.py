"""`kb list`, `kb graph` and `kb open` through click's CliRunner on a real notebook in tmp_path; `kb open`
also runs a real editor script and a fake `xdg-open` as processes, and the DOT output goes through
Graphviz where it is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pydot
import pytest
from browse_notebook import make_notebook

from kb.cli import cli

LENET, ALEXNET, RESNET, ORPHAN = ("papers/[1]LeNet.md", "papers/[2]AlexNet.md", "papers/[3]ResNet.md",
                                  "papers/[10]Orphan.md")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    make_notebook(tmp_path)
    return tmp_path


def kb(runner, home: Path, *args: str, code: int = 0):
    result = runner.invoke(cli, ["--notes", str(home / "notes"), "--index", str(home / "index"), *args])
    assert result.exit_code == code, (result.output, result.stderr, result.exception)
    assert "Traceback" not in result.output + result.stderr
    return result


# --- kb list -----------------------------------------------------------------------------------


def test_list_table_has_one_line_per_note_and_a_count_on_stderr(runner, home):
    result = kb(runner, home, "list", "--kind", "paper", "--sort", "year")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].split() [:3] == ["paper", "1998", "read"] and lines[0].endswith(LENET)
    assert 'AlexNet "quoted" 网络' in lines[1] and "reading" in lines[1]
    assert result.stderr.strip() == "4 notes"


def test_list_formats(runner, home):
    args = ("list", "--tag", "cnn", "--year", "2012-2016")
    assert kb(runner, home, *args, "--format", "paths").stdout.splitlines() == [ALEXNET, RESNET]
    data = json.loads(kb(runner, home, *args, "--format", "json").stdout)
    assert [d["path"] for d in data] == [ALEXNET, RESNET]
    assert data[0]["number"] == 2 and data[0]["year"] == 2012 and data[0]["status"] == "reading"
    assert data[0]["title"] == 'AlexNet "quoted" 网络' and data[0]["aliases"] == ["AlexNet"]
    assert "body" not in data[0] and "links" not in data[0]
    assert json.loads(kb(runner, home, *args, "--json").stdout) == data
    jsonl = kb(runner, home, *args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in jsonl] == data


def test_list_by_links_and_orphans(runner, home):
    assert kb(runner, home, "list", "--orphans", "--format", "paths").stdout == ORPHAN + "\n"
    assert kb(runner, home, "list", "--links-to", "LeNet", "--format", "paths").stdout.splitlines() == [
        "intro.md", ALEXNET]
    assert kb(runner, home, "list", "--linked-from", "notes/" + LENET, "--format", "paths").stdout.splitlines() == [
        ALEXNET, RESNET]


def test_list_with_nothing_found_prints_nothing_and_exits_0(runner, home):
    result = kb(runner, home, "list", "--tag", "cnn", "--kind", "chapter")
    assert result.stdout == "" and result.stderr.strip() == "0 notes"
    assert kb(runner, home, "list", "--tag", "nope", "--json").stdout.strip() == "[]"


@pytest.mark.parametrize(("args", "message"), [
    (("--year", "recent"), "'recent' is not a year or a range like 2015..2020"),
    (("--kind", "book"), "'book' is not one of"),
    (("--status", "done"), "'done' is not one of"),
    (("--sort", "colour"), "'colour' is not one of"),
    (("--format", "xml"), "'xml' is not one of"),
])
def test_list_bad_options_are_usage_errors(runner, home, args, message):
    result = kb(runner, home, "list", *args, code=2)
    assert message in result.stderr


def test_list_unknown_note_is_one_error_line(runner, home):
    result = kb(runner, home, "list", "--links-to", "No Such Note", code=1)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "Error: no note matches 'No Such Note'"


# --- kb graph ----------------------------------------------------------------------------------


def test_graph_json_says_which_edges_are_wiki_links(runner, home):
    data = json.loads(kb(runner, home, "graph", "--format", "json").stdout)
    assert len(data["nodes"]) == 6
    edges = {(e["source"], e["target"]): (e["wiki"], e["markdown"]) for e in data["edges"]}
    assert edges[(ALEXNET, LENET)] == (True, True)
    assert edges[(LENET, ALEXNET)] == (True, False)
    assert edges[(LENET, RESNET)] == (False, True)
    assert not any("Missing" in target for _, target in edges)  # the broken link is no edge
    assert json.loads(kb(runner, home, "graph", "--json").stdout) == data
    assert data["notices"] == []  # an object carries its notices (CLI manners), none here


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's grammar uses pyparsing's old names
def test_graph_dot_parses_and_renders(runner, home):
    text = kb(runner, home, "graph").stdout  # DOT is the default
    (parsed,) = pydot.graph_from_dot_data(text)
    assert len(parsed.get_nodes()) >= 6 and len(parsed.get_edges()) == 6
    if shutil.which("dot") is None:
        pytest.skip("Graphviz (dot) is not installed")
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "AlexNet &quot;quoted&quot; 网络" in done.stdout


def test_graph_mermaid_around_a_note(runner, home):
    text = kb(runner, home, "graph", "--format", "mermaid", "--around", "AlexNet", "--depth", "1").stdout
    assert text.splitlines() == [
        "graph LR", '  n0["[1]LeNet"]', '  n1["AlexNet #quot;quoted#quot; 网络"]',
        "  n0 -.-> n1", "  n1 --> n0"]


def test_graph_bad_input(runner, home):
    assert "is not in the range" in kb(runner, home, "graph", "--around", "LeNet", "--depth", "-1", code=2).stderr
    assert kb(runner, home, "graph", "--around", "Nobody", code=1).stderr.startswith("Error: no note matches 'Nobody'")
    assert "--depth needs --around NOTE" in kb(runner, home, "graph", "--depth", "2", code=2).stderr


def test_list_by_author(runner, home):
    assert kb(runner, home, "list", "--author", "lecun", "--format", "paths").stdout == LENET + "\n"


# --- kb open -----------------------------------------------------------------------------------


def test_open_print_and_json_open_nothing(runner, home):
    assert kb(runner, home, "open", "AlexNet", "--print").stdout.strip() == str(
        (home / "notes" / "pdfs" / "alexnet.pdf").resolve())
    assert kb(runner, home, "open", "ResNet", "--print").stdout.strip() == "https://arxiv.org/abs/1512.03385"
    data = json.loads(kb(runner, home, "open", "残差连接", "--json").stdout)
    assert data["kind"] == "file" and data["target"].endswith("residual.md")


def test_open_missing_pdf_is_one_error(runner, home):
    (home / "notes" / "pdfs" / "alexnet.pdf").unlink()
    result = kb(runner, home, "open", "AlexNet", "--print", code=1)
    assert result.stderr.splitlines()[0].startswith("Error: papers/[2]AlexNet.md: pdf: pdfs/alexnet.pdf does not exist")


def _recorder(folder: Path, name: str) -> Path:
    """An executable that appends its arguments (one per line) to `<name>.log` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    log = folder / f"{name}.log"
    script.write_text(f"#!{sys.executable}\nimport sys\nwith open({str(log)!r}, 'a') as f:\n"
                      "    f.write('\\n'.join(sys.argv[1:]) + '\\n')\n", encoding="utf-8")
    script.chmod(0o755)
    return log


@pytest.mark.skipif(sys.platform != "linux", reason="xdg-open is the Linux opener")
def test_open_hands_pdfs_and_pages_to_xdg_open(runner, home, tmp_path, monkeypatch):
    log = _recorder(tmp_path / "bin", "xdg-open")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    kb(runner, home, "open", "AlexNet")
    kb(runner, home, "open", "LeNet")
    assert log.read_text(encoding="utf-8").splitlines() == [
        str((home / "notes" / "pdfs" / "alexnet.pdf").resolve()), "https://doi.org/10.1109/5.726791"]


@pytest.mark.skipif(sys.platform != "linux", reason="xdg-open is the Linux opener")
def test_open_without_an_opener_says_so(runner, home, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = kb(runner, home, "open", "ResNet", code=1)
    assert result.stderr.splitlines() == ["Error: no program to open files and URLs was found (xdg-open)",
                                          "Hint: install xdg-utils, or pass --print and open it yourself"]


def test_open_a_note_without_paper_links_in_the_editor(runner, home, tmp_path, monkeypatch):
    log = _recorder(tmp_path / "bin", "editor")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(tmp_path / "bin" / "editor"))
    kb(runner, home, "open", "Welcome")
    kb(runner, home, "open", "残差连接")
    assert log.read_text(encoding="utf-8").splitlines() == [
        str((home / "notes" / "intro.md").resolve()), str((home / "notes" / "ch2" / "[1]residual.md").resolve())]


def test_note_and_tag_options_complete(runner, home):
    from test_cli_completion import complete, values

    from kb.config import Paths
    from kb.notebook import Notebook

    Notebook(Paths(home / "notes", home / "index")).index()  # completion reads the index, never builds it
    base = f"kb --notes {home / 'notes'} --index {home / 'index'}"
    assert "residual" in values(complete(runner, f"{base} list --tag res"))
    assert "AlexNet" in values(complete(runner, f"{base} list --links-to Alex"))
    assert "AlexNet" in values(complete(runner, f"{base} graph --around Alex"))
    assert "AlexNet" in values(complete(runner, f"{base} open Alex"))
