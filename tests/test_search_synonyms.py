"""kb.search.synonyms: reading synonyms.yml (both shapes, bad input as problems) and the flat map."""

from __future__ import annotations

from pathlib import Path

from kb.search.analysis import iter_terms, query_words
from kb.search.synonyms import (
    NOTEBOOK_WEIGHT,
    THESAURUS,
    THESAURUS_WEIGHT,
    expansions,
    load_synonym_file,
    load_synonym_map,
    load_synonyms,
    merged_groups,
    notebook_synonyms,
    save_synonym_map,
    synonym_map,
)


def test_list_and_mapping_shapes(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yml"
    path.write_text("- [BN, batch normalization, 批量归一化]\n- [solo]\n- [FPN, '', 特征金字塔]\n", encoding="utf-8")
    assert load_synonyms(path) == ([["BN", "batch normalization", "批量归一化"], ["FPN", "特征金字塔"]], [])
    path.write_text("BN: [batch normalization]\nIoU: 交并比\n", encoding="utf-8")
    assert load_synonyms(path) == ([["BN", "batch normalization"], ["IoU", "交并比"]], [])


def test_bad_input_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    assert load_synonyms(tmp_path / "missing.yml") == ([], [])
    path = tmp_path / "synonyms.yml"
    path.write_text("- [BN, batch norm\n- [x, y]\n", encoding="utf-8")
    groups, problems = load_synonyms(path)
    assert groups == [] and [(p.path, p.kind, p.severity) for p in problems] == [("synonyms.yml", "bad-yaml", "error")]
    path.write_text("- [a, b]\n- just a string\n", encoding="utf-8")
    groups, problems = load_synonyms(path)
    assert groups == [["a", "b"]] and [p.kind for p in problems] == ["bad-field"]


def test_map_is_case_folded_weighted_and_round_trips_through_json(tmp_path: Path) -> None:
    mapping = synonym_map([["BN", "batch norm"], ["bn", "BatchNorm2d"]])
    w = NOTEBOOK_WEIGHT
    assert mapping == {"bn": [("batch norm", w), ("BatchNorm2d", w)], "batch norm": [("BN", w)], "batchnorm2d": [("bn", w)]}
    save_synonym_map([["BN", "batch norm"]], tmp_path / "s.json")
    stored = load_synonym_map(tmp_path / "s.json")
    assert expansions(stored, "Bn") == [("batch norm", w)] and expansions(stored, "nothing") == []
    assert load_synonym_map(tmp_path / "absent.json") == {}
    assert "bn" in stored and "b" not in stored and "batch" not in stored and stored
    assert not load_synonym_map(tmp_path / "s.json").__class__(""), "an empty map is falsy"
    # An index written before the weights existed keeps working: its terms weigh as notebook groups.
    (tmp_path / "old.json").write_text('{"bn": ["batch norm"]}', encoding="utf-8")
    assert expansions(load_synonym_map(tmp_path / "old.json"), "BN") == [("batch norm", w)]


SHIPPED = [["BN", "batch normalization", "批量归一化"], ["SE", "squeeze-and-excitation"], ["IoU", "交并比"]]


def test_notebook_groups_extend_shipped_ones_and_weigh_more() -> None:
    groups = merged_groups(SHIPPED, [["bn", "批归一化"], ["残差", "residual"]], [])
    assert [sorted(t.casefold() for t in g) for g, _ in groups] == [
        sorted(["bn", "batch normalization", "批量归一化", "批归一化"]), ["se", "squeeze-and-excitation"],
        ["iou", "交并比"], ["residual", "残差"]]
    mapping = synonym_map(groups)
    assert dict(mapping["bn"]) == {"batch normalization": THESAURUS_WEIGHT, "批量归一化": THESAURUS_WEIGHT,
                                   "批归一化": NOTEBOOK_WEIGHT}
    assert dict(mapping["批归一化"])["batch normalization"] == THESAURUS_WEIGHT
    assert THESAURUS_WEIGHT < NOTEBOOK_WEIGHT < 1.0


def test_off_switches_shipped_groups_off(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yml"
    path.write_text("- off: [se]\n- off: IoU\n- [SE, speech enhancement]\n", encoding="utf-8")
    own, off, problems = load_synonym_file(path)
    assert (own, off, problems) == ([["SE", "speech enhancement"]], ["se", "IoU"], [])
    mapping = synonym_map(merged_groups(SHIPPED, own, off))
    assert mapping["se"] == [("speech enhancement", NOTEBOOK_WEIGHT)] and "iou" not in mapping and "bn" in mapping
    assert synonym_map(merged_groups(SHIPPED, own, ["thesaurus"])) == synonym_map([["SE", "speech enhancement"]])
    path.write_text("- off: [se]\n- {of: x}\n", encoding="utf-8")
    assert [p.kind for p in load_synonym_file(path)[2]] == ["bad-field"]


def test_notebook_synonyms_use_the_shipped_thesaurus(tmp_path: Path) -> None:
    mapping, problems = notebook_synonyms(tmp_path / "synonyms.yml")  # a notebook without its own file
    assert problems == [] and len(mapping) > 1000
    assert "批量归一化" in dict(mapping["bn"])


def test_every_thesaurus_term_is_searchable() -> None:
    """A term is useful only when a note holding it is found by it: it must give query words, and each
    of their terms must be among the terms the indexer writes for that same text."""
    groups, _, problems = load_synonym_file(THESAURUS)
    assert problems == [] and len(groups) >= 300
    seen: dict[str, int] = {}
    for number, group in enumerate(groups):
        for term in group:
            words = query_words(term)
            indexed = {t for t, *_ in iter_terms(term)}
            assert words, f"{term!r} gives no query word"
            assert {t for w in words for t in w.terms} <= indexed, f"{term!r} would not find itself"
            assert len(term) >= 2, f"{term!r} is too short to expand safely"
            assert seen.setdefault(term.casefold(), number) == number, f"{term!r} is in two groups"
