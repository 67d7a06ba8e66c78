"""What is known about a paper before its note exists, gathered from the options, a BibTeX entry and
(online) the arXiv API; the first source with a value wins, in that order."""

from __future__ import annotations

from pathlib import Path

from kb.errors import ArxivError
from kb.models import PaperMeta
from kb.papers.fields import fields_from_options, merge_fields


def describe_paper(title: str | None = None, *, arxiv: str | None = None, bibtex: str | None = None,
                   bibtex_source: str = "the BibTeX input", authors: str | None = None, year: int | None = None,
                   venue: str | None = None, offline: bool = False,
                   timeout: float = 5.0) -> tuple[PaperMeta, tuple[str, ...]]:
    """(the paper, warnings). An arXiv lookup that fails is a warning: the note is made from the rest;
    so is BibTeX holding several entries (the note is made from the first)."""
    given = fields_from_options(title, authors=authors, year=year, venue=venue, arxiv=arxiv)
    from_bib = None
    warnings: list[str] = []
    if bibtex is not None:
        from kb.papers.bibread import first_entry  # noqa: PLC0415 - bibtexparser, only when given

        source = Path(bibtex_source) if bibtex_source else None
        # Relative `file` paths (JabRef) are relative to the .bib file's folder.
        base_dir = source.resolve().parent if source is not None and source.is_file() else None
        from_bib, bib_warning = first_entry(bibtex, source=bibtex_source or "the BibTeX input", base_dir=base_dir)
        if bib_warning:  # a library given to add-note: one note, and a pointer to `kb import bibtex`
            warnings.append(bib_warning)
    arxiv_id = given.arxiv or (from_bib.arxiv if from_bib else None)
    fetched = None
    if arxiv_id and not offline:
        from kb.papers.arxiv import fetch_arxiv  # noqa: PLC0415 - the network stack, only when online

        try:
            fetched = fetch_arxiv(arxiv_id, timeout=timeout)
        except ArxivError as exc:
            warnings.append(str(exc))
    return merge_fields(given, from_bib, fetched), tuple(warnings)
