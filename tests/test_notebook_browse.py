"""Notebook.list_notes, Notebook.graph and Notebook.opening on a real notebook and index in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from browse_notebook import make_notebook
from conftest import write

from kb import Filters, KbError
from kb.config import Paths
from kb.errors import AmbiguousNote, NoteNotFound
from kb.notebook import Notebook

LENET, ALEXNET, RESNET, ORPHAN = ("papers/[1]LeNet.md", "papers/[2]AlexNet.md", "papers/[3]ResNet.md",
                                  "papers/[10]Orphan.md")
RESIDUAL, INTRO = "ch2/[1]residual.md", "intro.md"


@pytest.fixture
def nb(tmp_path: Path) -> Notebook:
    notes = make_notebook(tmp_path)
    notebook = Notebook(Paths(notes, tmp_path / "index"))
    notebook.index()
    return notebook


def paths(notes) -> list[str]:
    return [str(n.path) for n in notes]


def test_list_everything_in_natural_path_order(nb):
    # [3] before [10]: numbers in paths sort as numbers.
    notes = nb.list_notes()
    assert paths(notes) == [RESIDUAL, INTRO, LENET, ALEXNET, RESNET, ORPHAN]
    # Listed notes carry their metadata but not their text (not read, to list many notes fast).
    alexnet = notes[3]
    assert alexnet.aliases == ("AlexNet",) and alexnet.meta["pdf"] == "pdfs/alexnet.pdf" and alexnet.year == 2012
    assert alexnet.body == "" and alexnet.text == "" and nb.note("AlexNet").body.startswith("Back to")


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(tags=("CNN",)), [LENET, ALEXNET, RESNET]),  # tags compare case-insensitively
    (Filters(tags=("cnn", "residual")), [RESNET]),  # every tag must match
    (Filters(kinds=("chapter", "page")), [RESIDUAL, INTRO]),  # any kind
    (Filters(statuses=("read",)), [LENET]),
    (Filters(statuses=("to-read",)), [RESNET, ORPHAN]),  # papers without a status are to-read
    (Filters(statuses=("reading", "read")), [LENET, ALEXNET]),
    (Filters(chapters=("第二章",)), [RESIDUAL]),  # by label
    (Filters(chapters=("CH2",)), [RESIDUAL]),  # by folder
    (Filters(year_from=2012, year_to=2016), [ALEXNET, RESNET]),
    (Filters(year_from=2016), [RESNET, ORPHAN]),
    (Filters(year_to=1998), [LENET]),
    (Filters(tags=("cnn",), year_from=2013), [RESNET]),
    (Filters(tags=("nothing-has-this",)), []),
    (Filters(authors=("BOTTOU",)), [LENET]),  # the paper's authors, by part of a name
    (Filters(authors=("lecun", "nobody")), [LENET]),  # any of them
])
def test_filters(nb, filters, expected):
    assert paths(nb.list_notes(filters)) == expected


def test_year_ranges_parse_as_in_search():
    assert Filters.parse_years("2015-2017") == (2015, 2017)
    assert Filters.parse_years("2017..2015") == (2015, 2017)
    assert Filters.parse_years("2015..") == (2015, None)
    assert Filters.parse_years("fifteen") is None


def test_orphans_are_notes_without_resolved_links_either_way(nb):
    # The orphan has an external link only; LeNet's broken link and link to itself do not make
    # anything else an orphan or not.
    assert paths(nb.list_notes(orphans=True)) == [ORPHAN]


def test_an_orphan_stays_one_with_broken_and_self_links(nb, tmp_path):
    write(tmp_path / "notes", "ch2/[2]alone.md", "# Alone\n\n[me](#alone), [gone](./nowhere.md), [[No Such Note]]\n")
    nb.index()
    assert paths(nb.list_notes(orphans=True)) == ["ch2/[2]alone.md", ORPHAN]


@pytest.mark.parametrize("key", [LENET, "papers/[1]LeNet", "[1]LeNet", "LeNet", "notes/papers/[1]LeNet.md"])
def test_links_to_accepts_every_note_form(nb, key):
    # Markdown links (intro, AlexNet) and wiki links (AlexNet) alike; not LeNet's link to itself.
    assert paths(nb.list_notes(links_to=key)) == [INTRO, ALEXNET]


def test_linked_from_by_alias_and_title(nb):
    assert paths(nb.list_notes(linked_from="LeNet")) == [ALEXNET, RESNET]  # not the broken one, not itself
    assert paths(nb.list_notes(linked_from="Deep Residual Learning")) == [RESIDUAL]
    assert paths(nb.list_notes(linked_from="ResNet", links_to="ResNet")) == [RESIDUAL]  # both ways
    assert paths(nb.list_notes(linked_from="ResNet", links_to="残差连接")) == []
    assert paths(nb.list_notes(linked_from="LeNet", filters=Filters(statuses=("reading",)))) == [ALEXNET]


def test_unknown_or_ambiguous_note_is_an_error(nb, tmp_path):
    with pytest.raises(NoteNotFound):
        nb.list_notes(links_to="No Such Note")
    write(tmp_path / "notes", "ch2/[3]other.md", "---\ntitle: Other\naliases: [Twin]\n---\nx\n")
    write(tmp_path / "notes", "ch2/[4]another.md", "---\ntitle: Another\naliases: [Twin]\n---\nx\n")
    nb.index()
    with pytest.raises(AmbiguousNote):
        nb.graph(around="Twin")


@pytest.mark.parametrize(("sort", "expected"), [
    ("number", [RESIDUAL, LENET, ALEXNET, RESNET, ORPHAN, INTRO]),  # unnumbered last
    ("year", [LENET, ALEXNET, RESNET, ORPHAN, RESIDUAL, INTRO]),  # no year last, then by number
    ("title", [LENET, ALEXNET, ORPHAN, RESNET, INTRO, RESIDUAL]),  # "[" sorts before letters
])
def test_sorts(nb, sort, expected):
    assert paths(nb.list_notes(sort=sort)) == expected


def test_unknown_sort_is_refused(nb):
    with pytest.raises(ValueError, match="unknown sort"):
        nb.list_notes(sort="colour")


def test_graph_has_only_resolved_links_between_notes(nb):
    graph = nb.graph()
    assert len(graph.nodes) == 6
    edges = {(e.source, e.target): e.styles for e in graph.edges}
    assert edges == {
        (LENET, ALEXNET): ("wiki",), (LENET, RESNET): ("markdown",), (ALEXNET, LENET): ("markdown", "wiki"),
        (RESNET, RESIDUAL): ("markdown",), (RESIDUAL, RESNET): ("wiki",), (INTRO, LENET): ("markdown",),
    }


def test_graph_around_a_note(nb):
    assert [n.path for n in nb.graph(around="ResNet", depth=0).nodes] == [RESNET]
    assert [n.path for n in nb.graph(around="ResNet").nodes] == [RESIDUAL, LENET, RESNET]
    assert [n.path for n in nb.graph(around="ResNet", depth=2).nodes] == [RESIDUAL, INTRO, LENET, ALEXNET, RESNET]
    assert [n.path for n in nb.graph(around=ORPHAN, depth=3).nodes] == [ORPHAN]
    with pytest.raises(KbError, match="depth"):
        nb.graph(around="ResNet", depth=-1)


def test_opening_prefers_the_pdf_relative_to_the_notes_folder(nb, tmp_path):
    opening = nb.opening("AlexNet")
    assert (opening.kind, opening.source) == ("pdf", "pdf")
    assert opening.target == str((tmp_path / "notes" / "pdfs" / "alexnet.pdf").resolve())


def test_opening_falls_back_to_arxiv_doi_url_then_the_file(nb, tmp_path):
    assert nb.opening("ResNet").to_dict() == {"note": RESNET, "kind": "url", "source": "arxiv",
                                              "target": "https://arxiv.org/abs/1512.03385"}
    assert nb.opening("LeNet").target == "https://doi.org/10.1109/5.726791"
    assert nb.opening(ORPHAN).target == "https://example.org/lonely"
    opening = nb.opening("残差连接")
    assert (opening.kind, opening.source) == ("file", "note")
    assert opening.target == str((tmp_path / "notes" / RESIDUAL).resolve())


def test_a_pdf_that_is_missing_is_an_error_not_a_fallback(nb, tmp_path):
    (tmp_path / "notes" / "pdfs" / "alexnet.pdf").unlink()
    with pytest.raises(KbError, match=r"papers/\[2\]AlexNet.md: pdf: pdfs/alexnet.pdf does not exist") as info:
        nb.opening("AlexNet")
    assert "notes folder" in info.value.hint


def test_a_pdf_url_and_an_absolute_pdf(nb, tmp_path):
    absolute = write(tmp_path, "elsewhere/paper.pdf", b"%PDF-1.4\n")
    write(tmp_path / "notes", "papers/[4]Abs.md", f"---\ntitle: Abs\npdf: {absolute}\n---\nx\n")
    write(tmp_path / "notes", "papers/[5]Web.md", "---\ntitle: Web\npdf: https://example.org/w.pdf\n---\nx\n")
    write(tmp_path / "notes", "papers/[6]Bad.md", "---\ntitle: Bad\npdf: [a, b]\n---\nx\n")
    nb.index()
    assert nb.opening("Abs").target == str(absolute.resolve())
    assert (nb.opening("Web").kind, nb.opening("Web").target) == ("url", "https://example.org/w.pdf")
    with pytest.raises(KbError, match="pdf: should be a file path or a URL"):
        nb.opening("Bad")


def test_pdf_is_a_known_front_matter_key(nb, tmp_path):
    write(tmp_path / "notes", "papers/[7]Typo.md", "---\ntitle: Typo\npdff: x.pdf\n---\nx\n")
    problems = [p for p in nb.check() if p.kind == "unknown-key"]
    assert [p.path for p in problems] == ["papers/[7]Typo.md"] and "'pdf'" in problems[0].message
