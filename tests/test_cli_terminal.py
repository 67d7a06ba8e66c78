"""CLI manners (issue #14): colour, -h, search by filters alone and paging, wrapped excerpts, --json
with its notices on every command, progress on a terminal. Real notebooks in tmp_path, CliRunner."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import write

from kb.cli import cli
from kb.cli.terminal import char_width, color_setting, wrap_highlighted

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NO_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": None}


def kb(runner, kb_home: Path, *args, env=None, code=0):
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"), *args],
                           env={**NO_ENV, **(env or {})}, catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


@pytest.fixture
def indexed(runner, kb_home: Path) -> Path:
    kb(runner, kb_home, "index")
    return kb_home


# --- colour ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {}, None),
    (None, {"NO_COLOR": "1"}, False),
    (None, {"NO_COLOR": ""}, None),  # an empty NO_COLOR is not set (no-color.org)
    (None, {"FORCE_COLOR": "1"}, True),
    (None, {"FORCE_COLOR": "0"}, True),  # any non-empty value forces
    (None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ("always", {"NO_COLOR": "1"}, True),
    ("never", {"FORCE_COLOR": "1"}, False),
    ("auto", {"FORCE_COLOR": "1"}, None),  # an explicit flag wins over the environment
])
def test_color_setting_precedence(flag, env, expected):
    assert color_setting(flag, env) is expected


# CliRunner is not a terminal: "auto" means no colour there.
@pytest.mark.parametrize(("args", "env", "coloured"), [
    ([], {}, False),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "yes"}, False),
    (["--color", "always"], {}, True),
    (["--color", "always"], {"NO_COLOR": "1"}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    (["--color", "auto"], {}, False),
    (["--color", "auto"], {"FORCE_COLOR": "1"}, False),
])
@pytest.mark.parametrize("command", [["search", "residul"], ["show", "valid"], ["toc"]])
def test_every_command_colours_as_decided(runner, indexed, args, env, coloured, command):
    result = runner.invoke(cli, [*args, "--notes", str(indexed / "notes"), "--index", str(indexed / "index"), *command],
                           env={**NO_ENV, **env}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert bool(ANSI.search(result.stdout)) is coloured
    assert ANSI.sub("", result.stdout).strip()  # the same text, with or without colour
    if command[0] == "search":  # stderr obeys the same decision ("Showing results for" is bold)
        assert bool(ANSI.search(result.stderr)) is coloured
        assert "Showing results for residual" in ANSI.sub("", result.stderr)


def test_json_never_carries_colour(runner, indexed):
    result = runner.invoke(cli, ["--color", "always", "--notes", str(indexed / "notes"), "--index",
                                 str(indexed / "index"), "search", "residual", "--json"], catch_exceptions=False)
    assert "\x1b[" not in result.stdout
    assert json.loads(result.stdout)["hits"][0]["path"] == "valid.md"


def test_a_bad_color_value_is_a_usage_error(runner, kb_home):
    result = runner.invoke(cli, ["--color", "sometimes", "toc"])
    assert result.exit_code == 2 and "sometimes" in result.stderr


# --- -h ----------------------------------------------------------------------------------------------


def _all_command_paths(group: click.Group, ctx: click.Context, prefix=()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            out += _all_command_paths(cmd, ctx, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


with click.Context(cli) as _ctx:
    COMMANDS = _all_command_paths(cli, _ctx)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "kb")
def test_dash_h_is_help_everywhere(runner, path):
    short = runner.invoke(cli, [*path, "-h"])
    long = runner.invoke(cli, [*path, "--help"])
    assert short.exit_code == 0, short.stderr
    assert short.stdout.startswith("Usage: ") and short.stdout == long.stdout
    assert "-h, --help" in short.stdout


# --- search: filters alone, paging, wrapping ---------------------------------------------------------


def test_search_with_filters_and_no_words_lists_the_notes(runner, indexed):
    by_option = json.loads(kb(runner, indexed, "search", "--tag", "cnn", "--json").stdout)["hits"]
    by_query = json.loads(kb(runner, indexed, "search", "tag:cnn", "--json").stdout)["hits"]
    assert [h["path"] for h in by_option] == [h["path"] for h in by_query] == ["valid.md"]
    out = kb(runner, indexed, "search", "--tag", "cnn").stdout
    assert out.startswith(" 1. Valid Note  valid.md")


def test_search_without_words_or_filters_is_a_usage_error(runner, indexed):
    result = kb(runner, indexed, "search", code=2)
    assert "give words to search for, or a filter" in result.stderr and "Traceback" not in result.stderr


def test_offset_pages_through_the_ranking(runner, indexed):
    every = [h["path"] for h in json.loads(kb(runner, indexed, "search", "--kind", "page", "--limit", "100",
                                               "--json").stdout)["hits"]]
    assert len(every) >= 4
    pages = []
    for offset in range(0, len(every), 2):
        pages += [h["path"] for h in json.loads(kb(runner, indexed, "search", "--kind", "page", "--limit", "2",
                                                    "--offset", str(offset), "--json").stdout)["hits"]]
    assert pages == every
    out = kb(runner, indexed, "search", "--kind", "page", "--limit", "1", "--offset", "2").stdout
    assert out.startswith(" 3. ")  # ranks count from the start of the ranking, not of the page
    past = kb(runner, indexed, "search", "--kind", "page", "--offset", "1000")
    assert past.stdout == "" and "No notes found after the first 1000." in past.stderr
    assert kb(runner, indexed, "search", "x", "--offset", "-1", code=2).exit_code == 2


def test_excerpts_wrap_to_the_terminal_width(runner, indexed):
    wide = kb(runner, indexed, "search", "residual", env={"COLUMNS": "200"}).stdout
    narrow = kb(runner, indexed, "search", "residual", env={"COLUMNS": "40"}).stdout
    excerpt = [line for line in narrow.splitlines()[2:]]
    assert len(excerpt) > len(wide.splitlines()[2:])
    assert all(sum(char_width(c) for c in line) <= 40 for line in excerpt)
    # Nothing is lost: the wrapped lines put back together are the one-line excerpt.
    def words(text):
        return re.sub(r"\s+", "", text)
    assert words("".join(wide.splitlines()[2:])) == words("".join(excerpt))


def test_wrapping_counts_cjk_as_two_columns_and_keeps_highlights_whole():
    text = "ResNet 引入残差连接（residual connections）。见 LeNet 与 No Front Matter。"
    start = text.index("残差连接")
    lines = wrap_highlighted(text, [(start, start + 4), (text.index("residual"), text.index("residual") + 8)], 16)
    plain = [ANSI.sub("", line) for line in lines]
    assert all(sum(char_width(c) for c in line) <= 16 for line in plain)
    assert "".join(plain).replace(" ", "") == text.replace(" ", "")
    assert not any(line.startswith(("，", "。", "）")) for line in plain)  # no closing mark starts a line
    with click.Context(click.Command("x"), color=True):
        styled = wrap_highlighted(text, [(start, start + 4)], 16)
    # every highlight that opens on a line closes on it
    assert all(line.count("\x1b[33m") == line.count("\x1b[0m") for line in styled)
    assert "残差连接" in "".join(ANSI.sub("", s) for s in styled if "\x1b[33m" in s)
    assert wrap_highlighted("a" * 30, [], 10) == ["a" * 10] * 3  # a word longer than a line is cut


# --- --json and notices ------------------------------------------------------------------------------


def test_search_json_is_the_api_shape_and_carries_the_notices(runner, kb_home):
    result = kb(runner, kb_home, "search", "residul", "--json")
    data = json.loads(result.stdout)
    assert data["hits"][0]["path"] == "valid.md" and data["corrected"] == "residual" and data["offset"] == 0
    assert result.stderr == ""  # nothing is lost to stderr: the notices are in the JSON
    kinds = {n["notice"]: n for n in data["notices"]}
    assert kinds["indexed"]["stats"]["added"] == 6  # the first search built the index
    assert kinds["corrected"]["corrected_from"] == "residul" and kinds["corrected"]["corrected"] == "residual"
    fallback = json.loads(kb(runner, kb_home, "search", "residual", "zzzqqq", "--json").stdout)
    assert fallback["fallback_any"] is True
    assert {"notice": "fallback", "message": "No note has every word; showing notes that match some of them.",
            "fallback": True} in fallback["notices"]


def test_object_outputs_gain_a_notices_key(runner, indexed):
    shown = json.loads(kb(runner, indexed, "show", "valid", "--json").stdout)
    assert shown["path"] == "valid.md" and shown["notices"] == []
    stats = json.loads(kb(runner, indexed, "index", "--json").stdout)
    assert stats["unchanged"] == 6 and stats["notices"] == []


def test_repairs_are_notices_in_json(runner, indexed):
    gen = (indexed / "index" / (indexed / "index" / "CURRENT").read_text().strip())
    db = gen / "kb.sqlite"
    db.write_bytes(db.read_bytes()[: len(db.read_bytes()) // 2])  # truncated: damaged
    shown = json.loads(kb(runner, indexed, "show", "valid", "--json").stdout)
    assert [n["notice"] for n in shown["notices"]] == ["repair"]
    assert shown["notices"][0]["message"].startswith("Rebuilt the damaged index")


def test_mark_json(runner, kb_home):
    write(kb_home / "notes", "papers/[1]Paper.md", "---\ntitle: A Paper\nstatus: to-read\n---\nText.\n")
    first = json.loads(kb(runner, kb_home, "mark", "A Paper", "read", "--json").stdout)
    assert first == {"path": "papers/[1]Paper.md", "status": "read", "changed": True, "notices": []}
    again = json.loads(kb(runner, kb_home, "mark", "A Paper", "read", "--json").stdout)
    assert again["changed"] is False


def test_add_note_json_carries_warnings(runner, kb_home):
    bib = write(kb_home, "two.bib", "@article{a, title={First}, year={2020}}\n@article{b, title={Second}}\n")
    result = kb(runner, kb_home, "add-note", "--bibtex", str(bib), "--offline", "--no-edit", "--json")
    data = json.loads(result.stdout)
    assert data["path"].startswith("papers/[1]")
    assert all(n["notice"] == "warning" and n["warning"] for n in data["notices"])
    assert "Warning:" not in result.stderr  # carried in the JSON, not printed beside it


def test_snippet_commands_json(runner, indexed, tmp_path):
    listed = json.loads(kb(runner, indexed, "snippets", "list", "With Snippets", "--json").stdout)
    exported = json.loads(kb(runner, indexed, "snippets", "export", listed[0]["id"], "-o", str(tmp_path / "x.py"),
                             "--json").stdout)
    assert exported["snippet"]["id"] == listed[0]["id"] and exported["output"] == str(tmp_path / "x.py")
    write(indexed / "notes", "run.md", "---\ntitle: Run\n---\n```python\n# expect: x = 2\nprint('x =', 1 + 1)\n```\n")
    run = json.loads(kb(runner, indexed, "snippets", "run", "run.md#0", "--json").stdout)
    assert run["returncode"] == 0 and run["stdout"] == "x = 2\n" and run["snippet"]["id"] == "run.md#0"


def test_tags_toc_check_json_keep_their_lists(runner, indexed):
    for command in ("tags", "toc", "check"):
        assert isinstance(json.loads(kb(runner, indexed, command, "--json").stdout), list)


def test_export_json_is_format_json(runner, kb_home):
    write(kb_home / "notes", "papers/[1]Paper.md", "---\ntitle: A Paper\nstatus: reading\n---\nText.\n")
    by_flag = kb(runner, kb_home, "export", "reading-list", "--json").stdout
    assert by_flag == kb(runner, kb_home, "export", "reading-list", "--format", "json").stdout
    assert json.loads(by_flag)


# --- progress ----------------------------------------------------------------------------------------


def _kb_on_a_terminal(kb_home: Path, *args: str) -> tuple[int, str, str]:
    """Run kb with stderr on a pseudo-terminal; (exit code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen([sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index",
                             str(kb_home / "index"), *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    out = proc.stdout.read().decode()
    return proc.wait(timeout=60), out, shown.decode("utf-8", "replace")


@pytest.mark.slow
def test_progress_names_each_stage_on_a_terminal(kb_home):
    for i in range(60):
        write(kb_home / "notes", f"bulk/[{i}]n{i}.md", f"---\ntitle: Note {i}\n---\nbody {i} " * 3 + "\n")
    code, out, shown = _kb_on_a_terminal(kb_home, "index", "--rebuild", "-q")
    assert code == 0 and "added" in out
    assert "scan…" in shown and "write…" in shown
    stages = re.findall(r"index\s+\[[#-]*\]\s+(\d+)/(\d+)", shown)
    assert stages and stages[-1] == ("66", "66")  # the parse stage, counted to the end
    assert shown.rstrip().endswith("write…") and "\x1b[?25h" in shown  # the cursor is shown again


def test_progress_is_silent_off_a_terminal(kb_home):
    proc = subprocess.run([sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index",
                           str(kb_home / "index"), "index", "--rebuild", "-q"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == ""


@pytest.mark.slow
def test_the_first_search_shows_the_build_it_waits_for(kb_home):
    code, out, shown = _kb_on_a_terminal(kb_home, "search", "residual")
    assert code == 0 and out.startswith(" 1. Valid Note")
    assert "scan…" in shown and "write…" in shown and "Indexed the notebook first" in shown
