"""The reading list as one self-contained HTML page (inline CSS, no scripts, every value escaped)."""

from __future__ import annotations

import html
import re
from typing import Any

from kb.layout import STATUSES

_CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { margin-bottom: .2rem; } .summary { color: #666; margin-top: 0; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
ul { list-style: none; padding-left: 0; } li { margin: .6rem 0; }
.title { font-weight: 600; } .read .title { color: #555; }
.meta, .path { color: #666; font-size: .9em; } .tldr { margin: .1rem 0 0 1.6rem; color: #444; }
.status { font-size: .75em; border-radius: .3em; padding: 0 .4em; background: #eee; }
.reading .status { background: #ffe9a8; } .read .status { background: #cdeccd; }
code { font-size: .85em; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_item(rec: dict[str, Any]) -> str:
    status = rec["status"]
    checked = " checked" if status == "read" else ""
    meta = ", ".join(rec["authors"])
    extra = " · ".join(_e(x) for x in (rec["year"], rec["venue"]) if x)
    link = ""
    if rec["arxiv"]:
        link = f' · <a href="{_e(rec["arxiv_url"])}">arXiv:{_e(rec["arxiv"])}</a>'
    elif rec["url"] and re.match(r"(?i)https?://", rec["url"]):
        link = f' · <a href="{_e(rec["url"])}">link</a>'
    tldr = f'<div class="tldr">{_e(rec["tldr"])}</div>' if rec["tldr"] else ""
    return (
        f'<li class="{_e(status)}"><input type="checkbox" disabled{checked}> '
        f'<span class="title">{_e(rec["title"])}</span> <span class="status">{_e(status)}</span><br>'
        f'<span class="meta">{_e(meta)}{" · " if meta and extra else ""}{extra}{link}</span> '
        f'<code class="path">{_e(rec["path"])}</code>{tldr}</li>'
    )


def to_html(groups: list[tuple[str, list[dict[str, Any]]]], title: str) -> str:
    """The page: a heading, a summary of statuses, then each group of paper records as a list."""
    papers = [n for _, group in groups for n in group]
    counts = ", ".join(
        f"{sum(1 for r in papers if r['status'] == s)} {s}" for s in STATUSES
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="summary">{len(papers)} papers: {_e(counts)}</p>',
    ]
    for name, group in groups:
        out.append("<section>")
        if name:
            out.append(f"<h2>{_e(name)} <small>({len(group)})</small></h2>")
        out.append("<ul>")
        out += [_html_item(r) for r in group]
        out += ["</ul>", "</section>"]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)

