"""The Whoosh side of searching: an `AnalysedQuery` in, ranked note paths and scores out.

Builds Whoosh queries from the analysed words (never Whoosh's own query parser), ranks with BM25F
over the weighted fields of `kb.index.fulltext`, and serves the index's term dictionary to
`kb.search.analyse` as a `Lexicon` for spelling corrections. It knows nothing of SQLite: the core
fetches the hits' text and hands it to `kb.search.highlight`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from kb.index.fulltext import FIELD_BOOSTS, FIELD_FOR_CLAUSE, NO_POSITIONS, TEXT_FIELDS, open_index
from kb.search.analyse import AnalysedClause, AnalysedQuery
from kb.search.analysis import query_words
from kb.search.query import Filters

# Graded matching: a note's score from the fallback query is MATCH_UNIT per query word it matches plus
# its BM25F score (always far below MATCH_UNIT), so one top-k pass sorts by words matched, then score.
MATCH_UNIT = 1.0e6
# Rows fetched beyond `limit` so that listing pages found in the top `limit` can be moved below the
# content notes that come right after them.
LISTING_SLACK = 10
# How many of the best notes by word score the proximity boost (`_proximity_boost`) may reorder.
PROXIMITY_POOL = 50
# BM25F: K1 is how soon repeated mentions of a word stop adding to a note's score, B how much a long
# field is discounted.
BM25_K1 = 1.2
BM25_B = 0.75


# A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost to create (~0.1 ms against
# ~0.55 ms), which every cold `kb search` pays for each class it imports.
class RankedRow(NamedTuple):
    """One ranked note with what Whoosh stores for display."""

    path: str
    score: float
    kind: str
    year: int | None
    matched_words: int  # how many of the query's words (its AND groups) the note matches
    listing: bool = False


class Ranked(NamedTuple):
    """Note paths in rank order with their scores and the stored fields Whoosh keeps for display."""

    rows: tuple[RankedRow, ...]
    fallback_any: bool = False  # no note had every word; these match some
    total: int = 0
    words: int = 0  # how many words (AND groups) the query has


def _word_query(word, fields: Sequence[str], boost: float = 1.0):
    """Query for one analysed query word over `fields`, each with its BM25F weight."""
    from whoosh import query as q  # noqa: PLC0415

    parts = []
    for fname in fields:
        weight = FIELD_BOOSTS.get(fname, 1.0) * boost
        if word.kind == "prefix":
            parts.append(q.Prefix(fname, word.terms[0], boost=weight))
        elif word.kind == "phrase" and len(word.terms) > 1:
            # A Chinese word matches when all of its bigrams are there (checking positions for every
            # candidate made 4-character queries ~3x slower); `_proximity_boost` then ranks the notes
            # holding the exact word first.
            parts.append(q.And([q.Term(fname, t) for t in word.terms], boost=weight))
        else:
            parts.append(q.Term(fname, word.terms[0], boost=weight))
    return parts[0] if len(parts) == 1 else q.Or(parts)



def _phrase_query(words, fields: Sequence[str], boost: float = 1.0):
    """Consecutive terms in the same field (Chinese words expand to their bigrams)."""
    from whoosh import query as q  # noqa: PLC0415

    terms = [t for w in words for t in w.terms]
    return q.Or([q.Phrase(f, terms, slop=1, boost=FIELD_BOOSTS.get(f, 1.0) * boost) if f not in NO_POSITIONS
                 else q.And([q.Term(f, t) for t in terms], boost=FIELD_BOOSTS.get(f, 1.0) * boost) for f in fields])


def _clause_query(clause: AnalysedClause, fields_override: Sequence[str] | None = None):
    """Whoosh query for one clause: all of its words, in any field (or its field), or a synonym."""
    from whoosh import query as q  # noqa: PLC0415

    fields = fields_override or FIELD_FOR_CLAUSE.get(clause.clause.field or "", TEXT_FIELDS)
    words = clause.words
    if not words:
        return None
    if clause.clause.phrase and len(words) > 1:
        main = _phrase_query(words, fields)
    else:
        main = q.And([_word_query(w, fields) for w in words]) if len(words) > 1 else _word_query(words[0], fields)
    weights = clause.weights or (0.8,) * len(clause.synonyms)
    # A synonym of several words is a term (`batch normalization`): matched as a phrase, not as
    # its words scattered over the note.
    alternatives = [main] + [_phrase_query(alt, fields, weight) if len(alt) > 1 else _word_query(alt[0], fields, weight)
                             for alt, weight in zip(clause.synonyms, weights)]
    return alternatives[0] if len(alternatives) == 1 else q.Or(alternatives)


def _field_words(text: str, field: str):
    """All the words of a filter value (author, chapter) in one field."""
    from whoosh import query as q  # noqa: PLC0415

    words = query_words(text)
    return q.And([_word_query(w, (field,)) for w in words]) if words else None


def _filters_query(filters: Filters):
    from whoosh import query as q  # noqa: PLC0415

    parts = []
    if filters.tags:
        parts += [q.Term("tags", t.lower()) for t in filters.tags]
    if filters.kinds:
        parts.append(q.Or([q.Term("kind", k.lower()) for k in filters.kinds]))
    if filters.statuses:
        parts.append(q.Or([q.Term("status", s.lower()) for s in filters.statuses]))
    parts += [p for p in (_field_words(a, "authors") for a in filters.authors) if p is not None]
    parts += [p for p in (_field_words(c, "chapter") for c in filters.chapters) if p is not None]
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(q.NumericRange("year", filters.year_from, filters.year_to))
    return q.And(parts) if parts else None


def _proximity_boost(query: AnalysedQuery):
    """Notes holding the whole query as a phrase (title or body) rank first; for one Chinese word of
    three or more characters this is what checks that its bigrams stand together."""
    from whoosh import query as q  # noqa: PLC0415

    terms = query.phrase_terms()
    if len(terms) < 2:
        return None
    return q.Or([q.Phrase(f, terms, slop=2, boost=FIELD_BOOSTS[f] * 1.5) for f in ("name", "body")])


def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up (returning limit+1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]



class WhooshLexicon:
    """The index's term dictionary, as `kb.search.analyse` needs it for corrections."""

    def __init__(self, reader):
        self._reader = reader
        self._counts: dict[str, int] = {}  # synonyms of one group share terms; each lookup visits every segment
        # Each segment's term table, read directly: the public `doc_frequency` checks the field against
        # the schema on every call, which was most of the cost of checking a query's synonyms.
        leaves = reader.leaf_readers() if reader.is_atomic() is False else [(reader, 0)]
        self._tables = [getattr(leaf, "_terms", None) for leaf, _ in leaves]

    def _field_frequency(self, fields: Sequence[str], term: str) -> int:
        if not all(t is not None for t in self._tables):
            return sum(self._reader.doc_frequency(f, term) for f in fields)
        key = term.encode("utf-8")
        count = 0
        for table in self._tables:
            for fname in fields:
                try:
                    count += table.doc_frequency(fname, key)
                except KeyError:
                    pass
        return count

    def doc_frequency(self, term: str) -> int:
        """In how many notes `term` occurs, over the text fields (counted per field)."""
        count = self._counts.get(term)
        if count is None:
            count = self._counts[term] = self._field_frequency(TEXT_FIELDS, term)
        return count

    def frequency(self, term: str) -> int:
        """About how many notes hold `term`: those whose body does, else its count in the other
        fields (one lookup per segment for most terms, instead of one per field)."""
        key = "\0" + term
        count = self._counts.get(key)
        if count is None:
            count = self._field_frequency(("body",), term) or self.doc_frequency(term)
            self._counts[key] = count
        return count

    def closest(self, word: str) -> str | None:
        """The indexed word closest to a misspelt `word` (same first letter, edit distance ≤ 2)."""
        reader = self._reader
        if len(word) < 4 or not word.isascii() or not word.isalpha():
            return None
        limit = 1 if len(word) <= 5 else 2
        best: tuple[int, int, str] | None = None
        for fname in ("name", "meta", "body"):
            try:
                terms = reader.expand_prefix(fname, word[0])
            except KeyError:
                continue
            for raw in terms:
                term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if abs(len(term) - len(word)) > limit or not term.isalpha() or term == word:
                    continue
                dist = _damerau(word, term, limit)
                if dist <= limit:
                    key = (dist, -reader.doc_frequency(fname, term), term)
                    if best is None or key < best:
                        best = key
            if best is not None and best[0] == 1:
                break
        return best[2] if best else None


