"""`kb.models`: one module per concern, each loaded when one of its names is first asked for."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

import kb.models
from kb.models import _HOMES


def test_every_exported_name_resolves_to_a_frozen_dataclass_in_its_module() -> None:
    for name in kb.models.__all__:
        value = getattr(kb.models, name)
        if name == "STATUSES":
            continue
        assert dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen, name
        assert value.__module__ == f"kb.models.{_HOMES[name]}", name
        assert hasattr(value, "to_dict"), f"{name} has no JSON shape"
    assert sorted(set(kb.models.__all__) - {"STATUSES"}) == sorted(_HOMES)
    assert set(_HOMES) <= set(dir(kb.models))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        kb.models.NoSuchModel  # noqa: B018 - the lookup is the test
    with pytest.raises(ImportError):
        exec("from kb.models import NoSuchModel")  # noqa: S102


def test_a_search_loads_only_the_models_it_returns(kb_home) -> None:
    """A cold `kb search` creates the search models and `Problem` (synonym files), not the other
    sixteen: each frozen dataclass costs ~0.6 ms to create."""
    code = ("import sys, kb.cli\n"
            "try:\n"
            f"    kb.cli.cli(['--notes', {str(kb_home / 'notes')!r}, '--index', {str(kb_home / 'index')!r},"
            " 'search', 'resnet', '--json'], standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('kb.models')))\n")
    # The first run builds the index (and so loads the note models); the second is the cold search.
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert json.loads("\n".join(lines[:-1]))["hits"], "the search found nothing: the test searched for the wrong word"
    assert lines[-1] == "['kb.models', 'kb.models.problems', 'kb.models.search']"
