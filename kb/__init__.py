"""kb: a deep-learning notebook as a searchable, linked, runnable knowledge base.

`Notebook` is the application core: every use case, for the CLI (`kb.cli`) and any other front end.
"""

from kb.config import Paths, resolve_paths
from kb.errors import KbError
from kb.models import (
    AddedNote,
    Backlink,
    Highlight,
    IndexStats,
    Link,
    Note,
    NoteView,
    PaperMeta,
    Problem,
    SearchHit,
    SearchResult,
    Snippet,
    SnippetCheck,
    SnippetInfo,
    SnippetRun,
    TagCount,
    TocChapter,
)
from kb.notebook import Notebook
from kb.search.query import Filters

__all__ = [
    "AddedNote", "Backlink", "Filters", "Highlight", "IndexStats", "KbError", "Link", "Note", "NoteView", "Notebook", "PaperMeta",
    "Paths", "Problem", "SearchHit", "SearchResult", "Snippet", "SnippetCheck", "SnippetInfo", "SnippetRun",
    "TagCount", "TocChapter", "resolve_paths",
]
