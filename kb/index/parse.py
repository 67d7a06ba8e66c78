"""Text → `Note`: front matter, title, plain text, tags, links and snippets.

Everything here is pure: it takes the file's text (or bytes) and what the notebook knows
(`NotebookContext`) and returns values. Reading files is the indexer's job.
"""

from __future__ import annotations

import difflib
import hashlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from kb.index.frontmatter import key_lines, load_front_matter, split_front_matter
from kb.index.markdown import collapse_prose, scan_body
from kb.layout import FRONT_MATTER_LINE, STATUSES, in_papers_folder, order_prefix, slug_of
from kb.models import Note, PaperMeta, Problem, Snippet
from kb.papers.arxiv import parse_arxiv_id
from kb.papers.citekeys import citekey_problem as citekey_problem_of

# Keys `kb` understands, plus the common Docusaurus/VuePress ones so that they do not
# trigger "did you mean" warnings.
KNOWN_KEYS = frozenset(
    """title tags authors aliases sidebar_position sidebar_label kind status tldr paper snippets added
    citekey pdf files
    slug description date id keywords image draft unlisted hide_title hide_table_of_contents
    toc_min_heading_level toc_max_heading_level pagination_label pagination_next pagination_prev
    custom_edit_url last_update displayed_sidebar sidebar_class_name sidebar_custom_props
    author author_url author_title author_image_url categories category lang layout permalink
    sidebar sidebarDepth prev next tag""".split()
)
PAPER_KEYS = frozenset("title authors year venue arxiv doi url".split())


@dataclass(frozen=True, slots=True)
class NotebookContext:
    """What parsing one note needs to know about the whole notebook."""

    authors: dict[str, str] = field(default_factory=dict)  # author id -> display name
    chapter_labels: dict[str, str] = field(default_factory=dict)  # folder -> label


def as_list(value: Any) -> list[str]:
    """A YAML list, a comma string or a scalar, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, (list, tuple, set)):
        parts = [str(v) for v in value if v is not None and not isinstance(v, (dict, list))]
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p and p.strip()]


def unique_casefold(items: list[str]) -> tuple[str, ...]:
    """Drop case-insensitive duplicates, keeping the first spelling."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if hasattr(value, "year"):  # a date
        return int(value.year)
    return None


def _to_str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _paper_meta(meta: dict[str, Any], path: str, at: Callable[[str], int]) -> tuple[PaperMeta | None, list[Problem]]:
    block = meta.get("paper")
    if block is None:
        return None, []
    if not isinstance(block, dict):
        return None, [Problem(path, at("paper"), "bad-field", "paper: should be a mapping (title, authors, year, …)")]
    problems = []
    year = _to_int(block.get("year"))
    if block.get("year") is not None and year is None:
        problems.append(Problem(path, at("paper.year"), "bad-field", f"paper.year: {block.get('year')!r} is not a year"))
    arxiv = _to_str(block.get("arxiv"))
    if arxiv:
        arxiv = parse_arxiv_id(arxiv) or re.sub(r"v\d+$", "", re.sub(r"^arxiv:\s*", "", arxiv, flags=re.I))
    return (
        PaperMeta(
            title=_to_str(block.get("title")),
            authors=tuple(as_list(block.get("authors"))) if not isinstance(block.get("authors"), str)
            else tuple(a.strip() for a in re.split(r";| and ", block["authors"]) if a.strip()),
            year=year,
            venue=_to_str(block.get("venue")),
            arxiv=arxiv,
            doi=_to_str(block.get("doi")),
            url=_to_str(block.get("url")),
        ),
        problems,
    )


def _kind(meta: dict[str, Any], path: PurePosixPath, ctx: NotebookContext) -> str:
    declared = meta.get("kind")
    if isinstance(declared, str) and declared.strip().lower() in ("paper", "chapter", "page"):
        return declared.strip().lower()
    if isinstance(meta.get("paper"), dict):
        return "paper"
    if in_papers_folder(path):
        return "paper"
    return "chapter" if len(path.parts) > 1 else "page"


