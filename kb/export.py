"""Reading lists from paper notes: Markdown checklist, CSV, JSON, BibTeX, one-page HTML (pure).

Everything here returns text; `write_output` is the one helper that touches the disk (for `-o`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kb.add import parse_arxiv_id
from kb.output import write_output  # noqa: F401 - part of this module's API
from kb.errors import KbError
from kb.models import STATUSES, Note
from kb.templates import ascii_fold

__all__ = [
    "EXPORT_FORMATS",
    "GROUPS",
    "ORDERS",
    "UNNOTED_FORMATS",
    "CitedPaper",
    "ExportError",
    "bibtex_entry_type",
    "bibtex_key",
    "bibtex_keys",
    "export_reading_list",
    "export_unnoted",
    "note_number",
    "paper_record",
    "select_papers",
    "sort_papers",
    "unnoted_papers",
    "write_output",
]

EXPORT_FORMATS = ("md", "csv", "json", "bibtex", "html")
UNNOTED_FORMATS = ("md", "csv", "json", "bibtex")
ORDERS = ("number", "year", "chapter", "added")
GROUPS = ("status", "chapter", "none")

_NUMBER = re.compile(r"^\[(\d+)\]")


class ExportError(KbError):
    """An export that cannot be produced as asked (unknown format, order or grouping)."""


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


def note_number(note: Note) -> int | None:
    """The `[N]` prefix of the note's file name, if any."""
    m = _NUMBER.match(note.path.name)
    return int(m.group(1)) if m else None


def _status(note: Note) -> str:
    # A paper note without a status has not been read: it counts as to-read.
    return note.status or "to-read"


