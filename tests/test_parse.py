"""Pure parsing: text → Note."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.index.frontmatter import split_front_matter
from kb.index.links import LinkTargets, resolve_link
from kb.index.parse import NotebookContext, decode_note, parse_note
from kb.papers.arxiv import id_from_url as arxiv_id_from_url


def test_front_matter_only_at_offset_zero():
    fm = split_front_matter("intro\n---\ntitle: no\n---\n")
    assert fm.raw is None
    assert fm.body.startswith("intro")


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: T\n---\nbody\n",
        "---\ntitle: T\n---   \nbody\n",  # trailing spaces on the closing line
        "\ufeff---\r\ntitle: T\r\n---\r\nbody\r\n",  # BOM + CRLF
        "---\r\ntitle: T\r\n--- \t\r\nbody",
    ],
)
def test_front_matter_variants(text):
    fm = split_front_matter(text)
    assert fm.raw.strip() == "title: T"
    assert fm.body.startswith("body")
    assert fm.body_line == 4
    assert parse_note(text, "a.md").title == "T"


def test_horizontal_rule_in_body_is_not_front_matter():
    note = parse_note("---\ntitle: R\n---\n\nabove\n\n---\n\nbelow: x\n", "r.md")
    assert note.title == "R"
    assert "below: x" in note.text
    assert note.problems == ()


def test_bad_yaml_keeps_the_body_and_reports_the_line():
    note = parse_note("---\ntitle: ok\ntags: [a, b\n---\n# From Heading\n\n门控机制\n", "bad.md")
    assert note.title == "From Heading"
    assert "门控机制" in note.text
    [problem] = [p for p in note.problems if p.kind == "bad-yaml"]
    assert problem.path == "bad.md" and 2 <= problem.line <= 4
    assert "bad.md:" in str(problem)


def test_front_matter_that_is_not_a_mapping():
    note = parse_note("---\n- a\n- b\n---\n# T\n", "list.md")
    assert note.title == "T"
    assert [p.kind for p in note.problems] == ["bad-yaml"]


def test_unterminated_front_matter_is_reported():
    note = parse_note("---\ntitle: x\nno end\n", "open.md")
    assert any(p.kind == "bad-yaml" and "never closed" in p.message for p in note.problems)


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("# \tTabbed\tTitle  \n", "a.md", "Tabbed Title"),
        ("import Tabs from '@theme/Tabs';\n\n# After Import\n", "a.mdx", "After Import"),
        ("```\n# not a heading\n```\n\n# Real\n", "a.md", "Real"),
        ("no heading at all\n", "[3]Some-Slug.md", "Some-Slug"),
        ("---\ntitle: From FM\n---\n# Heading\n", "a.md", "From FM"),
    ],
)
def test_title_rules(text, name, title):
    assert parse_note(text, name).title == title


def test_missing_title_is_a_problem():
    note = parse_note("just text\n", "[2]x.md")
    assert any(p.kind == "missing-title" for p in note.problems)


@pytest.mark.parametrize(
    ("front", "name", "order"),
    [("sidebar_position: 0\n", "[5]x.md", 0.0), ("", "[5]x.md", 5.0), ("sidebar_position: 3\n", "x.md", 3.0), ("", "x.md", None)],
)
def test_order(front, name, order):
    assert parse_note(f"---\n{front}title: t\n---\n", name).order == order


@pytest.mark.parametrize(
    ("value", "expected"),
    [("[cnn, FPN, fpn]", ("cnn", "FPN")), ("cnn, object detection", ("cnn", "object detection")), ("single", ("single",)), ("", ())],
)
def test_tags(value, expected):
    assert parse_note(f"---\ntitle: t\ntags: {value}\n---\n", "t.md").tags == expected


def test_authors_resolved_through_authors_yml():
    ctx = NotebookContext(authors={"akasaki": "Akasaki"})
    note = parse_note("---\ntitle: t\nauthors: [akasaki, someone]\n---\n", "blog/[1]x.md", ctx)
    assert note.authors == ("Akasaki", "someone")
    assert note.kind == "paper"  # blog/ is a papers folder


@pytest.mark.parametrize(
    ("text", "path", "kind"),
    [
        ("---\ntitle: t\n---\n", "ch1/a.md", "chapter"),
        ("---\ntitle: t\n---\n", "top.md", "page"),
        ("---\ntitle: t\nkind: paper\n---\n", "ch1/a.md", "paper"),
        ("---\ntitle: t\npaper: {title: X, year: 2016}\n---\n", "ch1/a.md", "paper"),
        ("---\ntitle: t\n---\n", "papers/a.md", "paper"),
    ],
)
def test_kind_rule(text, path, kind):
    assert parse_note(text, path).kind == kind


def test_links_skip_code_and_math():
    text = (
        "See [A](./[1]LeNet) and [[Title|label]] and <https://arxiv.org/pdf/1512.03385v2.pdf>.\n"
        "`[not](a-link)` and $[x](y)$ and $$[m](n)$$\n\n"
        "```\n[in](code)\n```\n\n$$\n[math](block)\n$$\n"
    )
    links = parse_note(text, "ch/a.md").links
    assert [(link.target, link.style, link.external) for link in links] == [
        ("./[1]LeNet", "markdown", False), ("Title", "wiki", False),  # in the order they are written
        ("https://arxiv.org/pdf/1512.03385v2.pdf", "markdown", True),
    ]
    assert links[2].arxiv_id == "1512.03385"


@pytest.mark.parametrize(
    ("url", "arxiv"),
    [
        ("https://arxiv.org/abs/1512.03385", "1512.03385"),
        ("https://arxiv.org/abs/1512.03385v3", "1512.03385"),
        ("http://arxiv.org/pdf/2101.03697v2.pdf", "2101.03697"),
        ("https://arxiv.org/abs/math/0501001", "math/0501001"),
        ("https://example.com/abs/1512.03385", None),
    ],
)
def test_arxiv_ids(url, arxiv):
    assert arxiv_id_from_url(url) == arxiv


def test_link_resolution():
    targets = LinkTargets([
        ("ch2/[1]LeNet.md", "LeNet", ()), ("ch2/[5]ResNet.mdx", "残差网络 ResNet", ("ResNet",)),
        ("papers/[7]Deep Residual.md", "Deep Residual Learning", ()),
    ])
    src = PurePosixPath("ch2/[3]VGG.md")

    def resolve(target, style="markdown"):
        from kb.models import Link

        return resolve_link(Link(target, "", 1, style, False), src, targets)

    assert resolve("./[1]LeNet") == "ch2/[1]LeNet.md"
    assert resolve("./%5B1%5DLeNet.md#section") == "ch2/[1]LeNet.md"
    assert resolve("[5]ResNet.mdx") == "ch2/[5]ResNet.mdx"
    assert resolve("../papers/[7]Deep%20Residual.md") == "papers/[7]Deep Residual.md"
    assert resolve("./LeNet") == "ch2/[1]LeNet.md"  # Docusaurus drops the number prefix in routes
    assert resolve("ResNet", "wiki") == "ch2/[5]ResNet.mdx"
    assert resolve("deep residual learning", "wiki") == "papers/[7]Deep Residual.md"
    assert resolve("./[9]Missing") is None


def test_snippets_from_fences():
    text = "~~~py\nx = 1\n~~~\n\n````python title=\"a.py\"\n```\ninner\n```\n````\n\n``` python\ny\n```\n\n```\nopen"
    snippets = parse_note(text, "s.md").snippets
    assert [(s.language, s.start_line) for s in snippets] == [("py", 2), ("python", 6), ("python", 12), ("", 16)]
    assert snippets[1].code == "```\ninner\n```"
    assert snippets[1].info == 'python title="a.py"'


def test_plain_text_drops_markdown_and_mdx():
    text = (
        "import X from '@site/x';\n\n:::tip 小提示\n**粗体** and <b>html</b> ![img](pic.png)\n:::\n\n"
        "| a | b |\n|---|---|\n\n```python\ncode_only_word\n```\n"
    )
    note = parse_note(text, "p.mdx")
    assert "import" not in note.text and "pic.png" not in note.text and "<b>" not in note.text
    assert "小提示" in note.text and "粗体" in note.text and "**" not in note.text
    assert "code_only_word" not in note.text and "code_only_word" in note.code


def test_decode_invalid_utf8_reports_the_line():
    text, problems = decode_note(b"ok\nline two \xff\xfe bad\n", "x.md")
    assert "line two" in text
    assert problems[0].kind == "not-utf8" and problems[0].line == 2


def test_decode_binary_is_skipped():
    text, problems = decode_note(b"\x89PNG\x00\x00binary", "img.md")
    assert text is None and problems[0].kind == "not-text"


def test_unknown_key_did_you_mean():
    note = parse_note("---\ntitel: x\n---\n# T\n", "a.md")
    assert any("did you mean 'title'" in p.message for p in note.problems)


@given(st.text())
def test_parse_never_raises(text):
    note = parse_note(text, "ch/[1]x.md")
    assert note.title
    assert note.kind in ("paper", "chapter", "page")