# Long on purpose: it reads each front-matter key in turn, recording a problem for each bad one;
# the steps share the problem list and the meta dict, and read best in file order.
def parse_note(text: str, path: PurePosixPath | str, ctx: NotebookContext | None = None) -> Note:
    """Parse one note's text (already decoded) into a `Note`; problems are recorded, not raised."""
    ctx = ctx or NotebookContext()
    path = PurePosixPath(path)
    spath = str(path)
    split = split_front_matter(text)
    problems: list[Problem] = []
    meta: dict[str, Any] = {}
    if split.raw is not None:
        meta, problems = load_front_matter(split.raw, spath)
    elif split.unterminated:
        problems.append(Problem(spath, 1, "bad-yaml", "front matter opened with --- is never closed", "error"))
    field_lines = key_lines(split.raw) if split.raw else {}

    def at(key: str) -> int:
        # The line of the field a problem is about (its parent's, or the front matter's first line,
        # when the key is not found on a line of its own).
        return field_lines.get(key, field_lines.get(key.partition(".")[0], FRONT_MATTER_LINE))

    for key in meta:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
            if close:
                problems.append(Problem(spath, at(key), "unknown-key", f"unknown front matter key {key!r}; did you mean {close[0]!r}?"))

    scan = scan_body(split.body, split.body_line)
    body_text = collapse_prose(scan.prose)

    title = _to_str(meta.get("title"))
    if meta.get("title") is not None and title is None:
        problems.append(Problem(spath, at("title"), "bad-field", "title: should be text"))
    if not title:
        title = scan.first_h1
    if not title:
        title = slug_of(path) or path.name
        problems.append(Problem(spath, 1, "missing-title", "no title in front matter and no '# ' heading; using the file name"))
    title = re.sub(r"[\t ]+", " ", title).strip()

    order = None
    position = meta.get("sidebar_position")
    if isinstance(position, (int, float)) and not isinstance(position, bool):
        order = float(position)
    elif isinstance(position, str) and re.fullmatch(r"-?\d+(\.\d+)?", position.strip()):
        order = float(position)
    elif position is not None:
        problems.append(Problem(spath, at("sidebar_position"), "bad-field", f"sidebar_position: {position!r} is not a number"))
    if order is None:
        order = order_prefix(path.name)

    paper, paper_problems = _paper_meta(meta, spath, at)
    problems += paper_problems

    citekey_problem = citekey_problem_of(meta.get("citekey"))
    if citekey_problem:
        problems.append(Problem(spath, at("citekey"), "bad-field", citekey_problem))

    status = _to_str(meta.get("status"))
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            problems.append(Problem(spath, at("status"), "bad-field", f"status: {status!r} is not one of {', '.join(STATUSES)}"))

    author_ids = as_list(meta.get("authors")) or as_list(meta.get("author"))
    authors = tuple(ctx.authors.get(a, a) for a in author_ids)

    chapter = path.parts[0] if len(path.parts) > 1 else None
    snippets = [
        Snippet(spath, i, lang, start, code, None, info)
        for i, (lang, info, start, code) in enumerate(scan.fences)
    ]
    if not split.body.strip() and not meta:
        problems.append(Problem(spath, 1, "empty", "the note is empty"))

    return Note(
        path=path,
        title=title,
        kind=_kind(meta, path, ctx),
        body=split.body,
        text=body_text,
        code="\n\n".join(scan.code),
        chapter=chapter,
        chapter_label=ctx.chapter_labels.get(chapter, chapter) if chapter else None,
        order=order,
        tags=unique_casefold(as_list(meta.get("tags"))),
        authors=authors,
        aliases=unique_casefold(as_list(meta.get("aliases"))),
        status=status if status in STATUSES else None,
        tldr=_to_str(meta.get("tldr")),
        added=_to_str(meta.get("added")) or _to_str(meta.get("date")),
        paper=paper,
        headings=tuple(scan.headings),
        links=tuple(scan.links),
        snippets=tuple(snippets),
        problems=tuple(problems),
        body_line=split.body_line,
        meta=meta,
        field_lines=field_lines,
    )


def attached_snippet_paths(note: Note) -> list[str]:
    """Files listed in the note's `snippets:` front matter, relative to the notes folder."""
    folder = posixpath.dirname(str(note.path))
    out = []
    for item in as_list(note.meta.get("snippets")):
        out.append(posixpath.normpath(posixpath.join(folder, item)))
    return out


def decode_note(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes → text. Binary data gives None; invalid UTF-8 is replaced and reported with its line."""
    if b"\x00" in data[:8192]:
        return None, [Problem(path, 1, "not-text", "binary file, not a Markdown note; skipped", "error")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data.decode("utf-8", errors="replace"), [
            Problem(path, line, "not-utf8", f"invalid UTF-8 byte at offset {exc.start}; indexed with replacement characters", "error")
        ]


def checksum(data: bytes) -> str:
    """Content hash used to notice changed notes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


