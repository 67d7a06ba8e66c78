"""A note's Markdown body → safe HTML for its page: Python-Markdown, maths as MathML, links to pages.

What the page shows is built in one pass of Python-Markdown with the notebook's extensions, then
sanitised as a whole with nh3, so that a note's own raw HTML (`<script>`, `onerror=`, `javascript:`
links) never reaches the browser while kb's own markup (MathML, Pygments spans, heading anchors,
footnotes) does, by allowlist:

- fenced code highlighted by Pygments (`codehilite`), tables, footnotes, heading anchors (`toc`,
  with Unicode slugs so Chinese headings get ids);
- Docusaurus admonitions (`:::tip Title` … `:::`) become `<div class="admonition tip">`; MDX
  `import`/`export` lines are dropped;
- `$…$` and `$$…$$` become MathML on the server (latex2mathml): no script, works offline;
- links the indexer resolved (`Note.links`) point to the target note's page, links it could not
  resolve are marked `broken-link`; `[[wiki links]]` likewise; images and other relative files point
  to `/files/…`, which serves the notes folder and nothing outside it.

Code and maths are never scanned for links or maths, as in `kb.index.markdown`.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import xml.etree.ElementTree as ET  # noqa: N817 - Python-Markdown's own element type
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from latex2mathml import converter as latex
from latex2mathml import exceptions as latex_errors
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from kb.layout import is_note_file
from kb.models import Note

__all__ = ["RenderedNote", "note_url", "file_url", "render_note", "render_math", "sanitise"]

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_MDX_LINE = re.compile(r"^(import|export)\s")
_ADMONITION_OPEN = re.compile(r"^\s*:::\s*([A-Za-z][\w-]*)\s*(.*)$")
_ADMONITION_CLOSE = re.compile(r"^\s*:::\s*$")
_DISPLAY_OPEN = re.compile(r"^\s*\$\$(.*)$")
# Same rule as the indexer's: `$x$` but not `$ 5` or `$5 and $6`.
_MATH_INLINE = r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)"
_MATH_DISPLAY_INLINE = r"\$\$(.+?)\$\$"
_WIKI = r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]"
# The `src` of an `<img>` in a note's raw HTML, quoted either way or not at all.
_RAW_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
# latex2mathml raises these (and plain ValueError/IndexError/KeyError on some malformed input).
_LATEX_ERRORS = tuple(
    getattr(latex_errors, name) for name in dir(latex_errors) if name.endswith("Error")
) + (ValueError, IndexError, KeyError)

_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msup", "msub",
    "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose",
    "mtable", "mtr", "mtd", "mlabeledtr", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
}
_MATHML_ATTRS = {
    "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop",
    "movablelimits", "accent", "accentunder", "columnalign", "columnspacing", "rowspacing", "columnlines",
    "rowlines", "frame", "width", "height", "depth", "linethickness", "displaystyle", "scriptlevel", "notation",
    "minsize", "maxsize", "symmetric", "open", "close", "separators", "encoding",
}
_TAGS = set(nh3.ALLOWED_TAGS) | _MATHML_TAGS | {"div", "span", "pre", "code", "sup", "sub", "figure", "figcaption",
                                               "details", "summary", "mark", "kbd", "del", "ins", "hr", "br"}
_ATTRS: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan"},
    "ol": {"start"}, "code": {"data-lang"},
    **{tag: set(_MATHML_ATTRS) for tag in _MATHML_TAGS},
}


def note_url(path: str, anchor: str = "") -> str:
    """The page of the note at `path` (relative to notes/), with an optional `#anchor`."""
    return "/notes/" + quote(path) + (f"#{anchor}" if anchor else "")


def file_url(path: str) -> str:
    """The URL `/files/…` that serves the notes-folder file at `path`."""
    return "/files/" + quote(path)


def sanitise(html: str) -> str:
    """`html` with only the allowlisted tags and attributes; script, handlers and `javascript:` go."""
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRS, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


@functools.lru_cache(maxsize=8192)  # pure, and notes repeat their formulas (`x`, `\mathbf{W}` …)
def render_math(tex: str, *, display: bool = False) -> str:
    """MathML for a TeX formula; a formula latex2mathml cannot read stays visible as code."""
    try:
        return latex.convert(tex.strip(), display="block" if display else "inline")
    except _LATEX_ERRORS:
        return f'<code class="math-error">{_escape(tex)}</code>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass(frozen=True, slots=True)
class RenderedNote:
    """A note's body as sanitised HTML, and its table of contents (heading tokens of `toc`)."""

    html: str
    toc: tuple[tuple[int, str, str], ...]  # (level, anchor id, text)


