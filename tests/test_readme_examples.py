"""Every `kb …` example in README.md's command table, Searching section and Listing section, run as
written against a
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

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


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


def search_examples(text: str, heading: str = "### Searching") -> list[str]:
    """The command part of each line of the code block under `heading` (comments follow two spaces)."""
    block = re.search(r"```\n(.*?)```", _section(text, heading), re.S)
    assert block, f"no code block under {heading}"
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.group(1).splitlines() if line.startswith("kb ")]


def manners_examples(text: str) -> list[str]:
    """The command part of each line of the first code block under `### Output, colour, completion,
    watching` (an environment assignment may come before `kb`)."""
    block = re.search(r"```bash\n(.*?)```", _section(text, "### Output, colour, completion, watching"), re.S)
    assert block, "no code block under ### Output, colour, completion, watching"
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.group(1).splitlines() if " kb " in f" {line}"]


def completion_setups(text: str) -> list[str]:
    """The shell lines that load kb's completion, from the indented block of the same section."""
    block = re.search(r"  ```bash\n(.*?)  ```", _section(text, "### Output, colour, completion, watching"), re.S)
    assert block, "no completion setup block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


_TEXT = README.read_text(encoding="utf-8")
TABLE = table_examples(_TEXT)
SEARCHES = search_examples(_TEXT)
MANNERS = manners_examples(_TEXT)
SETUPS = completion_setups(_TEXT)
BROWSING = search_examples(_TEXT, "### Listing, the link graph, opening a paper, notebooks")
HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_the_readme_has_the_examples_this_module_runs():
    # The parser found every row of the table and every line of the block (one example per command).
    assert len(TABLE) == 20
    assert {"list", "graph", "open", "datasette-metadata"} <= {c.split()[1] for c in TABLE}
    assert [c.split()[1] for c in TABLE][:7] == ["index", "search", "show", "tags", "toc", "check", "add-note"]
    assert len(SEARCHES) == 8
    assert all(c.startswith("kb search ") for c in SEARCHES)
    assert "kb search segmentation -yolo" in SEARCHES
    assert len(MANNERS) == 5 and "kb index --watch" in MANNERS
    assert [re.search(r"_KB_COMPLETE=(\w+)_source", line).group(1) for line in SETUPS] == ["bash", "zsh", "fish"]
    assert len(BROWSING) == 8 and {c.split()[1] for c in BROWSING} == {"list", "graph", "open", "snippets"}


