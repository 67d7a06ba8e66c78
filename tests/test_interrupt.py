"""Ctrl-C during `kb index --rebuild`, and a parent killed outright: one line, exit 130, the old index
intact, and no Whoosh worker process left behind.

Real subprocesses: `python -m kb` in its own session, sent SIGINT as a terminal sends it (to the whole
process group, the workers included) while Whoosh's worker processes are indexing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.gen_notebook import generate

from kb.config import Paths
from kb.index import fulltext
from kb.index.generations import current_generation
from kb.notebook import Notebook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc"),
]


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


@pytest.fixture
def big_notebook(tmp_path: Path) -> tuple[Path, Paths]:
    """A notebook big enough for a multi-process build, indexed while it held only a few notes."""
    notes = tmp_path / "notes"
    generate(notes, n_notes=650, seed=3)
    assert sum(f.stat().st_size for f in notes.rglob("*.md")) > fulltext.BATCH_TEXT_BYTES  # procs = 2
    later = tmp_path / "later"
    shutil.move(notes / "papers", later)
    (notes / "papers").mkdir()
    paths = Paths(notes, tmp_path / "index")
    Notebook(paths).index()
    shutil.rmtree(notes / "papers")
    shutil.move(later, notes / "papers")
    return tmp_path, paths


def start_rebuild(home: Path) -> tuple[subprocess.Popen, list[int]]:
    """`kb index --rebuild` in its own session; returns once Whoosh's workers are at work."""
    proc = subprocess.Popen([sys.executable, "-m", "kb", "index", "--rebuild"], cwd=home, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 60
    while len(children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children(proc.pid)
    assert len(workers) >= 2, "the rebuild finished or stalled before its workers started"
    time.sleep(0.3)  # let them get into the middle of a batch
    return proc, workers


def all_gone(pids: list[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(running(p) for p in pids)


def test_ctrl_c_during_a_rebuild_is_one_line_exit_130_and_the_old_index(big_notebook):
    home, paths = big_notebook
    before = current_generation(paths.index)
    assert before is not None
    old_files = sorted(p.name for p in before.whoosh_path.iterdir())
    old_notes = [str(n.path) for n in Notebook(paths).notes()]
    assert not any(p.startswith("papers/") for p in old_notes)
    proc, workers = start_rebuild(home)
    try:
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert err == "Interrupted; the index was left as it was.\n"
    assert out == ""
    assert all_gone(workers)
    after = current_generation(paths.index)
    assert after is not None and after.folder == before.folder
    assert sorted(p.name for p in after.whoosh_path.iterdir()) == old_files
    assert sorted(p.name for p in paths.index.glob("gen-*")) == [before.folder.name]  # the new one removed
    nb = Notebook(paths)
    assert [str(n.path) for n in nb.notes()] == old_notes  # the old index, whole
    assert nb.search("transformer").total >= 0 and nb.repairs == []


def test_workers_die_with_a_parent_killed_outright(big_notebook):
    home, _ = big_notebook
    proc, workers = start_rebuild(home)
    try:
        os.kill(proc.pid, signal.SIGKILL)  # the parent only: nothing gets to clean up
        proc.wait(timeout=10)
        assert all_gone(workers), [p for p in workers if running(p)]
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        proc.communicate(timeout=10)
