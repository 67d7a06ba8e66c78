"""The frozen dataclasses that travel between the stages and up to the front ends.

No I/O and nothing of the pipeline here. Each model a front end shows has one JSON shape, its
`to_dict()`: the CLI's `--json` and the web API print the same dicts.

The models live in one module per concern (`notes`, `search`, `listings`, `changes`, `snippets`,
`problems`, `library`) and are imported from here by name. A module loads when one of its names is first asked
for (PEP 562): each frozen dataclass costs ~0.6 ms to create, and a cold `kb search` needs four of the
twenty.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kb.layout import STATUSES

_HOMES = {
    "Problem": "problems",
    "Link": "notes", "Snippet": "notes", "PaperMeta": "notes", "Note": "notes", "Backlink": "notes",
    "NoteView": "notes",
    "TagCount": "listings", "TocChapter": "listings",
    "Highlight": "search", "SearchHit": "search", "SearchResult": "search",
    "IndexStats": "changes", "AddedNote": "changes",
    "SnippetInfo": "snippets", "SnippetCheck": "snippets", "SnippetRun": "snippets",
    "Opening": "notes", "ImportedEntry": "library", "ImportReport": "library",
}

__all__ = [
    "STATUSES", "AddedNote", "Backlink", "Highlight", "ImportReport", "ImportedEntry", "IndexStats", "Link", "Note",
    "NoteView", "Opening", "PaperMeta", "Problem", "SearchHit", "SearchResult", "Snippet", "SnippetCheck",
    "SnippetInfo", "SnippetRun", "TagCount", "TocChapter",
]

if TYPE_CHECKING:
    from kb.models.changes import AddedNote, IndexStats
    from kb.models.library import ImportedEntry, ImportReport
    from kb.models.listings import TagCount, TocChapter
    from kb.models.notes import Backlink, Link, Note, NoteView, Opening, PaperMeta, Snippet
    from kb.models.problems import Problem
    from kb.models.search import Highlight, SearchHit, SearchResult
    from kb.models.snippets import SnippetCheck, SnippetInfo, SnippetRun


def __getattr__(name: str):
    """Load a model's module the first time one of its names is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kb.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kb.models.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
