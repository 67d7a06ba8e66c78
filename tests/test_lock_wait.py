"""A held writer lock: kb says what it waits for, and a timeout leaves the notebook as it was.

The lock is held by a real second process (`fcntl.flock` on index/.lock), as another `kb` would.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import kb.index.generations as generations
from kb.cli import cli
from kb.config import Paths
from kb.errors import IndexBusy
from kb.notebook import Notebook

_HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""

WAITING = "waiting for another kb process to finish writing the index…"


def hold_lock(index: Path, seconds: float) -> subprocess.Popen:
    """A second process holding the writer lock for `seconds` (returns once it holds it)."""
    index.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(index / ".lock"), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def holder(kb_home):
    procs: list[subprocess.Popen] = []

    def start(seconds: float = 60) -> subprocess.Popen:
        proc = hold_lock(kb_home / "index", seconds)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setattr(generations, "LOCK_WAIT_SECONDS", 2.0)


def kb(runner, kb_home: Path, *args: str):
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


def _papers(kb_home: Path) -> list[str]:
    folder = kb_home / "notes" / "papers"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _timed_out(result) -> None:
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [ln for ln in lines if ln.startswith("Error:")] == [lines[1]]  # one Error line
    assert lines[0] == WAITING
    assert lines[1].startswith("Error: another kb process kept the index in ")
    assert lines[1].endswith("; nothing was changed")
    assert lines[2].startswith("Hint: wait for the other kb command")
    assert len(lines) == 3


@pytest.mark.slow
def test_add_note_times_out_without_leaving_a_note(runner, kb_home, holder, short_wait):
    kb(runner, kb_home, "add-note", "First Paper", "--no-edit", "--offline")
    before = _papers(kb_home)
    assert before == ["[1]First-Paper.md"]
    holder()
    started = time.monotonic()
    result = kb(runner, kb_home, "add-note", "Second Paper", "--no-edit", "--offline")
    assert 1.9 <= time.monotonic() - started < 10
    _timed_out(result)
    assert _papers(kb_home) == before  # no [2]Second-Paper.md behind the error


@pytest.mark.slow
def test_after_the_timeout_the_retry_gets_the_next_number_once(runner, kb_home, holder, short_wait):
    kb(runner, kb_home, "add-note", "First Paper", "--no-edit", "--offline")
    proc = holder()
    _timed_out(kb(runner, kb_home, "add-note", "Second Paper", "--no-edit", "--offline"))
    proc.kill()
    proc.wait()
    result = kb(runner, kb_home, "add-note", "Second Paper", "--no-edit", "--offline")
    assert result.exit_code == 0, result.stderr
    assert _papers(kb_home) == ["[1]First-Paper.md", "[2]Second-Paper.md"]


@pytest.mark.slow
def test_mark_times_out_without_changing_the_note(runner, kb_home, holder, short_wait):
    kb(runner, kb_home, "add-note", "First Paper", "--no-edit", "--offline", "--status", "to-read")
    note = kb_home / "notes" / "papers" / "[1]First-Paper.md"
    before = note.read_bytes()
    holder()
    _timed_out(kb(runner, kb_home, "mark", "First Paper", "read"))
    assert note.read_bytes() == before


@pytest.mark.slow
def test_a_short_wait_is_announced_once_and_then_the_command_runs(runner, kb_home, holder):
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    holder(1.8)
    result = kb(runner, kb_home, "index")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == WAITING
    assert result.stderr.count(WAITING) == 1


def test_no_notice_when_the_lock_is_free(runner, kb_home):
    result = kb(runner, kb_home, "index")
    assert result.exit_code == 0
    assert WAITING not in result.stderr


@pytest.mark.slow
def test_the_library_calls_back_and_raises_but_never_prints(kb_home, holder, short_wait, capsys):
    told: list[str] = []
    nb = Notebook(Paths(kb_home / "notes", kb_home / "index"), on_wait=told.append)
    nb.index()
    holder()
    with pytest.raises(IndexBusy) as info:
        nb.index()
    assert told == [WAITING]
    assert info.value.hint
    assert capsys.readouterr() == ("", "")
    quiet = Notebook(Paths(kb_home / "notes", kb_home / "index"))
    with pytest.raises(IndexBusy):
        quiet.index()
    assert capsys.readouterr() == ("", "")
