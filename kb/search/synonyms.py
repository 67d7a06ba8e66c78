"""Search synonyms: kb's shipped thesaurus merged with the notebook's own `synonyms.yml`.

The thesaurus (`kb/search/thesaurus.yml`, package data) holds reviewed groups of deep-learning terms
that mean the same thing (abbreviations, English ↔ Chinese, variant translations). A notebook's
`synonyms.yml` adds to it:

    - [BN, batch normalization, 批量归一化]   # a group; one that shares a term with a shipped
                                              # group extends that group
    - off: [SE, LR]                           # switch off the shipped groups holding these terms
    - off: thesaurus                          # switch off the whole shipped thesaurus

A query word found in a group is also searched as every other member, weighted below the literal
word so that exact matches rank first: members of the notebook's own groups weigh `NOTEBOOK_WEIGHT`
(the notebook's author chose them), the rest `THESAURUS_WEIGHT`. At index time everything is merged
and flattened into one line per term (term, tab, JSON [[other term, weight], …]), so `kb search` reads it without
importing YAML or parsing the whole thesaurus.
"""

from __future__ import annotations

import json
from pathlib import Path

from kb.models import Problem

THESAURUS = Path(__file__).with_name("thesaurus.yml")
# Written into the index's map: after changing one, bump FULLTEXT_FORMAT in kb.index.checks so that
# `kb index` rebuilds older indexes.
NOTEBOOK_WEIGHT = 0.8
THESAURUS_WEIGHT = 0.2
_ALL = ("thesaurus", "all", "*")

SynonymMap = dict[str, list[tuple[str, float]]]


def _read_yaml(path: Path) -> tuple[object, list[Problem]]:
    import yaml  # noqa: PLC0415

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path.name, 1, "unreadable", f"cannot read synonyms: {exc}", "error")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [Problem(path.name, line, "bad-yaml", f"invalid synonyms YAML: {getattr(exc, 'problem', exc)}",
                              "error")]


def _terms(values) -> list[str]:
    values = values if isinstance(values, list) else [values]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def load_synonym_file(path: Path) -> tuple[list[list[str]], list[str], list[Problem]]:
    """(groups, terms whose shipped groups are switched off, problems) from a synonyms YAML file.

    It is a list of groups (each a list of terms) and `off:` entries, or a mapping of term → list.
    """
    if not path.is_file():
        return [], [], []
    data, problems = _read_yaml(path)
    if data is None:
        return [], [], problems
    groups: list[list[str]] = []
    off: list[str] = []
    if isinstance(data, dict):
        items = [[key, *(value if isinstance(value, list) else [value])] for key, value in data.items()]
    elif isinstance(data, list):
        items = data
    else:
        return [], [], [Problem(path.name, 1, "bad-field", "synonyms must be a list of groups")]
    for number, item in enumerate(items, 1):
        # YAML 1.1 (PyYAML) reads an unquoted `off:` key as the boolean false.
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("off", False):
            off += _terms(next(iter(item.values())))
        elif isinstance(item, list):
            group = _terms(item)
            if len(group) > 1:
                groups.append(group)
        else:
            problems.append(Problem(path.name, 1, "bad-field",
                                    f"synonym entry {number} is neither a list of terms nor `off: [terms]`"))
    return groups, off, problems


def load_synonyms(path: Path) -> tuple[list[list[str]], list[Problem]]:
    """The groups of one synonyms file (its `off:` entries left out)."""
    groups, _, problems = load_synonym_file(path)
    return groups, problems


