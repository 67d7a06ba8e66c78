"""Ranking quality must not fall below what it reached: on the shipped notes (MRR@10 1.000, recall@5 0.916)
and, when its corpus has been fetched, on d2l-zh (MRR@10 0.977, recall@5 0.940 against rg -c 0.752, 0.714)."""

from __future__ import annotations

from pathlib import Path

import pytest
from relevance.evaluate import SETS, evaluate, load_queries

NOTES = Path(__file__).parent.parent / "notes"


def test_judged_queries_point_at_real_notes():
    queries = load_queries()
    assert len(queries) >= 30
    for item in queries:
        for path in item["relevant"]:
            assert (NOTES / path).is_file(), f"{item['query']}: {path} does not exist"


def test_mrr_and_recall_do_not_regress(tmp_path):
    summary = evaluate(NOTES, tmp_path / "index", with_baseline=False)["summary"]
    assert summary["kb_mrr10"] >= 0.98
    # 0.922 until the index kept maths in the text (issue #11); 0.916 since: for `MobileNetV2` the
    # MobileNets note fell from 5th to 6th by 1% of its score, its body longer by its own formulas.
    assert summary["kb_recall5"] >= 0.91
    for kind, scores in summary["by_kind"].items():
        assert scores["kb_mrr10"] >= 0.9, kind


# ---------------------------------------------------------------- d2l-zh: a notebook nobody here wrote
D2L_NOTES, D2L_QUERIES = SETS["d2l"]
needs_d2l = pytest.mark.skipif(not D2L_NOTES.is_dir(),
                               reason="d2l-zh corpus absent: run tests/relevance/fetch_d2l.py")


def test_d2l_queries_are_judged_in_every_class():
    queries = load_queries(D2L_QUERIES)
    assert len(queries) >= 40
    kinds = {item["kind"] for item in queries}
    assert {"english", "chinese", "mixed", "abbreviation", "typo", "multiword"} <= kinds
    assert all(item["relevant"] for item in queries)


@needs_d2l
def test_d2l_judged_queries_point_at_real_files():
    for item in load_queries(D2L_QUERIES):
        for path in item["relevant"]:
            assert (D2L_NOTES / path).is_file(), f"{item['query']}: {path} does not exist"


@needs_d2l
@pytest.mark.slow
def test_d2l_scores_do_not_regress_and_beat_rg(tmp_path):
    summary = evaluate(D2L_NOTES, tmp_path / "index", queries=D2L_QUERIES)["summary"]
    assert summary["kb_mrr10"] >= 0.95
    assert summary["kb_recall5"] >= 0.90
    if "rg_recall5" in summary:
        assert summary["kb_recall5"] >= summary["rg_recall5"] + 0.15
