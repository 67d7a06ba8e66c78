"""The Whoosh side of the index: schema, building, updating and querying. The only module importing Whoosh.

Other modules import this one only when they need Whoosh, so `kb --help` never pays for it; and it
never imports Whoosh's query parser (queries are built from `kb.query`'s parse).
"""

from __future__ import annotations

import functools
import json
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.analysis import is_cjk, iter_terms, match_spans, query_words
from kb.models import Highlight, Note, SearchHit, SearchResult
from kb.query import Clause, Filters, ParsedQuery, parse_query


def _import_whoosh_lightly() -> None:
    """Import Whoosh without two dependencies it never uses on kb's path (~25 ms of every command).

    - whoosh-reloaded does `from cached_property import cached_property`; that backport imports asyncio
      for the one decorator Whoosh puts on a synchronous method, which `functools.cached_property`
      handles the same way. (The backport is used when something imported it first.)
    - `whoosh.compat` imports `urllib.request` (and with it http, email and ssl) only to re-export
      `urlretrieve`, which kb never calls. A stand-in serves that one import and is removed at once, so
      a later `import urllib.request` (kb add-note's arXiv lookup) loads the real module.
    """
    if "cached_property" not in sys.modules:
        shim = types.ModuleType("cached_property")
        shim.cached_property = functools.cached_property  # type: ignore[attr-defined]
        sys.modules["cached_property"] = shim
    if "whoosh.compat" in sys.modules or "urllib.request" in sys.modules:
        import whoosh.compat  # noqa: F401, PLC0415
        return
    stand_in = types.ModuleType("urllib.request")

    def urlretrieve(*args, **kwargs):  # pragma: no cover - never called by kb
        raise RuntimeError("urlretrieve is not available inside kb's Whoosh import")

    stand_in.urlretrieve = urlretrieve  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        import whoosh.compat  # noqa: F401, PLC0415
    finally:
        del sys.modules["urllib.request"]


_import_whoosh_lightly()

from whoosh.analysis import Token, Tokenizer  # noqa: E402

if TYPE_CHECKING:
    from whoosh.index import Index

