"""README documents every command, and every command has help text with an example."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from kb.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = ""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from commands(command, full + " ")
        else:
            yield full, command


@pytest.mark.parametrize(("name", "command"), list(commands(cli)))
def test_command_has_help_and_is_in_readme(name, command):
    assert command.help and "Example: kb " in command.help
    assert f"kb {name}" in README


def test_readme_has_the_two_commands():
    assert re.search(r"kb search resnet", README)
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.search(r"<!-- test-command -->\n```(?:bash|sh)?\n(.+?)\n```", README, re.S)
    assert test_command, "README marks its test command with <!-- test-command -->"
    assert test_command.group(1).strip().splitlines()[-1] in ci


def test_python_api_example_runs(tmp_path, monkeypatch, capsys):
    """README's "Using kb from Python" example runs as written, on a copy of the shipped notes."""
    import shutil  # noqa: PLC0415

    block = re.search(r"<!-- python-api -->\n```python\n(.+?)\n```", README, re.S)
    assert block, "README marks its Python example with <!-- python-api -->"
    shutil.copytree(Path(__file__).parent.parent / "notes", tmp_path / "notes")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KB_NOTES", raising=False)
    monkeypatch.delenv("KB_INDEX", raising=False)
    exec(compile(block.group(1), "README.md", "exec"), {})  # noqa: S102 - the README's own example
    out = capsys.readouterr().out
    assert "Deep Residual Learning for Image Recognition" in out or "残差网络 ResNet" in out
    assert out.rstrip().splitlines()[-1] == "segmentation"
    assert (tmp_path / "index" / "CURRENT").is_file()


def test_package_exports_resolve():
    """Every name in `kb.__all__` imports (they load on first use) and nothing else is offered."""
    import kb  # noqa: PLC0415

    for name in kb.__all__:
        assert getattr(kb, name) is not None
    with pytest.raises(AttributeError):
        kb.NoSuchThing  # noqa: B018
