"""A no-op `kb index` stays cheap: the scan stats notes relative to their open folders, and a run with
nothing to read never imports the parser (PyYAML, the Markdown scanner)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import write

from kb.config import Paths
from kb.index import scan
from kb.index.indexer import index_notebook


def test_scan_stats_notes_relative_to_their_folders(tmp_path: Path):
    for i in range(23):
        write(tmp_path, f"ch{i % 3}/[{i}]note-{i}.md", "# x\n" * i)
    os.symlink(tmp_path / "gone.md", tmp_path / "ch0" / "dangling.md")  # a note file that cannot be stat-ed
    os.symlink(tmp_path / "ch1" / "[1]note-1.md", tmp_path / "ch2" / "linked.md")  # followed, like a file
    files, problems = scan.scan_notes(tmp_path)
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md") if p.exists())
    assert [f.path for f in files] == expected and len(files) == 24
    by_path = {f.path: f for f in files}
    assert by_path["ch2/linked.md"].size == by_path["ch1/[1]note-1.md"].size == 4
    assert all(f.mtime_ns == (tmp_path / f.path).stat().st_mtime_ns for f in files)
    assert [(p.path, p.kind) for p in problems] == [("ch0/dangling.md", "unreadable")]


def test_noop_index_imports_no_parser(paths: Paths):
    index_notebook(paths)
    code = ("import sys; from pathlib import Path; from kb.config import Paths; "
            "from kb.index.indexer import index_notebook; "
            f"s = index_notebook(Paths(Path({str(paths.notes)!r}), Path({str(paths.index)!r}))); "
            "assert (s.added, s.changed, s.removed) == (0, 0, 0), s; "
            "print(sorted(m for m in ('yaml', 'kb.index.parse', 'kb.index.markdown', 'whoosh') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    write(paths.notes, "new.md", "# New\n")  # something to read: now the parser is needed
    out = subprocess.run([sys.executable, "-c", code.replace("(0, 0, 0)", "(1, 0, 0)")], capture_output=True,
                         text=True, check=True).stdout
    assert "kb.index.parse" in out and "yaml" in out
