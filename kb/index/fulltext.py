"""The Whoosh side of the index: schema, tokenizer, building and updating.

With `kb.search.engine` (the reading side), the only modules that import Whoosh; others import
them only when they need Whoosh, so `kb --help` never pays for it.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.search.analysis import iter_terms


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


def _import_whoosh_query_lightly() -> None:
    """Import `whoosh.query` without compiling `whoosh.lang.morph_en`'s English inflection rules
    (~5 ms of every search): `whoosh.query.terms` imports its `variations` for the `Variations` query,
    which kb never builds. A stand-in serves that import with a function that loads the real module
    if it is ever called, and is removed at once, so a later import gets the real module."""
    if "whoosh.query" in sys.modules or "whoosh.lang.morph_en" in sys.modules:
        return
    import whoosh.lang  # noqa: F401, PLC0415 - the parent package must exist before its stand-in child

    def variations(word):  # pragma: no cover - kb never builds a Variations query
        import importlib  # noqa: PLC0415

        return importlib.import_module("whoosh.lang.morph_en").variations(word)

    stand_in = types.ModuleType("whoosh.lang.morph_en")
    stand_in.variations = variations  # type: ignore[attr-defined]
    sys.modules["whoosh.lang.morph_en"] = stand_in
    try:
        import whoosh.query  # noqa: F401, PLC0415
    finally:
        if sys.modules.get("whoosh.lang.morph_en") is stand_in:
            del sys.modules["whoosh.lang.morph_en"]


_import_whoosh_lightly()
_import_whoosh_query_lightly()

from whoosh.analysis import Token, Tokenizer  # noqa: E402

if TYPE_CHECKING:
    from whoosh.index import Index

    from kb.models import Note

# Field weights for BM25F: a note named or tagged after a term outranks one that mentions it.
# Few fields on purpose: every query word becomes one sub-query per field, so each field costs
# query time. `name` is the title and aliases, `meta` the tags, file name, paper metadata and authors.
FIELD_BOOSTS = {
    "name": 6.0, "meta": 3.0, "headings": 4.0, "body": 1.0, "code": 0.3,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
# Code is indexed without positions (a fifth of all postings, and nobody phrase-searches code);
# a Chinese word there is matched as all of its bigrams instead of as a phrase.
NO_POSITIONS = frozenset({"code"})
FIELD_FOR_CLAUSE = {"title": ("name",), "alias": ("name",), "code": ("code",), "path": ("meta",),
                    "arxiv": ("meta",), "venue": ("meta",), "author": ("authors",), "chapter": ("chapter",)}


class KbTokenizer(Tokenizer):
    """Whoosh adapter for `kb.search.analysis.iter_terms` (it lower-cases and stems by itself).

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


# A listing page (a generated index, a table of contents, a TODO list) is mostly links to other notes:
# it matches every word of the notes it lists and would crowd them out of the results. Recognised by
# link density, not by file name: most of its lines of prose hold a link to a note.
LISTING_MIN_LINKS = 5
LISTING_MIN_DENSITY = 0.5


def link_density(note: Note) -> float:
    """Share of the note's lines of prose that hold a link to another note (not a URL, not a file)."""
    from kb.index.links import ASSET_STYLES  # noqa: PLC0415

    lines = {link.line for link in note.links if not link.external and link.style not in ASSET_STYLES}
    prose = sum(1 for line in note.text.splitlines() if line.strip())
    return min(1.0, len(lines) / prose) if prose else (1.0 if lines else 0.0)


def is_listing(note: Note) -> bool:
    """Whether a note is a listing page (see `LISTING_MIN_DENSITY`)."""
    links = sum(1 for link in note.links if not link.external)
    return links >= LISTING_MIN_LINKS and link_density(note) >= LISTING_MIN_DENSITY


_SCHEMA = None