@pytest.fixture
def project(shipped_indexed: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the indexed notebook, and the current folder in it."""
    home = tmp_path / "project"
    shutil.copytree(shipped_indexed, home)
    # The library README's `kb import bibtex library.bib` example reads: a Zotero export, as a reader has one.
    shutil.copy(ROOT / "tests" / "data" / "bibtex" / "library.bib", home / "library.bib")
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


def datasette_examples(text: str) -> list[str]:
    """The lines of the code block after `<!-- datasette-example -->` in "Browsing the index with Datasette"."""
    block = re.search(r"<!-- datasette-example -->\n```bash\n(.*?)```", text, re.S)
    assert block, "no datasette example in README"
    return block.group(1).strip().splitlines()


@pytest.mark.slow
def test_datasette_example_serves_the_index(project: Path):
    """The README's Datasette commands, as written: kb's lines through the CLI, then `datasette …` as a
    process (on a free port), asked the JSON query the README shows."""
    from test_index_datasette import start_datasette, stop

    kb_line, datasette_line = datasette_examples(_TEXT)
    for command in kb_line.split(" && "):
        assert run_example(command).exit_code == 0, command
    argv = shlex.split(datasette_line)
    assert argv[0] == "datasette"
    served = start_datasette(project, *argv[1:])
    try:
        hits = served.get("/kb/notes.json", _search="残差", _facet="kind")
        assert hits["filtered_table_rows_count"] > 20 and hits["facet_results"]["kind"]["results"]
    finally:
        stop(served)


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
    elif name == "import":
        assert result.stdout.splitlines() == [
            "skipped library.bib:2 he2016deep: already in papers/[7]Deep-Residual-Learning-for-Image-Recognition.md "
            "(same title)",
            "would create library.bib:12 ba2016layer -> papers/[72]Layer-Normalization.md (citekey ba2016layer)",
            "1 would be created, 1 skipped as duplicates, 0 failed (dry run: nothing was written)"]
    elif command.startswith("kb snippets export"):
        assert "kb-snippet: ResNet-18" in (project / "resnet18.py").read_text(encoding="utf-8")
    elif name in ("list", "graph", "open"):
        check_browse_output(command, result.stdout)
    if name != "add-note":
        assert _papers(project) == before


@pytest.mark.parametrize("command", SEARCHES)
def test_search_example_finds_notes(project: Path, command: str):
    result = run_example(command)
    assert result.exit_code == 0, (command, result.stderr)
    as_json = command if "--json" in command else command + " --json"
    hits = json.loads(run_example(as_json).stdout)["hits"]
    assert hits, f"{command!r} finds nothing on the shipped notes"
    if "-yolo" in command:
        assert not any("yolo" in (h["title"] + h["path"]).lower() for h in hits)
    if "title:vit" in command:
        assert all(h["kind"] == "paper" and "transformer" in h["tags"] for h in hits)


def _env_and_argv(command: str) -> tuple[dict[str, str], list[str]]:
    """`NAME=value … kb args` split into the environment and kb's arguments."""
    words = shlex.split(command)
    env = {}
    while "=" in words[0] and not words[0].startswith("kb"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == "kb"
    return env, words[1:]


@pytest.mark.parametrize("command", [c for c in MANNERS if "--watch" not in c])
def test_output_example(project: Path, command: str, monkeypatch):
    env, argv = _env_and_argv(command)
    monkeypatch.delenv("NO_COLOR")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, argv, prog_name="kb", color=True)  # as if on a terminal: flags decide
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output + result.stderr
    if "-h" in argv:
        assert result.stdout.startswith("Usage: kb ") and "-h, --help" in result.stdout
    if "--json" in argv:
        assert json.loads(result.stdout)
    if "never" in argv or "NO_COLOR" in env:
        assert "\x1b[" not in result.stdout + result.stderr and result.stdout.strip()


@pytest.mark.slow
def test_watch_example_indexes_an_edit_until_ctrl_c(project: Path):
    """`kb index --watch` runs until stopped: run it as a process, save a note, see the update line,
    then Ctrl-C (SIGINT) must end it with exit code 0 and no traceback."""
    import signal  # noqa: PLC0415

    (command,) = [c for c in MANNERS if "--watch" in c]
    watcher = subprocess.Popen([sys.executable, "-m", "kb", *shlex.split(command)[1:]], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "unchanged" in watcher.stdout.readline()  # the first run: nothing changed since the copy
        time.sleep(1.5)  # the watcher arms after the first run
        note = project / "notes" / "papers" / "[7]Deep-Residual-Learning-for-Image-Recognition.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nA quokka line.\n", encoding="utf-8")
        line = watcher.stdout.readline()
        assert line.startswith("papers/[7]Deep-Residual-Learning-for-Image-Recognition.md: 0 added, 1 changed")
        assert "[7]Deep-Residual-Learning-for-Image-Recognition.md" in run_example("kb search quokka").stdout
    finally:
        watcher.send_signal(signal.SIGINT)
        _, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0 and "Traceback" not in err, err


@pytest.mark.parametrize("line", SETUPS, ids=["bash", "zsh", "fish"])
def test_completion_setup_prints_a_script(line: str):
    shell = re.search(r"_KB_COMPLETE=(\w+)_source kb", line).group(1)
    result = CliRunner().invoke(cli, [], prog_name="kb", env={"_KB_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0 and f"{shell}_complete" in result.stdout


def test_bash_setup_line_completes_tags_in_a_real_bash(project: Path):
    """README's bash line, in a real bash, then a Tab after `kb search --tag seg`."""
    (line,) = [x for x in SETUPS if "bash_source" in x]
    script = f"""{line}
COMP_WORDS=(kb search --tag seg)
COMP_CWORD=3
_kb_completion kb
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    bin_dir = Path(sys.executable).parent
    out = subprocess.run(["/bin/bash", "-c", script], cwd=project, capture_output=True, text=True, timeout=60,
                         env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(project)})
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "segmentation" in out.stdout.split()
def check_browse_output(command: str, stdout: str) -> None:
    """What a `kb list`, `kb graph` or `kb open --print` example printed is what README says it is."""
    name = command.split()[1]
    assert stdout.strip(), f"{command!r} printed nothing on the shipped notes"
    if "--format jsonl" in command:
        assert all(json.loads(line)["path"] for line in stdout.splitlines())
    elif "--json" in command or "--format json" in command:
        data = json.loads(stdout)
        assert data if name == "list" else data["nodes"] and data["edges"]
    elif "--format paths" in command:
        assert all((Path("notes") / line).is_file() for line in stdout.splitlines())
    elif name == "graph":
        assert stdout.startswith("graph LR\n" if "mermaid" in command else "digraph kb {\n")
    elif name == "open":
        assert stdout.startswith(("https://", "/"))


@pytest.mark.parametrize("command", BROWSING)
def test_listing_example(project: Path, command: str):
    result = run_example(command)
    assert result.exit_code == 0, (command, result.stderr)
    if command.startswith("kb snippets export"):
        import nbformat

        notebook = nbformat.read(project / shlex.split(command)[-1], as_version=4)
        nbformat.validate(notebook)
        assert any(cell.cell_type == "code" for cell in notebook.cells)
    else:
        check_browse_output(command, result.stdout)