class Searcher:
    """An open Whoosh searcher: its lexicon for analysis, then `rank` for the analysed query."""

    def __init__(self, searcher):
        self._searcher = searcher
        self.lexicon = WhooshLexicon(searcher.reader())

    # Long on purpose: the all-words pass, the graded pass and the re-sorting share the query parts
    # and the `run` closure; split up, they would pass six values between methods.
    def rank(self, query: AnalysedQuery, limit: int = 10) -> Ranked:
        """The best `limit` notes for `query`: those with every word first; when fewer than `limit`
        have them all, then those with most of them (graded), each tier by score. Listing pages come
        after the content notes of their tier."""
        from whoosh import query as q  # noqa: PLC0415

        clause_queries = []
        for group in query.groups:
            alts = [x for x in (_clause_query(c) for c in group) if x is not None]
            if alts:
                clause_queries.append(alts[0] if len(alts) == 1 else q.Or(alts))
        filter_q = _filters_query(query.filters)
        negatives = [x for x in (_clause_query(c) for c in query.negated) if x is not None]
        boost = _proximity_boost(query)
        words = len(clause_queries)
        pool = limit + LISTING_SLACK

        def run(words_q):
            parts = [p for p in (words_q, filter_q) if p is not None]
            if not parts:
                return None
            main = parts[0] if len(parts) == 1 else q.And(parts)
            if negatives:
                main = q.AndNot(main, q.Or(negatives))
            with_boost = boost is not None and words_q is not None
            # Without block-quality skipping: at 10k notes it cost more than it saved (top 10 the same,
            # `resnet` 17 -> 8 ms, `残差网络` 131 -> 74 ms); the collector still drops sub-queries
            # that can no longer reach the top k.
            results = self._searcher.search(main, limit=max(pool, PROXIMITY_POOL) if with_boost else pool,
                                             terms=False, optimize=False)
            hits = [[hit.score, hit.fields()] for hit in results]
            if with_boost and hits:
                self._add_proximity(hits, boost)
            return results, hits

        graded = fallback = False
        if clause_queries:
            found = run(q.And(clause_queries) if words > 1 else clause_queries[0])
            if found is not None and words > 1 and len(found[1]) < limit:
                fallback = not found[1]
                # Each word's query counts MATCH_UNIT once when it matches, on top of its BM25F score.
                found = run(q.Or([q.Or([c, q.ConstantScoreQuery(c, MATCH_UNIT)]) for c in clause_queries]))
                graded = True
                fallback = fallback and found is not None and bool(found[1])
        else:
            found = run(None) if filter_q is not None else None
        if found is None:
            return Ranked((), words=words)
        results, hits = found
        rows = []
        for score, stored in hits:
            matched = words
            if graded:
                matched = min(words, int(score // MATCH_UNIT))
                score -= matched * MATCH_UNIT
            rows.append(RankedRow(stored["path"], score, stored.get("kind") or "", stored.get("year"), matched,
                                  stored.get("listing") == "1"))
        rows.sort(key=lambda r: (-r.matched_words, r.listing, -r.score))
        # Whoosh counts only the notes it visited; the query's own estimate is an upper bound.
        total = max(len(rows), results.q.estimate_size(self._searcher.reader()))
        return Ranked(tuple(rows[:limit]), fallback, total, words)

    def _add_proximity(self, hits: list[list], boost) -> None:
        """Add the proximity boost's score to the hits that hold the query as a phrase.

        Checking positions costs; only the best PROXIMITY_POOL notes by word score are checked (the
        boost lifts a note within them), not every note that has the words: for a common Chinese
        word that was thousands of notes.
        """
        from whoosh import query as q  # noqa: PLC0415

        # The pool's own part of the score is a constant 1 (Whoosh reads a constant 0 as "no constant").
        pool = q.ConstantScoreQuery(q.Or([q.Term("path", stored["path"]) for _, stored in hits]), 1.0)
        extra = {hit["path"]: hit.score - 1.0 for hit in
                 self._searcher.search(q.And([boost, pool]), limit=len(hits), terms=False, optimize=False)}
        for hit in hits:
            hit[0] += extra.get(hit[1]["path"], 0.0)


@contextmanager
def open_searcher(folder: Path) -> Iterator[Searcher]:
    """A BM25F searcher over the Whoosh index in `folder`, closed on exit."""
    from whoosh import scoring  # noqa: PLC0415

    ix = open_index(folder)
    with ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        yield Searcher(searcher)


class KeptSearcher:
    """A searcher kept open between searches by a long-lived caller (the web server's Notebook):
    opening the index costs ~6 ms at 10k notes, a fifth of a warm search. `current()` hands out a
    searcher for the index as it is now, reopened after a rebuild and refreshed (Whoosh re-reads
    only its table of contents) after an incremental update in the same folder."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._whoosh = None  # the open whoosh.searching.Searcher
        self._searcher: Searcher | None = None

    def current(self, folder: Path) -> Searcher:
        """A searcher over the Whoosh index in `folder` as it is now."""
        from whoosh import scoring  # noqa: PLC0415

        if self._whoosh is not None and self._folder == folder:
            # Itself when nothing changed; otherwise a new searcher that reuses the unchanged segments'
            # readers (so the old searcher must not be closed: refresh() has released what it dropped).
            fresh = self._whoosh.refresh()
            if fresh is not self._whoosh:
                self._whoosh, self._searcher = fresh, Searcher(fresh)
            assert self._searcher is not None
            return self._searcher
        self.close()
        self._whoosh = open_index(folder).searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        self._folder, self._searcher = folder, Searcher(self._whoosh)
        return self._searcher

    def close(self) -> None:
        """Close the kept searcher, if any."""
        if self._whoosh is not None:
            self._whoosh.close()
        self._folder = self._whoosh = self._searcher = None
