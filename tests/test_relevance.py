"""Ranking quality on the shipped notes must not fall below what it reached (MRR@10 1.000, recall@5 0.932)."""

from __future__ import annotations

from pathlib import Path

from relevance.evaluate import evaluate, load_queries

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
    assert summary["kb_recall5"] >= 0.93
    for kind, scores in summary["by_kind"].items():
        assert scores["kb_mrr10"] >= 0.9, kind
