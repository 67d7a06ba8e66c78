"""kb.search.synonyms: reading synonyms.yml (both shapes, bad input as problems) and the flat map."""

from __future__ import annotations

from pathlib import Path

from kb.search.synonyms import load_synonym_map, load_synonyms, save_synonym_map, synonym_map


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


def test_map_is_case_folded_and_round_trips_through_json(tmp_path: Path) -> None:
    mapping = synonym_map([["BN", "batch norm"], ["bn", "BatchNorm2d"]])
    assert mapping == {"bn": ["batch norm", "BatchNorm2d"], "batch norm": ["BN"], "batchnorm2d": ["bn"]}
    save_synonym_map([["BN", "batch norm"]], tmp_path / "s.json")
    assert load_synonym_map(tmp_path / "s.json") == {"bn": ["batch norm"], "batch norm": ["BN"]}
    assert load_synonym_map(tmp_path / "absent.json") == {}
