"""The Markdown parser behind `kb.index.markdown`: markdown-it-py, set up for notes.

CommonMark plus GFM tables, footnotes and dollar maths (mdit-py-plugins), and one block rule of our
own for what Docusaurus adds to Markdown: MDX `import`/`export` lines and `:::tip Title` admonition
markers. Link destinations are kept as written (markdown-it would percent-encode `./[1]LeNet.md` and
every Chinese file name), since `kb` resolves them against the notes folder, not a browser.

Imported only when a body is parsed, so `kb --help` does not pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MDX_LINE = re.compile(r"(import|export)\s")
# Characters that can start inline syntax with the rules enabled below (escape, code, strikethrough,
# emphasis, links and images, autolinks and HTML, entities, footnotes, maths). Text without any of
# them is plain text line by line, and most of a notebook's paragraphs and table cells are.
_INLINE_SYNTAX = re.compile(r"[\\`~*_\[!<&^$]")
_ADMONITION = re.compile(r":::\s*([A-Za-z]*)\s*(.*)$")


def _docusaurus_marker(state, start: int, end: int, silent: bool) -> bool:
    """Block rule: an MDX `import`/`export` line at the top of a block, or a `:::` admonition line.

    Emits a `kb_marker` token whose content is the admonition's title (empty for the rest). As a
    paragraph terminator (silent) only `:::` counts: a wrapped sentence may start with "import"."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    text = state.src[pos:state.eMarks[start]]
    admonition = _ADMONITION.match(text) if text.startswith(":::") else None
    if admonition is None and (silent or state.blkIndent or not _MDX_LINE.match(text)):
        return False
    if silent:
        return True
    token = state.push("kb_marker", "", 0)
    token.map = [start, start + 1]
    token.content = admonition.group(2).strip() if admonition else ""
    state.line = start + 1
    return True


def _inline(state) -> None:
    """Core rule replacing markdown-it's `inline`: parse inline syntax only where there can be some.

    The inline parser is about half of the parse time; skipping it for plain text keeps a full
    build of a large notebook close to the speed of the line scanner this parser replaced."""
    md, env = state.md, state.env
    token_class = None
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if _INLINE_SYNTAX.search(content):
            md.inline.parse(content, md, env, token.children)
            continue
        if token_class is None:
            token_class = type(token)
        children = token.children
        for i, line in enumerate(content.split("\n")):
            if i:
                children.append(token_class("softbreak", "br", 0))
            children.append(token_class("text", "", 0, content=line.strip()))


def _keep_link(url: str) -> str:
    return url


def _any_link(url: str) -> bool:
    return True


@lru_cache(maxsize=1)
def parser():
    """The shared, configured parser (building one costs about a millisecond)."""
    from markdown_it import MarkdownIt  # noqa: PLC0415 - a slow import, only when a body is parsed
    from mdit_py_plugins.dollarmath import dollarmath_plugin  # noqa: PLC0415 - likewise
    from mdit_py_plugins.footnote import footnote_plugin  # noqa: PLC0415 - likewise

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # Pandoc's rules, as before: `$5 and $6` is money, not maths.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False)
    md.block.ruler.before("paragraph", "kb_marker", _docusaurus_marker,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.at("inline", _inline)
    md.normalizeLink = _keep_link
    md.validateLink = _any_link
    return md
