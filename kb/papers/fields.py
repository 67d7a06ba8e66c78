"""What is known about a paper before its note exists: from options, merged from several sources,
compared with the notes that exist (pure)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence

from kb.errors import DuplicatePaperError, InvalidArxivId, InvalidField
from kb.models import Note, PaperMeta
from kb.papers.arxiv import parse_arxiv_id
from kb.papers.text import ascii_fold, clean_doi, clean_text


def _empty(value: object) -> bool:
    return value is None or value == "" or value == ()


def merge_fields(*sources: PaperMeta | None) -> PaperMeta:
    """Combine sources field by field; the first source with a non-empty value wins. None is skipped."""
    values = {}
    for f in dataclasses.fields(PaperMeta):
        for source in sources:
            if source is not None and not _empty(getattr(source, f.name)):
                values[f.name] = getattr(source, f.name)
                break
    return PaperMeta(**values)


def fields_from_options(
    title: str | None = None,
    *,
    authors: str | Sequence[str] | None = None,
    year: int | str | None = None,
    venue: str | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
    url: str | None = None,
) -> PaperMeta:
    """A paper from command-line options: `authors="A; B"` splits on `;`.

    Raises InvalidField for a bad year and InvalidArxivId for an unrecognised arXiv id.
    """
    if isinstance(authors, str):
        authors = authors.split(";")
    author_list = tuple(a for a in (clean_text(x) for x in authors or ()) if a)
    year_int: int | None = None
    if year is not None and str(year).strip():
        try:
            year_int = int(str(year).strip())
        except ValueError:
            raise InvalidField(f"year must be a number, not {year!r}") from None
        if not 1000 <= year_int <= 9999:
            raise InvalidField(f"year {year_int} is not a four-digit year")
    arxiv_id = None
    if arxiv is not None and arxiv.strip():
        arxiv_id = parse_arxiv_id(arxiv)
        if arxiv_id is None:
            raise InvalidArxivId(f"not an arXiv id or URL: {arxiv!r}")
    return PaperMeta(title=clean_text(title), authors=author_list, year=year_int, venue=clean_text(venue),
                     arxiv=arxiv_id, doi=clean_doi(doi), url=clean_text(url))


def parse_tags(tags: str | Sequence[str] | None) -> tuple[str, ...]:
    """Tags from `"a,b"` or a list: lower-cased, stripped, without duplicates."""
    if isinstance(tags, str):
        tags = tags.split(",")
    return tuple(dict.fromkeys(t.strip().lower() for t in tags or () if t.strip()))


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
    doi = clean_doi(str(value)) if value not in (None, "") else None
    return doi.lower() if doi else None


def duplicate_reason(paper: PaperMeta, note: Note) -> str | None:
    """Why `note` is about `paper` ("same arXiv id …"), or None."""
    known = note.paper
    arxiv = _norm_arxiv(paper.arxiv)
    if arxiv and known and _norm_arxiv(known.arxiv) == arxiv:
        return f"same arXiv id {arxiv}"
    doi = _norm_doi(paper.doi)
    if doi and known and _norm_doi(known.doi) == doi:
        return f"same DOI {paper.doi}"
    title = normalise_title(paper.title or "")
    if title and note.kind == "paper":
        titles = {normalise_title(note.title or "")}
        if known and known.title:
            titles.add(normalise_title(known.title))
        if title in titles:
            return "same title"
    return None


def identities(paper: PaperMeta | None, titles: Iterable[str | None] = ()) -> list[tuple[str, str]]:
    """What `duplicate_reason` compares, as lookup keys: ("arxiv", id), ("doi", doi), ("title", t) for
    the paper's title and `titles` (a note's own), normalised. For matching many papers at once."""
    out = []
    if paper is not None and (arxiv := _norm_arxiv(paper.arxiv)):
        out.append(("arxiv", arxiv))
    if paper is not None and (doi := _norm_doi(paper.doi)):
        out.append(("doi", doi))
    for title in (paper.title if paper else None, *titles):
        if title and (norm := normalise_title(title)):
            out.append(("title", norm))
    return out


def find_duplicate(paper: PaperMeta, notes: Iterable[Note]) -> Note | None:
    """The note already about this paper: same arXiv id, else same DOI, else same normalised title."""
    candidates = sorted(notes, key=lambda n: str(n.path))
    for wanted in ("same arXiv", "same DOI", "same title"):
        for note in candidates:
            reason = duplicate_reason(paper, note)
            if reason and reason.startswith(wanted):
                return note
    return None


def check_duplicate(paper: PaperMeta, notes: Iterable[Note]) -> None:
    """Raise DuplicatePaperError naming the note that already covers this paper, if any."""
    note = find_duplicate(paper, notes)
    if note is not None:
        raise DuplicatePaperError(str(note.path), duplicate_reason(paper, note) or "same paper")
