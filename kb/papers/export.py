"""Reading lists from paper notes: Markdown checklist, CSV, JSON, BibTeX, one-page HTML (pure).

Everything here returns text; `kb.output.write_output` writes it when asked to (`-o`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kb.errors import ExportError
from kb.layout import STATUSES, natural_key, reading_status
from kb.models import Note
from kb.papers import bibtex, citekeys
from kb.papers.arxiv import parse_arxiv_id
from kb.papers.export_html import to_html

EXPORT_FORMATS = ("md", "csv", "json", "bibtex", "html")
UNNOTED_FORMATS = ("md", "csv", "json", "bibtex")
ORDERS = ("number", "year", "chapter", "added")
GROUPS = ("status", "chapter", "none")


def _check_choice(kind: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ExportError(f"unknown {kind} {value!r}", hint="use one of: " + ", ".join(choices))


@dataclass(frozen=True, slots=True)
class CitedPaper:
    """An arXiv paper that notes link to but that has no paper note of its own."""

    arxiv: str
    url: str
    cited_by: tuple[str, ...]  # paths of the citing notes, sorted
    labels: tuple[str, ...] = ()  # link texts used for it ("ResNet"), when they say more than the id


# --- selecting and ordering -------------------------------------------------------------------


def _status(note: Note) -> str | None:
    return reading_status(note.kind, note.status)  # a paper note without one counts as to-read


def _chapter(note: Note) -> str:
    return note.chapter_label or note.chapter or ""


def sort_papers(notes: Iterable[Note], order: str = "number") -> list[Note]:
    """Notes sorted by file-name number, paper year, chapter or `added` date; unknowns last.

    Ties fall back to the number, then the path, so the order is always the same.
    """
    _check_choice("order", order, ORDERS)

    def by_number(n: Note) -> tuple[Any, ...]:
        num = n.number
        return (num is None, num or 0, str(n.path))

    def key(n: Note) -> tuple[Any, ...]:
        if order == "year":
            return (n.year is None, n.year or 0, *by_number(n))
        if order == "chapter":
            return (natural_key(n.chapter or ""), *by_number(n))
        if order == "added":
            return (not n.added, str(n.added or ""), *by_number(n))
        return by_number(n)

    return sorted(notes, key=key)


def _groups(notes: list[Note], group_by: str) -> list[tuple[str, list[Note]]]:
    _check_choice("grouping", group_by, GROUPS)
    if group_by == "none":
        return [("", notes)]
    if group_by == "status":
        known = [(s, [n for n in notes if _status(n) == s]) for s in STATUSES]
        other = sorted({_status(n) for n in notes} - set(STATUSES))
        known += [(s, [n for n in notes if _status(n) == s]) for s in other]
        return [(s, group) for s, group in known if group]
    groups: dict[str, list[Note]] = {}
    for note in notes:  # chapters in order of first appearance
        groups.setdefault(_chapter(note) or "(no chapter)", []).append(note)
    return list(groups.items())


# --- records (csv, json) ------------------------------------------------------------------------


def _arxiv(note: Note) -> str | None:
    raw = note.paper.arxiv if note.paper else None
    if raw in (None, ""):
        return None
    return parse_arxiv_id(str(raw)) or str(raw)


def _arxiv_url(arxiv: str | None) -> str | None:
    return f"https://arxiv.org/abs/{arxiv}" if arxiv else None


_RECORD_COLUMNS = (
    "number", "path", "citekey", "title", "note_title", "authors", "year", "venue", "arxiv", "arxiv_url",
    "doi", "url", "status", "tags", "chapter", "added", "tldr",
)


def paper_record(note: Note, citekey: str | None = None) -> dict[str, Any]:
    """Everything known about one paper note, as a flat JSON-ready dict (lists stay lists).

    `citekey` is the note's key in the notebook (`kb.papers.citekeys.assign_citekeys`); without it,
    the note's own derived key, not made unique.
    """
    paper = note.paper
    arxiv = _arxiv(note)
    return {
        "number": note.number,
        "path": str(note.path),
        "citekey": citekey or citekeys.pinned_citekey(note) or citekeys.note_base_citekey(note),
        "title": (paper.title if paper and paper.title else None) or note.title,
        "note_title": note.title,
        "authors": list(paper.authors) if paper else [],
        "year": paper.year if paper else None,
        "venue": paper.venue if paper else None,
        "arxiv": arxiv,
        "arxiv_url": _arxiv_url(arxiv),
        "doi": paper.doi if paper else None,
        "url": (paper.url if paper else None) or _arxiv_url(arxiv),
        "status": _status(note),
        "tags": list(note.tags),
        "chapter": note.chapter,
        "added": str(note.added) if note.added else None,
        "tldr": note.tldr,
    }


def _to_csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for col in columns:
            value = row[col]
            if isinstance(value, (list, tuple)):
                value = "; ".join(str(v) for v in value)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return out.getvalue()


def _to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


# --- Markdown --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_item(note: Note) -> str:
    rec = paper_record(note)
    box = "x" if rec["status"] == "read" else " "
    parts = [f"**{_md(rec['title'])}**"]
    if rec["authors"]:
        parts.append(_md(", ".join(rec["authors"])))
    meta = [str(rec["year"]) if rec["year"] else "", _md(rec["venue"] or "")]
    if rec["arxiv"]:
        meta.append(f"[arXiv:{rec['arxiv']}]({rec['arxiv_url']})")
    elif rec["url"]:
        meta.append(f"<{rec['url']}>")
    if rec["status"] == "reading":
        meta.append("*reading*")
    meta.append(_code(rec["path"]))
    return f"- [{box}] " + " — ".join(parts) + " · " + " · ".join(m for m in meta if m)


def _to_markdown(groups: list[tuple[str, list[Note]]], title: str) -> str:
    lines = [f"# {_md(title)}", ""]
    if not any(group for _, group in groups):
        lines += ["*No papers.*", ""]
    for name, group in groups:
        if name:
            lines += [f"## {_md(name)} ({len(group)})", ""]
        lines += [_md_item(n) for n in group]
        lines.append("")
    return "\n".join(lines)


# --- reading list ----------------------------------------------------------------------------------


def export_reading_list(
    notes: Sequence[Note],
    fmt: str,
    *,
    order: str = "number",
    group_by: str = "status",
    title: str = "Reading list",
    keys: dict[str, str] | None = None,
) -> str:
    """A reading list of the paper notes among `notes` (kind == "paper"), as text in format `fmt`.

    `keys` are the citation keys by path, made unique over the whole notebook (`Notebook.citekeys`):
    pass them when `notes` is a selection, so that a note's key does not depend on the selection.
    Without them, keys are made unique among `notes`.

    fmt: `md` (checklist, `- [x]` for read), `csv`/`json` (one row/object per paper with all
    metadata and status), `bibtex` (unique stable keys, UTF-8 kept) or `html` (one self-contained
    page). order: number | year | chapter | added. group_by (md and html): status | chapter |
    none. Filter first (`kb.search.query.Filters.admits`). Raises ExportError for an unknown choice.
    """
    _check_choice("format", fmt, EXPORT_FORMATS)
    papers = sort_papers([n for n in notes if n.kind == "paper"], order)
    if keys is None:
        keys = citekeys.assign_citekeys(papers)

    def record(note: Note) -> dict[str, Any]:
        return paper_record(note, keys.get(str(note.path)))

    if fmt == "json":
        return _to_json([record(n) for n in papers])
    if fmt == "csv":
        return _to_csv([record(n) for n in papers], _RECORD_COLUMNS)
    if fmt == "bibtex":
        return bibtex.to_bibtex([record(n) for n in papers])
    groups = _groups(papers, group_by)
    if fmt == "md":
        return _to_markdown(groups, title)
    return to_html([(name, [record(n) for n in group]) for name, group in groups], title)


# --- papers cited but not noted -----------------------------------------------------------------------


def unnoted_papers(notes: Iterable[Note]) -> list[CitedPaper]:
    """arXiv papers linked from any note that no paper note is about (its `paper.arxiv`).

    Most-cited first, then by arXiv id; `cited_by` lists the citing notes' paths, sorted.
    """
    notes = list(notes)
    noted = {a for n in notes if n.kind == "paper" and (a := _arxiv(n))}
    cited: dict[str, set[str]] = {}
    labels: dict[str, list[str]] = {}
    for note in sorted(notes, key=lambda n: str(n.path)):
        for link in sorted(note.links, key=lambda link: link.line):
            if not link.arxiv_id:
                continue
            aid = parse_arxiv_id(link.arxiv_id) or link.arxiv_id
            if aid in noted:
                continue
            cited.setdefault(aid, set()).add(str(note.path))
            label = " ".join(link.label.split())
            seen = labels.setdefault(aid, [])
            if label and label not in seen and parse_arxiv_id(label) is None and label != link.target:
                seen.append(label)
    papers = [
        CitedPaper(arxiv=a, url=_arxiv_url(a) or "", cited_by=tuple(sorted(paths)), labels=tuple(labels[a]))
        for a, paths in cited.items()
    ]
    return sorted(papers, key=lambda p: (-len(p.cited_by), p.arxiv))


def _cited_record(paper: CitedPaper) -> dict[str, Any]:
    return {
        "arxiv": paper.arxiv,
        "url": paper.url,
        "labels": list(paper.labels),
        "cited_by": list(paper.cited_by),
        "count": len(paper.cited_by),
    }


def export_unnoted(cited: Sequence[CitedPaper], fmt: str, *, title: str = "Cited papers without a note") -> str:
    """Papers from `unnoted_papers` as md (checklist naming the citing notes), csv, json or bibtex (@misc)."""
    _check_choice("format", fmt, UNNOTED_FORMATS)
    if fmt == "json":
        return _to_json([_cited_record(p) for p in cited])
    if fmt == "csv":
        return _to_csv([_cited_record(p) for p in cited], ("arxiv", "url", "labels", "cited_by", "count"))
    if fmt == "bibtex":
        entries = []
        for p in cited:
            name = p.labels[0] if p.labels else f"arXiv:{p.arxiv}"
            entries.append(bibtex.misc_entry(f"arXiv:{p.arxiv}", name, p.arxiv, p.url,
                                             "cited by " + ", ".join(p.cited_by)))
        return "\n".join(entries)
    lines = [f"# {_md(title)}", ""]
    if not cited:
        lines += ["*Every cited arXiv paper has a note.*", ""]
    for p in cited:
        label = f" — {_md('; '.join(p.labels))}" if p.labels else ""
        citing = ", ".join(_code(c) for c in p.cited_by)
        lines.append(f"- [ ] [arXiv:{p.arxiv}]({p.url}){label} · cited by {citing}")
    return "\n".join(lines) + ("\n" if cited else "")


# --- citation keys -----------------------------------------------------------------------------------


def bibtex_key(note: Note) -> str:
    """The derived citation key of a paper note (`he2016deep`), before it is made unique."""
    return citekeys.note_base_citekey(note)


def bibtex_keys(notes: Iterable[Note]) -> dict[str, str]:
    """Unique citation keys of the paper notes, by path, independent of the notes' order."""
    return citekeys.assign_citekeys(notes)
