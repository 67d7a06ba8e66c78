"""Text → `Note`: front matter, title, plain text, tags, links and snippets.

Everything here is pure: it takes the file's text (or bytes) and what the notebook knows
(`NotebookContext`) and returns values. Reading files is `kb.scan`'s job.
"""

from __future__ import annotations

import difflib
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote

import yaml

from kb.models import STATUSES, Link, Note, PaperMeta, Problem, Snippet

try:  # the C loader is ~7x faster; fall back quietly where libyaml is missing
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _YamlLoader = yaml.SafeLoader

NOTE_SUFFIXES = (".md", ".mdx", ".markdown")

# Keys `kb` understands, plus the common Docusaurus/VuePress ones so that they do not
# trigger "did you mean" warnings.
KNOWN_KEYS = frozenset(
    """title tags authors aliases sidebar_position sidebar_label kind status tldr paper snippets added
    slug description date id keywords image draft unlisted hide_title hide_table_of_contents
    toc_min_heading_level toc_max_heading_level pagination_label pagination_next pagination_prev
    custom_edit_url last_update displayed_sidebar sidebar_class_name sidebar_custom_props
    author author_url author_title author_image_url categories category lang layout permalink
    sidebar sidebarDepth prev next tag""".split()
)
PAPER_KEYS = frozenset("title authors year venue arxiv doi url".split())

_ORDER_PREFIX = re.compile(r"^\[(\d+(?:\.\d+)?)\]\s*")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_MDX_LINE = re.compile(r"^(import|export)\s")
_ADMONITION = re.compile(r"^\s*:::\s*([A-Za-z]*)\s*(.*)$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_MATH_BLOCK_INLINE = re.compile(r"\$\$.+?\$\$")
_MATH_INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\((?:<[^>\n]*>|[^)\s]*)(?:\s+\"[^\"\n]*\")?\s*\)")
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
_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?(?:\.pdf)?",
    re.I,
)


@dataclass(frozen=True, slots=True)
class NotebookContext:
    """What parsing one note needs to know about the whole notebook."""

    authors: dict[str, str] = field(default_factory=dict)  # author id -> display name
    chapter_labels: dict[str, str] = field(default_factory=dict)  # folder -> label
    papers_dirs: frozenset[str] = frozenset({"papers", "blog"})


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The result of splitting a note's text into front matter and body."""

    raw: str | None  # the YAML text, None when the note has none
    body: str
    body_line: int  # 1-based line where the body starts
    unterminated: bool = False


def normalise_text(text: str) -> str:
    """Drop a BOM and turn CRLF/CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> FrontMatter:
    """Split `---` front matter from the body; front matter is recognised only at offset 0."""
    text = normalise_text(text)
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip(" \t") != "---":
        return FrontMatter(None, text, 1)
    pos = first_end + 1
    line_no = 2
    while pos <= len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end == -1 else text[pos:end]
        if line.rstrip(" \t") in ("---", "..."):
            raw = text[first_end + 1 : pos]
            body = "" if end == -1 else text[end + 1 :]
            return FrontMatter(raw, body, line_no + 1)
        if end == -1:
            break
        pos = end + 1
        line_no += 1
    # No closing line: this is not front matter, the whole text is the body.
    return FrontMatter(None, text, 1, unterminated=True)


def load_front_matter(raw: str, path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Parse front matter YAML; a broken block yields `{}` and a problem naming the line."""
    try:
        data = yaml.load(raw, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 2) if mark is not None else 1  # +1 for 1-based, +1 for the opening ---
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, [Problem(path, line, "bad-yaml", f"invalid front matter YAML: {reason}", "error")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(path, 2, "bad-yaml", "front matter is not a mapping of keys to values", "error")]
    return {str(k): v for k, v in data.items()}, []


def order_prefix(name: str) -> float | None:
    """The `[N]` number a file name starts with, if any."""
    match = _ORDER_PREFIX.match(name)
    return float(match.group(1)) if match else None


