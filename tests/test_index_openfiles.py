"""kb.index.openfiles: a search over many Whoosh segments under a low limit of open files.

Real processes with a real limit (`setrlimit` in the child), a real notebook and index: each one-note
`kb index` adds a Whoosh segment, and a searcher keeps about seven files open per segment.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from kb.notebook import Notebook
from tests.conftest import write

LOW = 16  # below what a search over the segments made here needs (checked in the test)


def _limited(soft: int, hard: int | None = None):
    def set_limit() -> None:
        _, current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, current_hard if hard is None else hard))
    return set_limit


def _kb(kb_home: Path, *args: str, limit=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index",
                           str(kb_home / "index"), *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit)


@pytest.fixture
def many_segments(kb_home: Path, paths) -> Path:
    """The test notebook indexed, then six notes edited and indexed one at a time: seven segments."""
    notebook = Notebook(paths)
    notebook.index()
    for i in range(6):
        write(kb_home / "notes", f"extra/[{i}]note-{i}.md", f"# Segment note {i}\n\nResNet uses residual blocks.\n")
        notebook.index()
    segments = {p.name.split(".")[0] for p in next((kb_home / "index").glob("gen-*/whoosh")).glob("*.trm")}
    assert len(segments) >= 5, segments  # merged only past ten tiny segments
    return kb_home


def test_search_raises_a_low_soft_limit_up_to_the_hard_one(many_segments: Path) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 256:
        pytest.skip(f"the hard limit of open files here is {hard}")
    result = _kb(many_segments, "search", "resnet", "--json", limit=_limited(LOW))
    assert result.returncode == 0, result.stderr
    assert '"Segment note 5"' in result.stdout


def test_the_low_limit_really_is_too_low_for_this_index(many_segments: Path) -> None:
    # Without raising the limit (soft = hard = LOW) the same search runs out of files: the test above
    # passes because of the raise, not because the index fits in LOW files.
    result = _kb(many_segments, "search", "resnet", limit=_limited(LOW, LOW))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: too many open files while reading the search index in ")
    assert lines[0].endswith(f"(this process may open {LOW})")
    assert lines[1] == "Hint: raise the limit of open files, for example `ulimit -n 8192` in the shell that runs kb"


def test_allow_open_files_stays_under_the_hard_limit() -> None:
    code = ("import resource; from kb.index.openfiles import allow_open_files; allow_open_files(8192);"
            "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            preexec_fn=_limited(32, 100))
    assert result.stdout.strip() == "100"
    # Never lowered: a soft limit already above the wish stays.
    result = subprocess.run([sys.executable, "-c", code.replace("8192", "50")], capture_output=True, text=True,
                            timeout=60, preexec_fn=_limited(64, 100))
    assert result.stdout.strip() == "64"
