"""A note as a Jupyter notebook: its prose as Markdown cells and its Python snippets as code cells,
in the order they appear in the note (see README, "kb snippets export").

`note_cells` is pure and finds where each fenced snippet sits in the body from the line the indexer
recorded for it; `notebook_text` turns the cells into nbformat v4 JSON (nbformat is imported only
there, and is an optional dependency: `pip install 'kb[jupyter]'`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kb.errors import KbError
from kb.models import Note, Snippet
from kb.snippets.header import PYTHON_LANGUAGES

INSTALL_HINT = "pip install nbformat  (or: pip install 'kb[jupyter]')"
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: "markdown" or "code", and its source text."""

    kind: str
    source: str


def _fence_end(lines: list[str], start: int) -> int:
    """Index of the line closing the fence opened at `lines[start]` (len(lines) when unclosed, as
    CommonMark runs an unclosed fence to the end)."""
    opened = _FENCE_OPEN.match(lines[start])
    marker = opened.group(1) if opened else "```"
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped.startswith(marker) and set(stripped) == {marker[0]} and len(lines[i]) - len(lines[i].lstrip()) <= 3:
            return i
    return len(lines)


def _is_python(snippet: Snippet) -> bool:
    return snippet.language in PYTHON_LANGUAGES


def title_cell(note: Note) -> str:
    """The first cell: the note's title and what its front matter says about the paper."""
    lines = [f"# {note.title}", ""]
    paper = note.paper
    if paper is not None:
        published = ", ".join(str(x) for x in (paper.venue, paper.year) if x)
        if paper.authors:
            lines.append(f"- **Authors:** {', '.join(paper.authors)}")
        if published:
            lines.append(f"- **Published:** {published}")
        if paper.arxiv:
            lines.append(f"- **arXiv:** [{paper.arxiv}](https://arxiv.org/abs/{paper.arxiv})")
        if paper.doi:
            lines.append(f"- **DOI:** [{paper.doi}](https://doi.org/{paper.doi})")
    if note.tags:
        lines.append(f"- **Tags:** {', '.join(note.tags)}")
    if note.tldr:
        lines.append(f"- **TL;DR:** {note.tldr}")
    lines.append(f"- **Note:** `{note.path}` (exported by kb)")
    return "\n".join(lines).rstrip()


def note_cells(note: Note) -> list[Cell]:
    """The note as cells: a title cell, then prose and Python snippets in document order, then the
    Python files the note attaches (`snippets:`), each after a line naming it.

    Fenced blocks in other languages (bash, text, …) stay in the prose, as fenced code.
    """
    cells = [Cell("markdown", title_cell(note))]
    lines = note.body.split("\n")
    prose_from = 0

    def prose(until: int) -> None:
        text = "\n".join(lines[prose_from:until]).strip("\n")
        if text.strip():
            cells.append(Cell("markdown", text))

    fenced = sorted((s for s in note.snippets if s.source is None and _is_python(s)), key=lambda s: s.start_line)
    for snippet in fenced:
        # start_line is the file line of the code's first line; the fence opens on the line before.
        opening = snippet.start_line - 1 - note.body_line
        if not 0 <= opening < len(lines) or not _FENCE_OPEN.match(lines[opening]) or opening < prose_from:
            continue  # the index and the body disagree: leave the block in the prose rather than guess
        prose(opening)
        cells.append(Cell("code", snippet.code.rstrip("\n")))
        prose_from = _fence_end(lines, opening) + 1
    prose(len(lines))
    for snippet in note.snippets:
        if snippet.source is not None and _is_python(snippet):
            cells.append(Cell("markdown", f"Attached file `{snippet.source}`:"))
            cells.append(Cell("code", snippet.code.rstrip("\n")))
    return cells


def notebook_text(note: Note, cells: list[Cell]) -> str:
    """The cells as an nbformat v4 notebook (JSON text), validated, with a python3 kernel and the
    note's front matter under `metadata.kb`."""
    try:
        import nbformat  # noqa: PLC0415 - optional and slow to import; only this export needs it
    except ImportError:
        raise KbError(f"exporting a Jupyter notebook needs the nbformat package: {INSTALL_HINT}") from None
    from nbformat import v4  # noqa: PLC0415

    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell(c.source) if c.kind == "markdown" else v4.new_code_cell(c.source)
                for c in cells]
    front_matter: Any = json.loads(json.dumps(note.meta, ensure_ascii=False, default=str))
    nb.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "kb": {"path": str(note.path), "title": note.title, "front_matter": front_matter},
    })
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
