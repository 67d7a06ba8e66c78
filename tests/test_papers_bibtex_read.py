"""kb.papers.bibtex, reading: BibTeX entries as arXiv, Scholar, DBLP and publishers export them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kb.errors import BibtexError, KbError
from kb.papers.bibread import fields_from_bibtex
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
        ("@article{x, title={a}}\n@article{y, title={b}}", "paper.bib holds 2 entries"),
    ],
)
def test_fields_from_bibtex_errors(text: str, message: str) -> None:
    with pytest.raises(BibtexError) as info:
        fields_from_bibtex(text, source="paper.bib")
    assert message in str(info.value)
    assert isinstance(info.value, KbError) and info.value.hint


# --- arXiv API ---------------------------------------------------------------------------------------

