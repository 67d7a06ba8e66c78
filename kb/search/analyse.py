"""A parsed query analysed once: its words as index terms, spelling corrections, synonym expansions.

The result (`AnalysedQuery`) is the one value the rest of the search path reads: the Whoosh engine
builds its query from it, and the highlighter finds its matches with it. Nothing tokenises the
query again.

Corrections need to know which words the index holds; that knowledge comes in as a `Lexicon`
(an interface the engine implements), so this module stays free of Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kb.search.analysis import QueryWord, is_cjk, query_words
from kb.search.query import Clause, Filters, ParsedQuery


class Lexicon(Protocol):
    """What the index knows about words: enough to correct a misspelt one."""

    def doc_frequency(self, term: str) -> int:
        """In how many notes the term occurs (0: nowhere)."""

    def closest(self, term: str) -> str | None:
        """The indexed term closest to a misspelt one, or None."""


@dataclass(frozen=True, slots=True)
class AnalysedClause:
    """One clause with its words ready to look up."""

    clause: Clause
    text: str  # as searched: the correction when there is one
    words: tuple[QueryWord, ...]
    synonyms: tuple[tuple[QueryWord, ...], ...] = ()  # each equivalent term's words


@dataclass(frozen=True, slots=True)
class AnalysedQuery:
    """Groups are ANDed, the clauses inside a group ORed; negated clauses exclude; filters restrict."""

    groups: tuple[tuple[AnalysedClause, ...], ...]
    negated: tuple[AnalysedClause, ...]
    filters: Filters
    corrections: tuple[tuple[str, str], ...] = ()  # (as typed, as searched)

    @property
    def positive(self) -> list[AnalysedClause]:
        """Every clause that adds to a match, in order."""
        return [c for group in self.groups for c in group]

    @property
    def text(self) -> str:
        """The query as understood, for messages."""
        return " ".join(c.clause.text for c in self.positive)

    @property
    def corrected(self) -> str | None:
        """The query with its corrections ("showing results for …"), or None when nothing was fixed."""
        return " ".join(c.text for c in self.positive) if self.corrections else None

    def match_terms(self) -> tuple[set[str], list[str]]:
        """(English terms, Chinese words) to highlight in a hit's text."""
        terms: set[str] = set()
        cjk: list[str] = []
        for clause in self.positive:
            for word in clause.words:
                if word.kind == "term" or (word.kind == "prefix" and not is_cjk(word.text)):
                    terms.add(word.terms[0])
                else:
                    cjk.append(word.text)
        return terms, cjk

    def phrase_terms(self) -> list[str]:
        """The terms of the plain (unfielded, non-prefix) words in order: the query as a phrase."""
        return [t for c in self.positive if not c.clause.field and not c.clause.prefix for w in c.words for t in w.terms]


def _words(text: str, prefix: bool) -> tuple[QueryWord, ...]:
    words = query_words(text)
    if prefix and words:
        last = words[-1]
        term = last.text if is_cjk(last.text) else last.text.lower()
        words[-1] = QueryWord(last.text, (term,), "prefix")
    return tuple(words)


def _correction(clause: Clause, lexicon: Lexicon) -> str | None:
    """A fix for a one-word clause that the index has nowhere."""
    if clause.phrase or clause.prefix or clause.field:
        return None
    words = query_words(clause.text)
    if len(words) != 1 or words[0].kind != "term":
        return None
    term = words[0].terms[0]
    if lexicon.doc_frequency(term):
        return None
    return lexicon.closest(term)


def analyse(parsed: ParsedQuery, *, synonyms: dict[str, list[str]] | None = None, filters: Filters | None = None,
            lexicon: Lexicon | None = None) -> AnalysedQuery:
    """Analyse `parsed`: correct misspelt words (with `lexicon`), expand synonyms, merge `filters`."""
    synonyms = synonyms or {}
    corrections: list[tuple[str, str]] = []

    def one(clause: Clause, expand: bool) -> AnalysedClause:
        text = clause.text
        if expand and lexicon is not None:
            fix = _correction(clause, lexicon)
            if fix:
                corrections.append((clause.text, fix))
                text = fix
        alternatives = ()
        if expand:
            alternatives = tuple(w for w in (_words(alt, False) for alt in synonyms.get(clause.text.casefold(), [])) if w)
        return AnalysedClause(clause, text, _words(text, clause.prefix), alternatives)

    groups = tuple(tuple(one(c, True) for c in group) for group in parsed.groups)
    negated = tuple(one(c, False) for c in parsed.negated)
    merged = parsed.filters.merged(filters) if filters else parsed.filters
    return AnalysedQuery(groups, negated, merged, tuple(corrections))

