"""kb.index.parsepool: a full build with worker processes parses in one more process, and must store,
find and report exactly what an in-process build does."""

from __future__ import annotations

from bench.gen_notebook import generate
from conftest import write

from kb.config import Paths
from kb.index.indexer import index_notebook
from kb.notebook import Notebook


def test_a_build_that_parses_in_a_worker_process_indexes_what_one_process_does(tmp_path) -> None:
    # Worker processes (procs > 1) are forced here on a small generated notebook with a few bad files.
    notes = tmp_path / "notes"
    generate(notes, n_notes=120, seed=7)
    write(notes, "ch01/[900]bad-yaml.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(notes, "ch01/[901]binary.md", b"\x00\x01\x02 not text")
    write(notes, "ch01/[902]bad-field.md", "---\ntitle: T\nstatus: finished\n---\nbody\n")
    results = {}
    for procs in (1, 2):
        paths = Paths(notes, tmp_path / f"index-{procs}")
        stats = index_notebook(paths, rebuild=True, procs=procs)
        nb = Notebook(paths)
        results[procs] = (
            stats.added,
            sorted(str(p) for p in stats.problems),
            [(str(n.path), n.title, n.checksum) for n in nb.notes(full=True)],
            {q: [(h.path, h.score) for h in nb.search(q, limit=20).hits] for q in ("resnet", "残差网络", "attention")},
        )
    assert results[2][0] == 122
    assert any("bad-yaml.md" in p for p in results[2][1]) and any("binary.md" in p for p in results[2][1])
    assert results[2] == results[1]
