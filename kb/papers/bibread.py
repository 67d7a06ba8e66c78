"""Reading BibTeX (bibtexparser): a library's entries as `PaperMeta`, each with the file and line
it came from, and the entries that could not be read, with why.

    entries = read_library(text, source="library.bib", base_dir=Path("."))   # [LibraryEntry]
    paper = fields_from_bibtex(text)                                          # exactly one entry

Written for what arXiv, Scholar, DBLP, publishers, Zotero (Better BibTeX) and JabRef export.
bibtexparser is imported on first use, so commands that do not read BibTeX do not pay for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import BibtexError
from kb.models import PaperMeta
from kb.papers.arxiv import find_arxiv_id
from kb.papers.bibtex import ARXIV_VENUE
from kb.papers.names import display_name
from kb.papers.text import clean_doi, clean_text

# bibtexparser logs every syntax error it meets; the entries' errors already carry the reason. A
# NullHandler keeps Python's last-resort handler from printing them when logging is not set
# up, and leaves them visible to an application that configures logging.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# `\"{U}ber` outside braces confuses BibTeX name splitting; `{\"{U}}ber` is the same letter.
_BARE_ACCENT = re.compile(r"(?<!\{)\\([\"'`^~=.])\s*(\{\\?[A-Za-z]\}|\\?[A-Za-z])")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One block of a BibTeX library: a paper (`paper`), or why it could not be read (`error`)."""

    source: str  # the file, as named to the user
    line: int  # 1-based line where the block starts
    key: str | None  # the entry's citation key, when it has one
    paper: PaperMeta | None = None
    error: str | None = None

    @property
    def where(self) -> str:
        """`library.bib:12`: where to look."""
        return f"{self.source}:{self.line}"


def _latex_to_text(values: Sequence[str]) -> list[str]:
    """Decode LaTeX (`{\\"u}` → `ü`, `\\&` → `&`, braces dropped) with bibtexparser's decoder."""
    from bibtexparser import middlewares as bib_mw  # noqa: PLC0415 - slow import, only when reading
    from bibtexparser.library import Library  # noqa: PLC0415
    from bibtexparser.model import Entry, Field  # noqa: PLC0415

    if not values:
        return []
    entry = Entry("misc", "kb", [Field(f"f{i}", v) for i, v in enumerate(values)])
    decoded = bib_mw.LatexDecodingMiddleware().transform(Library([entry]))
    fields = decoded.entries[0].fields_dict
    return [clean_text(str(fields[f"f{i}"].value)) or "" for i in range(len(values))]


# Fields read as text, and what makes a value need LaTeX decoding: a value without these reads the
# same decoded, and decoding costs about a millisecond a value (a Zotero library has thousands).
_TEXT_FIELDS = ("title", "booktitle", "journal", "journaltitle", "doi", "url", "abstract", "eprint", "arxivid",
                "arxiv", "volume", "note", "howpublished")
_LATEX = re.compile(r"[\\{}$&#^_~%]|--|``|''|[!?]`")


def _name_parts(value: object) -> list[Any]:
    return [p for p in (value if isinstance(value, list) else []) if hasattr(p, "last")]


def _raw_texts(fields: dict[str, Any]) -> list[str]:
    """The values of an entry that will be read as text (for decoding them all at once)."""
    texts = [v for k in _TEXT_FIELDS if isinstance(v := fields.get(k), str)]
    for p in _name_parts(fields.get("author")):
        texts += [" ".join(getattr(p, part)) for part in ("first", "von", "last", "jr")]
    return texts


def _decoder(texts: list[str]) -> Callable[[str], str]:
    """`decode(text)` for the given texts: LaTeX decoded (one pass for all), whitespace collapsed."""
    todo = list(dict.fromkeys(t for t in texts if _LATEX.search(t)))
    table = dict(zip(todo, _latex_to_text(todo), strict=True))
    return lambda text: table[text] if text in table else (clean_text(text) or "")


def _names(value: object, decode: Callable[[str], str]) -> tuple[str, ...]:
    """Authors as notes keep them (`Laurens van der Maaten`, `Martin Luther King Jr.`), from
    bibtexparser's name parts; `others` (`and others`) is dropped."""
    names = []
    for p in _name_parts(value):
        first, von, last, jr = (decode(" ".join(getattr(p, part))) for part in ("first", "von", "last", "jr"))
        if len(p.last) == 1 and p.last[0].startswith("{") and p.last[0].endswith("}") and not (first or von or jr):
            last = last.strip()  # a braced group: one name, kept whole (`{Google Brain Team}`)
        name = display_name(first, von, last, jr)
        if name and name.casefold() != "others":
            names.append(name)
    return tuple(names)


def file_paths(value: str, base_dir: Path | None = None) -> tuple[str, ...]:
    """The files of a `file` field, as written by Zotero and Better BibTeX (`/a/b.pdf;/c/d.pdf`,
    `Full Text PDF:/a/b.pdf:application/pdf`) and JabRef (`:papers/b.pdf:PDF`, `C\\:\\\\x.pdf`).

    Relative paths are taken relative to `base_dir` (the library's folder) when given.
    """
    out = []
    for item in re.split(r"(?<!\\);", value):
        pieces = re.split(r"(?<!\\):", item.strip())
        # `description:path:type`; a bare path (even `C:\x.pdf`) has fewer than three pieces.
        path = ":".join(pieces[1:-1]) if len(pieces) >= 3 else item.strip()
        path = re.sub(r"\\([\\:;])", r"\1", path).strip()
        if not path:
            continue
        if base_dir is not None and not Path(path).expanduser().is_absolute() and not re.match(r"^[A-Za-z]:[\\/]", path):
            path = str(base_dir / path)
        if path not in out:
            out.append(path)
    return tuple(out)


