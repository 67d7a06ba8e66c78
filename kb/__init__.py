"""kb: a deep-learning notebook as a searchable, linked, runnable knowledge base.

`Notebook` is the application core: every use case, for the CLI (`kb.cli`) and any other front end.
The names below are imported on first use (PEP 562), so `import kb` and `kb --help` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "Notebook": "kb.notebook", "Filters": "kb.search.query", "KbError": "kb.errors",
    "Paths": "kb.config", "resolve_paths": "kb.config",
    **{name: "kb.models" for name in (
        "AddedNote", "Backlink", "Highlight", "IndexStats", "Link", "Note", "NoteView", "PaperMeta", "Problem",
        "SearchHit", "SearchResult", "Snippet", "SnippetCheck", "SnippetInfo", "SnippetRun", "TagCount",
        "TocChapter")},
}
__all__ = [
    "AddedNote", "Backlink", "Filters", "Highlight", "IndexStats", "KbError", "Link", "Note", "NoteView", "Notebook",
    "PaperMeta", "Paths", "Problem", "SearchHit", "SearchResult", "Snippet", "SnippetCheck", "SnippetInfo",
    "SnippetRun", "TagCount", "TocChapter", "resolve_paths",
]

if TYPE_CHECKING:
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


def __getattr__(name: str):
    """Import an exported name from its module the first time it is asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kb' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
