"""Personal names in BibTeX's four parts (first, von, last, jr), and organisations (pure).

Notes keep an author as it is read aloud (`Laurens van der Maaten`, `Martin Luther King Jr.`) or
in the `Last, First` form (`García Márquez, Gabriel`) when the family name has several words.
`split_name` finds the parts the way BibTeX does, so that `bibtex_name` can write the only form
that BibTeX, biber and Zotero all split correctly: `von Last, Jr., First`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end a name without being part of the family name.
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

# A name with one of these words names a group, not a person: BibTeX must see it as one word.
_ORGANISATION = re.compile(
    r"(?i)\b(team|consortium|collaboration|group|inc\.?|ltd\.?|llc|corp\.?|corporation|company|"
    r"lab|labs|laboratory|laboratories|institute|university|universit[äé]t?|project|committee|association|"
    r"foundation|society|council|organi[sz]ation|agency|authors|contributors|initiative|research|"
    r"openai|deepmind|google|microsoft|meta|facebook|nvidia|anthropic)\b|&|\d"
)


@dataclass(frozen=True, slots=True)
class NameParts:
    """A personal name split as BibTeX splits it; `organisation` names a group (all in `last`)."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""
    organisation: bool = False

    @property
    def family(self) -> str:
        """The family name with its particles (`van der Maaten`), without a suffix."""
        return " ".join(p for p in (self.von, self.last) if p)


def is_organisation(name: str) -> bool:
    """Whether a name is a group's (`Google Brain Team`, `{The Pile Authors}`): braced whole, or
    holding a word such as Team, Consortium, Institute, University, Inc., or a digit or `&`."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}") and balanced_braces(name[1:-1]):
        return True
    return " " in name and bool(_ORGANISATION.search(name))


def balanced_braces(text: str) -> bool:
    """Whether every `}` in `text` closes an earlier `{` and every `{` is closed."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _lower_word(word: str) -> bool:
    """BibTeX's test for a von word: its first letter (outside braces) is lower case."""
    depth = 0
    for ch in word:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch.isalpha():
            return depth == 0 and ch.islower()
    return False


def _von_last(words: list[str]) -> tuple[str, str]:
    """von and Last from the words before the comma of a `von Last, First` name."""
    i = 0
    while i < len(words) - 1 and _lower_word(words[i]):
        i += 1
    # The von part runs to its last lower-case word that leaves a Last behind.
    end = i
    for j in range(i, len(words) - 1):
        if _lower_word(words[j]):
            end = j + 1
    return " ".join(words[:end]), " ".join(words[end:])


def split_name(name: str) -> NameParts:
    """The parts of a name written `First von Last Jr.`, `von Last, First` or `von Last, Jr., First`.

    Particles are the lower-case words before the family name (`van der`, `de la`); a trailing
    `Jr.`, `Sr.`, `II`, `III` or `IV` is the suffix. An organisation keeps its whole name as `last`.
    """
    name = " ".join(name.split()).strip(" ,")
    if is_organisation(name):
        inner = name[1:-1] if name.startswith("{") and name.endswith("}") else name
        return NameParts(last=inner, organisation=True)
    parts = [p.strip() for p in name.split(",")]
    if len(parts) >= 2:
        if len(parts) == 2 and parts[1].lower() in SUFFIXES:  # `Martin Luther King, Jr.`
            inner = split_name(parts[0])
            return NameParts(inner.first, inner.von, inner.last, parts[1])
        von, last = _von_last(parts[0].split())
        jr = parts[1] if len(parts) >= 3 else ""
        first = ", ".join(parts[2:]) if len(parts) >= 3 else parts[1]
        return NameParts(first, von, last, jr)
    words = name.split()
    jr = ""
    if len(words) > 1 and words[-1].lower() in SUFFIXES:
        jr = words.pop()
    if len(words) <= 1:
        return NameParts(last=words[0] if words else "", jr=jr)
    # First: the words up to the first lower-case one (but never the last word); von: through the
    # last lower-case word before the last word; Last: the rest.
    start = next((i for i, w in enumerate(words[:-1]) if _lower_word(w)), None)
    if start is None:
        return NameParts(" ".join(words[:-1]), "", words[-1], jr)
    end = max(i for i, w in enumerate(words[:-1]) if _lower_word(w)) + 1
    return NameParts(" ".join(words[:start]), " ".join(words[start:end]), " ".join(words[end:]), jr)


def display_name(first: str, von: str, last: str, jr: str) -> str:
    """A name as notes keep it: `Laurens van der Maaten`, `Martin Luther King Jr.`.

    A family name of several capitalised words (`García Márquez`) could not be split back from
    `First Last` order, so such names keep the `Last, First` form.
    """
    if not first and not von and not jr and " " in last and not is_organisation(last):
        return "{" + last + "}"  # a braced group (`{Some Vision Lab}`) kb would not recognise itself
    if first and not von and " " in last:  # `{van der Maaten}, Laurens`, as Better BibTeX braces it
        von, last = _von_last(last.split())
    if first and " " in last and not von:
        return f"{last}, {jr}, {first}" if jr else f"{last}, {first}"
    return " ".join(p for p in (first, von, last, jr) if p)


def bibtex_name(name: str, escape) -> str:
    """One name for a BibTeX `author` field: `von Last, Jr., First`, or `{Organisation}`.

    `escape` turns a piece of text into a BibTeX value (LaTeX specials escaped).
    """
    parts = split_name(name)
    if parts.organisation:
        return "{" + escape(parts.last) + "}"
    if not parts.first and not parts.jr and not parts.von:
        return _protect(escape(parts.last))
    family = " ".join(p for p in (_protect(escape(parts.von)), _protect(escape(parts.last))) if p)
    pieces = [family, _protect(escape(parts.jr))] if parts.jr else [family]
    pieces.append(_protect(escape(parts.first)) if parts.first else "")
    return ", ".join(pieces).rstrip(", ")


def _protect(text: str) -> str:
    # A word "and" would split the name list, a comma the name: braces keep the part one unit.
    return "{" + text + "}" if "," in text or re.search(r"(?i)(^|\s)and(\s|$)", text) else text
