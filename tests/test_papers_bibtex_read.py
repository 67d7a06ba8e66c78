"""kb.papers.bibtex, reading: BibTeX entries as arXiv, Scholar, DBLP and publishers export them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kb.errors import BibtexError, KbError
from kb.papers.bibread import fields_from_bibtex, file_paths, first_entry, read_library
from kb.papers.fields import normalise_title

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


ARXIV_BIB = """@misc{he2015deepresiduallearningimage,
      title={Deep Residual Learning for Image Recognition},
      author={Kaiming He and Xiangyu Zhang and Shaoqing Ren and Jian Sun},
      year={2015},
      eprint={1512.03385},
      archivePrefix={arXiv},
      primaryClass={cs.CV},
      url={https://arxiv.org/abs/1512.03385},
}
"""
SCHOLAR_BIB = """@article{he2015deep,
  title={Deep residual learning for image recognition},
  author={He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  journal={arXiv preprint arXiv:1512.03385},
  year={2015}
}
"""
DBLP_BIB = """@article{DBLP:journals/corr/HeZRS15,
  author       = {Kaiming He and
                  Xiangyu Zhang and
                  Shaoqing Ren and
                  Jian Sun},
  title        = {Deep Residual Learning for Image Recognition},
  journal      = {CoRR},
  volume       = {abs/1512.03385},
  year         = {2015},
  url          = {http://arxiv.org/abs/1512.03385},
  eprinttype    = {arXiv},
  eprint       = {1512.03385},
}
"""
PUBLISHER_BIB = r"""% exported from a publisher
@string{cvpr = "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"}
@InProceedings{He_2016_CVPR,
  Author = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  Title = {Deep Residual Learning for {Image} Recognition},
  BookTitle = cvpr,
  Month = {June},
  Year = {2016},
  DOI = {https://doi.org/10.1109/CVPR.2016.90},
  Abstract = {Deeper neural networks are more difficult to train.}
}
@comment{a comment block is not an entry}
"""
ACCENTS_BIB = r"""@article{accents,
  author = {M{\"u}ller, J{\'e}r{\^o}me and G{\"{o}}del, Kurt and \"{U}ber, Xaver and {\v{S}}koda, Jan
            and {Google Brain Team} and von Neumann, Jr., John and others},
  title = "The {\"U}ber {ImageNet} \& 50\% trick: $\alpha$-nets",
  journal = {Journal of Machine Learning Research},
  date = {2019-03-01},
  doi = {10.5555/ABC.123}
}
"""


@pytest.mark.parametrize("text", [ARXIV_BIB, SCHOLAR_BIB, DBLP_BIB], ids=["arxiv", "scholar", "dblp"])
def test_fields_from_bibtex_arxiv_sources(text: str) -> None:
    fields = fields_from_bibtex(text)
    assert normalise_title(fields.title or "") == "deep residual learning for image recognition"
    assert fields.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert fields.year == 2015
    assert fields.arxiv == "1512.03385"
    assert fields.venue in (None, "arXiv")


def test_fields_from_bibtex_publisher_entry() -> None:
    fields = fields_from_bibtex(PUBLISHER_BIB)
    assert fields.title == "Deep Residual Learning for Image Recognition"
    assert fields.authors[0] == "Kaiming He"
    assert fields.year == 2016
    assert fields.venue == "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert fields.doi == "10.1109/CVPR.2016.90"
    assert fields.arxiv is None
    assert fields.abstract == "Deeper neural networks are more difficult to train."


def test_fields_from_bibtex_decodes_latex() -> None:
    fields = fields_from_bibtex(ACCENTS_BIB)
    assert fields.authors == (
        "Jérôme Müller",
        "Kurt Gödel",
        "Xaver Über",
        "Jan Škoda",
        "Google Brain Team",
        "John von Neumann Jr.",
    )
    assert fields.title == "The Über ImageNet & 50% trick: $\\alpha$-nets"
    assert fields.venue == "Journal of Machine Learning Research"
    assert fields.year == 2019
    assert fields.doi == "10.5555/ABC.123"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no BibTeX entry"),
        ("just some text, not bibtex", "no BibTeX entry"),
        ("@comment{nothing here}", "no BibTeX entry"),
        ("@article{x, title={never closed", "line 1"),
        ("@article{x, title={a}, title={b}}", "Duplicate field"),
        ("@article{x, title={a, }\n@article{y, title={b}}", "line 1"),
    ],
)
def test_fields_from_bibtex_errors(text: str, message: str) -> None:
    with pytest.raises(BibtexError) as info:
        fields_from_bibtex(text, source="paper.bib")
    assert message in str(info.value)
    assert isinstance(info.value, KbError) and info.value.hint


# --- arXiv API ---------------------------------------------------------------------------------------



# --- libraries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "paths"),
    [
        ("/home/u/Zotero/storage/AB/He - 2016 - Deep.pdf", ("/home/u/Zotero/storage/AB/He - 2016 - Deep.pdf",)),
        ("/a/x.pdf;/a/y.zip", ("/a/x.pdf", "/a/y.zip")),
        ("Full Text PDF:/a/x.pdf:application/pdf;Snapshot:/a/x.html:text/html", ("/a/x.pdf", "/a/x.html")),
        (":papers/x.pdf:PDF", ("/lib/papers/x.pdf",)),
        ("Slides:C\\:\\\\Users\\\\u\\\\x.pdf:PDF", ("C:\\Users\\u\\x.pdf",)),
        ("C:\\Users\\u\\x.pdf", ("C:\\Users\\u\\x.pdf",)),
        ("", ()),
    ],
)
def test_file_paths(value: str, paths: tuple[str, ...]) -> None:
    assert file_paths(value, Path("/lib")) == paths


def test_read_library_keeps_going_after_a_bad_entry() -> None:
    text = ("@article{ok1, title = {First}, author = {{van der Maaten}, Laurens and {Gemini Team} and King, Jr., "
            "Martin Luther}}\n"
            "@article{broken2020\n  title = {No comma after the key}\n}\n"
            "@article{ok1, title = {Same key again}}\n"
            "@article{notitle, author = {Someone, Anna}}\n"
            "@article{ok2, title = {Last}}\n")
    entries = read_library(text, source="lib.bib")
    assert [(e.line, e.key, e.error is None) for e in entries] == [
        (1, "ok1", True), (2, "broken2020", False), (5, "ok1", False), (6, "notitle", True), (7, "ok2", True)]
    assert entries[0].paper.authors == ("Laurens van der Maaten", "Gemini Team", "Martin Luther King Jr.")
    assert entries[0].paper.citekey == "ok1"
    assert entries[1].where == "lib.bib:2" and "comma" in entries[1].error
    assert entries[2].error == "the key 'ok1' is already used at line 1"
    assert entries[3].paper.title is None


def test_import_plan_matches_by_arxiv_doi_then_title_and_remembers_what_it_creates() -> None:
    from pathlib import PurePosixPath

    from kb.models import Note, PaperMeta
    from kb.papers.bibimport import ImportPlan
    from kb.papers.bibread import LibraryEntry

    notes = [Note(path=PurePosixPath("papers/[7]ResNet.md"), title="ResNet", kind="paper", body="",
                  paper=PaperMeta(title="Deep Residual Learning for Image Recognition", arxiv="1512.03385")),
             Note(path=PurePosixPath("papers/[1]LeNet.md"), title="Gradient-Based Learning", kind="paper", body="",
                  paper=PaperMeta(title="Gradient-Based Learning", doi="10.1109/5.726791"))]
    plan = ImportPlan(notes, {"papers/[7]ResNet.md": "he2016deep", "papers/[1]LeNet.md": "lecun1998gradient"})

    def entry(key: str, **paper) -> LibraryEntry:
        return LibraryEntry("lib.bib", 1, key, PaperMeta(citekey=key, **paper))

    skip = plan.decide(entry("x", title="Other", arxiv="1512.03385", doi="10.1109/5.726791"))
    assert (skip.action, skip.path, skip.reason) == ("skip", "papers/[7]ResNet.md", "same arXiv id 1512.03385")
    skip = plan.decide(entry("y", title="{Deep} residual learning for image recognition!"))
    assert (skip.action, skip.path, skip.reason) == ("skip", "papers/[7]ResNet.md", "same title")
    new = plan.decide(entry("he2016deep", title="Identity Mappings", authors=("Kaiming He",), year=2016))
    assert (new.action, new.paper.citekey) == ("create", "he2016deepa")
    assert new.reason == "the key he2016deep is already used by papers/[7]ResNet.md; pinned he2016deepa"
    plan.planned(new, "papers/[8]Identity-Mappings.md")
    again = plan.decide(entry("z", title="Identity mappings"))
    assert (again.action, again.path) == ("skip", "papers/[8]Identity-Mappings.md")
    assert plan.decide(entry("he2016deep", title="Yet Another", year=2016)).paper.citekey == "he2016deepb"


def test_first_entry_of_a_library_warns_of_the_others() -> None:
    paper, warning = first_entry("@article{x, title={A}}\n@comment{not an entry}\n@article{y, title={B}}\n",
                                 source="paper.bib")
    assert paper.title == "A" and paper.citekey == "x"
    assert warning == ("paper.bib holds 2 entries; this note is made from the first (x, line 1) only; "
                       "to import them all, run `kb import bibtex FILE`")  # paper.bib is not a file here
    assert first_entry(ARXIV_BIB)[1] is None
