"""kb.web.views without a browser: the sidebar of a big notebook lists only what the page needs."""

from __future__ import annotations

from pathlib import Path

from kb.notebook import Notebook
from kb.web import views
from tests.conftest import write


def notebook(tmp_path: Path) -> Notebook:
    notes = tmp_path / "notes"
    for ch in ("ch1", "ch2"):
        for i in (1, 2, 3):
            write(notes, f"{ch}/[{i}]n{i}.md", f"---\ntitle: {ch} note {i}\n---\n\nText.\n")
    for i in range(1, 6):
        write(notes, f"papers/[{i}]p{i}.md", f"---\ntitle: Paper {i}\n---\n\nText.\n")
    nb = Notebook.open(notes, tmp_path / "index")
    nb.index()
    return nb


def test_a_small_notebook_lists_every_note_on_every_page(tmp_path):
    side = views.sidebar(notebook(tmp_path), "ch2/[1]n1.md")
    assert [c.notes is not None for c in side["side"]] == [True, True]
    assert [c.open for c in side["side"]] == [False, True]
    assert [p for p, _ in side["side_papers"]] == [f"papers/[{i}]p{i}.md" for i in (5, 4, 3, 2, 1)]


def test_a_big_notebook_lists_the_current_chapter_and_the_newest_papers(tmp_path, monkeypatch):
    nb = notebook(tmp_path)
    monkeypatch.setattr(views, "SIDEBAR_NOTES", 10)
    monkeypatch.setattr(views, "SIDEBAR_PAPERS", 2)
    side = views.sidebar(nb, "ch2/[1]n1.md")
    assert [(c.anchor, c.count, c.notes is not None) for c in side["side"]] == [("chapter-ch1", 3, False),
                                                                                 ("chapter-ch2", 3, True)]
    assert [p for p, _ in side["side_papers"]] == ["papers/[5]p5.md", "papers/[4]p4.md"]
    assert len(side["papers"]) == 5 and sum(len(c.notes) for c in side["chapters"]) == 6  # home and contents: all
    # An old paper's own page still shows it in the sidebar, after the newest ones.
    side = views.sidebar(nb, "papers/[1]p1.md")
    assert [p for p, _ in side["side_papers"]] == ["papers/[5]p5.md", "papers/[4]p4.md", "papers/[1]p1.md"]
    assert side["papers_open"] and not any(c.notes for c in side["side"])
