"""Adding paper notes: metadata from BibTeX / arXiv, duplicate checks, numbered files, status edits.

Typical use by `kb add-note` (every step but the editor):

    fields = merge_fields(fields_from_options(title, authors="A; B", tags="cnn"),
                          fields_from_bibtex(bib_text), arxiv_fields)
    path = create_paper_note(notes_dir / "papers", fields, today=date.today(),
                             template=load_template(notes_dir), notes=existing_notes)

and by `kb mark`: `set_status_file(path, "read", display_path="papers/[7]ResNet.md")`.
"""

from __future__ import annotations

import dataclasses
import datetime
import http.client
import logging
import os
import random
import re
import shutil
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares as bib_mw
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

from kb.errors import FrontMatterError, KbError, NoteExistsError
from kb.models import STATUSES, Note
from kb.templates import DEFAULT_PAPER_TEMPLATE, TemplateError, ascii_fold, render_note, slugify

__all__ = [
    "ARXIV_API",
    "ArxivError",
    "ArxivNotFound",
    "ArxivUnavailable",
    "BibtexError",
    "DuplicatePaperError",
    "InvalidArxivId",
    "InvalidField",
    "NOTE_SUFFIXES",
    "PaperFields",
    "check_duplicate",
    "create_note_file",
    "create_paper_note",
    "duplicate_reason",
    "fetch_arxiv",
    "fields_from_bibtex",
    "fields_from_options",
    "find_duplicate",
    "load_template",
    "merge_fields",
    "next_number",
    "normalise_title",
    "parse_arxiv_id",
    "set_status",
    "set_status_file",
]

ARXIV_API = "https://export.arxiv.org/api/query"
NOTE_SUFFIXES = (".md", ".mdx", ".markdown")
TEMPLATE_PATH = Path("_templates") / "paper.md"

# bibtexparser logs every syntax error it meets; BibtexError already carries the reason. A
# NullHandler keeps Python's last-resort handler from printing them when logging is not set
# up, and leaves them visible to an application that configures logging.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


# --- errors -------------------------------------------------------------------------------------


class InvalidField(KbError):
    """A metadata value given on the command line cannot be used."""


class InvalidArxivId(InvalidField):
    """Text that is not an arXiv id or arXiv URL."""

    hint = "give an id like 1512.03385 or math/0501001, or an arxiv.org/abs/… URL"


class BibtexError(KbError):
    """BibTeX input without a usable entry."""

    hint = "paste one entry as exported by arXiv, Google Scholar, DBLP or the publisher"


class ArxivError(KbError):
    """Metadata could not be fetched from arXiv."""


class ArxivUnavailable(ArxivError):
    """arXiv could not be reached (offline, timeout, HTTP error, garbled answer)."""

    hint = "check the network, or give the metadata with --bibtex / --authors / --year"


class ArxivNotFound(ArxivError):
    """arXiv answered but has no paper with that id."""

    hint = "check the id on https://arxiv.org"


class DuplicatePaperError(NoteExistsError):
    """The paper already has a note."""

    def __init__(self, path: str, reason: str):
        super().__init__(
            path,
            f"already has a note for this paper ({reason})",
            hint="open that note instead, or pass --force to add another note anyway",
        )
        self.reason = reason


