"""Citation keys: the one place a paper note's key comes from (pure).

A note's key is its `citekey:` front-matter value when it has one (pinned: kept as written).
Otherwise it is derived, Better BibTeX style, as `authorYEARword`: the first author's family name
lower-cased and folded to ASCII, the year, and the first title word that is not a stop word
(`he2016deep`). Derived keys are made unique over the *whole* notebook, never over one export:
pinned keys are taken first, then notes take their derived key in file-name number order (then
path), a later note with the same key getting `a`, `b`, … So a key never depends on which notes an
export selects. `kb add-note` and `kb import bibtex` pin the key of every note they create.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence

from kb.models import Note, PaperMeta
from kb.papers.names import split_name
from kb.papers.text import ascii_fold

STOP_WORDS = frozenset(
    # kb's first exports used this list; changing it would change every derived key.
    "a an the on of for in to and with from by via is are as at towards toward using".split()
)

# What a key may hold: BibTeX stops a key at whitespace, a comma or a brace, and `#%"'()=~\` break
# it in BibTeX, biber or LaTeX's \cite.
_KEY = re.compile(r"[^\s,{}()\"'#%=~\\]+")


def valid_citekey(key: object) -> bool:
    """Whether `key` can be a BibTeX citation key (no spaces, commas, braces, quotes, `#%=~\\`)."""
    return isinstance(key, str) and bool(_KEY.fullmatch(key))


def citekey_problem(value: object) -> str | None:
    """Why a `citekey:` front-matter value cannot be used, or None when it can."""
    if value is None or valid_citekey(value):
        return None
    return f"citekey: {value!r} is not a citation key (letters, digits and -_:./ only, no spaces or commas)"


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(unicodedata.normalize("NFKC", text)).lower())


def base_citekey(title: str | None, authors: Sequence[str], year: int | None, number: int | None = None) -> str:
    """`authorYEARword` for a paper, before it is made unique (`he2016deep`).

    ASCII only (`Müller` → `muller`, `van der Maaten` → `vandermaaten`); authors or words without
    Latin letters are skipped. A paper with neither is `paper<number><year>`.
    """
    name = next((p for p in (_key_part(split_name(a).family) for a in authors) if p), "")
    words = [w for w in (_key_part(w) for w in re.split(r"[\W_]+", title or "")) if w]
    word = next((w for w in words if w not in STOP_WORDS), words[0] if words else "")
    year_text = str(year) if year else ""
    if not name and not word:
        return f"paper{number or ''}{year_text}"
    return f"{name}{year_text}{word}"


def note_base_citekey(note: Note) -> str:
    """The derived key of a paper note before it is made unique."""
    paper = note.paper
    title = (paper.title if paper and paper.title else None) or note.title
    return base_citekey(title, paper.authors if paper else (), paper.year if paper else None, note.number)


def pinned_citekey(note: Note) -> str | None:
    """The note's own `citekey:` value, when it is a usable key."""
    value = note.meta.get("citekey")
    return value if valid_citekey(value) else None


def _suffix(i: int) -> str:
    """a, b, …, z, aa, ab, …: the `i`-th (0-based) disambiguating suffix."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def unique_citekey(base: str, taken: Container[str]) -> str:
    """`base`, else `base` + a, b, … : the first whose case-folded form is not in `taken`, the keys in
    use, case-folded (as BibTeX compares them). A set or dict the caller keeps: folding every key
    again on each call made assigning the keys of a notebook quadratic (1.6 s at 10k notes)."""
    key = base
    i = 0
    while key.casefold() in taken:
        key = base + _suffix(i)
        i += 1
    return key


def assign_citekeys(notes: Iterable[Note]) -> dict[str, str]:
    """The key of every paper note among `notes`, by path (see the module's docstring for the rule).

    Give it the whole notebook: a key is unique among the notes it is given. Two notes pinning the
    same key both keep it (`kb check` reports them as `duplicate-citekey`).
    """
    papers = sorted((n for n in notes if n.kind == "paper"),
                    key=lambda n: (n.number is None, n.number or 0, str(n.path)))
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for note in papers:
        pinned = pinned_citekey(note)
        if pinned:
            keys[str(note.path)] = pinned
            taken.add(pinned.casefold())
    for note in papers:
        if str(note.path) in keys:
            continue
        key = unique_citekey(note_base_citekey(note), taken)
        keys[str(note.path)] = key
        taken.add(key.casefold())
    return keys


def new_citekey(paper: PaperMeta, taken: Container[str], number: int | None = None) -> str:
    """The key to pin in a new note: the key its source gave (`paper.citekey`, when usable) or the
    derived one, made unique against the notebook's keys (`taken`, case-folded)."""
    base = paper.citekey if valid_citekey(paper.citekey) else None
    return unique_citekey(base or base_citekey(paper.title, paper.authors, paper.year, number), taken)
