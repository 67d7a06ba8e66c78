"""The SQLite file as Datasette shows it: tag descriptions in the store, and Datasette's metadata.

The metadata (`datasette_metadata`) is a plain dict for Datasette's `-m` option: titles and column
descriptions, internal tables hidden, facets on kind, status, year, chapter and tags, and the
`notes` table's search box wired to `notes_search` (`kb.index.sqlfts`), which finds Chinese.
"""

from __future__ import annotations

from typing import Any

from kb.index import sqlfts
from kb.index.schema import Store

# Tables kb uses for its own bookkeeping: of no interest to a reader.
INTERNAL_TABLES = ("_kb_migrations", "fulltext_pending", "kb_meta", sqlfts.TABLE, *sqlfts.SHADOW_TABLES)


def describe_tags(db: Store, vocabulary: dict[str, str] | None) -> None:
    """Store each tag's description from `tags.yml` (adding the tags no note uses yet)."""
    if vocabulary:
        db.conn.executemany(
            "INSERT INTO tags(tag, name, description) VALUES (?, ?, ?) "
            "ON CONFLICT(tag) DO UPDATE SET description = excluded.description",
            [(tag, tag, description) for tag, description in vocabulary.items()])


_NOTES_COLUMNS = {
    "path": "the note's file, relative to the notes folder",
    "title": "front matter `title`, else the first heading, else the file name",
    "kind": "paper, chapter or page",
    "chapter": "the note's top-level folder",
    "chapter_label": "the chapter's label from its _category_.yml",
    "ord": "order inside the chapter",
    "status": "reading status of a paper: to-read, reading or read",
    "tldr": "a one-line summary",
    "tags": "JSON list of tags (facet: tags)",
    "authors": "JSON list of the note's authors",
    "aliases": "JSON list of other names",
    "headings": "JSON list of the note's headings",
    "paper_title": "the paper's title",
    "paper_authors": "JSON list of the paper's authors",
    "year": "the paper's year",
    "body": "the Markdown after the front matter",
    "text": "plain text of the body, code left out",
    "code": "the code blocks",
    "meta": "the whole front matter as JSON",
    "field_lines": "JSON object: the file line of each front-matter key",
}


def datasette_metadata(database: str = "kb", title: str = "kb notebook") -> dict[str, Any]:
    """Datasette metadata for the index opened as `database` (the file's stem: `kb` for kb.sqlite)."""
    hidden = {name: {"hidden": True} for name in INTERNAL_TABLES}
    tables: dict[str, Any] = {
        **hidden,
        "notes": {
            "title": "Notes",
            "description": "One row per note. The search box finds Chinese and English words "
                           "(notes_search: Chinese split into two-character terms).",
            "label_column": "title",
            "sort": "path",
            "facets": ["kind", "status", "year", "chapter_label", {"array": "tags"}],
            "fts_table": sqlfts.TABLE,
            "fts_pk": "rowid",
            "searchmode": "escaped",
            "columns": _NOTES_COLUMNS,
        },
        "tags": {"title": "Tags", "label_column": "name",
                 "description": "The notebook's tags, with their descriptions from tags.yml",
                 "columns": {"tag": "lower-cased tag", "name": "the tag as first written",
                             "description": "from tags.yml (empty: not in the vocabulary)"}},
        "note_tags": {"title": "Tags of each note", "facets": ["tag"]},
        "links": {"title": "Links between notes", "facets": ["style", "external"],
                  "columns": {"source": "the note the link is in", "resolved": "the note it leads to (empty: broken)",
                              "asset": "the image or file it leads to, when it exists",
                              "arxiv_id": "the arXiv id of an arXiv link"}},
        "snippets": {"title": "Code snippets", "facets": ["language"],
                     "columns": {"id": "path#N: the Nth code block of the note", "source": "attached file, if any"}},
        "snippet_runs": {"title": "Last `kb snippets check` result of each snippet", "facets": ["status"]},
        "problems": {"title": "Problems (`kb check`)", "facets": ["kind", "severity"],
                     "columns": {"path": "the file", "note": "the same path when the file is a note"}},
    }
    return {
        "title": title,
        "description": "A deep-learning notebook indexed by kb. Regenerate with `kb datasette-metadata`.",
        "databases": {database: {"title": title, "tables": tables}},
    }
