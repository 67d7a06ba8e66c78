"""Relevance of `kb search` on two judged sets, against the baseline a user would reach for.

    python tests/relevance/evaluate.py [--set kb|d2l|all] [--notes DIR] [--json]

The sets: `kb`, the shipped notes with queries.yaml; `d2l`, the Chinese *Dive into Deep Learning*
chapters with d2l_queries.yaml (fetch them first with fetch_d2l.py; without the cache the set is
skipped). For every judged query it reports MRR@10 (1/rank of the first relevant note in the
top 10) and recall@5 (share of the relevant notes in the top 5, out of at most 5), for kb and for `rg -c -i QUERY`
with files ranked by match count. The judgments were written from the notes' content, without
looking at kb's ranking.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
D2L_CACHE = HERE / ".cache" / "d2l-zh"
# name -> (notes folder, judged queries)
SETS = {
    "kb": (ROOT / "notes", HERE / "queries.yaml"),
    "d2l": (D2L_CACHE, HERE / "d2l_queries.yaml"),
}


def load_queries(path: Path = HERE / "queries.yaml") -> list[dict]:
    """The judged queries."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def mrr_at(ranked: list[str], relevant: list[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant item in the top k (0 when none)."""
    for i, path in enumerate(ranked[:k], 1):
        if path in relevant:
            return 1.0 / i
    return 0.0


def recall_at(ranked: list[str], relevant: list[str], k: int = 5) -> float:
    """Share of the relevant items found in the top k, out of as many as fit there (capped recall):
    a query with eight relevant notes and five of them in the top five scores 1."""
    return len(set(ranked[:k]) & set(relevant)) / min(k, len(relevant))


def kb_ranking(paths, query: str) -> list[str]:
    """kb's top 10 for a query."""
    from kb.notebook import Notebook

    return [h.path for h in Notebook(paths).search(query, limit=10).hits]


def baseline_query(query: str) -> str:
    """What a grep user types: field prefixes and quotes dropped."""
    text = re.sub(r"\b[a-z]+:", "", query).replace('"', "").strip()
    return text


def rg_ranking(notes: Path, query: str) -> list[str]:
    """Files ranked by `rg -c -i` match count (the literal query, as a user would grep it)."""
    out = subprocess.run(["rg", "-c", "-i", "-F", "--glob", "*.md", baseline_query(query), str(notes)],
                         capture_output=True, text=True, check=False).stdout
    counts = []
    for line in out.splitlines():
        path, _, count = line.rpartition(":")
        counts.append((-int(count), Path(path).relative_to(notes).as_posix()))
    return [p for _, p in sorted(counts)]


def evaluate(notes: Path, index: Path | None = None, with_baseline: bool = True,
             queries: Path = HERE / "queries.yaml") -> dict:
    """Scores per query and averaged, overall and per query kind, for kb and (when rg exists) the
    baseline."""
    from kb.config import Paths
    from kb.index.indexer import index_notebook

    tmp = None
    if index is None:
        tmp = tempfile.TemporaryDirectory()
        index = Path(tmp.name)
    paths = Paths(notes.resolve(), index)
    index_notebook(paths)
    rows = []
    have_rg = with_baseline and shutil.which("rg") is not None
    for item in load_queries(queries):
        ranked = kb_ranking(paths, item["query"])
        row = {"query": item["query"], "kind": item["kind"], "kb_mrr": mrr_at(ranked, item["relevant"]),
               "kb_recall5": recall_at(ranked, item["relevant"]), "kb_top": ranked[:3]}
        if have_rg:
            base = rg_ranking(notes, item["query"])
            row.update(rg_mrr=mrr_at(base, item["relevant"]), rg_recall5=recall_at(base, item["relevant"]),
                       rg_top=base[:3])
        rows.append(row)
    if tmp:
        tmp.cleanup()

    def mean(key: str, subset=None) -> float:
        values = [r[key] for r in rows if subset is None or r["kind"] == subset]
        return sum(values) / len(values) if values else 0.0

    summary = {"queries": len(rows), "kb_mrr10": mean("kb_mrr"), "kb_recall5": mean("kb_recall5")}
    if have_rg:
        summary.update(rg_mrr10=mean("rg_mrr"), rg_recall5=mean("rg_recall5"))
    summary["by_kind"] = {
        kind: {"n": sum(1 for r in rows if r["kind"] == kind), "kb_mrr10": mean("kb_mrr", kind),
               "kb_recall5": mean("kb_recall5", kind),
               **({"rg_mrr10": mean("rg_mrr", kind), "rg_recall5": mean("rg_recall5", kind)} if have_rg else {})}
        for kind in sorted({r["kind"] for r in rows})
    }
    return {"summary": summary, "rows": rows}


def print_report(name: str, result: dict) -> None:
    """The per-query table, the averages and the per-kind averages of one set."""
    has_rg = "rg_mrr10" in result["summary"]
    print(f"== {name}")
    for row in result["rows"]:
        base = f"  rg mrr {row['rg_mrr']:.2f} r@5 {row['rg_recall5']:.2f}" if has_rg else ""
        print(f"{row['kind']:<12} {row['query']:<32} kb mrr {row['kb_mrr']:.2f} r@5 {row['kb_recall5']:.2f}{base}")
    s = result["summary"]
    print(f"\n{s['queries']} queries")
    print(f"kb: MRR@10 {s['kb_mrr10']:.3f}  recall@5 {s['kb_recall5']:.3f}")
    if has_rg:
        print(f"rg -c -i (ranked by count): MRR@10 {s['rg_mrr10']:.3f}  recall@5 {s['rg_recall5']:.3f}")
    for kind, k in s["by_kind"].items():
        extra = f"  rg MRR@10 {k['rg_mrr10']:.3f} recall@5 {k['rg_recall5']:.3f}" if has_rg else ""
        print(f"  {kind:<12} n={k['n']:<3} kb MRR@10 {k['kb_mrr10']:.3f} recall@5 {k['kb_recall5']:.3f}{extra}")
    print()


def main() -> None:
    """Evaluate the chosen sets and print (or dump as JSON) their reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--notes", type=Path, help="notes folder (only with one --set)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = list(SETS) if args.set == "all" else [args.set]
    results = {}
    for name in names:
        notes, queries = SETS[name]
        notes = args.notes if args.notes and len(names) == 1 else notes
        if not notes.is_dir():
            print(f"== {name}: skipped, {notes} is missing (run tests/relevance/fetch_d2l.py)", file=sys.stderr)
            continue
        results[name] = evaluate(notes, queries=queries)
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        return
    for name, result in results.items():
        print_report(name, result)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