def _chapter(note: Note) -> str:
    return note.chapter_label or note.chapter or ""


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key that puts `ch2` before `ch10`."""
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text))


def select_papers(
    notes: Iterable[Note],
    *,
    tag: str | None = None,
    status: str | None = None,
    chapter: str | None = None,
) -> list[Note]:
    """Paper notes (kind == "paper"), optionally only those with a tag, status or chapter.

    Tags and chapters compare case-insensitively; a chapter matches its folder name or label.
    A paper without a status counts as to-read.
    """
    chosen = []
    for note in notes:
        if note.kind != "paper":
            continue
        if tag is not None and tag.casefold() not in {t.casefold() for t in note.tags}:
            continue
        if status is not None and _status(note) != status:
            continue
        if chapter is not None and chapter.casefold() not in {
            (note.chapter or "").casefold(),
            (note.chapter_label or "").casefold(),
        }:
            continue
        chosen.append(note)
    return chosen


def sort_papers(notes: Iterable[Note], order: str = "number") -> list[Note]:
    """Notes sorted by file-name number, paper year, chapter or `added` date; unknowns last.

    Ties fall back to the number, then the path, so the order is always the same.
    """
    _check_choice("order", order, ORDERS)

    def by_number(n: Note) -> tuple[Any, ...]:
        num = note_number(n)
        return (num is None, num or 0, str(n.path))

    def key(n: Note) -> tuple[Any, ...]:
        if order == "year":
            return (n.year is None, n.year or 0, *by_number(n))
        if order == "chapter":
            return (_natural(n.chapter or ""), *by_number(n))
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
    "number", "path", "title", "note_title", "authors", "year", "venue", "arxiv", "arxiv_url",
    "doi", "url", "status", "tags", "chapter", "added", "tldr",
)


def paper_record(note: Note) -> dict[str, Any]:
    """Everything known about one paper note, as a flat JSON-ready dict (lists stay lists)."""
    paper = note.paper
    arxiv = _arxiv(note)
    return {
        "number": note_number(note),
        "path": str(note.path),
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


# --- HTML --------------------------------------------------------------------------------------------

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


def _html_item(note: Note) -> str:
    rec = paper_record(note)
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


def _to_html(groups: list[tuple[str, list[Note]]], title: str) -> str:
    papers = [n for _, group in groups for n in group]
    counts = ", ".join(
        f"{sum(1 for n in papers if _status(n) == s)} {s}" for s in STATUSES
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
        out += [_html_item(n) for n in group]
        out += ["</ul>", "</section>"]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# --- BibTeX ------------------------------------------------------------------------------------------

_JOURNAL_EXACT = re.compile(
    r"(?i)^\s*(proc(\.|eedings)?\s+(of\s+)?(the\s+)?ieee|proceedings of the national academy of sciences.*|pnas"
    r"|nature(\s.*)?|science(\s.*)?)\s*$"
)
_CONFERENCE = re.compile(
    r"(?i)\b(conference|conf\.|workshops?|symposium|proceedings|proc\.|congress|"
    r"cvpr|iccv|eccv|wacv|accv|bmvc|miccai|neurips|nips|icml|iclr|aaai|ijcai|uai|aistats|colt|"
    r"acl|emnlp|naacl|eacl|coling|interspeech|icassp|kdd|www|sigir|cikm|wsdm|icdm|"
    r"icra|iros|corl|rss|siggraph|3dv|ismir)\b"
)
_ARXIV_VENUE = re.compile(r"(?i)^\s*(arxiv\b.*|corr|.*\bpreprint\b.*)\s*$")


def bibtex_entry_type(venue: str | None, arxiv: str | None = None) -> str:
    """The BibTeX entry type for a venue.

    Rule: Proc. IEEE, PNAS, Nature and Science are journals (`article`); a venue naming a
    conference, workshop, symposium or proceedings, or a known conference acronym (CVPR, ICCV,
    ECCV, NeurIPS, ICML, ICLR, BMVC, MICCAI, AAAI, ACL, …), is `inproceedings`; no venue or an
    arXiv/CoRR/preprint venue is `misc` (with eprint when the arXiv id is known); any other venue
    (JMLR, TPAMI, IJCV, "… Transactions on …", "Journal of …") is a journal, `article`.
    """
    venue = (venue or "").strip()
    if not venue or _ARXIV_VENUE.match(venue):
        return "misc"
    if _JOURNAL_EXACT.match(venue):
        return "article"
    if _CONFERENCE.search(venue):
        return "inproceedings"
    return "article"


_STOP_WORDS = frozenset(
    "a an the on of for in to and with from by via is are as at towards toward using".split()
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(unicodedata.normalize("NFKC", text)).lower())


def _last_name(author: str) -> str:
    author = author.strip()
    if "," in author:  # "He, Kaiming"
        return author.split(",", 1)[0]
    words = [w for w in author.split() if w.lower() not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def bibtex_key(note: Note) -> str:
    """The base citation key of a paper note: first author's last name + year + first title word.

    ASCII only (`Müller` → `muller`); authors or words without Latin letters are skipped. See
    `bibtex_keys` for keys that are unique across a list.
    """
    paper = note.paper
    authors = paper.authors if paper else ()
    name = next((p for p in (_key_part(_last_name(a)) for a in authors) if p), "")
    year = str(paper.year) if paper and paper.year else ""
    title = (paper.title if paper and paper.title else None) or note.title or ""
    words = [_key_part(w) for w in re.split(r"[\W_]+", title)]
    words = [w for w in words if w]
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "")
    key = f"{name}{year}{word}"
    if not name and not word:
        key = f"paper{note_number(note) or ''}{year}"
    return key


def bibtex_keys(notes: Iterable[Note]) -> dict[str, str]:
    """Unique keys for the paper notes, by path: the base key, then `a`, `b`, … for later notes with it.

    Notes are taken by file-name number then path, so a key never depends on the export order.
    """
    taken: set[str] = set()
    keys: dict[str, str] = {}
    for note in sort_papers([n for n in notes if n.kind == "paper"], "number"):
        base = bibtex_key(note)
        key = base
        suffix = 0
        while key in taken:
            key = base + _suffix(suffix)
            suffix += 1
        taken.add(key)
        keys[str(note.path)] = key
    return keys


def _suffix(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# TeX math as arXiv titles write it ($\alpha$-nets): like pandoc, no space just inside the
# dollars and no digit right after ("costs $5 and $10" is not math); no %, & or # inside.
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])(?:[^$\\%&#]|\\[^%&#])+?(?<=[^\s\\])\$(?!\d)")


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _escape_text(text: str) -> str:
    braces_ok = _balanced(text)
    out = []
    for ch in text:
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ch in "{}":
            # BibTeX counts braces even when escaped: only balanced ones may stay braces.
            out.append("\\" + ch if braces_ok else (r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}"))
        else:
            out.append(ch)
    return "".join(out)


def _latex(text: str, *, protect_case: bool = False) -> str:
    """Escape text for a BibTeX value; `$…$` math with balanced braces is kept as written."""
    text = " ".join(text.split())
    out = []
    pos = 0
    for m in _MATH.finditer(text):
        if not _balanced(m.group()):
            continue
        out.append(_escape_words(text[pos : m.start()], protect_case))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_words(text[pos:], protect_case))
    return "".join(out)


def _escape_words(text: str, protect_case: bool) -> str:
    if not protect_case:
        return _escape_text(text)
    # Brace words with capitals after the first letter (ResNet, CNNs, ImageNet) so that
    # bibliography styles that lower-case titles leave them alone.
    return re.sub(
        r"\S+",
        lambda m: "{" + _escape_text(m.group()) + "}"
        if any(c.isupper() for c in [c for c in m.group() if c.isalpha()][1:])
        else _escape_text(m.group()),
        text,
    )


def _bib_name(name: str) -> str:
    name = " ".join(name.split())
    escaped = _latex(name)
    # A comma or a separate "and" would split the name: keep it as one unit.
    if "," in name or re.search(r"(?i)\sand\s", name):
        return "{" + escaped + "}"
    return escaped


def _bib_entry(entry_type: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    present = [(k, v) for k, v in fields if v]
    width = max((len(k) for k, _ in present), default=0)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in present)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _bibtex_for(note: Note, key: str) -> str:
    rec = paper_record(note)
    entry_type = bibtex_entry_type(rec["venue"], rec["arxiv"])
    venue = rec["venue"]
    arxiv = rec["arxiv"]
    fields: list[tuple[str, str | None]] = [
        ("title", _latex(rec["title"], protect_case=True)),
        ("author", " and ".join(_bib_name(a) for a in rec["authors"])),
    ]
    if entry_type == "inproceedings":
        fields.append(("booktitle", _latex(venue)))
    elif entry_type == "article":
        fields.append(("journal", _latex(venue)))
    elif venue and not _ARXIV_VENUE.match(venue):
        fields.append(("howpublished", _latex(venue)))
    fields.append(("year", str(rec["year"]) if rec["year"] else None))
    if arxiv:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
    fields += [
        # doi and url are verbatim fields for biblatex and Zotero: written as they are.
        ("doi", (rec["doi"] if _url_safe(rec["doi"]) else _latex(rec["doi"])) if rec["doi"] else None),
        ("url", rec["url"] if rec["url"] and _url_safe(rec["url"]) else None),
        ("keywords", _latex(", ".join(rec["tags"])) if rec["tags"] else None),
    ]
    return _bib_entry(entry_type, key, fields)


def _url_safe(url: str) -> bool:
    # URLs go in verbatim (url package); braces or spaces would break the entry.
    return not re.search(r"[\s{}\\]", url)


def _to_bibtex(notes: list[Note]) -> str:
    keys = bibtex_keys(notes)
    return "\n".join(_bibtex_for(n, keys[str(n.path)]) for n in notes)


# --- reading list ----------------------------------------------------------------------------------


def export_reading_list(
    notes: Sequence[Note],
    fmt: str,
    *,
    order: str = "number",
    group_by: str = "status",
    title: str = "Reading list",
) -> str:
    """A reading list of the paper notes among `notes` (kind == "paper"), as text in format `fmt`.

    fmt: `md` (checklist, `- [x]` for read), `csv`/`json` (one row/object per paper with all
    metadata and status), `bibtex` (unique stable keys, UTF-8 kept) or `html` (one self-contained
    page). order: number | year | chapter | added. group_by (md and html): status | chapter |
    none. Filter first with `select_papers`. Raises ExportError for an unknown choice.
    """
    _check_choice("format", fmt, EXPORT_FORMATS)
    papers = sort_papers([n for n in notes if n.kind == "paper"], order)
    if fmt == "json":
        return _to_json([paper_record(n) for n in papers])
    if fmt == "csv":
        rows = [paper_record(n) for n in papers]
        return _to_csv(rows, _RECORD_COLUMNS)
    if fmt == "bibtex":
        return _to_bibtex(papers)
    groups = _groups(papers, group_by)
    if fmt == "md":
        return _to_markdown(groups, title)
    return _to_html(groups, title)



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
        for link in sorted(note.links, key=lambda l: l.line):
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
            entries.append(
                _bib_entry(
                    "misc",
                    f"arXiv:{p.arxiv}",
                    [
                        ("title", _latex(name, protect_case=True)),
                        ("eprint", p.arxiv),
                        ("archivePrefix", "arXiv"),
                        ("url", p.url),
                        ("note", _latex("cited by " + ", ".join(p.cited_by))),
                    ],
                )
            )
        return "\n".join(entries)
    lines = [f"# {_md(title)}", ""]
    if not cited:
        lines += ["*Every cited arXiv paper has a note.*", ""]
    for p in cited:
        label = f" — {_md('; '.join(p.labels))}" if p.labels else ""
        citing = ", ".join(_code(c) for c in p.cited_by)
        lines.append(f"- [ ] [arXiv:{p.arxiv}]({p.url}){label} · cited by {citing}")
    return "\n".join(lines) + ("\n" if cited else "")


# --- output file -------------------------------------------------------------------------------------
