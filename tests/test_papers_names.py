"""kb.papers.names: names split as BibTeX splits them, and written so that a real parser agrees."""

from __future__ import annotations

from pathlib import PurePosixPath

import bibtexparser
import pytest
from bibtexparser import middlewares as bib_mw
from pylatexenc.latex2text import LatexNodes2Text

from kb.models import Note, PaperMeta
from kb.papers.export import export_reading_list
from kb.papers.names import display_name, is_organisation, split_name


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Kaiming He", ("Kaiming", "", "He", "")),
        ("He, Kaiming", ("Kaiming", "", "He", "")),
        ("Martin Luther King Jr.", ("Martin Luther", "", "King", "Jr.")),
        ("Martin Luther King, Jr.", ("Martin Luther", "", "King", "Jr.")),
        ("King, Jr., Martin Luther", ("Martin Luther", "", "King", "Jr.")),
        ("Laurens van der Maaten", ("Laurens", "van der", "Maaten", "")),
        ("van der Maaten, Laurens", ("Laurens", "van der", "Maaten", "")),
        ("Jean de La Fontaine", ("Jean", "de", "La Fontaine", "")),
        ("Charles Louis Xavier Joseph de la Vallée Poussin", ("Charles Louis Xavier Joseph", "de la", "Vallée Poussin", "")),
        ("García Márquez, Gabriel", ("Gabriel", "", "García Márquez", "")),
        ("John von Neumann III", ("John", "von", "Neumann", "III")),
        ("Geoffrey E. Hinton", ("Geoffrey E.", "", "Hinton", "")),
        ("何恺明", ("", "", "何恺明", "")),
        ("Plato", ("", "", "Plato", "")),
    ],
)
def test_split_name(name: str, parts: tuple[str, str, str, str]) -> None:
    got = split_name(name)
    assert (got.first, got.von, got.last, got.jr) == parts
    assert not got.organisation


@pytest.mark.parametrize("name", ["Google Brain Team", "{Some Vision Lab}", "The Pile Authors", "BigScience Workshop & Co",
                                  "{OpenAI}", "Tsinghua University"])
def test_organisations_stay_whole(name: str) -> None:
    assert is_organisation(name)
    assert split_name(name).organisation


@pytest.mark.parametrize("name", ["Kaiming He", "Ludwig van Beethoven", "OpenAI", "Grace Hopper Jr."])
def test_people_are_not_organisations(name: str) -> None:
    assert not is_organisation(name)


def test_display_name_round_trips_through_split_name() -> None:
    for first, von, last, jr in [("Laurens", "van der", "Maaten", ""), ("Martin Luther", "", "King", "Jr."),
                                 ("Gabriel", "", "García Márquez", ""), ("Gabriel", "", "García Márquez", "Jr."),
                                 ("", "", "Google Brain Team", ""), ("Laurens", "", "van der Maaten", "")]:
        shown = display_name(first, von, last, jr)
        parts = split_name(shown)
        assert parts.family == " ".join(p for p in (von, last) if p), shown
        assert (parts.first, parts.jr) == (first, jr), shown
    assert display_name("", "", "Strange Lab Name", "") == "Strange Lab Name"  # recognised: no braces needed
    assert display_name("", "", "Mystery Collective", "") == "{Mystery Collective}"  # kept a group by braces


AUTHORS = (
    "Martin Luther King Jr.",
    "van der Maaten, Laurens",
    "Google Brain Team",
    "{Mystery Collective}",
    "Jérôme Müller",
    "John von Neumann",
    "Gabriel García Márquez Jr.",
    "Bob & Alice Research Group",
    "Ann Smith-Jones",
    "何恺明",
)


def test_exported_names_parse_into_the_right_parts() -> None:
    """The export is read back by bibtexparser's BibTeX-compatible name splitter, not by kb's own code."""
    note = Note(path=PurePosixPath("papers/[1]x.md"), title="x", kind="paper", body="",
                paper=PaperMeta(title="A Paper", authors=AUTHORS, year=2020, venue="CVPR"))
    text = export_reading_list([note], "bibtex")
    assert "King, Jr., Martin Luther and van der Maaten, Laurens and {Google Brain Team}" in text
    library = bibtexparser.parse_string(text, append_middleware=[bib_mw.SeparateCoAuthors(), bib_mw.SplitNameParts()])
    assert not library.failed_blocks
    decode = LatexNodes2Text().latex_to_text
    names = [tuple(" ".join(decode(w) for w in getattr(n, part)) for part in ("first", "von", "last", "jr"))
             for n in library.entries[0].fields_dict["author"].value]
    assert names == [
        ("Martin Luther", "", "King", "Jr."),
        ("Laurens", "van der", "Maaten", ""),
        ("", "", "Google Brain Team", ""),
        ("", "", "Mystery Collective", ""),
        ("Jérôme", "", "Müller", ""),
        ("John", "von", "Neumann", ""),
        ("Gabriel García", "", "Márquez", "Jr."),  # from `First Last` order kb cannot know a two-word family name
        ("", "", "Bob & Alice Research Group", ""),
        ("Ann", "", "Smith-Jones", ""),
        ("", "", "何恺明", ""),
    ]