class _Blocks(Preprocessor):
    """Outside fenced code: drop MDX lines, open/close admonitions, turn `$$` blocks into MathML."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        math: list[str] | None = None
        for line in lines:
            if fence is not None:
                out.append(line)
                match = _FENCE.match(line)
                if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence) \
                        and not line.strip()[len(match.group(2)):].strip():
                    fence = None
                continue
            if math is not None:
                if line.rstrip().endswith("$$"):
                    math.append(line.rstrip()[:-2])
                    out.extend(["", self.md.htmlStash.store(render_math("\n".join(math), display=True)), ""])
                    math = None
                else:
                    math.append(line)
                continue
            match = _FENCE.match(line)
            if match:
                fence = match.group(2)
                out.append(line)
            elif _MDX_LINE.match(line):
                continue
            elif _ADMONITION_CLOSE.match(line):
                out.extend(["", "</div>", ""])
            elif (adm := _ADMONITION_OPEN.match(line)) is not None:
                kind, title = adm.group(1).lower(), adm.group(2).strip() or adm.group(1).capitalize()
                out.extend(["", f'<div class="admonition {kind}" markdown="1">',
                            f'<p class="admonition-title">{_escape(title)}</p>', ""])
            elif (disp := _DISPLAY_OPEN.match(line)) is not None and "$$" not in disp.group(1):
                math = [disp.group(1)]
            else:
                out.append(line)
        if math is not None:  # an unclosed `$$`: show what was written
            out.extend(["$$", *math])
        return out


class _Math(InlineProcessor):
    """`$…$` (inline) or `$$…$$` inside a paragraph (display) → stashed MathML."""

    def __init__(self, pattern: str, md: markdown.Markdown, display: bool):
        super().__init__(pattern, md)
        self.display = display

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's API
        return self.md.htmlStash.store(render_math(m.group(1), display=self.display)), m.start(0), m.end(0)


class _Wiki(InlineProcessor):
    """`[[target]]` or `[[target|label]]` → a link the tree pass resolves."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802
        el = ET.Element("a")
        el.set("data-wiki", m.group(1).strip())
        el.text = (m.group(2) or m.group(1)).strip()
        return el, m.start(0), m.end(0)