# --- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaperFields:
    """What is known about a paper before its note exists. Empty values mean "unknown"."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None  # id without version: 1512.03385, math/0501001
    doi: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None  # None renders as "to-read"
    abstract: str | None = None


def _empty(value: object) -> bool:
    return value is None or value == "" or value == ()


def merge_fields(*sources: PaperFields | None) -> PaperFields:
    """Combine sources field by field; the first source with a non-empty value wins. None is skipped."""
    values = {}
    for f in dataclasses.fields(PaperFields):
        for source in sources:
            if source is not None and not _empty(getattr(source, f.name)):
                values[f.name] = getattr(source, f.name)
                break
    return PaperFields(**values)


def _clean(text: str | None) -> str | None:
    """Collapse whitespace; None for empty."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def fields_from_options(
    title: str | None = None,
    *,
    authors: str | Sequence[str] | None = None,
    year: int | str | None = None,
    venue: str | None = None,
    tags: str | Sequence[str] | None = None,
    status: str | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
    url: str | None = None,
) -> PaperFields:
    """Fields from command-line options: `authors="A; B"` splits on `;`, `tags="a,b"` on `,`.

    Raises InvalidField for a bad year or status and InvalidArxivId for an unrecognised arXiv id.
    """
    if isinstance(authors, str):
        authors = authors.split(";")
    if isinstance(tags, str):
        tags = tags.split(",")
    author_list = tuple(a for a in (_clean(x) for x in authors or ()) if a)
    tag_list = tuple(dict.fromkeys(t.strip().lower() for t in tags or () if t.strip()))
    year_int: int | None = None
    if year is not None and str(year).strip():
        try:
            year_int = int(str(year).strip())
        except ValueError:
            raise InvalidField(f"year must be a number, not {year!r}") from None
        if not 1000 <= year_int <= 9999:
            raise InvalidField(f"year {year_int} is not a four-digit year")
    if status is not None and status not in STATUSES:
        raise InvalidField(f"invalid status {status!r}", hint="use one of: " + ", ".join(STATUSES))
    arxiv_id = None
    if arxiv is not None and arxiv.strip():
        arxiv_id = parse_arxiv_id(arxiv)
        if arxiv_id is None:
            raise InvalidArxivId(f"not an arXiv id or URL: {arxiv!r}")
    return PaperFields(
        title=_clean(title),
        authors=author_list,
        year=year_int,
        venue=_clean(venue),
        arxiv=arxiv_id,
        doi=_clean_doi(doi),
        url=_clean(url),
        tags=tag_list,
        status=status,
    )


# --- arXiv ids ------------------------------------------------------------------------------------

_NEW_ID = r"(?P<new>(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<num>\d{4,5}))"
_OLD_ID = r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/(?P<oyy>\d\d)(?P<omm>\d\d)\d{3})"
_ID = rf"(?:{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
_ARXIV_FORMS = [
    re.compile(rf"(?i:arxiv)?:?\s*{_ID}"),
    re.compile(
        rf"(?i:(?:https?://)?(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf|html|format|ps)/){_ID}"
        r"(?i:\.pdf)?/?(?:[?#].*)?"
    ),
    re.compile(rf"(?i:(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.){_ID}"),
]
# An id mentioned inside longer text: "arXiv preprint arXiv:1512.03385", "abs/1512.03385".
_ARXIV_IN_TEXT = re.compile(
    rf"(?i:arxiv(?:\.org/(?:abs|pdf)/|[\s:.]+)|\babs/)(?:{_NEW_ID}|{_OLD_ID})(?![\d])"
)


def _id_from_match(m: re.Match[str]) -> str | None:
    if m.group("new"):
        yymm = int(m.group("yy") + m.group("mm"))
        if not 1 <= int(m.group("mm")) <= 12 or yymm < 704:
            return None
        # 4-digit numbers until 2014, 5 digits from 1501 on.
        if (len(m.group("num")) == 5) != (yymm >= 1501):
            return None
        return m.group("new")
    if not 1 <= int(m.group("omm")) <= 12:
        return None
    # The subject class (`math.GT/…`) is not part of the canonical id.
    return f"{m.group('archive')}/{m.group('old').split('/')[1]}"


def parse_arxiv_id(text: str) -> str | None:
    """The arXiv id (without version) in an id, `arXiv:` id, abs/pdf URL or arXiv DOI; else None.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2101.03697v2.pdf")
    '2101.03697'
    >>> parse_arxiv_id("hep-th/9901001v3")
    'hep-th/9901001'
    """
    text = text.strip()
    for form in _ARXIV_FORMS:
        m = form.fullmatch(text)
        if m:
            return _id_from_match(m)
    return None


def _find_arxiv_in(text: str | None) -> str | None:
    if not text:
        return None
    found = parse_arxiv_id(text)
    if found:
        return found
    for m in _ARXIV_IN_TEXT.finditer(text):
        found = _id_from_match(m)
        if found:
            return found
    return None


