"""Shared fixtures: a real notebook copied into tmp_path, a CliRunner, and paths."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from kb.config import Paths

# A runner started in the background by a non-interactive shell has SIGINT ignored, and children
# inherit an ignored signal through exec: the Ctrl-C tests' `kb` processes would then not stop. A
# handler (unlike SIG_IGN) is reset on exec, so every child starts with SIGINT as a terminal gives it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

DATA = Path(__file__).parent / "data" / "notes"

# Property tests run the same examples on every run ("ci", the default, so a CI run and a local run
# agree and a failure reproduces); HYPOTHESIS_PROFILE=dev searches ten times wider, at random, to find
# new bugs. No example database: a run never depends on what an earlier run found.
settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, database=None, print_blob=True)
settings.register_profile("dev", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def kb_home(tmp_path: Path) -> Path:
    """A project folder holding a copy of tests/data/notes as notes/."""
    shutil.copytree(DATA, tmp_path / "notes")
    return tmp_path


@pytest.fixture
def paths(kb_home: Path) -> Paths:
    """Paths of the copied notebook and its (not yet built) index."""
    return Paths(kb_home / "notes", kb_home / "index")


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner (stdout and stderr kept apart, as Click 8.2+ does)."""
    return CliRunner()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Create a file (and its folders) under root."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _bwrap_works() -> bool:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    return subprocess.run([bwrap, "--dev-bind", "/", "/", "true"], capture_output=True, check=False).returncode == 0


@pytest.fixture
def read_only_kb(kb_home: Path):
    """`read_only_kb(folder)` returns `run(*args)`, which runs `kb --notes … --index … ARGS` in a subprocess
    that cannot write `folder`: `chmod -R a-w` for a normal user; for root, who ignores permissions, a
    read-only bubblewrap bind mount (the kernel then refuses root's writes too), else a skip."""
    restore: dict[Path, int] = {}
    base = [sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index", str(kb_home / "index")]

    def make(folder: Path):
        if os.geteuid() != 0:
            for p in [folder, *folder.rglob("*")]:
                restore.setdefault(p, p.stat().st_mode)
                p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            prefix: list[str] = []
        elif _bwrap_works():
            prefix = [shutil.which("bwrap") or "bwrap", "--dev-bind", "/", "/", "--ro-bind", str(folder), str(folder)]
        else:
            pytest.skip("root ignores permissions and bubblewrap cannot mount a folder read-only here")

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([*prefix, *base, *args], capture_output=True, text=True, check=False,
                                  cwd=kb_home, env={**os.environ, "NO_COLOR": "1", "KB_OFFLINE": "1"})

        return run

    yield make
    for p, mode in reversed(restore.items()):
        p.chmod(mode)


@pytest.fixture(scope="session")
def shipped_indexed(tmp_path_factory) -> Path:
    """The shipped notes (`notes/`) and their index, built once per run. Copy it; never change it."""
    from kb.notebook import Notebook

    home = tmp_path_factory.mktemp("shipped")
    shutil.copytree(Path(__file__).resolve().parent.parent / "notes", home / "notes")
    Notebook(Paths(home / "notes", home / "index")).index()
    return home