def slug_of(path: PurePosixPath | str) -> str:
    """File name without extension and without its `[N]` prefix."""
    stem = PurePosixPath(path).name
    for suffix in NOTE_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return _ORDER_PREFIX.sub("", stem).strip()


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


def arxiv_id_from_url(url: str) -> str | None:
    """The arXiv id (without version) an arxiv.org URL points to."""
    match = _ARXIV_URL.search(url)
    return match.group(1) if match else None


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


def _paper_meta(meta: dict[str, Any], path: str) -> tuple[PaperMeta | None, list[Problem]]:
    block = meta.get("paper")
    if block is None:
        return None, []
    if not isinstance(block, dict):
        return None, [Problem(path, 2, "bad-field", "paper: should be a mapping (title, authors, year, …)")]
    problems = []
    year = _to_int(block.get("year"))
    if block.get("year") is not None and year is None:
        problems.append(Problem(path, 2, "bad-field", f"paper.year: {block.get('year')!r} is not a year"))
    arxiv = _to_str(block.get("arxiv"))
    if arxiv:
        arxiv = arxiv_id_from_url(arxiv) or re.sub(r"^arxiv:\s*", "", arxiv, flags=re.I)
        arxiv = re.sub(r"v\d+$", "", arxiv)
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


@dataclass
class _BodyScan:
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


def _links_in_line(line: str, line_no: int, out: list[Link]) -> str:
    """Record the links of one prose line; return the line with link syntax reduced to its label."""

    def md_link(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2).strip()
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        external = bool(re.match(r"^[a-z][a-z0-9+.\-]*:", target, re.I))
        out.append(Link(target, label, line_no, "markdown", external, arxiv_id_from_url(target) if external else None))
        return label

    def wiki_link(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        label = (match.group(2) or target).strip()
        out.append(Link(target, label, line_no, "wiki", False))
        return label

    def url(match: re.Match[str]) -> str:
        target = match.group(1) if match.re is _AUTOLINK else match.group(0)
        target = target.rstrip(".,;:!?。，；：")
        out.append(Link(target, target, line_no, "markdown", True, arxiv_id_from_url(target)))
        return " "  # a bare URL is not prose

    # Each pattern runs only when its tell-tale characters are present: this is the hot loop of a
    # full build, and most lines hold no link at all.
    if "![" in line:
        line = _IMAGE.sub(lambda m: m.group(1), line)
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
        target = ref.group(2).strip("<>")
        external = bool(re.match(r"^[a-z][a-z0-9+.\-]*:", target, re.I))
        out.append(Link(target, ref.group(1), line_no, "markdown", external, arxiv_id_from_url(target) if external else None))
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


def scan_body(body: str, first_line: int) -> _BodyScan:
    """One pass over the body: prose, code fences, headings and links, skipping code and math."""
    scan = _BodyScan()
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


def _collapse(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _kind(meta: dict[str, Any], path: PurePosixPath, ctx: NotebookContext) -> str:
    declared = meta.get("kind")
    if isinstance(declared, str) and declared.strip().lower() in ("paper", "chapter", "page"):
        return declared.strip().lower()
    if isinstance(meta.get("paper"), dict):
        return "paper"
    if len(path.parts) > 1 and path.parts[0] in ctx.papers_dirs:
        return "paper"
    return "chapter" if len(path.parts) > 1 else "page"


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

    for key in meta:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
            if close:
                problems.append(Problem(spath, 2, "unknown-key", f"unknown front matter key {key!r}; did you mean {close[0]!r}?"))

    scan = scan_body(split.body, split.body_line)
    body_text = _collapse(scan.prose)

    title = _to_str(meta.get("title"))
    if meta.get("title") is not None and title is None:
        problems.append(Problem(spath, 2, "bad-field", "title: should be text"))
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
        problems.append(Problem(spath, 2, "bad-field", f"sidebar_position: {position!r} is not a number"))
    if order is None:
        order = order_prefix(path.name)

    paper, paper_problems = _paper_meta(meta, spath)
    problems += paper_problems

    status = _to_str(meta.get("status"))
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            problems.append(Problem(spath, 2, "bad-field", f"status: {status!r} is not one of {', '.join(STATUSES)}"))

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


def resolve_link(link: Link, source: PurePosixPath, lookup: LinkTargets) -> str | None:
    """The path of the note an internal link points to, or None when it resolves to no note."""
    if link.external:
        return None
    if link.style == "wiki":
        return lookup.by_name(link.target)
    target = link.target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return str(source) if link.target.startswith("#") else None
    target = unquote(target)
    if target.startswith("/"):
        candidates = [target.lstrip("/")]
        # Docusaurus routes: /docs/<chapter>/<slug>, /blog/<slug>
        parts = target.lstrip("/").split("/", 1)
        if len(parts) == 2 and parts[0] == "docs":
            candidates.append(parts[1])
    else:
        candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(str(source)), target))]
    for candidate in candidates:
        found = lookup.by_path(candidate)
        if found:
            return found
    return None


