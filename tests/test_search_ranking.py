"""Ranking on a small real notebook: the shipped thesaurus (weighted, switchable), graded matching,
listing pages, and notes about a topic above notes that only mention it."""

from __future__ import annotations

import pytest
from conftest import write

from kb.config import Paths
from kb.index.indexer import index_notebook
from kb.notebook import Notebook

LISTING = "---\ntitle: Paper index\n---\n\nAll the papers on normalization and dropout in this notebook.\n\n" + "".join(
    f"- [Paper {i}](./[{i}]p{i}.md): notes on batch normalization and dropout, part {i}\n" for i in range(1, 7))

NOTES = {
    "ch/[1]norm-en.md": "---\ntitle: Training tricks\n---\n\nWe use batch normalization after every convolution.\n",
    "ch/[2]norm-zh.md": "---\ntitle: 训练技巧\n---\n\n每个卷积之后都接批量归一化，训练更稳定。\n",
    "ch/[3]dropout.md": "---\ntitle: Dropout\ntags: [regularization]\n---\n\n## Dropout\n\n"
                        "Randomly zeroing activations while training reduces overfitting.\n",
    "ch/[4]mentions.md": "---\ntitle: A long training log\n---\n\n" + "We tried dropout again. " * 12 + "\n",
    "ch/[5]three.md": "---\ntitle: Squeeze\n---\n\nsqueeze excitation gating in one note.\n",
    "ch/[6]two.md": "---\ntitle: Excite\n---\n\nexcitation and gating, a lot of gating, gating everywhere.\n",
    "ch/[7]one.md": "---\ntitle: Gate\n---\n\nonly gating here.\n",
    "papers/index.md": LISTING,
    **{f"papers/[{i}]p{i}.md": f"---\ntitle: Paper {i}\n---\n\nA paper on dropout, number {i}.\n" for i in range(1, 7)},
}


def build(root, synonyms: str | None = None) -> Paths:
    for rel, text in NOTES.items():
        write(root / "notes", rel, text)
    if synonyms is not None:
        write(root / "notes", "synonyms.yml", synonyms)
    paths = Paths(root / "notes", root / "index")
    index_notebook(paths)
    return paths


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> Paths:
    return build(tmp_path_factory.mktemp("kb"))


def search(paths, query, **kw):
    return Notebook(paths).search(query, **kw)


def test_the_thesaurus_expands_a_multi_word_term_below_the_literal_match(paths):
    # No synonyms.yml: the shipped thesaurus alone pairs `batch normalization` with 批量归一化.
    hits = search(paths, "batch normalization").hits
    assert [h.path for h in hits[:2]] == ["ch/[1]norm-en.md", "ch/[2]norm-zh.md"]
    assert hits[0].score > hits[1].score
    assert search(paths, "批量归一化").hits[0].path == "ch/[2]norm-zh.md"
    assert "ch/[1]norm-en.md" in [h.path for h in search(paths, "批量归一化").hits]


def test_a_notebook_can_switch_a_shipped_group_off(tmp_path):
    paths = build(tmp_path / "one", "- off: [batch normalization]\n")
    # No longer one term with synonyms: two words, each expanded on its own (batch ↔ 批量 ...).
    assert search(paths, "batch normalization").words == 2
    paths = build(tmp_path / "all", "- off: thesaurus\n- [BN, batch normalization]\n")
    assert "ch/[2]norm-zh.md" not in [h.path for h in search(paths, "batch normalization").hits]
    assert [h.path for h in search(paths, "BN").hits] == ["ch/[1]norm-en.md", "papers/index.md"]  # the listing last


def test_graded_matching_ranks_by_words_matched(paths):
    result = search(paths, "squeeze excitation gating")
    assert [(h.path, h.matched_words) for h in result.hits] == [
        ("ch/[5]three.md", 3), ("ch/[6]two.md", 2), ("ch/[7]one.md", 1)]
    assert result.words == 3 and not result.fallback_any
    assert result.hits[0].to_dict()["matched_words"] == 3


def test_a_listing_page_ranks_below_the_notes_it_lists(paths):
    hits = search(paths, "dropout", limit=20).hits
    listing = next(h for h in hits if h.path == "papers/index.md")
    assert listing.listing and listing.to_dict()["listing"] is True
    assert hits[-1].path == "papers/index.md"
    assert not any(h.listing for h in hits[:-1])


def test_a_note_about_a_topic_beats_one_that_mentions_it_often(paths):
    paths_ranked = [h.path for h in search(paths, "dropout").hits]
    assert paths_ranked[0] == "ch/[3]dropout.md"
    assert paths_ranked.index("ch/[3]dropout.md") < paths_ranked.index("ch/[4]mentions.md")


def test_cli_shows_words_matched_and_listing(paths, runner):
    from kb.cli import cli

    args = ["--notes", str(paths.notes), "--index", str(paths.index), "search"]
    out = runner.invoke(cli, [*args, "squeeze", "excitation", "gating"], catch_exceptions=False).output
    assert "2 of 3 words" in out and "1 of 3 words" in out
    out = runner.invoke(cli, [*args, "dropout", "--limit", "20"], catch_exceptions=False).output
    assert "paper listing" in out


class CountedLexicon:
    """A term dictionary with given note counts: the input `analyse` reads from the index."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts

    def doc_frequency(self, term: str) -> int:
        return self.counts.get(term, 0)

    def closest(self, term: str) -> str | None:
        return None

    def frequency(self, term: str) -> int:
        return self.counts.get(term, 0)


def test_expansions_are_bounded_by_what_the_word_itself_costs():
    from kb.search.analyse import EXPAND_MAX_DF, EXPANSION_FLOOR, EXPANSION_WORK, analyse
    from kb.search.query import parse_query
    from kb.search.synonyms import synonym_map

    synonyms = synonym_map([["resnet", "残差网络", "residual network", "unknownterm"]])

    def expanded(counts):
        clause = analyse(parse_query("resnet"), synonyms=synonyms, lexicon=CountedLexicon(counts)).groups[0][0]
        return sorted(" ".join(w.text for w in alt) for alt in clause.synonyms)

    budget = EXPANSION_WORK * EXPANSION_FLOOR
    small = {"resnet": 3, "残差": 40, "差网": 40, "网络": 40, "residual": 5, "network": 30}
    assert expanded(small) == ["residual network", "残差网络"]  # unknownterm is not in the index
    # A synonym far more common than the word would multiply the work: left out.
    assert expanded({**small, "网络": budget + 1}) == ["residual network"]
    # A word already in EXPAND_MAX_DF notes fills a page by itself: no expansion at all.
    assert expanded({**small, "resnet": EXPAND_MAX_DF}) == []