class _Links(Treeprocessor):
    """Point links and images at kb's pages and files; mark the links that go nowhere."""

    def __init__(self, md: markdown.Markdown, note: Note, to_note: Callable[[str, str], str],
                 to_file: Callable[[str], str]):
        super().__init__(md)
        self.folder = posixpath.dirname(str(note.path))
        self.markdown_links = {link.target: link for link in note.links if link.style != "wiki"}
        self.wiki_links = {link.target: link for link in note.links if link.style == "wiki"}
        self.to_note, self.to_file = to_note, to_file

    def run(self, root: ET.Element) -> None:
        self._point_tree(root)
        # Raw HTML (`<img src="./img/x.png" width="60%">`, common in Docusaurus and VuePress notes) is
        # stashed away from the tree until the end, and so are `md_in_html` blocks: fix their images
        # (and those blocks' links) too, or the browser would resolve them against the page's URL.
        blocks = self.md.htmlStash.rawHtmlBlocks
        for i, block in enumerate(blocks):
            if isinstance(block, ET.Element):
                self._point_tree(block)
            else:
                blocks[i] = _RAW_IMG_SRC.sub(self._raw_image, block)

    def _raw_image(self, match: re.Match) -> str:
        src = html.unescape(next(g for g in match.groups()[1:] if g is not None))
        url = self._image_url(src)
        if url is None:
            return match.group(0)
        broken = "" if url else ' class="broken-image"'
        return "<img" + broken + match.group(1)[4:] + f'"{html.escape(url)}"'

    def _image_url(self, src: str) -> str | None:
        """Where a relative image source points ("" for a file that cannot be offered); None for an
        absolute URL, which stays as written."""
        if not src or urlsplit(src).scheme or src.startswith(("/", "#")):
            return None
        local = self._local(src)
        return self.to_file(local) if local else ""

    def _point_tree(self, root: ET.Element) -> None:
        for el in root.iter("a"):
            wiki = el.attrib.pop("data-wiki", None)
            if wiki is not None:
                link = self.wiki_links.get(wiki)
                self._point(el, link.resolved if link else None, wiki.partition("#")[2])
                continue
            href = el.get("href", "")
            if not href or href.startswith("#") or urlsplit(href).scheme:
                continue
            link = self.markdown_links.get(href) or self.markdown_links.get(unquote(href))
            if link is not None and not link.external:
                self._point(el, link.resolved, urlsplit(href).fragment)
            else:
                local = self._local(href)
                if local is None or is_note_file(local.rpartition("/")[2]) or "." not in local.rpartition("/")[2]:
                    self._point(el, None, "")  # a note the indexer did not find, or outside the notes folder
                elif url := self.to_file(local):
                    el.set("href", url)
                else:
                    self._point(el, None, "")  # a file `to_file` cannot offer (a static site's missing file)
        for el in root.iter("img"):
            url = self._image_url(el.get("src", ""))
            if url is not None:
                el.set("src", url)
                if not url:
                    el.set("class", "broken-image")
            el.set("loading", "lazy")

    def _point(self, el: ET.Element, resolved: str | None, anchor: str) -> None:
        if resolved:
            el.set("href", self.to_note(resolved, anchor))
        else:
            el.attrib.pop("href", None)
            el.set("class", "broken-link")
            el.set("title", "broken link: no note has this path or name")

    def _local(self, href: str) -> str | None:
        """A relative file reference as a notes-relative path, or None when it leaves the notes folder."""
        path = unquote(urlsplit(href).path)
        joined = posixpath.normpath(posixpath.join(self.folder, path))
        return None if joined.startswith("..") or joined.startswith("/") else joined


class _NotePage(Extension):
    def __init__(self, note: Note, to_note: Callable[[str, str], str], to_file: Callable[[str], str]):
        super().__init__()
        self.note, self.to_note, self.to_file = note, to_note, to_file

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.preprocessors.register(_Blocks(md), "kb_blocks", 30)  # before fenced_code (25)
        # After code spans (190), before backslash escapes (180): TeX keeps its backslashes.
        md.inlinePatterns.register(_Math(_MATH_DISPLAY_INLINE, md, True), "kb_math_display", 187)
        md.inlinePatterns.register(_Math(_MATH_INLINE, md, False), "kb_math", 186)
        md.inlinePatterns.register(_Wiki(_WIKI, md), "kb_wiki", 175)
        md.treeprocessors.register(_Links(md, self.note, self.to_note, self.to_file), "kb_links", 1)


def _flatten(tokens: list[dict], out: list[tuple[int, str, str]]) -> None:
    for token in tokens:
        out.append((token["level"], token["id"], token["name"]))
        _flatten(token.get("children", []), out)


def render_note(note: Note, *, to_note: Callable[[str, str], str] = note_url,
                to_file: Callable[[str], str] = file_url) -> RenderedNote:
    """The note's body as sanitised HTML with its heading list; URLs come from `to_note`/`to_file`
    (`to_file` may answer "" for a file it cannot offer: the link is then marked broken)."""
    md = markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "footnotes", "md_in_html", "sane_lists",
                    "toc", _NotePage(note, to_note, to_file)],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "toc": {"slugify": slugify_unicode, "permalink": "#", "permalink_title": "Link to this heading",
                    "toc_depth": "2-4"},
        },
        output_format="html",
    )
    html = md.convert(note.body)
    toc: list[tuple[int, str, str]] = []
    _flatten(getattr(md, "toc_tokens", []), toc)
    return RenderedNote(sanitise(html), tuple(toc))