def _strip_note_suffix(name: str) -> str:
    lower = name.lower()
    for suffix in NOTE_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


class LinkTargets:
    """Lookup tables for resolving links: by path (with or without extension or `[N]`), title, alias, slug.

    Per-folder tables are built on first use: a one-note update resolves a handful of links and
    should not pay for indexing ten thousand file names.
    """

    def __init__(self, notes: Iterable[tuple[str, str, Sequence[str]]]):
        """`notes` holds (path, title, aliases) for every note; title and aliases may be empty when
        no wiki link needs resolving."""
        self._paths: set[str] = set()
        self._folders: dict[str, list[str]] = {}
        self._folder_tables: dict[str, dict[str, str]] = {}
        self._names: dict[str, str] = {}
        named = []
        for path, title, aliases in notes:
            self._paths.add(path)
            folder, _, name = path.rpartition("/")
            self._folders.setdefault(folder, []).append(name)
            if title or aliases:
                named.append((path, title, aliases))
        for path, title, aliases in named:
            for key in (title, *aliases):
                if key:
                    self._names.setdefault(key.casefold().strip(), path)
        if named:  # slugs and file names count as names too, after titles and aliases
            for folder in self._folders:
                for key, path in self._folder_table(folder).items():
                    self._names.setdefault(key.casefold().rpartition("/")[2], path)

    def _folder_table(self, folder: str) -> dict[str, str]:
        """Stem → path and `[N]`-less stem → path for the notes of one folder (stems win)."""
        table = self._folder_tables.get(folder)
        if table is None:
            table = {}
            prefix = f"{folder}/" if folder else ""
            names = sorted(self._folders.get(folder, ()))
            for name in names:
                table.setdefault(prefix + _strip_note_suffix(name), prefix + name)
            for name in names:
                stem = _strip_note_suffix(name)
                table.setdefault(prefix + _ORDER_PREFIX.sub("", stem), prefix + name)
                if stem.lower() in ("index", "readme") and folder:
                    table.setdefault(folder, prefix + name)
            self._folder_tables[folder] = table
        return table

    def by_path(self, candidate: str) -> str | None:
        """Resolve a notes-relative path, trying it as written, without extension and without `[N]`."""
        candidate = candidate.strip("/")
        if candidate in self._paths:
            return candidate
        stem = _strip_note_suffix(candidate)
        folder = stem.rpartition("/")[0]
        found = self._folder_table(folder).get(stem)
        if found is None and stem in self._folders:  # a folder: its index or README note
            found = self._folder_table(stem).get(stem)
        return found

    def by_name(self, name: str) -> str | None:
        """Resolve a wiki-link target: a title, alias, slug or path."""
        name = name.split("#", 1)[0].strip()
        return self._names.get(name.casefold()) or self.by_path(name)
