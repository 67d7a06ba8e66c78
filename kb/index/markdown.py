"""Markdown body → prose, headings, code blocks and links, from a real Markdown parser.

What search indexes as text, what `kb check` checks as links and what becomes a snippet all come
from here. The parser (`kb.index.mdparser`, markdown-it-py) knows both heading styles, HTML comments
over several lines, indented and fenced code, reference links, footnotes, tables and maths; this
module walks its tokens. Links come only from link syntax outside code (so `tensor([[0.99]])` in a
listing is not a wiki link); inline maths stays in the text as its source (`$F(x)+x$`); a table row
reads `cell | cell`; MDX `import`/`export` lines and `:::tip` markers are not prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.index.mdparser import parser
from kb.layout import NOTE_SUFFIXES
from kb.models import Link
from kb.papers.arxiv import id_from_url

# A link to a file that is not a note (`paper.pdf`, `demo.ipynb`, `img/x.png`): checked as an asset.
_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)
_WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_BARE_URL = re.compile(r"(?<![(<\"'=\[])\bhttps?://[^\s<>()\[\]\"'`]+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*?/?>")


@dataclass
class BodyScan:
    """Accumulates what one pass over the body finds."""

    prose: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    first_h1: str | None = None
    links: list[Link] = field(default_factory=list)
    fences: list[tuple[str, str, int, str]] = field(default_factory=list)  # lang, info, line, code


def _fence_language(info: str) -> str:
    word = info.strip().split(None, 1)[0] if info.strip() else ""
    word = word.strip("{}.").split("{", 1)[0].split(",", 1)[0]
    return word.lower()


def _link(target: str, label: str, line_no: int, style: str = "markdown") -> Link:
    """A link as written: external (a URL, with its arXiv id), an asset (a file that is not a note,
    or any image), or a link to a note."""
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    if _SCHEME.match(target):
        return Link(target, label, line_no, style, True, id_from_url(target))
    path = target.split("#", 1)[0].split("?", 1)[0]
    if style == "markdown" and _FILE_SUFFIX.search(path) and not path.lower().endswith(NOTE_SUFFIXES):
        style = "asset"
    return Link(target, label, line_no, style, False)


def _external(target: str, line_no: int) -> Link:
    target = target.rstrip(".,;:!?。，；：")
    return Link(target, target, line_no, "markdown", True, id_from_url(target))


def _plain_text(text: str, line_no: int, links: list[Link]) -> str:
    """A text run: `[[wiki links]]` become their label, bare URLs are links, not prose."""
    if "[[" in text:
        def wiki(match: re.Match[str]) -> str:
            target = match.group(1).strip()
            label = (match.group(2) or target).strip()
            links.append(Link(target, label, line_no, "wiki", False))
            return label
        text = _WIKI_LINK.sub(wiki, text)
    if "http" in text:
        def url(match: re.Match[str]) -> str:
            links.append(_external(match.group(0), line_no))
            return " "
        text = _BARE_URL.sub(url, text)
    return text


# Long on purpose: one dispatch over the inline token types, the hot loop of a full build; a call
# per token type would cost more than the branches.
def _inline_text(children, line_no: int, links: list[Link]) -> str:
    """The plain text of an inline token's children, recording its links with their line numbers."""
    parts: list[str] = []
    link_at = -1
    href, link_line, autolink = "", line_no, False
    for child in children:
        kind = child.type
        if kind == "text":
            # A URL that is a link's own label is that link, not a second one.
            parts.append(_plain_text(child.content, line_no, links) if link_at < 0 else child.content)
        elif kind == "softbreak" or kind == "hardbreak":
            parts.append("\n")
            line_no += 1
        elif kind == "code_inline":
            parts.append(child.content)
        elif kind == "math_inline":
            parts.append(f"${child.content}$")
        elif kind == "math_inline_double":
            parts.append(f"$${child.content}$$")
        elif kind == "link_open":
            link_at, link_line = len(parts), line_no
            href, autolink = str(child.attrs.get("href", "")), child.markup == "autolink"
        elif kind == "link_close" and link_at >= 0:
            if autolink:  # <https://…>: a link, not prose
                links.append(_external(href, link_line))
                del parts[link_at:]
                parts.append(" ")
            else:
                links.append(_link(href, "".join(parts[link_at:]).strip(), link_line))
            link_at = -1
        elif kind == "image":
            alt = child.content
            links.append(_link(str(child.attrs.get("src", "")), alt, line_no, "image"))
            parts.append(alt)
    return "".join(parts)


def _html_text(html: str) -> str:
    """The words of an HTML block: comments dropped whole, tags dropped."""
    if "<!--" in html:
        html = _HTML_COMMENT.sub(" ", html)
    return _HTML_TAG.sub(" ", html)


# Long on purpose: one pass over the block tokens with the little state that headings and table
# rows need; it is the hot loop of a full build, and splitting it would add a call per token.
def scan_body(body: str, first_line: int) -> BodyScan:
    """Parse the body and collect its prose, code, headings, fences and links (lines from first_line)."""
    scan = BodyScan()
    prose = scan.prose
    heading: str | None = None
    row: list[str] | None = None
    line_no = first_line
    for token in parser().parse(body):
        kind = token.type
        if token.map is not None:
            line_no = first_line + token.map[0]
        if kind == "inline":
            text = _inline_text(token.children or (), line_no, scan.links)
            if row is not None:
                row.append(" ".join(text.split()))
            elif heading is not None:
                title = " ".join(text.split())
                scan.headings.append(title)
                if heading == "h1" and scan.first_h1 is None and title:
                    scan.first_h1 = title
                prose.append(title)
            elif text.strip() != "[TOC]":  # a table-of-contents marker, not words of the note
                prose.extend(text.split("\n"))
        elif kind == "paragraph_close" or kind == "heading_close":
            prose.append("")
            heading = None
        elif kind == "heading_open":
            heading = token.tag
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            prose.append(" | ".join(row or ()))
            row = None
        elif kind == "fence":
            code = token.content[:-1] if token.content.endswith("\n") else token.content
            scan.fences.append((_fence_language(token.info), token.info.strip(), line_no + 1, code))
            scan.code.append(code)
        elif kind == "code_block":
            scan.code.append(token.content.rstrip("\n"))
        elif kind == "math_block":
            prose.extend((f"$${token.content.strip()}$$", ""))
        elif kind == "html_block":
            prose.extend(_html_text(token.content).split("\n"))
        elif kind == "kb_marker" and token.content:
            prose.extend((token.content, ""))
        elif kind == "table_close":
            prose.append("")
    return scan


def collapse_prose(lines: list[str]) -> str:
    """Prose lines as one text: whitespace runs collapsed, at most one blank line in a row."""
    text = "\n".join(line.strip() for line in lines)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