# Field weights for BM25F: a note named or tagged after a term outranks one that mentions it.
# Few fields on purpose: every query word becomes one sub-query per field, so each field costs
# query time. `name` is the title and aliases, `meta` the tags, file name, paper metadata and authors.
FIELD_BOOSTS = {
    "name": 6.0, "meta": 3.0, "headings": 2.0, "body": 1.0, "code": 0.3,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
# Code is indexed without positions (a fifth of all postings, and nobody phrase-searches code);
# a Chinese word there is matched as all of its bigrams instead of as a phrase.
NO_POSITIONS = frozenset({"code"})
FIELD_FOR_CLAUSE = {"title": ("name",), "alias": ("name",), "code": ("code",), "path": ("meta",),
                    "arxiv": ("meta",), "venue": ("meta",), "author": ("authors",), "chapter": ("chapter",)}


class KbTokenizer(Tokenizer):
    """Whoosh adapter for `kb.analysis.tokenize` (it lower-cases and stems by itself).

    Module-level because Whoosh pickles the schema, analyzer included, into the index.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        if not (chars or keeporiginal):
            # The common case while indexing: only term text and position.
            for text, pos, _, _ in iter_terms(value):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + pos
                yield token
            return
        for text, pos, start, end in iter_terms(value):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


_SCHEMA = None


def schema():
    """The Whoosh schema: one document per note."""
    global _SCHEMA
    if _SCHEMA is None:
        from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema  # noqa: PLC0415

        analyzer = KbTokenizer()
        text = {name: TEXT(analyzer=analyzer, phrase=name not in NO_POSITIONS) for name in TEXT_FIELDS}
        _SCHEMA = Schema(
            path=ID(stored=True, unique=True),
            chapter=TEXT(analyzer=analyzer),
            authors=TEXT(analyzer=analyzer),
            tags=KEYWORD(lowercase=True, commas=True),
            kind=ID(stored=True),
            status=ID(),
            year=NUMERIC(int, stored=True),
            stored=STORED(),
            **text,
        )
    return _SCHEMA


def note_document(note: Note) -> dict[str, Any]:
    """The Whoosh document for one note."""
    paper = note.paper
    paper_text = ""
    if paper:
        paper_text = " ".join(str(x) for x in (paper.title, paper.arxiv, paper.venue, paper.year, paper.doi) if x)
    doc = {
        "path": str(note.path),
        "name": "\n".join((note.title, *note.aliases)),
        "meta": "\n".join((
            *note.tags, note.path.name.rsplit(".", 1)[0], note.slug.replace("-", " "), paper_text,
            note.tldr or "", *note.authors, *(paper.authors if paper else ()),
        )),
        "authors": "\n".join((*note.authors, *(paper.authors if paper else ()))),
        "headings": "\n".join(note.headings),
        "body": note.text,
        "code": note.code,
        "chapter": " ".join(x for x in (note.chapter, note.chapter_label) if x),
        "kind": note.kind,
        "status": note.status or "",
        "stored": json.dumps([note.title, list(note.tags), note.chapter], ensure_ascii=False),
    }
    if note.tags:
        doc["tags"] = ",".join(t.replace(",", " ") for t in note.tags)
    if note.year is not None:
        doc["year"] = note.year
    return doc


def create_index(folder: Path) -> Index:
    """A new empty Whoosh index in `folder`."""
    from whoosh import index  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    return index.create_in(str(folder), schema())


def open_index(folder: Path) -> Index:
    """Open the Whoosh index in `folder` (with our schema object, so the tokenizer is ours)."""
    from whoosh.filedb.filestore import FileStorage  # noqa: PLC0415

    return FileStorage(str(folder)).open_index(schema=schema())


# Whoosh's writer keeps postings in a memory pool and, past `limitmb`, sorts them to disk and merges
# the runs at the end, which costs ~50% more CPU. Committing the full build in batches small enough for
# the pool (~4 MB of text per writer process, measured: larger batches spill) avoids that and bounds memory. Each batch adds segments
# without merging; searching ten or so segments costs little.
POOL_LIMIT_MB = 160
BATCH_TEXT_BYTES = 4_000_000  # per writer process
TINY_SEGMENT_DOCS = 100
TINY_SEGMENTS_BEFORE_MERGE = 10


def _doc_bytes(doc: dict[str, Any]) -> int:
    return sum(len(v) for v in doc.values() if isinstance(v, str))


def build_index(folder: Path, notes: Iterable[Note], procs: int = 1,
                on_batch: Callable[[list[Note]], None] | None = None) -> int:
    """Write every note into a fresh index in `folder`; returns the number of documents.

    With `procs` > 1, Whoosh's worker processes index each batch while this process goes on parsing
    the next notes; `on_batch(batch)` runs just before a batch is committed, so the caller's own work
    (the SQLite writes) overlaps Whoosh's too.
    """
    ix = create_index(folder)
    limit = BATCH_TEXT_BYTES * max(1, procs)
    count = 0
    writer = None
    batch: list[Note] = []
    size = 0
    try:
        for note in notes:
            if writer is None:
                kwargs: dict[str, Any] = {"limitmb": POOL_LIMIT_MB, "compound": False}
                if procs > 1:
                    kwargs.update(procs=procs, multisegment=True)
                writer = ix.writer(**kwargs)
            doc = note_document(note)
            writer.add_document(**doc)
            batch.append(note)
            size += _doc_bytes(doc)
            count += 1
            if size >= limit:
                if on_batch:
                    on_batch(batch)
                writer.commit(merge=False)
                writer, batch, size = None, [], 0
        if writer is not None:
            if on_batch:
                on_batch(batch)
            writer.commit(merge=False)
            writer = None
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    return count


def merge_tiny_segments(writer, segments):
    """Merge policy for incremental updates: fold the tiny one-note segments together once there are
    enough of them, and never touch the big segments of the full build (a one-note update stays fast)."""
    from whoosh.reading import SegmentReader  # noqa: PLC0415

    tiny = [s for s in segments if s.doc_count_all() < TINY_SEGMENT_DOCS]
    if len(tiny) < TINY_SEGMENTS_BEFORE_MERGE:
        return segments
    for segment in tiny:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in tiny]


def update_index(folder: Path, upserts: Sequence[Note], deletes: Iterable[str]) -> None:
    """Apply changed and removed notes to the existing index in one commit."""
    ix = open_index(folder)
    writer = ix.writer(timeout=30.0, limitmb=POOL_LIMIT_MB, compound=False)
    try:
        for path in deletes:
            writer.delete_by_term("path", path)
        for note in upserts:
            writer.update_document(**note_document(note))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_tiny_segments)


def indexed_paths(folder: Path) -> set[str]:
    """Paths of every document in the index (to check it against the SQLite store)."""
    ix = open_index(folder)
    with ix.reader() as reader:
        return {fields["path"] for _, fields in reader.iter_docs()}


# --- querying ---------------------------------------------------------------------------------


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


def _clause_query(clause: Clause, synonyms: dict[str, list[str]], corrections: dict[str, str]):
    """Whoosh query for one clause: all of its words, in any field (or its field), with synonyms."""
    from whoosh import query as q  # noqa: PLC0415

    fields = FIELD_FOR_CLAUSE.get(clause.field or "", TEXT_FIELDS)
    text = corrections.get(clause.text, clause.text)
    words = query_words(text)
    if not words:
        return None
    if clause.prefix:
        last = words[-1]
        prefix_word = type(last)(last.text, (last.text.lower() if not is_cjk(last.text) else last.text,), "prefix")
        words = [*words[:-1], prefix_word]
    if clause.phrase and len(words) > 1:
        # An exact phrase: consecutive terms in the same field (Chinese words expand to their bigrams).
        terms = [t for w in words for t in w.terms]
        main = q.Or([q.Phrase(f, terms, slop=1, boost=FIELD_BOOSTS.get(f, 1.0)) if f not in NO_POSITIONS
                     else q.And([q.Term(f, t) for t in terms], boost=FIELD_BOOSTS.get(f, 1.0)) for f in fields])
    else:
        main = q.And([_word_query(w, fields) for w in words]) if len(words) > 1 else _word_query(words[0], fields)
    alternatives = [main]
    for alt in synonyms.get(clause.text.casefold(), []):
        alt_words = query_words(alt)
        if alt_words:
            alternatives.append(q.And([_word_query(w, fields, 0.8) for w in alt_words]))
    return alternatives[0] if len(alternatives) == 1 else q.Or(alternatives)


def _filters_query(filters: Filters):
    from whoosh import query as q  # noqa: PLC0415

    parts = []
    if filters.tags:
        parts += [q.Term("tags", t.lower()) for t in filters.tags]
    if filters.kinds:
        parts.append(q.Or([q.Term("kind", k.lower()) for k in filters.kinds]))
    if filters.statuses:
        parts.append(q.Or([q.Term("status", s.lower()) for s in filters.statuses]))
    for author in filters.authors:
        words = query_words(author)
        if words:
            parts.append(q.And([_word_query(w, ("authors",)) for w in words]))
    for chapter in filters.chapters:
        words = query_words(chapter)
        if words:
            parts.append(q.And([_word_query(w, ("chapter",)) for w in words]))
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(q.NumericRange("year", filters.year_from, filters.year_to))
    return q.And(parts) if parts else None


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


def suggest_word(reader, word: str) -> str | None:
    """The indexed word closest to a misspelt `word` (same first letter, edit distance ≤ 2)."""
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
                freq = reader.doc_frequency(fname, term)
                key = (dist, -freq, term)
                if best is None or key < best:
                    best = key
        if best is not None and best[0] == 1:
            break
    return best[2] if best else None


def _doc_frequency(reader, word: str) -> int:
    return sum(reader.doc_frequency(f, word) for f in TEXT_FIELDS)


def _corrections(reader, parsed: ParsedQuery) -> dict[str, str]:
    """Misspelt query words (found nowhere in the index) → the closest indexed word."""
    fixes = {}
    for clause in parsed.positive:
        if clause.phrase or clause.prefix or clause.field:
            continue
        words = query_words(clause.text)
        if len(words) != 1 or words[0].kind != "term":
            continue
        term = words[0].terms[0]
        if _doc_frequency(reader, term):
            continue
        fix = suggest_word(reader, term)
        if fix:
            fixes[clause.text] = fix
    return fixes


EXCERPT_SCAN_CHARS = 200_000  # excerpts come from the start of a very long note, not all of it


def _excerpt(text: str, spans: list[tuple[int, int]], width: int = 160) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The window of `text` with the most matches, and the match offsets inside that window."""
    if not spans:
        return "", ()
    # Two pointers over the sorted spans: the window starting at span i holds spans i..j-1.
    best_start, best_count, j = spans[0][0], 0, 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    begin = max(0, best_start - width // 4)
    # Start at a word or line boundary when one is near.
    boundary = max(text.rfind("\n", max(0, begin - 20), best_start), text.rfind(" ", max(0, begin - 20), best_start))
    if boundary != -1:
        begin = boundary + 1
    end = min(len(text), begin + width)
    window = text[begin:end]
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    inner = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    flat = window.replace("\n", " ")
    return prefix + flat + suffix, tuple((s + len(prefix), e + len(prefix)) for s, e in inner)


def highlights_for(fields: dict[str, str], parsed: ParsedQuery, corrections: dict[str, str]) -> tuple[tuple[str, ...], tuple[Highlight, ...]]:
    """Which fields matched, and excerpts of title/body/code with match offsets."""
    wanted: set[str] = set()
    cjk: list[str] = []
    for clause in parsed.positive:
        text = corrections.get(clause.text, clause.text)
        for word in query_words(text):
            if word.kind == "term":
                wanted.add(word.terms[0])
            else:
                cjk.append(word.text)
    matched, out = [], []
    for name in ("title", "aliases", "tags", "body", "code"):
        value = (fields.get(name) or "")[:EXCERPT_SCAN_CHARS]
        spans = match_spans(value, wanted, cjk)
        if not spans:
            continue
        matched.append(name)
        if name in ("title", "aliases", "tags"):
            out.append(Highlight(name, value, tuple(spans)))
        elif len([h for h in out if h.field in ("body", "code")]) < 2:
            excerpt, offsets = _excerpt(value, spans)
            out.append(Highlight(name, excerpt, offsets))
    return tuple(matched), tuple(out)


def search_index(folder: Path, parsed: ParsedQuery, *, limit: int = 10, synonyms: dict[str, list[str]] | None = None,
                 extra_filters: Filters | None = None, fetch_fields=None, correct: bool = True) -> SearchResult:
    """Run a parsed query; `fetch_fields(paths)` returns {path: {title, aliases, tags, body, code}} for excerpts."""
    from whoosh import query as q  # noqa: PLC0415
    from whoosh import scoring  # noqa: PLC0415

    synonyms = synonyms or {}
    filters = parsed.filters.merged(extra_filters) if extra_filters else parsed.filters
    ix = open_index(folder)
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        corrections = _corrections(searcher.reader(), parsed) if correct else {}
        clause_queries = []
        for group in parsed.groups:
            alts = [x for x in (_clause_query(c, synonyms, corrections) for c in group) if x is not None]
            if alts:
                clause_queries.append(alts[0] if len(alts) == 1 else q.Or(alts))
        filter_q = _filters_query(filters)
        negatives = [x for x in (_clause_query(c, {}, {}) for c in parsed.negated) if x is not None]
        boost = _proximity_boost(parsed, corrections)

        def run(words_q):
            parts = [p for p in (words_q, filter_q) if p is not None]
            if not parts:
                return None
            main = parts[0] if len(parts) == 1 else q.And(parts)
            if negatives:
                main = q.AndNot(main, q.Or(negatives))
            if boost is not None and words_q is not None:
                main = q.AndMaybe(main, boost)
            return searcher.search(main, limit=limit, terms=False)

        fallback = False
        if clause_queries:
            results = run(q.And(clause_queries) if len(clause_queries) > 1 else clause_queries[0])
            if results is not None and results.is_empty() and len(clause_queries) > 1:
                results = run(q.Or(clause_queries))
                fallback = results is not None and not results.is_empty()
        else:
            results = run(None) if filter_q is not None else None
        if results is None:
            return SearchResult((), parsed_text(parsed))
        rows = [(hit["path"], hit.score, json.loads(hit["stored"]), hit.get("kind"), hit.get("year")) for hit in results]
        total = results.estimated_length() if hasattr(results, "estimated_length") else len(rows)
    fetched = fetch_fields([r[0] for r in rows]) if fetch_fields else {}
    hits = []
    for path, score, (title, tags, chapter), kind, year in rows:
        fields = fetched.get(path)
        if fetch_fields and fields is None:
            continue  # in Whoosh but not (yet) in SQLite: the two must agree on which notes exist
        matched, highlights = highlights_for(fields or {"title": title, "tags": ", ".join(tags)}, parsed, corrections)
        hits.append(SearchHit(path, title, round(float(score), 4), kind or "", tuple(tags), chapter, year, matched, highlights))
    corrected = None
    if corrections:
        corrected = " ".join(corrections.get(c.text, c.text) for c in parsed.positive)
    return SearchResult(tuple(hits), parsed_text(parsed), corrected, fallback, total)


def _proximity_boost(parsed: ParsedQuery, corrections: dict[str, str]):
    """Notes holding the whole query as a phrase (title or body) rank first; for one Chinese word of
    three or more characters this is what checks that its bigrams stand together."""
    from whoosh import query as q  # noqa: PLC0415

    clauses = [c for c in parsed.positive if not c.field and not c.prefix]
    terms: list[str] = []
    for clause in clauses:
        for word in query_words(corrections.get(clause.text, clause.text)):
            terms.extend(word.terms)
    if len(terms) < 2:
        return None
    return q.Or([q.Phrase(f, terms, slop=2, boost=FIELD_BOOSTS[f] * 1.5) for f in ("name", "body")])


def parsed_text(parsed: ParsedQuery) -> str:
    """The query as understood, for messages."""
    return " ".join(c.text for c in parsed.positive)


def search_notes(folder: Path, query: str, **kwargs) -> SearchResult:
    """Parse `query` and search the index in `folder` (see `search_index` for options)."""
    return search_index(folder, parse_query(query), **kwargs)