# --- BibTeX ----------------------------------------------------------------------------------------

# `\"{U}ber` outside braces confuses BibTeX name splitting; `{\"{U}}ber` is the same letter.
_BARE_ACCENT = re.compile(r"(?<!\{)\\([\"'`^~=.])\s*(\{\\?[A-Za-z]\}|\\?[A-Za-z])")
_ARXIVISH_VENUE = re.compile(r"(?i)^(arxiv\b.*|corr|.*\bpreprint\b.*|arxiv e-prints)$")


def _latex_to_text(values: Sequence[str]) -> list[str]:
    """Decode LaTeX (`{\\"u}` → `ü`, `\\&` → `&`, braces dropped) with bibtexparser's decoder."""
    entry = Entry("misc", "kb", [Field(f"f{i}", v) for i, v in enumerate(values)])
    decoded = bib_mw.LatexDecodingMiddleware().transform(Library([entry]))
    fields = decoded.entries[0].fields_dict
    return [_clean(str(fields[f"f{i}"].value)) or "" for i in range(len(values))]


def _clean_doi(doi: str | None) -> str | None:
    doi = _clean(doi)
    if doi is None:
        return None
    doi = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi)
    return doi or None


def fields_from_bibtex(text: str, *, source: str = "the BibTeX input") -> PaperFields:
    """Fields from the first entry of a BibTeX text (as exported by arXiv, Scholar, DBLP, publishers).

    LaTeX accents are decoded, braces dropped, `Last, First` names turned into `First Last`,
    journal/booktitle become the venue and an arXiv id is taken from eprint, journal, volume,
    url or an arXiv DOI. Raises BibtexError when there is no entry or it cannot be parsed.
    """
    text = _BARE_ACCENT.sub(lambda m: "{\\" + m.group(1) + "{" + m.group(2).strip("{}") + "}}", text)
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            bib_mw.NormalizeFieldKeys(),  # `Author =` as some publishers write it
            bib_mw.SeparateCoAuthors(),
            bib_mw.SplitNameParts(),
            bib_mw.MergeNameParts(style="first"),
        ],
    )
    entry = None
    for block in library.blocks:
        if isinstance(block, Entry):
            entry = block
            break
        error = getattr(block, "error", None)
        if error is not None and not isinstance(block, bibtexparser.model.DuplicateBlockKeyBlock):
            line = (block.start_line or 0) + 1
            detail = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
            lines = [ln.strip() for ln in str(detail).splitlines() if ln.strip()]
            reason = (lines[-1] if lines else type(error).__name__).split(" Note: ")[0]
            raise BibtexError(f"cannot read the BibTeX entry at line {line} of {source}: {reason}")
    if entry is None:
        raise BibtexError(f"no BibTeX entry (@article{{…}}, @inproceedings{{…}}, …) found in {source}")

    raw: dict[str, object] = {}
    for f in entry.fields:
        raw.setdefault(f.key.lower(), f.value)

    def text_field(*keys: str) -> str | None:
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str) and value.strip():
                return _latex_to_text([value])[0] or None
        return None

    names = raw.get("author") or []
    if isinstance(names, str):
        names = [names]
    authors = tuple(a for a in _latex_to_text([str(n) for n in names]) if a and a.lower() != "others")

    year = None
    for key in ("year", "date"):
        m = re.search(r"\d{4}", str(raw.get(key, "")))
        if m:
            year = int(m.group())
            break

    venue = text_field("booktitle", "journal", "journaltitle")
    doi = _clean_doi(text_field("doi"))
    url = text_field("url")
    prefix = str(raw.get("archiveprefix") or raw.get("eprinttype") or "arxiv").strip().lower()
    arxiv = None
    if prefix == "arxiv":
        arxiv = _find_arxiv_in(text_field("eprint"))
    for key in ("arxivid", "arxiv", "journal", "volume", "url", "doi", "note", "howpublished"):
        arxiv = arxiv or _find_arxiv_in(text_field(key))
    if venue and _ARXIVISH_VENUE.match(venue):
        venue = "arXiv"
    return PaperFields(
        title=text_field("title"),
        authors=authors,
        year=year,
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        url=url,
        abstract=text_field("abstract"),
    )


