"""Text, headings, code and links from the Markdown parser (kb.index.markdown over markdown-it-py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.index.markdown import collapse_prose, scan_body
from kb.index.parse import parse_note
from kb.search.highlight import excerpt_of


def targets(note):
    return [(link.target, link.style) for link in note.links]


def test_setext_and_atx_headings():
    note = parse_note("第一章\n===\n\ntext\n\n小节\n---\n\n## ATX 小节 ##\n", "ch/a.md")
    assert note.title == "第一章"
    assert note.headings == ("第一章", "小节", "ATX 小节")
    assert "===" not in note.text and "---" not in note.text


def test_multi_line_html_comments_are_dropped_with_their_links():
    note = parse_note("# T\n\n<!--\n草稿 draftword [x](./gone.md)\n-->\n\nkept <!-- inline --> words\n", "a.md")
    assert "draftword" not in note.text and "inline" not in note.text
    assert "kept" in note.text and "words" in note.text
    assert note.links == ()


def test_python_output_in_code_is_not_a_wiki_link():
    body = (
        "# T\n\nprose [[Real Note]]\n\n```python\nprint(x > 0)\n```\n\n```\ntensor([[0.99, -0.99]])\n[[True]]\n```\n\n"
        "    indented = tensor([[1, 2]])  # indented code\n"
    )
    note = parse_note(body, "a.md")
    assert targets(note) == [("Real Note", "wiki")]
    assert "indented" not in note.text and "0.99" not in note.text
    assert "indented = tensor([[1, 2]])" in note.code and "[[True]]" in note.code
    assert len(note.snippets) == 2  # indented code is code, but not a snippet


def test_reference_links_and_footnotes():
    body = (
        "# T\n\n[TOC]\n\nSee [残差网络][resnet] and [the PDF][pdf] too.[^1]\n\n"
        "[resnet]: ./[5]ResNet.md\n[pdf]: /papers/resnet.pdf\n\n[^1]: 脚注 footnote words.\n"
    )
    note = parse_note(body, "ch/a.md")
    assert targets(note) == [("./[5]ResNet.md", "markdown"), ("/papers/resnet.pdf", "asset")]
    assert note.links[0].label == "残差网络" and note.links[0].line == 5
    assert "See 残差网络 and the PDF too." in note.text
    assert "][" not in note.text and "[^1]" not in note.text and "TOC" not in note.text
    assert "脚注 footnote words." in note.text


def test_inline_maths_stays_as_its_source_in_text_and_excerpts():
    body = "# 残差\n\n设某几层想要学的映射是 $H(x)$。残差块学的是 $F(x)+x$ 里的 $F$。\n\nIt costs $5 and $6 today.\n"
    note = parse_note(body, "a.md")
    assert "设某几层想要学的映射是 $H(x)$。" in note.text
    assert "$F(x)+x$" in note.text
    assert "costs $5 and $6 today" in note.text  # money, not maths
    start = note.text.index("映射")
    excerpt, _ = excerpt_of(note.text, [(start, start + 2)])
    assert "映射是 $H(x)$。" in excerpt


def test_display_maths_is_text_not_links():
    note = parse_note("# T\n\n$$\n\\mathbf{y} = [x](y)\n$$\n", "a.md")
    assert "$$\\mathbf{y} = [x](y)$$" in note.text
    assert note.links == ()


def test_tables_read_as_cell_rows():
    body = "# T\n\n| 模型 | 参数量 |\n|---|:---:|\n| **ResNet-50** | 25.6 M |\n| [VGG](./vgg.md) | 138 M |\n"
    note = parse_note(body, "a.md")
    assert "模型 | 参数量\nResNet-50 | 25.6 M\nVGG | 138 M" in note.text
    assert "---" not in note.text
    assert targets(note) == [("./vgg.md", "markdown")]


def test_mdx_imports_and_admonitions():
    body = (
        "import Tabs from '@theme/Tabs';\nexport const x = 1;\n\n# T\n\n:::tip 小提示\n"
        "content line\nimport this sentence, wrapped\n:::\n\n::: note\n:::\n"
    )
    note = parse_note(body, "a.mdx")
    assert "Tabs" not in note.text and "export" not in note.text and ":::" not in note.text
    assert "小提示" in note.text and "content line" in note.text
    assert "import this sentence" in note.text  # a wrapped line of prose is not an MDX import
    assert note.title == "T"


def test_links_to_files_that_are_not_notes_are_assets():
    body = (
        "# T\n\n![图](../img/resnet.svg) [notebook](demo.ipynb) [paper](/papers/x.pdf) [note](./b.md) "
        "[site](https://arxiv.org/abs/1512.03385) <https://example.com/a> and https://example.com/b.\n"
    )
    note = parse_note(body, "ch/a.md")
    assert targets(note) == [
        ("../img/resnet.svg", "image"), ("demo.ipynb", "asset"), ("/papers/x.pdf", "asset"),
        ("./b.md", "markdown"), ("https://arxiv.org/abs/1512.03385", "markdown"),
        ("https://example.com/a", "markdown"), ("https://example.com/b", "markdown"),
    ]
    assert note.links[4].arxiv_id == "1512.03385"
    assert "example.com" not in note.text and "图" in note.text


def test_link_lines_inside_a_wrapped_paragraph():
    body = "# T\n\nfirst line\nsecond [a](./a.md)\nthird [[B]]\n"
    note = parse_note("---\ntitle: x\n---\n" + body, "a.md")
    assert [(link.target, link.line) for link in note.links] == [("./a.md", 7), ("B", 8)]


def test_inline_code_stays_in_place():
    note = parse_note("# T\n\nCall `nn.Conv2d` before `[[x]]` here.\n", "a.md")
    assert "Call nn.Conv2d before [[x]] here." in note.text
    assert note.links == ()


def test_headings_keep_their_numbers_and_code():
    note = parse_note("# T\n\n### 1. 生成锚框\n\n## `d2l` API 文档\n", "a.md")
    assert note.headings == ("T", "1. 生成锚框", "d2l API 文档")


def test_html_blocks_keep_their_words():
    note = parse_note("# T\n\n<div align=\"center\">\n居中 words\n</div>\n", "a.md")
    assert "居中 words" in note.text and "<div" not in note.text


# Text built from the characters Markdown syntax is made of, so that the parser meets half-open
# fences, brackets, tables and maths far more often than in arbitrary text.
MARKDOWNISH = st.lists(
    st.sampled_from(["#", "=", "-", "*", "_", "`", "```", "~~~", "$", "$$", "[", "]", "(", ")", "[[", "]]",
                     "!", "<", ">", "<!--", "-->", "|", ":::", "import ", "[^1]", "]: ", "    ", "\t", "\n",
                     "\n\n", " ", "a", "残差", "http://x.y", "&amp;", "\\", "1."]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), MARKDOWNISH))
def test_scan_never_raises_and_lines_stay_in_the_body(text):
    scan = scan_body(text, 10)
    last = 10 + text.count("\n")
    assert all(10 <= link.line <= last for link in scan.links)
    assert all(10 < fence[2] <= last + 1 for fence in scan.fences)
    collapse_prose(scan.prose)
