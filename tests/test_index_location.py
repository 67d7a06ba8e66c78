"""Where the index may live: a read-only index is searched without a write, an index folder that
cannot be written is refused with a hint to pass --index, and a system folder gets no `/index`.

A read-only folder is real: `chmod -R a-w` for a normal user; for root, who ignores permissions,
the folder is bind-mounted read-only with bubblewrap (the kernel then refuses every write, root's too).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kb.cli import cli
from kb.config import is_system_location, resolve_paths
from kb.errors import IndexNotWritable
from kb.index.generations import current_generation
from kb.index.schema import connect_readonly, readonly_uri
from kb.notebook import Notebook

HINT = "Hint: pass --index DIR (or set KB_INDEX) to keep the index in a folder you can write"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def read_only(kb_home: Path, read_only_kb):
    """Run `kb ARGS` in a subprocess with kb_home/index read-only."""
    (kb_home / "index").mkdir(exist_ok=True)
    return read_only_kb(kb_home / "index")


def _one_error(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: "), lines
    return lines


@pytest.mark.slow
def test_read_commands_answer_from_a_read_only_index_without_writing(kb_home, read_only):
    Notebook(resolve_paths(kb_home / "notes", kb_home / "index")).index()
    gen = current_generation(kb_home / "index")
    assert gen is not None
    assert not list(gen.folder.glob("kb.sqlite-*"))  # the writer closed: no WAL side files to lean on
    before = _snapshot(kb_home / "index")
    search = read_only("search", "valid", "--json")
    assert search.returncode == 0, search.stderr
    assert '"path"' in search.stdout
    for args in (["show", "valid"], ["tags"], ["toc"]):
        result = read_only(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == ""
    assert _snapshot(kb_home / "index") == before  # nothing written, not even -wal or -shm

    lines = _one_error(read_only("index"))
    assert lines[0].startswith(f"Error: cannot write the index in {kb_home / 'index'}: ")
    assert lines[1] == HINT
    lines = _one_error(read_only("mark", "valid", "read"))
    assert lines[1] == HINT
    assert _snapshot(kb_home / "index") == before


@pytest.mark.slow
def test_a_read_only_folder_without_an_index_is_refused_with_the_hint(kb_home, read_only):
    lines = _one_error(read_only("search", "valid"))
    assert lines == [f"Error: cannot write the index in {kb_home / 'index'}: "
                     + lines[0].rsplit(": ", 1)[1], HINT]
    assert not any((kb_home / "index").iterdir())


def test_immutable_read_only_uri_reads_a_wal_store_without_side_files(kb_home):
    # What a read-only folder falls back to: the store opened with no -wal/-shm and no locks.
    Notebook(resolve_paths(kb_home / "notes", kb_home / "index")).index()
    gen = current_generation(kb_home / "index")
    assert gen is not None
    assert gen.db_path.read_bytes()[18:20] == b"\x02\x02"  # a WAL-mode database
    conn = sqlite3.connect(readonly_uri(gen.db_path, immutable=True), uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 6
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM notes")
    finally:
        conn.close()
    assert not list(gen.folder.glob("kb.sqlite-*"))
    ro = connect_readonly(gen.db_path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.execute("DELETE FROM notes")
    finally:
        ro.close()


def test_readonly_uri_quotes_odd_paths(tmp_path):
    folder = tmp_path / "a b?c#d%"
    folder.mkdir()
    db = folder / "kb.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    ro = connect_readonly(db)
    try:
        assert ro.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    finally:
        ro.close()


@pytest.mark.parametrize(("index", "system"), [
    ("/index", True), ("/etc/index", True), ("/usr/share/index", True), ("/proc/index", True),
    ("/home/me/index", False), ("/tmp/index", False), ("/srv/kb/index", False), ("/etcetera/index", False),
])
def test_system_locations(index, system):
    assert is_system_location(Path(index)) is system


def test_a_system_folder_as_notebook_gets_no_index_at_the_top(runner):
    existed = Path("/index").exists()
    result = runner.invoke(cli, ["--notes", "/etc", "index"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: /etc is a system folder: its index would go in /index, outside any notebook folder", HINT]
    assert Path("/index").exists() is existed
    with pytest.raises(IndexNotWritable):
        resolve_paths("/etc")
    assert resolve_paths("/etc", "/tmp/somewhere").index == Path("/tmp/somewhere").resolve()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root (to run kb as another user) and setpriv")
def test_chmod_read_only_index_searched_by_another_user(kb_home):
    """The issue's case exactly: `chmod -R a-w index`, then `kb search` by a user who is not root.

    The notebook is copied out of tmp_path, whose parents only root may enter, into a folder that
    user `nobody` can read; it is removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="kb-ro-"))
    try:
        home.chmod(0o755)
        shutil.copytree(kb_home / "notes", home / "notes")
        Notebook(resolve_paths(home / "notes", home / "index")).index()
        for p in [home, *home.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        before = _snapshot(home / "index")
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        base = [sys.executable, "-m", "kb", "--notes", str(home / "notes"), "--index", str(home / "index")]
        env = {**os.environ, "NO_COLOR": "1", "HOME": str(home)}
        search = subprocess.run([*nobody, *base, "search", "valid", "--json"], capture_output=True, text=True,
                                env=env, check=False)
        assert search.returncode == 0, search.stderr
        assert search.stderr == "" and '"path"' in search.stdout
        index = subprocess.run([*nobody, *base, "index"], capture_output=True, text=True, env=env, check=False)
        assert index.stderr.splitlines() == [f"Error: cannot write the index in {home / 'index'}: Permission denied",
                                             HINT]
        assert _snapshot(home / "index") == before
    finally:
        for p in [home, *home.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(home)
