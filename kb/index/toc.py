"""The table of contents: chapters in order (`_category_` position, then name), each with its
notes in order (`sidebar_position` or `[N]`, then path). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from kb.index.scan import Chapter
from kb.models import TocChapter


def reading_order(rows: Sequence[tuple], chapters: dict[str, Chapter]) -> list[TocChapter]:
    """Group (path, title, chapter, chapter label, order) rows into chapters in reading order."""
    grouped: dict[str | None, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[2], []).append(row)

    def chapter_key(folder: str | None) -> tuple:
        if folder is None:
            return (0, 0.0, "")
        pos = chapters[folder].position if folder in chapters else None
        return (1, pos if pos is not None else float("inf"), folder)

    out = []
    for folder in sorted(grouped, key=chapter_key):
        items = sorted(grouped[folder], key=lambda r: (r[4] is None, r[4] if r[4] is not None else 0, r[0]))
        if folder is None:
            label = "(top level)"
        else:
            label = chapters[folder].label if folder in chapters else grouped[folder][0][3] or folder
        out.append(TocChapter(folder, label, tuple((r[0], r[1]) for r in items)))
    return out
