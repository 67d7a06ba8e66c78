"""Excerpts and highlights: where a hit's text matches the analysed query (pure text work).

Takes the text of a hit's fields, as the store holds it, and the `AnalysedQuery`; returns which
fields matched and excerpts with the character offsets of every match in them.
"""

from __future__ import annotations

from kb.models import Highlight
from kb.search.analyse import AnalysedQuery
from kb.search.analysis import match_spans

EXCERPT_SCAN_CHARS = 200_000  # excerpts come from the start of a very long note, not all of it


def excerpt_of(text: str, spans: list[tuple[int, int]], width: int = 160) -> tuple[str, tuple[tuple[int, int], ...]]:
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


def highlights_for(fields: dict[str, str], query: AnalysedQuery) -> tuple[tuple[str, ...], tuple[Highlight, ...]]:
    """Which fields matched, and excerpts of title/body/code with match offsets."""
    wanted, cjk = query.match_terms()
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
            excerpt, offsets = excerpt_of(value, spans)
            out.append(Highlight(name, excerpt, offsets))
    return tuple(matched), tuple(out)
