"""kb: a deep-learning notebook as a searchable, linked, runnable knowledge base.

The public API, one function per pipeline stage; the CLI in `kb.cli` is a thin layer over it.
"""

from kb.config import Paths, resolve_paths
from kb.errors import KbError
from kb.models import IndexStats, Link, Note, PaperMeta, Problem, SearchHit, SearchResult, Snippet

__all__ = [
    "IndexStats", "KbError", "Link", "Note", "PaperMeta", "Paths", "Problem", "SearchHit", "SearchResult",
    "Snippet", "resolve_paths",
]