def schema():
    """The Whoosh schema: one document per note."""
    global _SCHEMA
    if _SCHEMA is None:
        from whoosh.fields import ID, KEYWORD, NUMERIC, Schema  # noqa: PLC0415

        from kb.index.textfield import KbText  # noqa: PLC0415 - it imports this module

        analyzer = KbTokenizer()
        text = {name: KbText(analyzer=analyzer, phrase=name not in NO_POSITIONS) for name in TEXT_FIELDS}
        _SCHEMA = Schema(
            path=ID(stored=True, unique=True),
            chapter=KbText(analyzer=analyzer),
            authors=KbText(analyzer=analyzer),
            tags=KEYWORD(lowercase=True, commas=True),
            kind=ID(stored=True),
            listing=ID(stored=True),  # "1" for a listing page (`is_listing`), ranked below content notes
            status=ID(),
            year=NUMERIC(int, stored=True),
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
        "listing": "1" if is_listing(note) else "0",
        "status": note.status or "",
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
    """Open the Whoosh index in `folder` (with our schema object, so the tokenizer is ours), with room
    for the files its readers keep open (see `kb.index.openfiles`)."""
    from whoosh.filedb.filestore import FileStorage  # noqa: PLC0415

    from kb.index.openfiles import allow_open_files  # noqa: PLC0415

    allow_open_files()
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
                on_batch: Callable[[list[Note]], None] | None = None,
                before_last_commit: Callable[[], None] | None = None) -> int:
    """Write every note into a fresh index in `folder`; returns the number of documents.

    With `procs` > 1, Whoosh's worker processes index each batch while this process goes on parsing
    the next notes; `on_batch(batch)` runs just before a batch is committed, so the caller's own work
    (the SQLite writes) overlaps Whoosh's too, and `before_last_commit()` once every batch has been
    handed to `on_batch`, before the last commit (the caller's work that needs every note).
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
                from kb.index.workers import FlushWriter, Writer  # noqa: PLC0415 - only when building

                if procs > 1:
                    writer = Writer(ix, procs=procs, multisegment=True, **kwargs)
                else:
                    writer = FlushWriter(ix, **kwargs)
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
        if writer is not None and on_batch:
            on_batch(batch)
        if before_last_commit:
            before_last_commit()
        if writer is not None:
            writer.commit(merge=False)
            writer = None
    except BaseException:
        if writer is not None:
            with contextlib.suppress(Exception):  # the first failure (or Ctrl-C) is the one to report
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
    from whoosh.codec.whoosh3 import W3Codec  # noqa: PLC0415

    ix = open_index(folder)
    # Uncompressed postings: a one-note segment writes a block per term (~1000), and compressing each
    # was a third of its flush; tiny segments are merged together later anyway.
    writer = ix.writer(timeout=30.0, limitmb=POOL_LIMIT_MB, compound=False, codec=W3Codec(compression=0))
    try:
        _delete_paths(writer, [*deletes, *(str(note.path) for note in upserts)])
        for note in upserts:
            writer.add_document(**note_document(note))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_tiny_segments)


def _delete_paths(writer, paths: list[str]) -> None:
    """Mark deleted the documents of `paths`, found in each segment's term index alone.

    Whoosh's `update_document` and `delete_by_term` open a searcher over every segment (readers,
    columns, and the query and searching modules imported): a third of a one-note update."""
    if not paths:
        return
    field = writer.schema["path"]
    keys = [field.to_bytes(path) for path in paths]
    for segment in writer.segments:
        storage = segment.open_compound_file(writer.storage) if segment.is_compound() else writer.storage
        terms = segment.codec().terms_reader(storage, segment)
        try:
            for key in keys:
                if ("path", key) in terms:
                    for docnum in terms.matcher("path", key, field.format).all_ids():
                        if not segment.is_deleted(docnum):
                            segment.delete_document(docnum)
        finally:
            terms.close()


def indexed_paths(folder: Path) -> set[str]:
    """Paths of every document in the index (to check it against the SQLite store)."""
    ix = open_index(folder)
    with ix.reader() as reader:
        return {fields["path"] for _, fields in reader.iter_docs()}


def fulltext_damage(folder: Path, expected_docs: int | None = None) -> str | None:
    """Read the table of contents and check that every segment's files exist (and, given
    `expected_docs`, that the index holds that many documents); None when it looks whole."""
    from whoosh.filedb.filestore import FileStorage  # noqa: PLC0415
    from whoosh.index import TOC  # noqa: PLC0415

    storage = FileStorage(str(folder))
    try:
        segments = TOC.read(storage, "MAIN", schema=schema()).segments
    except Exception as exc:  # noqa: BLE001 - a garbled file fails in whatever way unpickling does
        return f"the Whoosh table of contents cannot be read: {type(exc).__name__}"
    docs = 0
    for segment in segments:
        needed = (".seg",) if segment.is_compound() else (".trm", ".pst")
        missing = [ext for ext in needed if not storage.file_exists(segment.make_filename(ext))]
        if missing:
            return f"Whoosh segment {segment.segid} is missing its {', '.join(missing)} file"
        docs += segment.doc_count()
    if expected_docs is not None and docs != expected_docs:
        return f"the Whoosh index has {docs} notes where SQLite has {expected_docs}"
    return None
