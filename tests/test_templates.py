"""kb.papers.templates: slugs that are safe file names, and paper notes rendered from a template."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.models import PaperMeta
from kb.papers.templates import DEFAULT_PAPER_TEMPLATE, MAX_SLUG_BYTES, TemplateError, render_note, slugify

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent
WINDOWS_ILLEGAL = set('<>:"/\\|?*') | {chr(i) for i in range(32)}


def front_matter(text: str) -> dict:
    """The YAML between the opening `---` line and the next `---` line."""
    assert text.startswith("---\n")
    head, sep, _ = text[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    return yaml.safe_load(head)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Deep Residual Learning for Image Recognition", "Deep-Residual-Learning-for-Image-Recognition"),
        ("Rethinking Atrous Convolution: DeepLab v3", "Rethinking-Atrous-Convolution-DeepLab-v3"),
        ("深度残差学习：图像识别", "深度残差学习-图像识别"),
        ("ViT：一张图等于 16x16 个词", "ViT-一张图等于-16x16-个词"),
        ("Über die Ähnlichkeit — Ørsted's ﬁeld", "Uber-die-Ahnlichkeit-Orsteds-field"),
        ("Ｆｕｌｌ　ｗｉｄｔｈ", "Full-width"),
        ("がぎ 한국어", "がぎ-한국어"),  # dakuten and Hangul survive the accent folding
        ("../../etc/passwd", "etc-passwd"),
        ('a<b>:"c"|?*\\d', "a-b-c-d"),
        ("...hidden.", "hidden"),
        ("", "untitled"),
        ("!!!", "untitled"),
        ("CON", "CON-note"),
        ("nul", "nul-note"),
        ("com1", "com1-note"),
        ("Conclusion", "Conclusion"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_bounds_length_at_a_word_boundary() -> None:
    slug = slugify("Attention " * 30)
    assert len(slug) <= 80
    assert slug.endswith("Attention")
    assert slugify("x" * 300, max_len=50) == "x" * 50


def test_slugify_bounds_bytes_for_long_chinese_titles() -> None:
    slug = slugify("深" * 300)
    assert len(slug.encode("utf-8")) <= MAX_SLUG_BYTES
    assert set(slug) == {"深"}


@given(st.text(max_size=300))
def test_slugify_is_always_a_safe_file_name(title: str) -> None:
    slug = slugify(title)
    assert slug
    assert 0 < len(slug) <= 80 and len(slug.encode("utf-8")) <= MAX_SLUG_BYTES
    assert not set(slug) & WINDOWS_ILLEGAL
    assert ".." not in slug and not slug.startswith(("-", ".")) and not slug.endswith(("-", "."))
    assert all(ch.isalnum() or ch == "-" for ch in slug)


def test_render_note_layout() -> None:
    fields = PaperMeta(
        title="Deep Residual Learning for Image Recognition",
        authors=("Kaiming He", "Xiangyu Zhang"),
        year=2016,
        venue="CVPR",
        arxiv="1512.03385",
        abstract="Deeper neural networks are more difficult to train.",
    )
    text = render_note(DEFAULT_PAPER_TEMPLATE, fields, TODAY, tags=("cnn", "residual"), note_authors=["kb"])
    assert text.startswith(
        "---\n"
        "title: Deep Residual Learning for Image Recognition\n"
        "kind: paper\n"
        "authors: [kb]\n"
        "tags: [cnn, residual]\n"
        "status: to-read\n"
        "paper:\n"
        "  title: Deep Residual Learning for Image Recognition\n"
        "  authors: [Kaiming He, Xiangyu Zhang]\n"
        "  year: 2016\n"
        "  venue: CVPR\n"
        "  arxiv: '1512.03385'\n"
        "added: 2026-11-26\n"
        "---\n"
    )
    meta = front_matter(text)
    assert meta["paper"]["arxiv"] == "1512.03385"  # a string, not the float 1512.03385
    assert meta["added"] == TODAY
    assert "论文链接：[arXiv:1512.03385](https://arxiv.org/abs/1512.03385)" in text
    assert "> Deeper neural networks are more difficult to train." in text
    for section in ("这篇论文解决什么问题", "方法", "实验与数字", "我的理解", "相关笔记"):
        assert f"\n## {section}\n" in text


def test_render_note_omits_empty_fields_and_drops_empty_placeholder_lines() -> None:
    text = render_note(DEFAULT_PAPER_TEMPLATE, PaperMeta(title="X"), TODAY)
    meta = front_matter(text)
    assert meta == {"title": "X", "kind": "paper", "status": "to-read", "paper": {"title": "X"}, "added": TODAY}
    assert "{" not in text.replace("{…}", "")
    assert "\n\n\n" not in text  # the missing abstract leaves no gap
    assert "论文链接：（待补充）" in text


def test_render_note_fills_placeholders_and_leaves_other_braces() -> None:
    template = "# {title} ({year})\n\n{authors} · {venue} · {doi} · {url}\n\n$\\frac{a}{b}$ {unknown}\n"
    fields = PaperMeta(title="T", authors=("A", "B"), year=2020, venue="ICLR", doi="10.1/x")
    body = render_note(template, fields, TODAY).split("---\n", 2)[2]
    assert body == "\n# T (2020)\n\nA, B · ICLR · 10.1/x · https://doi.org/10.1/x\n\n$\\frac{a}{b}$ {unknown}\n"


def test_render_note_optional_fields() -> None:
    fields = PaperMeta(title="T", doi="10.1/x", url="https://example.org/t")
    meta = front_matter(render_note("", fields, TODAY, status="read", aliases=["别名"], tldr="One line."))
    assert meta["status"] == "read"
    assert meta["aliases"] == ["别名"]
    assert meta["tldr"] == "One line."
    assert meta["paper"] == {"title": "T", "doi": "10.1/x", "url": "https://example.org/t"}


@pytest.mark.parametrize(("fields", "status"), [(PaperMeta(), None), (PaperMeta(title="  "), None),
                                               (PaperMeta(title="T"), "done")])
def test_render_note_refuses_bad_fields(fields: PaperMeta, status: str | None) -> None:
    with pytest.raises(TemplateError):
        render_note(DEFAULT_PAPER_TEMPLATE, fields, TODAY, status=status)


def test_notebook_template_file_matches_the_default() -> None:
    path = ROOT / "notes" / "_templates" / "paper.md"
    assert path.read_text(encoding="utf-8") == DEFAULT_PAPER_TEMPLATE


# Text a user could type: anything but surrogates (which cannot be written to a UTF-8 file).
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
_NON_EMPTY = _TEXT.filter(lambda s: s.strip())
_TRICKY = st.sampled_from(
    ["---", "...", "a: b", "'quoted'", '"quoted"', "# not a comment", "- item", "[1, 2]", "{a: 1}",
     "yes", "null", "1512.03385", "2016", "深度残差学习：图像识别", "x\n---\ny", " lead", "tab\t",
     "\ufeffbom", "line\u2028sep", "nel\x85", "&anchor", "*alias", "!tag", "%percent", "@at", "`tick`"]
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.one_of(_NON_EMPTY, _TRICKY),
    authors=st.lists(st.one_of(_NON_EMPTY, _TRICKY), max_size=4),
    year=st.one_of(st.none(), st.integers(1000, 2100)),
    tags=st.lists(st.one_of(_NON_EMPTY, _TRICKY), max_size=4),
    venue=st.one_of(st.none(), _TRICKY, _TEXT),
)
def test_render_note_front_matter_round_trips(title, authors, year, tags, venue) -> None:
    fields = PaperMeta(title=title, authors=tuple(authors), year=year, venue=venue)
    text = render_note(DEFAULT_PAPER_TEMPLATE, fields, TODAY, tags=tuple(tags))
    assert text.startswith("---\n")
    meta = front_matter(text)
    assert meta["title"] == title
    assert meta["paper"]["title"] == title
    assert meta["paper"].get("authors", []) == authors
    assert meta["paper"].get("year") == year
    assert meta.get("tags", []) == tags
    assert meta["paper"].get("venue") == (venue or None)
    # every value sits on one line, so a line-based reader finds the same closing `---`
    head = text[4:].partition("\n---\n")[0]
    assert all(line not in ("---", "...") for line in head.split("\n"))


def test_render_note_round_trips_through_parse_note() -> None:
    parse = pytest.importorskip("kb.index.parse")
    fields = PaperMeta(
        title='ViT: "An Image is Worth 16x16 Words" --- 一张图',
        authors=("Alexey Dosovitskiy", "Lucas Beyer"),
        year=2021,
        venue="ICLR",
        arxiv="2010.11929",
    )
    text = render_note(DEFAULT_PAPER_TEMPLATE, fields, TODAY, tags=("transformer", "vision"))
    note = parse.parse_note(text, "papers/[3]ViT.md")
    assert note.title == fields.title
    assert note.kind == "paper"
    assert note.status == "to-read"
    assert note.tags == ("transformer", "vision")
    assert note.paper is not None
    assert note.paper.authors == fields.authors
    assert note.paper.year == 2021
    assert note.paper.arxiv == "2010.11929"
    assert "这篇论文解决什么问题" in note.headings
    assert not [p for p in note.problems if p.severity == "error"]
