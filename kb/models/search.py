"""What a search returns: ranked hits with their highlighted excerpts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Highlight:
    """An excerpt of a field with the character offsets of each match inside it."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: field, text, matches ([start, end] pairs)."""
        return {"field": self.field, "text": self.text, "matches": [list(s) for s in self.spans]}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked search result."""

    path: str
    title: str
    score: float
    kind: str
    tags: tuple[str, ...] = ()
    chapter: str | None = None
    year: int | None = None
    matched_fields: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    matched_words: int = 0  # how many of the query's words the note matches (graded matching)
    listing: bool = False  # a listing page (mostly links to other notes), ranked below content notes

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, title, score, kind, tags, chapter, year, matched_fields, highlights,
        matched_words, listing."""
        return {"path": self.path, "title": self.title, "score": self.score, "kind": self.kind,
                "tags": list(self.tags), "chapter": self.chapter, "year": self.year,
                "matched_fields": list(self.matched_fields), "highlights": [h.to_dict() for h in self.highlights],
                "matched_words": self.matched_words, "listing": self.listing}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits plus what the search did to the query (spelling fix, fallback to any word)."""

    hits: tuple[SearchHit, ...]
    query: str
    corrected: str | None = None  # "showing results for …"
    fallback_any: bool = False  # no note had every word; these match some
    total: int = 0
    words: int = 0  # how many words the query has (a hit's `matched_words` is out of these)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of the whole result, notices included."""
        return {"query": self.query, "corrected": self.corrected, "fallback_any": self.fallback_any,
                "total": self.total, "words": self.words, "hits": [h.to_dict() for h in self.hits]}
