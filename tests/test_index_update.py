"""An incremental update replaces a note's Whoosh document (found through the segments' term indexes,
not a searcher): after edits, one document per note, holding only the latest text."""

from __future__ import annotations

from conftest import write

from kb.config import Paths
from kb.index.indexer import check_consistency, index_notebook
from kb.notebook import Notebook


def test_repeated_edits_leave_one_document_with_the_latest_text(paths: Paths):
    index_notebook(paths)
    for word in ("firstword", "secondword", "thirdword"):
        write(paths.notes, "edited.md", f"# Edited\n\n{word}\n")
        index_notebook(paths)
    nb = Notebook(paths)
    assert [h.path for h in nb.search("thirdword").hits] == ["edited.md"]
    assert nb.search("firstword").hits == () and nb.search("secondword").hits == ()
    assert check_consistency(paths) == (set(), set())
    (paths.notes / "edited.md").unlink()
    index_notebook(paths)
    assert Notebook(paths).search("thirdword").hits == ()
    assert check_consistency(paths) == (set(), set())