def merged_groups(shipped: list[list[str]], own: list[list[str]], off: list[str]) -> list[tuple[list[str], set[str]]]:
    """The groups searched: shipped ones not switched off, each extended by the notebook groups that
    share a term with it, then the notebook groups that share none. Each comes with the case-folded
    terms that the notebook itself grouped (weighted higher)."""
    if any(t.casefold() in _ALL for t in off):
        shipped = []
    switched = {t.casefold() for t in off}
    shipped = [g for g in shipped if not any(t.casefold() in switched for t in g)]
    # Union-find over groups: a notebook group joins every shipped group it shares a term with.
    parent = list(range(len(shipped) + len(own)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, group in enumerate(shipped):
        for term in group:
            owner.setdefault(term.casefold(), i)
    for j, group in enumerate(own, len(shipped)):
        for term in group:
            i = owner.get(term.casefold())
            if i is not None:
                parent[find(i)] = find(j)
    merged: dict[int, tuple[list[str], set[str]]] = {}
    for i, group in enumerate([*shipped, *own]):
        terms, mine = merged.setdefault(find(i), ([], set()))
        seen = {t.casefold() for t in terms}
        terms.extend(t for t in group if t.casefold() not in seen and not seen.add(t.casefold()))
        if i >= len(shipped):
            mine.update(t.casefold() for t in group)
    return list(merged.values())


def synonym_map(groups: list[list[str]] | list[tuple[list[str], set[str]]]) -> SynonymMap:
    """term (case-folded) → [(other term, weight)] over every group it belongs to (the highest
    weight when two groups pair the same terms). Plain lists are notebook groups."""
    out: dict[str, dict[str, tuple[str, float]]] = {}
    for entry in groups:
        terms, mine = entry if isinstance(entry, tuple) else (entry, {t.casefold() for t in entry})
        for term in terms:
            key = term.casefold()
            alts = out.setdefault(key, {})
            for other in terms:
                folded = other.casefold()
                if folded == key:
                    continue
                weight = NOTEBOOK_WEIGHT if key in mine and folded in mine else THESAURUS_WEIGHT
                if folded not in alts or alts[folded][1] < weight:
                    alts[folded] = (other, weight)
    return {key: list(alts.values()) for key, alts in out.items()}


def notebook_synonyms(synonyms_yml: Path, *, thesaurus: Path = THESAURUS) -> tuple[SynonymMap, list[Problem]]:
    """The flattened map for a notebook: the thesaurus merged with its `synonyms.yml`."""
    own, off, problems = load_synonym_file(synonyms_yml)
    shipped, _, shipped_problems = load_synonym_file(thesaurus)
    problems += [Problem(f"kb/search/{p.path}", p.line, p.kind, p.message, p.severity) for p in shipped_problems]
    return synonym_map(merged_groups(shipped, own, off)), problems


_HEADER = "kb-synonyms 2\n"


def save_synonym_map(mapping: SynonymMap | list[list[str]], path: Path) -> None:
    """Write the flattened map next to the index (groups are flattened first): one line per term,
    `term<TAB>[[other term, weight], …]`, so that a search reads only the lines of its words."""
    if isinstance(mapping, list):
        mapping = synonym_map(mapping)
    lines = [f"{key}\t{json.dumps(alts, ensure_ascii=False, separators=(',', ':'))}\n"
             for key, alts in mapping.items() if "\t" not in key and "\n" not in key]
    path.write_text(_HEADER + "".join(lines), encoding="utf-8")


class StoredSynonyms:
    """The map as written by `save_synonym_map`, read one term at a time: parsing all of it (~4,000
    terms with the thesaurus) cost a search more than its lookups."""

    def __init__(self, text: str):
        self._text = "\n" + text

    def get(self, key: str, default=None):
        """The stored expansions of a (case-folded) term, as JSON would give them."""
        at = self._text.find(f"\n{key}\t")
        if at < 0:
            return default
        start = at + len(key) + 2
        end = self._text.find("\n", start)
        try:
            return json.loads(self._text[start : end if end >= 0 else None])
        except ValueError:
            return default

    def __contains__(self, key: str) -> bool:
        return f"\n{key}\t" in self._text

    def __bool__(self) -> bool:
        return len(self._text) > len(_HEADER) + 1


def load_synonym_map(path: Path) -> StoredSynonyms | dict:
    """The flattened map written at index time ({} when there is none); read its entries with
    `expansions`. An index written by an older kb holds one JSON object, read whole."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if text.startswith(_HEADER):
        return StoredSynonyms(text[len(_HEADER):])
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def expansions(mapping: StoredSynonyms | dict, term: str) -> list[tuple[str, float]]:
    """The (other term, weight) pairs for `term` in a stored map; an index written before the weights
    existed (term → [other terms]) reads as notebook groups."""
    alts = mapping.get(term.casefold())
    if not isinstance(alts, list):
        return []
    return [(alt, NOTEBOOK_WEIGHT) if isinstance(alt, str) else (str(alt[0]), float(alt[1])) for alt in alts]