# --- arXiv API --------------------------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_NS = "{http://arxiv.org/schemas/atom}"
_MAX_RESPONSE = 2_000_000


def _unavailable(arxiv_id: str, reason: object) -> ArxivUnavailable:
    return ArxivUnavailable(
        f"could not reach arXiv for {arxiv_id} ({reason}); creating the note from what was given"
    )


def fetch_arxiv(arxiv_id: str, *, timeout: float = 5.0, base_url: str = ARXIV_API) -> PaperFields:
    """Fetch title, authors, year, venue (journal ref, else "arXiv"), DOI and abstract from arXiv.

    Fails within about `timeout` seconds with ArxivUnavailable when offline, and with
    ArxivNotFound when arXiv has no such paper; `arxiv_id` may also be a URL.
    """
    aid = parse_arxiv_id(arxiv_id)
    if aid is None:
        raise InvalidArxivId(f"not an arXiv id or URL: {arxiv_id!r}")
    query = urllib.parse.urlencode({"id_list": aid, "max_results": "1"})
    request = urllib.request.Request(
        f"{base_url}?{query}", headers={"User-Agent": "kb-notebook (kb add-note)"}
    )
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_RESPONSE:
                    raise _unavailable(aid, "answer too large")
                if time.monotonic() > deadline:
                    raise _unavailable(aid, f"no complete answer within {timeout:g} s")
    except urllib.error.HTTPError as e:
        raise _unavailable(aid, f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            reason = f"timed out after {timeout:g} s"
        raise _unavailable(aid, reason) from None
    except TimeoutError:
        raise _unavailable(aid, f"timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as e:
        raise _unavailable(aid, str(e) or type(e).__name__) from None
    return _fields_from_atom(b"".join(chunks), aid)


def _fields_from_atom(data: bytes, aid: str) -> PaperFields:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        raise _unavailable(aid, "the answer is not an Atom feed") from None
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = entry.findtext(f"{_ATOM}id") or ""
        if "/api/errors" in entry_id:
            summary = _clean(entry.findtext(f"{_ATOM}summary")) or "error"
            raise ArxivNotFound(f"arXiv does not know {aid}: {summary}")
        if _find_arxiv_in(entry_id) not in (aid, None):
            continue
        published = entry.findtext(f"{_ATOM}published") or ""
        authors = tuple(
            name for a in entry.iter(f"{_ATOM}author") if (name := _clean(a.findtext(f"{_ATOM}name")))
        )
        return PaperFields(
            title=_clean(entry.findtext(f"{_ATOM}title")),
            authors=authors,
            year=int(published[:4]) if published[:4].isdigit() else None,
            venue=_clean(entry.findtext(f"{_ARXIV_NS}journal_ref")) or "arXiv",
            arxiv=aid,
            doi=_clean_doi(entry.findtext(f"{_ARXIV_NS}doi")),
            url=f"https://arxiv.org/abs/{aid}",
            abstract=_clean(entry.findtext(f"{_ATOM}summary")),
        )
    raise ArxivNotFound(f"arXiv has no paper with id {aid}")


# --- duplicates ---------------------------------------------------------------------------------------


def normalise_title(title: str) -> str:
    """Title reduced for comparison: accents folded, case-folded, punctuation and braces dropped."""
    title = title.replace("{", "").replace("}", "")  # BibTeX case protection: {R}esidual
    folded = ascii_fold(unicodedata.normalize("NFKC", title)).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


def _norm_arxiv(value: object) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    return parse_arxiv_id(text) or text.lower()


def _norm_doi(value: object) -> str | None:
    doi = _clean_doi(str(value)) if value not in (None, "") else None
    return doi.lower() if doi else None


def duplicate_reason(fields: PaperFields, note: Note) -> str | None:
    """Why `note` is about the paper described by `fields` ("same arXiv id …"), or None."""
    paper = note.paper
    arxiv = _norm_arxiv(fields.arxiv)
    if arxiv and paper and _norm_arxiv(paper.arxiv) == arxiv:
        return f"same arXiv id {arxiv}"
    doi = _norm_doi(fields.doi)
    if doi and paper and _norm_doi(paper.doi) == doi:
        return f"same DOI {fields.doi}"
    title = normalise_title(fields.title or "")
    if title and note.kind == "paper":
        titles = {normalise_title(note.title or "")}
        if paper and paper.title:
            titles.add(normalise_title(paper.title))
        if title in titles:
            return "same title"
    return None


def find_duplicate(fields: PaperFields, notes: Iterable[Note]) -> Note | None:
    """The note already about this paper: same arXiv id, else same DOI, else same normalised title."""
    candidates = sorted(notes, key=lambda n: str(n.path))
    for wanted in ("same arXiv", "same DOI", "same title"):
        for note in candidates:
            reason = duplicate_reason(fields, note)
            if reason and reason.startswith(wanted):
                return note
    return None


def check_duplicate(fields: PaperFields, notes: Iterable[Note]) -> None:
    """Raise DuplicatePaperError naming the note that already covers this paper, if any."""
    note = find_duplicate(fields, notes)
    if note is not None:
        raise DuplicatePaperError(str(note.path), duplicate_reason(fields, note) or "same paper")


# --- files ----------------------------------------------------------------------------------------------

_NUMBER_PREFIX = re.compile(r"^\[(\d+)\]")
_MAX_ATTEMPTS = 1000


def _numbers_in(folder: Path) -> dict[str, int]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return {}
    found = {}
    for name in names:
        m = _NUMBER_PREFIX.match(name)
        if m and name.lower().endswith(NOTE_SUFFIXES):
            found[name] = int(m.group(1))
    return found


def next_number(folder: Path) -> int:
    """1 + the largest `[N]` file-name prefix among the folder's Markdown files (1 if none)."""
    return max(_numbers_in(folder).values(), default=0) + 1


def create_note_file(folder: Path, title: str, text: str) -> Path:
    """Create `folder/[N]slug.md` holding `text` (UTF-8), with N the next free number.

    The file is created exclusively (O_CREAT|O_EXCL), so nothing is ever overwritten. Two
    processes that pick the same N with different slugs both succeed at O_EXCL, but each then
    sees the other's file; both remove their own (still empty) file and try again after a random
    pause, so numbers are never shared (under contention a number may be skipped). No lock file
    is involved, so a crashed process leaves nothing stale behind.
    Raises NoteExistsError if no number could be claimed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    slug = slugify(title)
    data = text.encode("utf-8")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    for attempt in range(_MAX_ATTEMPTS):
        number = next_number(folder)
        path = folder / f"[{number}]{slug}.md"
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue  # someone created this very name since we listed the folder
        rivals = [n for n, num in _numbers_in(folder).items() if num == number and n != path.name]
        if rivals:
            # Another process claimed the same number under another slug. Back off; the
            # random pause lets one of two simultaneous claimers win the next round.
            os.close(fd)
            os.unlink(path)
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 50)))
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return path
    raise NoteExistsError(str(folder), "could not claim a free note number", hint="try again")


def load_template(notes_dir: Path) -> str:
    """The notebook's paper template (`notes/_templates/paper.md`), else DEFAULT_PAPER_TEMPLATE."""
    path = notes_dir / TEMPLATE_PATH
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return DEFAULT_PAPER_TEMPLATE
    except UnicodeDecodeError as e:
        raise TemplateError(f"{TEMPLATE_PATH.as_posix()}: the template is not UTF-8 ({e.reason})") from None


def create_paper_note(
    folder: Path,
    fields: PaperFields,
    *,
    today: datetime.date,
    template: str = DEFAULT_PAPER_TEMPLATE,
    notes: Iterable[Note] = (),
    force: bool = False,
    note_authors: Sequence[str] = (),
) -> Path:
    """Refuse a duplicate of one of `notes` (unless `force`), render the note, create its file.

    Returns the new file's path. Raises DuplicatePaperError, TemplateError (no title, bad status).
    """
    if not force:
        check_duplicate(fields, notes)
    text = render_note(template, fields, today, note_authors=note_authors)
    return create_note_file(folder, fields.title or "", text)


# --- status ---------------------------------------------------------------------------------------------

_STATUS_LINE = re.compile(
    r"""^(?P<key>(?P<q>["']?)status(?P=q)[ \t]*:)(?P<sp>[ \t]*)(?P<value>"[^"]*"|'[^']*'|[^\s#]*)(?P<rest>.*)$""",
    re.S,
)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _split_lines(text: str) -> list[str]:
    """Lines with their endings kept; CRLF, LF and a lone CR each end a line (as kb.parse reads them)."""
    return _LINE.findall(text)


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _ending(line: str) -> str:
    return line[len(_content(line)):]


def set_status(text: str, status: str, path: str = "<note>") -> str:
    """`text` with the front matter's top-level `status:` set to `status`; nothing else changes.

    The value is replaced in place (quotes and a trailing comment are kept); without a status
    line one is inserted before the closing `---`; without front matter a block is added at the
    top. Line endings, a BOM and every other byte are preserved. Raises FrontMatterError for an
    invalid status, a front matter that is never closed, or a status that cannot be edited safely.
    """
    if status not in STATUSES:
        raise FrontMatterError(path, 1, f"invalid status {status!r} (use {', '.join(STATUSES)})")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = _split_lines(text[len(bom):])
    newline = (_ending(lines[0]) if lines else "") or "\n"

    if not lines or _content(lines[0]).rstrip(" \t") != "---":
        block = f"---{newline}status: {status}{newline}---{newline}"
        return bom + block + "".join(lines)

    close = next((i for i in range(1, len(lines)) if _content(lines[i]).rstrip(" \t") in ("---", "...")), None)
    if close is None:
        raise FrontMatterError(path, 1, "the front matter opened on line 1 is never closed with '---'")

    found = [i for i in range(1, close) if _STATUS_LINE.match(_content(lines[i]))]
    if len(found) > 1:
        raise FrontMatterError(path, found[1] + 1, "'status' appears more than once in the front matter")
    if not found:
        ending = _ending(lines[close - 1]) or newline
        lines.insert(close, f"status: {status}{ending}")
        return bom + "".join(lines)

    i = found[0]
    content = _content(lines[i])
    ending = _ending(lines[i])
    m = _STATUS_LINE.match(content)
    assert m is not None
    value = m.group("value")
    rest = m.group("rest")
    if rest.strip() and not rest.lstrip().startswith("#"):
        raise FrontMatterError(path, i + 1, f"cannot change status {value + rest!r}: not a plain value")
    if not value and i + 1 < close and _content(lines[i + 1])[:1] in (" ", "\t"):
        raise FrontMatterError(path, i + 1, "cannot change a status written over several lines")
    quote = value[0] if value[:1] in ("'", '"') else ""
    new_value = f"{quote}{status}{quote}"
    if not value and not m.group("sp"):
        new_value = " " + new_value  # `status:` with nothing after the colon
    if not value and rest.startswith("#"):
        new_value += " "  # keep `#` a comment: `read# x` would be one plain scalar
    lines[i] = content[: m.start("value")] + new_value + content[m.end("value"):] + ending
    return bom + "".join(lines)


def set_status_file(path: Path, status: str, *, display_path: str | None = None) -> bool:
    """Set the status in the note file at `path` (see `set_status`); True if the file changed.

    The file is read and written as raw UTF-8 (no newline translation) and replaced atomically,
    keeping its permission bits. Raises FrontMatterError, also for a file that is not UTF-8.
    """
    shown = display_path or str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FrontMatterError(shown, 1, f"not UTF-8 ({e.reason} at byte {e.start})") from None
    new = set_status(text, status, shown)
    if new == text:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(new.encode("utf-8"))
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True
