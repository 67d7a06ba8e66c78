"""Every `kb …` example in README.md's command table and Searching section, run as written against a
copy of the shipped notes, must do what the README says: exit 0 (or the exit it documents), and a
search example must find at least one note.

The examples are read from README.md, so a new or edited example is tested without touching this
file. Each runs in its own copy of the shipped notebook (already indexed), from that folder, so
`notes/` is found the way a reader's shell finds it and `-o FILE` writes there. arXiv is never
asked: `KB_OFFLINE=1` is set, as `kb add-note --offline` would be.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.config import Paths
from kb.notebook import Notebook

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHIPPED = ROOT / "notes"


def _section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n") + len(heading) + 1
    ends = [m.start() for m in re.finditer(f"^#{{1,{len(level)}}} ", text[start:], re.M)]
    return text[start : start + ends[0]] if ends else text[start:]


def table_examples(text: str) -> list[str]:
    """The example column of the command table under `## Commands`."""
    commands = _section(text, "## Commands")
    return re.findall(r"^\| `kb [^|]*\|[^\n]*\| `(kb [^`]+)` \|$", commands, re.M)


def search_examples(text: str) -> list[str]:
    """The command part of each line of the code block under `### Searching`."""
    block = re.search(r"```\n(.*?)```", _section(text, "### Searching"), re.S)
    assert block, "no code block under ### Searching"
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.group(1).splitlines() if line.startswith("kb ")]


_TEXT = README.read_text(encoding="utf-8")
TABLE = table_examples(_TEXT)
SEARCHES = search_examples(_TEXT)
HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_the_readme_has_the_examples_this_module_runs():
    # The parser found every row of the table and every line of the block (one example per command).
    assert len(TABLE) == 15
    assert [c.split()[1] for c in TABLE][:7] == ["index", "search", "show", "tags", "toc", "check", "add-note"]
    assert len(SEARCHES) == 7
    assert all(c.startswith("kb search ") for c in SEARCHES)
    assert "kb search segmentation -yolo" in SEARCHES


@pytest.fixture(scope="module")
def indexed_copy(tmp_path_factory) -> Path:
    """The shipped notes and their index, built once for the module."""
    home = tmp_path_factory.mktemp("shipped")
    shutil.copytree(SHIPPED, home / "notes")
    Notebook(Paths(home / "notes", home / "index")).index()
    return home


@pytest.fixture
def project(indexed_copy: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the indexed notebook, and the current folder in it."""
    home = tmp_path / "project"
    shutil.copytree(indexed_copy, home)
    monkeypatch.chdir(home)
    for name in ("KB_NOTES", "KB_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KB_OFFLINE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    return home


def run_example(command: str):
    argv = shlex.split(command)
    assert argv[0] == "kb"
    result = CliRunner().invoke(cli, argv[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


def _papers(home: Path) -> set[str]:
    return {p.name for p in (home / "notes" / "papers").glob("*.md")}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BROWSER_SCRIPT = """#!{python}
import sys
open({record!r}, "a", encoding="utf-8").write(sys.argv[1] + "\\n")
"""


@pytest.mark.slow
def test_serve_example_serves_the_notebook(project: Path, tmp_path: Path):
    """`kb serve --port 8000` runs until stopped, so it runs as a process (on a free port, so that a
    busy 8000 cannot fail the test) and is stopped once its home page answered. With `--open`, the
    browser is a script (`$BROWSER`) that records the address it was given."""
    (command,) = [c for c in TABLE if c.split()[1] == "serve"]
    argv = [arg if arg != "8000" else str(port := _free_port()) for arg in shlex.split(command)]
    record, browser = tmp_path / "opened.txt", tmp_path / "browser.py"
    browser.write_text(BROWSER_SCRIPT.format(python=sys.executable, record=str(record)), encoding="utf-8")
    browser.chmod(0o755)
    server = subprocess.Popen([sys.executable, "-m", "kb", *argv[1:], "--no-watch"], cwd=project,
                              env={**os.environ, "BROWSER": str(browser)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:  # noqa: S310
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "kb serve did not answer within 60 s"
                time.sleep(0.2)
        assert "第零章" in page and "无尽模式" in page
        if "--open" in argv:
            while not record.exists():
                assert time.monotonic() < deadline, "kb serve --open started no browser"
                time.sleep(0.1)
            assert record.read_text(encoding="utf-8") == f"http://127.0.0.1:{port}/\n"
    finally:
        server.terminate()
        server.communicate(timeout=30)


def build_site_examples(text: str) -> list[str]:
    """The command part of each line of the block marked `<!-- build-site -->`."""
    block = re.search(r"<!-- build-site -->\n```sh\n(.*?)```", text, re.S)
    assert block, "README marks its kb build-site examples with <!-- build-site -->"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.startswith("kb ")]


@pytest.mark.slow
def test_build_site_examples_build_rebuild_and_keep_other_files(project: Path):
    """The block's lines, in order, in one project: a site, the same site again, then a site in a
    folder that already holds a user's file (which must survive)."""
    commands = build_site_examples(_TEXT)
    assert commands == ["kb build-site site", "kb build-site site", "kb build-site public --force"]
    (project / "public").mkdir()
    (project / "public" / "CNAME").write_text("notes.example.org\n", encoding="utf-8")
    for command in commands:
        result = run_example(command)
        assert result.exit_code == 0, (command, result.stderr)
        folder = project / shlex.split(command)[2]
        assert (folder / "index.html").is_file() and "<math" in (
            folder / "notes" / "papers" / "[7]Deep-Residual-Learning-for-Image-Recognition.md.html").read_text(encoding="utf-8")
    assert (project / "public" / "CNAME").read_text(encoding="utf-8") == "notes.example.org\n"
    # Without --force the user's folder is refused, and left as it is.
    (project / "other").mkdir()
    (project / "other" / "index.html").write_text("mine", encoding="utf-8")
    refused = run_example("kb build-site other")
    assert refused.exit_code == 1 and (project / "other" / "index.html").read_text(encoding="utf-8") == "mine"


# `kb snippets check --force` runs every shipped snippet (about a minute and a half): slow.
@pytest.mark.parametrize("command", [
    pytest.param(c, marks=pytest.mark.slow) if c.startswith(("kb snippets check", "kb build-site")) else c
    for c in TABLE if c.split()[1] != "serve"])
def test_command_table_example(project: Path, command: str):
    before = _papers(project)
    result = run_example(command)
    name = command.split()[1]
    if command == "kb snippets run resnet18.py" and not HAS_TORCH:
        # README: a snippet whose `requires:` module cannot be imported is refused, exit 1.
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0].startswith("Error: ") and "requires module torch" in result.stderr
        return
    assert result.exit_code == 0, (command, result.stderr)
    if name == "index":
        assert json.loads(result.stdout)["problems"] == 0
    elif name == "search":
        assert re.search(r"^ *1\. ", result.stdout, re.M), result.stdout
    elif name == "add-note":
        assert len(_papers(project) - before) == 1  # one new note, numbered after the others
        (added,) = _papers(project) - before
        assert added == f"[{len(before) + 1}]Focal-Loss-for-Dense-Object-Detection.md"
    elif name == "mark":
        assert "status: read" in (project / "notes" / "papers" /
                                  "[7]Deep-Residual-Learning-for-Image-Recognition.md").read_text(encoding="utf-8")
    elif name == "export" and "-o" in command:
        out = project / shlex.split(command)[-1]
        assert out.read_text(encoding="utf-8").startswith("@")  # BibTeX entries, written where it was run
    elif name == "build-site":
        site = project / shlex.split(command)[2]
        assert (site / "index.html").is_file() and (site / ".kb-site.json").is_file()
    elif command.startswith("kb snippets export"):
        assert "kb-snippet: ResNet-18" in (project / "resnet18.py").read_text(encoding="utf-8")
    if name != "add-note":
        assert _papers(project) == before


@pytest.mark.parametrize("command", SEARCHES)
def test_search_example_finds_notes(project: Path, command: str):
    result = run_example(command)
    assert result.exit_code == 0, (command, result.stderr)
    as_json = command if "--json" in command else command + " --json"
    hits = json.loads(run_example(as_json).stdout)
    assert hits, f"{command!r} finds nothing on the shipped notes"
    if "-yolo" in command:
        assert not any("yolo" in (h["title"] + h["path"]).lower() for h in hits)
    if "title:vit" in command:
        assert all(h["kind"] == "paper" and "transformer" in h["tags"] for h in hits)