def _paper(fields: dict[str, Any], key: str | None, base_dir: Path | None, decode: Callable[[str], str]) -> PaperMeta:
    """The paper an entry's fields (lower-case names) describe."""

    def text_field(*names: str) -> str | None:
        for name in names:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                return decode(value) or None
        return None

    year = None
    for name in ("year", "date"):
        m = re.search(r"\d{4}", str(fields.get(name, "")))
        if m:
            year = int(m.group())
            break
    venue = text_field("booktitle", "journal", "journaltitle")
    prefix = str(fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").strip().lower()
    arxiv = find_arxiv_id(text_field("eprint")) if prefix == "arxiv" else None
    for name in ("arxivid", "arxiv", "journal", "volume", "url", "doi", "note", "howpublished"):
        arxiv = arxiv or find_arxiv_id(text_field(name))
    if venue and ARXIV_VENUE.match(venue):
        venue = "arXiv"
    file_field = fields.get("file")
    return PaperMeta(
        title=text_field("title"), authors=_names(fields.get("author"), decode), year=year, venue=venue, arxiv=arxiv,
        doi=clean_doi(text_field("doi")), url=text_field("url"), abstract=text_field("abstract"),
        citekey=key or None,
        files=file_paths(file_field, base_dir) if isinstance(file_field, str) else (),
    )


def _reason(error: object) -> str:
    detail = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
    lines = [ln.strip() for ln in str(detail).splitlines() if ln.strip()]
    return (lines[-1] if lines else type(error).__name__).split(" Note: ")[0]


def read_library(text: str, *, source: str = "the BibTeX input", base_dir: Path | None = None) -> list[LibraryEntry]:
    """Every entry of a BibTeX text, in order: read (`paper`, whose title may be missing) or not
    (`error`: a syntax error, a key used twice, …). `@string`, `@preamble` and `@comment` blocks are used or skipped."""
    import bibtexparser  # noqa: PLC0415 - slow import, only when reading
    from bibtexparser import middlewares as bib_mw  # noqa: PLC0415
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry  # noqa: PLC0415

    text = _BARE_ACCENT.sub(lambda m: "{\\" + m.group(1) + "{" + m.group(2).strip("{}") + "}}", text)
    library = bibtexparser.parse_string(text, append_middleware=[
        bib_mw.NormalizeFieldKeys(),  # `Author =` as JabRef and some publishers write it
        bib_mw.SeparateCoAuthors(),
        bib_mw.SplitNameParts(),
    ])
    fields_of: dict[int, dict[str, Any]] = {}
    for block in library.blocks:
        if isinstance(block, Entry):
            fields_of[id(block)] = fields = {}
            for f in block.fields:
                fields.setdefault(f.key.lower(), f.value)
    decode = _decoder([t for fields in fields_of.values() for t in _raw_texts(fields)])
    entries: list[LibraryEntry] = []
    first_line: dict[str, int] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, Entry):
            first_line.setdefault(block.key, line)
            paper = _paper(fields_of[id(block)], block.key, base_dir, decode)
            entries.append(LibraryEntry(source, line, block.key, paper))
        elif isinstance(block, DuplicateBlockKeyBlock):
            key = block.key
            entries.append(LibraryEntry(source, line, key, error=f"the key {key!r} is already used at line "
                                        f"{first_line.get(key, '?')}"))
        elif getattr(block, "error", None) is not None:
            key = getattr(getattr(block, "ignore_error_block", None), "key", None)
            if key is None:  # a block that broke before its key was read: take it from the text
                m = re.match(r"\s*@\w+\s*[{(]\s*([^\s,{}()=]+)", getattr(block, "raw", "") or "")
                key = m.group(1) if m else None
            entries.append(LibraryEntry(source, line, key, error=_reason(block.error)))
    return entries


def first_entry(text: str, *, source: str = "the BibTeX input",
                base_dir: Path | None = None) -> tuple[PaperMeta, str | None]:
    """The paper of the first entry of a BibTeX text, and a warning when the text holds more entries
    (a library: `kb import bibtex` reads them all).

    LaTeX accents are decoded, braces dropped, names kept as `First von Last Jr.`, journal/booktitle
    become the venue and an arXiv id is taken from eprint, journal, volume, url or an arXiv DOI.
    Raises BibtexError when there is no entry or the first cannot be read.
    """
    entries = read_library(text, source=source, base_dir=base_dir)
    if not entries:
        raise BibtexError(f"no BibTeX entry (@article{{…}}, @inproceedings{{…}}, …) found in {source}")
    entry = entries[0]
    command = f"kb import bibtex {source if Path(source).is_file() else 'FILE'}"  # stdin has no name to repeat
    if entry.paper is None:
        raise BibtexError(f"cannot read the BibTeX entry at line {entry.line} of {source}: {entry.error}",
                          hint=f"fix it; to import a library of several entries, use `{command}`"
                          if len(entries) > 1 else None)
    warning = None
    if len(entries) > 1:
        warning = (f"{source} holds {len(entries)} entries; this note is made from the first "
                   f"({entry.key}, line {entry.line}) only; to import them all, run `{command}`")
    return entry.paper, warning


def fields_from_bibtex(text: str, *, source: str = "the BibTeX input", base_dir: Path | None = None) -> PaperMeta:
    """The paper of the first entry of a BibTeX text (see `first_entry`, which also warns of others)."""
    return first_entry(text, source=source, base_dir=base_dir)[0]
