"""kb.web.render on strings: Markdown extensions, maths, links and sanitising, without a browser."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.models import Link, Note
from kb.web.render import render_math, render_note, sanitise


def note(body: str, links: tuple[Link, ...] = (), path: str = "ch1/[2]here.md") -> Note:
    return Note(path=PurePosixPath(path), title="t", kind="chapter", body=body, links=links)


def link(target: str, resolved: str | None, style: str = "markdown") -> Link:
    return Link(target=target, label=target, line=1, style=style, external=False, resolved=resolved)


def test_code_is_highlighted_and_tables_footnotes_and_heading_ids_render():
    out = render_note(note("## 残差 学习\n\n```python\nimport torch\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nx[^1]\n\n[^1]: f\n"))
    assert '<h2 id="残差-学习">' in out.html
    assert '<span class="kn">import</span>' in out.html
    assert "<table>" in out.html and 'class="footnote"' in out.html
    assert out.toc == ((2, "残差-学习", "残差 学习"),)


def test_admonitions_become_divs_and_mdx_lines_are_dropped_but_not_inside_code():
    body = 'import Tabs from "@theme/Tabs";\n\n:::tip 提示\nSome **bold**.\n:::\n\n```js\nimport x from "y";\n:::\n```\n'
    html = render_note(note(body)).html
    assert '<div class="admonition tip">' in html and '<p class="admonition-title">提示</p>' in html
    assert "<strong>bold</strong>" in html
    assert "@theme/Tabs" not in html
    assert "import" in html.split("<code>", 1)[1] and ":::" in html.split("<code>", 1)[1]


@pytest.mark.parametrize(("body", "display"), [
    ("inline $a_i^2$ here", "inline"),
    ("$$\n\\frac{a}{b} + x_1\n$$", "block"),
    ("one line $$y = F(x) + x$$ display", "block"),
])
def test_maths_becomes_mathml_and_markdown_leaves_it_alone(body, display):
    html = render_note(note(body)).html
    assert f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{display}">' in html
    assert "<em>" not in html


def test_maths_in_code_stays_code_and_bad_tex_stays_visible():
    assert "<math" not in render_note(note("`$x$` and\n\n```\n$y$\n```\n")).html
    assert 'class="math-error"' in render_math("x^")


def test_links_point_to_note_pages_and_broken_ones_are_marked():
    body = ("[ok](./[1]a.md#sec) [gone](./nope.md) [[Alpha|the alpha]] [[Missing]] "
            "[file](./code/x.py) [out](../../secret.txt) [web](https://example.org) ![fig](./img/f.svg)")
    links = (link("./[1]a.md#sec", "ch1/[1]a.md"), link("./nope.md", None),
             link("Alpha", "ch2/[3]alpha.md", "wiki"), link("Missing", None, "wiki"))
    html = render_note(note(body, links)).html
    assert 'href="/notes/ch1/%5B1%5Da.md#sec"' in html
    assert 'href="/notes/ch2/%5B3%5Dalpha.md"' in html and ">the alpha</a>" in html
    assert html.count('class="broken-link"') == 3  # nope.md, Missing, and the file outside the notes
    assert 'href="/files/ch1/code/x.py"' in html
    assert 'href="https://example.org"' in html
    assert 'src="/files/ch1/img/f.svg"' in html


def test_images_in_raw_html_point_to_files_like_markdown_images():
    # Docusaurus/VuePress notes size their figures with HTML: `<img src="./img/x.png" width="60%">`.
    body = ('<p align="center"><img src="./img/a.png" width="60%"></p>\n\n'
            "Inline <img src='img/b c.svg' alt=\"b\">, <IMG SRC=../../out.png>, <img src=\"https://e.org/x.png\">.\n\n"
            '<div markdown="1">\n![in](img/d.png)\n</div>\n\n```html\n<img src="img/code.png">\n```\n')
    html = render_note(note(body)).html
    assert '<img src="/files/ch1/img/a.png" width="60%">' in html
    assert '<img src="/files/ch1/img/b%20c.svg" alt="b">' in html
    assert '<img class="broken-image" src="">' in html  # outside the notes folder: never served
    assert 'src="https://e.org/x.png"' in html
    assert 'src="/files/ch1/img/d.png"' in html  # a Markdown image inside an HTML block
    assert "img/code.png" in html and 'src="/files/ch1/img/code.png"' not in html  # code stays code


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil"></iframe>', '<div style="background:url(javascript:x)" onclick="x()">d</div>',
    "<svg><script>alert(1)</script></svg>", '<math><mi href="javascript:x">x</mi></math>',
])
def test_raw_html_cannot_carry_script(raw):
    html = render_note(note(f"text\n\n{raw}\n")).html
    for bad in ("<script", "onerror", "javascript:", "<iframe", "onclick", "style="):
        assert bad not in html
    assert sanitise(html) == html  # already clean


def test_serve_warns_when_listening_beyond_this_machine(monkeypatch, kb_home):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: calls.append(
        {"host": self.config.host, "port": self.config.port, "log_level": self.config.log_level,
         "use_colors": self.config.use_colors}))
    runner = CliRunner()
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "serve", "--host", "0.0.0.0", "--port", "9999"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    assert "Warning: listening on 0.0.0.0" in result.stderr
    assert calls == [{"host": "0.0.0.0", "port": 9999, "log_level": "warning", "use_colors": None}]
    # uvicorn's log colours follow kb's one decision (None: uvicorn checks for a terminal itself)
    runner.invoke(cli, ["--color", "never", "--notes", str(kb_home / "notes"), "serve", "--no-watch"],
                  catch_exceptions=False)
    assert calls[-1]["use_colors"] is False
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "serve", "--no-watch"], catch_exceptions=False)
    assert "Warning" not in result.stderr and "http://127.0.0.1:8000/" in result.stderr
