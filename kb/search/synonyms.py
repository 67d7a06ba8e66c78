"""The notebook's `synonyms.yml`: groups of search terms that mean the same thing.

    - [BN, batch normalization, batch norm, 批量归一化]
    - [ViT, vision transformer, 视觉 Transformer]

A query word found in a group is also searched as every other member of that group. At index time
the groups are flattened into a JSON map, so `kb search` reads them without importing YAML.
"""

from __future__ import annotations

import json
from pathlib import Path

from kb.models import Problem


def load_synonyms(path: Path) -> tuple[list[list[str]], list[Problem]]:
    """Read synonym groups from YAML (a list of lists, or a mapping of term → list)."""
    import yaml  # noqa: PLC0415

    if not path.is_file():
        return [], []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(path.name, 1, "unreadable", f"cannot read synonyms: {exc}", "error")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return [], [Problem(path.name, line, "bad-yaml", f"invalid synonyms YAML: {getattr(exc, 'problem', exc)}", "error")]
    groups: list[list[str]] = []
    problems: list[Problem] = []
    items = data.items() if isinstance(data, dict) else enumerate(data or [])
    for key, value in items:
        if isinstance(data, dict):
            members = [str(key), *(value if isinstance(value, list) else [value])]
        elif isinstance(value, list):
            members = value
        else:
            problems.append(Problem(path.name, 1, "bad-field", f"synonym group {key + 1} is not a list"))
            continue
        group = [str(m).strip() for m in members if m is not None and str(m).strip()]
        if len(group) > 1:
            groups.append(group)
    return groups, problems


def synonym_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """term (case-folded) → the other terms of every group it belongs to."""
    out: dict[str, list[str]] = {}
    for group in groups:
        for term in group:
            alts = out.setdefault(term.casefold(), [])
            for other in group:
                if other.casefold() != term.casefold() and other not in alts:
                    alts.append(other)
    return out


def save_synonym_map(groups: list[list[str]], path: Path) -> None:
    """Write the flattened map as JSON next to the index."""
    path.write_text(json.dumps(synonym_map(groups), ensure_ascii=False), encoding="utf-8")


def load_synonym_map(path: Path) -> dict[str, list[str]]:
    """The flattened map written at index time ({} when there is none)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
