"""A parsed query analysed once: its words as index terms, spelling corrections, synonym expansions.

The result (`AnalysedQuery`) is the one value the rest of the search path reads: the Whoosh engine
builds its query from it, and the highlighter finds its matches with it. Nothing tokenises the
query again.

Corrections need to know which words the index holds; that knowledge comes in as a `Lexicon`
(an interface the engine implements), so this module stays free of Whoosh.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from kb.search.analysis import QueryWord, is_cjk, query_words
from kb.search.query import Clause, Filters, ParsedQuery
from kb.search.synonyms import expansions


class Lexicon(Protocol):
    """What the index knows about words: enough to correct a misspelt one."""

    def doc_frequency(self, term: str) -> int:
        """In how many notes the term occurs (0: nowhere)."""

    def closest(self, term: str) -> str | None:
        """The indexed term closest to a misspelt one, or None."""

    def frequency(self, term: str) -> int:
        """About how many notes hold the term (0: none), cheaper than `doc_frequency`."""


# A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost to create (~0.1 ms against
# ~0.55 ms), which every cold `kb search` pays for each class it imports.
class AnalysedClause(NamedTuple):
    """One clause with its words ready to look up."""

    clause: Clause
    text: str  # as searched: the correction when there is one
    words: tuple[QueryWord, ...]
    synonyms: tuple[tuple[QueryWord, ...], ...] = ()  # each equivalent term's words
    weights: tuple[float, ...] = ()  # each synonym's weight against the literal words' 1.0


class AnalysedQuery(NamedTuple):
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


MAX_EXPANSIONS = 8  # per clause: a big group must not multiply the query's work
# A word found in this many notes (counted per field) fills any page by itself; its synonyms, weighted
# below it, would mostly add work (at 10k notes, `resnet` expanded into 残差网络 cost twice the query).
EXPAND_MAX_DF = 200
# An expansion found in more than EXPANSION_WORK times as many notes as the word typed (or as
# EXPANSION_FLOOR, so that small notebooks keep every expansion) is left out: weighted below the word,
# it would rarely reach the first page, and it could cost many times the query (`resnet` → 残差网络).
EXPANSION_WORK = 10
EXPANSION_FLOOR = 50
MAX_PHRASE_WORDS = 4  # the longest run of query words looked up as one thesaurus term


def _dfs(words: tuple[QueryWord, ...], lexicon: Lexicon) -> list[int]:
    """In how many notes each term of `words` occurs (counted per field)."""
    return [lexicon.frequency(t) for w in words for t in (w.terms if w.kind == "phrase" else w.terms[:1])]


def _expand(text: str, synonyms: dict, lexicon: Lexicon | None) -> tuple[tuple, tuple]:
    """(words of each expansion, their weights) for a clause text, best weight first.

    An expansion must be in the index, and must not cost much more than the word itself: one with a
    term found in more than EXPANSION_WORK times as many notes as the word (or as EXPANSION_FLOOR) is
    left out, and
    so are all of them for a word found in EXPAND_MAX_DF notes or more (see there).
    """
    literal = _words(text, False)
    budget = None
    if lexicon is not None and literal:
        found = min(_dfs(literal, lexicon))
        if found >= EXPAND_MAX_DF:
            return (), ()
        budget = EXPANSION_WORK * max(found, EXPANSION_FLOOR)
    out, weights = [], []
    for alt, weight in sorted(expansions(synonyms, text), key=lambda a: -a[1]):
        words = _words(alt, False)
        if not words:
            continue
        if lexicon is not None:
            # Present when every term is; as costly as its most frequent term (all are read).
            counts = _dfs(words, lexicon)
            if not min(counts) or (budget is not None and max(counts) > budget):
                continue
        out.append(words)
        weights.append(weight)
        if len(out) >= MAX_EXPANSIONS:
            break
    return tuple(out), tuple(weights)


def _plain(group: tuple[Clause, ...]) -> bool:
    """A group of one unfielded, unquoted, non-prefix word: it can be part of a multi-word term."""
    return len(group) == 1 and not (group[0].field or group[0].phrase or group[0].prefix)


def _join_terms(groups: tuple[tuple[Clause, ...], ...], synonyms: dict) -> list[tuple[Clause, ...]]:
    """Runs of plain query words that together are a synonym term (`batch normalization`) become one
    clause, so the term is expanded as a whole; its words must still all match."""
    out: list[tuple[Clause, ...]] = []
    i = 0
    while i < len(groups):
        for n in range(min(MAX_PHRASE_WORDS, len(groups) - i), 1, -1):
            run = groups[i : i + n]
            text = " ".join(g[0].text for g in run)
            if all(_plain(g) for g in run) and text.casefold() in synonyms:
                out.append((Clause(text),))
                i += n
                break
        else:
            out.append(groups[i])
            i += 1
    return out


def analyse(parsed: ParsedQuery, *, synonyms: dict | None = None, filters: Filters | None = None,
            lexicon: Lexicon | None = None) -> AnalysedQuery:
    """Analyse `parsed`: correct misspelt words (with `lexicon`), expand synonyms (the stored map of
    `kb.search.synonyms`, only into terms the index holds), merge `filters`."""
    synonyms = synonyms or {}
    corrections: list[tuple[str, str]] = []

    def one(clause: Clause, expand: bool) -> AnalysedClause:
        text = clause.text
        if expand and lexicon is not None:
            fix = _correction(clause, lexicon)
            if fix:
                corrections.append((clause.text, fix))
                text = fix
        alternatives: tuple = ()
        weights: tuple = ()
        if expand:
            alternatives, weights = _expand(text, synonyms, lexicon)
        return AnalysedClause(clause, text, _words(text, clause.prefix), alternatives, weights)

    groups = tuple(tuple(one(c, True) for c in group) for group in _join_terms(parsed.groups, synonyms))
    negated = tuple(one(c, False) for c in parsed.negated)
    merged = parsed.filters.merged(filters) if filters else parsed.filters
    return AnalysedQuery(groups, negated, merged, tuple(corrections))
