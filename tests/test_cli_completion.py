"""Shell completion (issue #14) through click's own machinery: `_KB_COMPLETE=bash_complete` with
COMP_WORDS/COMP_CWORD, as the scripts from `_KB_COMPLETE=bash_source kb` call it, on a real index."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write

from kb.cli import cli
from kb.config import Paths
from kb.notebook import Notebook


def complete(runner, words: str, *, shell: str = "bash", env: dict | None = None) -> list[str]:
    """What click answers a shell asking to complete the last word of `words` (a trailing space
    means a new, empty word)."""
    argv = shlex.split(words)
    if words.endswith(" "):
        argv.append("")
    cword = argv[-1] if shell == "fish" else str(len(argv) - 1)  # fish passes the word itself
    result = runner.invoke(cli, [], prog_name="kb", env={
        "_KB_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(shlex.quote(a) for a in argv) if shell != "fish"
        else " ".join(shlex.quote(a) for a in argv[:-1]) + " " + argv[-1], "COMP_CWORD": cword, **(env or {})})
    assert result.exit_code == 0
    assert result.stderr == ""  # a shell would print it in the middle of the line being typed
    return [line for line in result.stdout.splitlines() if line]  # click prints an empty line for none


def values(lines: list[str]) -> list[str]:
    """The values of bash_complete's `type,value` lines."""
    return [line.split(",", 1)[1] for line in lines]


@pytest.fixture
def home(kb_home: Path) -> Path:
    write(kb_home / "notes", "papers/[1]Deep-Residual-Learning.md",
          "---\ntitle: Deep Residual Learning\naliases: [ResNet-Paper]\ntags: [backbone]\nstatus: to-read\n"
          "snippets: [code/resnet18.py]\n---\nText.\n")
    write(kb_home / "notes", "papers/code/resnet18.py", "print('x')\n")
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    return kb_home


def base(home: Path) -> str:
    return f"kb --notes {home / 'notes'} --index {home / 'index'}"


def test_note_arguments_complete_paths_slugs_titles_and_aliases(runner, home):
    assert values(complete(runner, f"{base(home)} show Val")) == ["valid", "valid.md"]
    assert "残差网络" in values(complete(runner, f"{base(home)} show 残"))
    assert "ResNet" in values(complete(runner, f"{base(home)} show res"))  # case-insensitive
    papers = values(complete(runner, f"{base(home)} show pap"))
    assert papers == ["papers/[1]Deep-Residual-Learning.md"]
    # a title with spaces would become several arguments: its path and slug stand for it
    assert "Deep Residual Learning" not in values(complete(runner, f"{base(home)} show De"))
    assert "Deep-Residual-Learning" in values(complete(runner, f"{base(home)} show De"))


def test_mark_completes_paper_notes_then_statuses(runner, home):
    assert values(complete(runner, f"{base(home)} mark Res")) == ["ResNet-Paper"]  # not the page's ResNet alias
    assert sorted(values(complete(runner, f"{base(home)} mark ResNet-Paper r"))) == ["read", "reading"]


def test_tags_statuses_and_snippets(runner, home):
    assert values(complete(runner, f"{base(home)} search --tag ")) == ["backbone", "cnn", "Residual", "中文", "视觉"]
    assert values(complete(runner, f"{base(home)} search --tag b")) == ["backbone"]
    assert values(complete(runner, f"{base(home)} add-note --tags cnn,ba")) == ["cnn,backbone"]
    assert values(complete(runner, f"{base(home)} export reading-list --tag c")) == ["cnn"]
    assert sorted(values(complete(runner, f"{base(home)} search --status r"))) == ["read", "reading"]
    assert values(complete(runner, f"{base(home)} snippets run res")) == ["resnet18.py"]
    ids = values(complete(runner, f"{base(home)} snippets export with"))
    assert ids and all(i.startswith("with-snippets.md#") for i in ids)
    assert "with-snippets.md" in values(complete(runner, f"{base(home)} snippets list with"))


def test_zsh_and_fish_get_the_title_as_description(runner, home):
    zsh = complete(runner, f"{base(home)} snippets run res", shell="zsh")
    assert zsh == ["plain", "resnet18.py", "Deep Residual Learning"]
    fish = complete(runner, f"{base(home)} show Deep", shell="fish")
    assert fish == ["plain,Deep-Residual-Learning\tDeep Residual Learning"]


def test_options_read_from_the_environment_too(runner, home):
    env = {"KB_NOTES": str(home / "notes"), "KB_INDEX": str(home / "index")}
    assert values(complete(runner, "kb show Val", env=env)) == ["valid", "valid.md"]


def test_no_index_gives_nothing_and_builds_nothing(runner, kb_home):
    assert complete(runner, f"{base(kb_home)} show Val") == []
    assert not (kb_home / "index").exists()


def test_missing_notes_folder_gives_nothing(runner, tmp_path):
    assert complete(runner, f"kb --notes {tmp_path / 'none'} show Val") == []


def test_damaged_index_gives_nothing_and_is_not_repaired(runner, home):
    gen = home / "index" / (home / "index" / "CURRENT").read_text().strip()
    (gen / "kb.sqlite").write_bytes(b"not a database at all" * 100)
    before = sorted(p.name for p in (home / "index").iterdir())
    assert complete(runner, f"{base(home)} show Val") == []
    assert complete(runner, f"{base(home)} search --tag ") == []
    assert sorted(p.name for p in (home / "index").iterdir()) == before
    assert (gen / "kb.sqlite").read_bytes().startswith(b"not a database")


def test_completion_never_sees_unindexed_edits(runner, home):
    # It answers from the index as it is: a new note appears once indexed, not before.
    write(home / "notes", "vanilla.md", "---\ntitle: Vanilla\n---\nx\n")
    assert "vanilla.md" not in values(complete(runner, f"{base(home)} show va"))
    Notebook(Paths(home / "notes", home / "index")).index()
    assert "vanilla.md" in values(complete(runner, f"{base(home)} show va"))


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_setup_scripts_are_click_completion_scripts(runner, shell):
    result = runner.invoke(cli, [], prog_name="kb", env={"_KB_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0 and "_KB_COMPLETE" in result.stdout and f"{shell}_complete" in result.stdout


def test_bash_completes_through_the_real_script(home):
    """The bash script from `_KB_COMPLETE=bash_source kb`, loaded in a real bash, fills COMPREPLY."""
    bash = "/bin/bash"
    if not Path(bash).exists():
        pytest.skip("no bash")
    kb_bin = Path(sys.executable).parent / "kb"
    script = f"""
        eval "$(_KB_COMPLETE=bash_source kb)"
        COMP_WORDS=(kb --notes {home / 'notes'} --index {home / 'index'} search --tag bac)
        COMP_CWORD=7
        _kb_completion kb
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    out = subprocess.run([bash, "-c", script], capture_output=True, text=True, timeout=60,
                         env={"PATH": f"{kb_bin.parent}:/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["backbone"]
