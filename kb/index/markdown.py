"""Markdown body → prose, headings, code blocks and links, in one pass over the lines.

What search indexes as text, what `kb check` checks as links and what becomes a snippet all come
from here. Code (fenced) and maths (`$…$`, `$$…$$`) are never scanned for links, and neither
MDX `import`/`export` lines nor admonition markers (`:::tip`) count as prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.layout import NOTE_SUFFIXES
from kb.models import Link
from kb.papers.arxiv import id_from_url

_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_MDX_LINE = re.compile(r"^(import|export)\s")
_ADMONITION = re.compile(r"^\s*:::\s*([A-Za-z]*)\s*(.*)$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_MATH_BLOCK_INLINE = re.compile(r"\$\$.+?\$\$")
_MATH_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\((<[^>\n]*>|[^)\s]*)(?:\s+\"[^\"\n]*\")?\s*\)")
# A link to a file that is not a note (`paper.pdf`, `demo.ipynb`, `img/x.png`): checked as an asset.
_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)
# A link target may itself contain brackets (`./[1]LeNet.md`) and balanced parentheses.
_MD_LINK = re.compile(
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))+)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"(?<![(<\"'=\[])\bhttps?://[^\s<>()\[\]\"'`]+")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(\S+)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*?/?>|<!--.*?-->", re.S)
_RULE = re.compile(r"^\s{0,3}([-*_=])(\s*\1){2,}\s*$")
_BLOCK_MARKS = frozenset("#>-*+_=0123456789")
_BLOCK_PREFIX = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+\[[ xX]\]\s+|[-*+]\s+|\d+[.)]\s+)")
_ENTITY = re.compile(r"&(nbsp|amp|lt|gt|quot);")
_MD_PUNCT = re.compile(r"(\*\*|__|~~|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


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


def _links_in_line(line: str, line_no: int, out: list[Link]) -> str:
    """Record the links of one prose line; return the line with link syntax reduced to its label."""

    def md_link(match: re.Match[str]) -> str:
        out.append(_link(match.group(2).strip(), match.group(1), line_no))
        return match.group(1)

    def image(match: re.Match[str]) -> str:
        out.append(_link(match.group(2).strip(), match.group(1), line_no, "image"))
        return match.group(1)

    def wiki_link(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        label = (match.group(2) or target).strip()
        out.append(Link(target, label, line_no, "wiki", False))
        return label

    def url(match: re.Match[str]) -> str:
        target = match.group(1) if match.re is _AUTOLINK else match.group(0)
        target = target.rstrip(".,;:!?。，；：")
        out.append(Link(target, target, line_no, "markdown", True, id_from_url(target)))
        return " "  # a bare URL is not prose

    # Each pattern runs only when its tell-tale characters are present: this is the hot loop of a
    # full build, and most lines hold no link at all.
    if "![" in line:
        line = _IMAGE.sub(image, line)
    if "http" in line:
        line = _BARE_URL.sub(url, line)
    if "[[" in line:
        line = _WIKI_LINK.sub(wiki_link, line)
    if "](" in line:
        line = _MD_LINK.sub(md_link, line)
    if "<http" in line:
        line = _AUTOLINK.sub(url, line)
    ref = _REF_DEF.match(line) if "]:" in line else None
    if ref:
        out.append(_link(ref.group(2), ref.group(1), line_no))
        return ref.group(1)
    return line


def _strip_inline(line: str) -> str:
    """Markdown inline syntax → plain words."""
    head = line.lstrip()[:1]
    if head in _BLOCK_MARKS:
        if _RULE.match(line):
            return ""
        line = _BLOCK_PREFIX.sub("", line)
    if "<" in line:
        line = _HTML_TAG.sub(" ", line)
    if "|" in line:
        line = line.replace("|", " ")
    if "*" in line or "_" in line or "~" in line:
        line = _MD_PUNCT.sub("", line)
    if "&" in line:
        line = _ENTITY.sub(" ", line)
    return line


# Long on purpose: one pass over the lines with the fence and maths state of CommonMark; it is the
# hot loop of a full build, and splitting it would add a call per line.
def scan_body(body: str, first_line: int) -> BodyScan:
    """One pass over the body: prose, code fences, headings and links, skipping code and math."""
    scan = BodyScan()
    lines = body.split("\n")
    fence: tuple[str, int, str, int, list[str]] | None = None  # marker, indent, info, start line, lines
    in_math = False
    for offset, line in enumerate(lines):
        line_no = first_line + offset
        if fence is not None:
            marker, indent, info, start, buf = fence
            stripped = line.strip()
            closing = stripped.startswith(marker) and set(stripped) == {marker[0]}
            if closing and len(line) - len(line.lstrip()) <= 3:
                scan.fences.append((_fence_language(info), info.strip(), start, "\n".join(buf)))
                scan.code.append("\n".join(buf))
                fence = None
            else:
                buf.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            continue
        opened = _FENCE_OPEN.match(line)
        if opened and not in_math and not (opened.group(2)[0] == "`" and "`" in opened.group(3)):
            fence = (opened.group(2), len(opened.group(1)), opened.group(3), line_no + 1, [])
            continue
        stripped = line.strip()
        if in_math:
            if "$$" in stripped:
                in_math = False
            continue
        if stripped.startswith("$$"):
            if stripped == "$$" or not stripped[2:].rstrip().endswith("$$"):
                in_math = True
            continue
        if _MDX_LINE.match(line):
            continue
        admonition = _ADMONITION.match(line)
        if admonition:
            if admonition.group(2):
                scan.prose.append(admonition.group(2))
            continue
        if not stripped:
            scan.prose.append("")
            continue
        heading = _HEADING.match(line)
        # Inline code and math are neither links nor prose to scan for links; inline code words
        # are still searchable, so they are appended to the line's prose.
        inline_code = [m.group(2) for m in _INLINE_CODE.finditer(line)] if "`" in line else []
        masked = _INLINE_CODE.sub(" ", line) if inline_code else line
        if "$" in masked:
            masked = _MATH_INLINE.sub(" ", _MATH_BLOCK_INLINE.sub(" ", masked))
        text = _strip_inline(_links_in_line(masked, line_no, scan.links))
        if inline_code:
            text = text + " " + " ".join(inline_code)
        if heading:
            title = _strip_inline(_links_in_line(_INLINE_CODE.sub(lambda m: m.group(2), heading.group(2)), line_no, []))
            title = re.sub(r"\s+", " ", title).strip()
            scan.headings.append(title)
            if heading.group(1) == "#" and scan.first_h1 is None and title:
                scan.first_h1 = title
        scan.prose.append(text)
    if fence is not None:  # an unclosed fence runs to the end of the file, as in CommonMark
        marker, indent, info, start, buf = fence
        scan.fences.append((_fence_language(info), info.strip(), start, "\n".join(buf)))
        scan.code.append("\n".join(buf))
    return scan


def collapse_prose(lines: list[str]) -> str:
    """Prose lines as one text: whitespace runs collapsed, at most one blank line in a row."""
    text = "\n".join(line.strip() for line in lines)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

