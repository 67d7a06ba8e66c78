"""kb.papers.fields: merging sources, options, normalised titles and duplicate detection."""

from __future__ import annotations

import datetime
from pathlib import Path, PurePosixPath

import pytest

from kb.errors import DuplicatePaperError, InvalidArxivId, InvalidField, KbError, NoteExistsError
from kb.models import Note, PaperMeta
from kb.papers.fields import (
    check_duplicate,
    fields_from_options,
    find_duplicate,
    merge_fields,
    normalise_title,
    parse_tags,
)

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


def test_merge_fields_earlier_sources_win() -> None:
    cli = PaperMeta(title="My Title")
    bib = PaperMeta(title="Bib Title", authors=("A",), year=2015, venue="arXiv")
    online = PaperMeta(title="arXiv Title", authors=("B",), year=2016, venue="CVPR 2016", arxiv="1512.03385")
    merged = merge_fields(cli, None, bib, online)
    assert merged == PaperMeta(
        title="My Title", authors=("A",), year=2015, venue="arXiv", arxiv="1512.03385",
    )
    assert merge_fields() == PaperMeta()


def test_fields_from_options() -> None:
    fields = fields_from_options(
        " Deep  Residual ", authors="Kaiming He; Xiangyu Zhang ;", year="2016", venue="CVPR",
        arxiv="https://arxiv.org/abs/1512.03385v3",
        doi="https://doi.org/10.1109/CVPR.2016.90",
    )
    assert fields == PaperMeta(
        title="Deep Residual", authors=("Kaiming He", "Xiangyu Zhang"), year=2016, venue="CVPR",
        arxiv="1512.03385", doi="10.1109/CVPR.2016.90",
    )
    assert fields_from_options() == PaperMeta()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"year": "twenty"}, InvalidField), ({"year": 99}, InvalidField),
     ({"arxiv": "resnet"}, InvalidArxivId)],
)
def test_fields_from_options_errors(kwargs: dict, error: type[KbError]) -> None:
    with pytest.raises(error):
        fields_from_options("T", **kwargs)


def test_parse_tags() -> None:
    assert parse_tags("CNN, residual,,cnn") == ("cnn", "residual")
    assert parse_tags(["A", " b "]) == ("a", "b")


# --- duplicates --------------------------------------------------------------------------------------


def paper_note(path: str, note_title: str, **paper: object) -> Note:
    return Note(path=PurePosixPath(path), title=note_title, kind="paper", body="", paper=PaperMeta(**paper))


NOTES = [
    paper_note("papers/[7]Deep-Residual-Learning.md", "ResNet 笔记", title="Deep Residual Learning for Image Recognition",
               arxiv="1512.03385"),
    paper_note("papers/[8]BatchNorm.md", "Batch Normalization", doi="10.5555/3045118.3045167"),
    paper_note("papers/[9]Attention.md", "Attention Is All You Need"),
    Note(path=PurePosixPath("ch4/[1]attention.md"), title="Self-Attention", kind="chapter", body=""),
]


def test_normalise_title() -> None:
    assert normalise_title("Deep {R}esidual Learning — for Image-Recognition!") == "deep residual learning for image recognition"
    assert normalise_title("Über  die ÄHNLICHKEIT") == "uber die ahnlichkeit"
    assert normalise_title("深度残差学习：图像识别") == "深度残差学习 图像识别"


@pytest.mark.parametrize(
    ("fields", "expected", "reason"),
    [
        (PaperMeta(arxiv="1512.03385"), "papers/[7]Deep-Residual-Learning.md", "same arXiv id 1512.03385"),
        (PaperMeta(title="Other", doi="10.5555/3045118.3045167".upper()), "papers/[8]BatchNorm.md", "same DOI"),
        (PaperMeta(title="deep residual learning for image recognition."), "papers/[7]Deep-Residual-Learning.md", "same title"),
        (PaperMeta(title="Attention is all you need"), "papers/[9]Attention.md", "same title"),
        (PaperMeta(title="Self-Attention"), None, None),  # a chapter note is not a paper note
        (PaperMeta(title="Something new", arxiv="2010.11929"), None, None),
    ],
)
def test_find_duplicate(fields: PaperMeta, expected: str | None, reason: str | None) -> None:
    found = find_duplicate(fields, NOTES)
    assert (str(found.path) if found else None) == expected
    if expected:
        with pytest.raises(DuplicatePaperError) as info:
            check_duplicate(fields, NOTES)
        assert str(info.value).startswith(expected)
        assert reason in str(info.value)
        assert "--force" in (info.value.hint or "")
        assert isinstance(info.value, NoteExistsError)
    else:
        check_duplicate(fields, NOTES)


# --- numbered files ----------------------------------------------------------------------------------


