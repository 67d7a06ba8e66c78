"""Shell completion: the values a shell offers for NOTE, tag, status and snippet arguments.

A shell asks on every Tab press, so this answers from the live index as it is, read-only, in a few
milliseconds: it never builds, checks or repairs the index (that could take seconds, or write), and an
index that is missing or unreadable gives no candidates rather than an error.
"""

from __future__ import annotations

import sqlite3
from pathlib import PurePosixPath

from kb.index import store
from kb.index.generations import current_generation
from kb.index.schema import connect_readonly
from kb.layout import STATUSES, slug_of
from kb.notebook.base import NotebookBase

COMPLETION_KINDS = ("note", "paper", "tag", "status", "snippet")


class CompletionUseCases(NotebookBase):
    """Candidates for a shell to complete, straight from the index."""

    def completions(self, kind: str, prefix: str = "", *, limit: int = 200) -> list[tuple[str, str]]:
        """(value, description) pairs whose value starts with `prefix` (case-insensitively), sorted.

        `kind` is `note` (paths, file-name slugs, and titles and aliases that are one word, each as
        `kb show` accepts it, described by the note's title), `paper` (the same, paper notes only),
        `tag`, `status` or `snippet` (snippet ids `path#N` and attached file names).
        Values with spaces are left out: a shell would split them into several arguments.
        """
        if kind == "status":
            return _matching(((s, "reading status") for s in STATUSES), prefix, limit)
        gen = current_generation(self.paths.index)
        if gen is None or kind not in COMPLETION_KINDS:
            return []
        try:
            conn = connect_readonly(gen.db_path)
        except (sqlite3.Error, OSError):
            return []
        try:
            if kind == "tag":
                return _matching(((c.tag, f"{c.count} notes") for c in store.tag_counts(conn)), prefix, limit)
            if kind == "snippet":
                return _matching(_snippet_candidates(conn), prefix, limit)
            return _matching(_note_candidates(conn, "paper" if kind == "paper" else None), prefix, limit)
        except (sqlite3.Error, ValueError):  # a damaged or older index: no candidates, no error
            return []
        finally:
            conn.close()


def _note_candidates(conn: sqlite3.Connection, kind: str | None):
    for path, title, aliases in store.note_keys(conn, kind):
        yield path, title
        yield slug_of(path), title
        for name in [title, *aliases]:
            yield name, title


def _snippet_candidates(conn: sqlite3.Connection):
    rows = store.snippet_names(conn)
    names = [PurePosixPath(source).name for _, _, source, _ in rows if source]
    for path, idx, source, title in rows:
        yield f"{path}#{idx}", title
        if source:  # its file name where that names one snippet (as `kb snippets run resnet18.py`), else its path
            name = PurePosixPath(source).name
            yield (name if names.count(name) == 1 else source), title


def _matching(candidates, prefix: str, limit: int) -> list[tuple[str, str]]:
    """The candidates starting with `prefix`, one per value, sorted, without values holding spaces."""
    folded = prefix.casefold()
    found: dict[str, str] = {}
    for value, description in candidates:
        if value and not any(c.isspace() for c in value) and value.casefold().startswith(folded):
            found.setdefault(value, description)
    return sorted(found.items(), key=lambda item: (item[0].casefold(), item[0]))[:limit]
