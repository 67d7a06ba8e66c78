"""Problems that need the whole notebook (duplicate titles, broken links, unknown tags), and the
fingerprint of the files that change how every note reads (labels, authors, tags, synonyms)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from kb.index import store_checks
from kb.layout import FRONT_MATTER_LINE, PAPERS_DIRS
from kb.models import Problem


def notebook_problems(conn: sqlite3.Connection, vocabulary: dict[str, str] | None,
                      only: Sequence[str] | None = None, *, titles: bool = True) -> list[Problem]:
    """Duplicate titles and citation keys, broken links, missing images and files, and unknown tags.

    With `only` (no title or path changed), these are checked for those notes alone; the other
    notes' results still stand. Citation keys are checked over the whole notebook, whenever an
    edit can have changed them. `titles=False` leaves out duplicate titles (a
    caller that knows no title changed keeps the ones it had: finding them reads every note's row).
    """
    problems: list[Problem] = []
    duplicates: dict[str, list[str]] = {}
    for path, title in store_checks.duplicate_titles(conn, only) if titles else ():
        if path not in duplicates.setdefault(title.casefold(), []):
            duplicates[title.casefold()].append(path)
    for paths in duplicates.values():
        if len(paths) < 2:
            continue
        for path in paths:
            if only is None or path in only:
                others = ", ".join(p for p in paths if p != path)
                problems.append(Problem(path, 1, "duplicate-title", f"title is also used by {others}"))
    for source, target, line in store_checks.broken_links(conn, only):
        problems.append(Problem(source, line, "broken-link", f"link to {target!r} matches no note"))
    for source, target, line, style in store_checks.missing_assets(conn, only):
        what = "image" if style == "image" else "file"
        problems.append(Problem(source, line, "missing-asset", f"{what} {target!r} does not exist in the notebook"))
    # The whole notebook's keys (~40 ms at 10k notes), but only when they can have changed: a note in
    # `only` pins a key now, or a duplicate is on record (the edit or removal may have resolved it,
    # or left two of three notes still sharing it).
    if only is None or store_checks.any_pins_citekey(conn, only) or store_checks.has_problem_kind(conn, "duplicate-citekey"):
        problems += duplicate_citekeys(conn)
    if vocabulary is not None:
        for path, name, line in store_checks.note_tag_names(conn, only):
            if name.casefold() not in vocabulary:
                problems.append(Problem(path, line or FRONT_MATTER_LINE, "unknown-tag", f"tag {name!r} is not in tags.yml"))
    return problems


# Bumped when the Whoosh schema, the tokenizer or the text a note is indexed by changes, so that
# `kb index` rebuilds an older index (3: text from markdown-it-py, maths and table cells kept).
FULLTEXT_FORMAT = 3
_THESAURUS = Path(__file__).parent.parent / "search" / "thesaurus.yml"


def duplicate_citekeys(conn: sqlite3.Connection) -> list[Problem]:
    """`duplicate-citekey` for each paper note whose `citekey:` another note also pins (compared
    case-insensitively, as BibTeX does); derived keys are unique by construction."""
    rows = store_checks.pinned_citekeys(conn)
    by_key: dict[str, list[tuple[str, str, int | None]]] = {}
    for path, key, line in rows:
        by_key.setdefault(key.casefold(), []).append((path, key, line))
    problems = []
    for users in by_key.values():
        for path, key, line in users if len(users) > 1 else ():
            others = ", ".join(p for p, _, _ in users if p != path)
            problems.append(Problem(path, line or FRONT_MATTER_LINE, "duplicate-citekey", f"citekey {key!r} is also used by {others}"))
    return problems


def problems_of_kind(conn: sqlite3.Connection, paths: Sequence[str], kind: str) -> list[Problem]:
    """The recorded problems of one kind of the given notes."""
    return [Problem(*r) for path in paths for r in conn.execute(
        "SELECT path, line, kind, message, severity FROM problems WHERE path = ? AND kind = ? ORDER BY line, id",
        (path, kind))]


def notebook_config_fingerprint(root: Path) -> str:
    """Sizes and mtimes of the files that change how every note is read (labels, authors, tags, synonyms)."""
    parts = []
    candidates = [root / "synonyms.yml", root / "tags.yml", root / "authors.yml",
                  *(root / d / "authors.yml" for d in PAPERS_DIRS)]
    try:
        folders = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
    except OSError:
        folders = []
    for folder in folders:
        candidates += [Path(folder) / n for n in ("_category_.yml", "_category_.yaml", "_category_.json")]
    for path in sorted(candidates):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    # kb's own search data: a new thesaurus or index format (a kb upgrade) rebuilds the index too.
    try:
        shipped = _THESAURUS.stat().st_size
    except OSError:
        shipped = 0
    parts.append(f"kb-fulltext:{FULLTEXT_FORMAT}:thesaurus:{shipped}")
    return "|".join(parts)
