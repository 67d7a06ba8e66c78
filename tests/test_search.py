"""Search behaviour on a small real notebook: Chinese, English, names, typos, filters, output."""

from __future__ import annotations

import pytest
from conftest import write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.config import Paths
from kb.index.indexer import index_notebook
from kb.notebook import Notebook

NOTES = {
    "ch/[1]resnet.md": "---\ntitle: 残差网络 ResNet\ntags: [cnn, residual]\naliases: [深度残差网络]\n---\n\n"
                       "残差网络通过 shortcut connections 训练很深的网络。ResNet-50 有 25,557,032 个参数。\n",
    "ch/[2]se.md": "---\ntitle: SE 模块\ntags: [attention]\n---\n\nSE模块是一种通道注意力，门控机制用 sigmoid。attention层 很轻。\n",
    "ch/[3]mobile.md": "---\ntitle: MobileNetV2\ntags: [lightweight]\n---\n\nInverted residual block 与 1x1 卷积。Swin-T 和 GPT-4 以及 3D 卷积。\n",
    "ch/[4]code-only.md": "---\ntitle: Code Only\n---\n\n这里只有代码。\n\n```python\nresnet = build_resnet()\n```\n",
    "papers/[1]transformer.md": "---\ntitle: Attention Is All You Need\npaper:\n  title: Attention Is All You Need\n"
                                "  authors: [Ashish Vaswani, Noam Shazeer]\n  year: 2017\n  venue: NeurIPS\n  arxiv: '1706.03762'\n"
                                "tags: [transformer, attention]\n---\n\nTransformer 用正弦位置编码 positional encoding。\n",
    "papers/[2]fcn.md": "---\ntitle: Fully Convolutional Networks\npaper: {year: 2015, venue: CVPR}\ntags: [segmentation]\n---\n\n"
                        "Semantic segmentation with fully convolutional networks. Segmentation of every pixel.\n",
    "papers/[3]deeplab.md": "---\ntitle: DeepLab\npaper: {year: 2018}\ntags: [segmentation]\n---\n\nsemantic image segmentation with atrous convolution, 空洞卷积。\n",
}


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> Paths:
    root = tmp_path_factory.mktemp("kb")
    for rel, text in NOTES.items():
        write(root / "notes", rel, text)
    write(root / "notes", "synonyms.yml", "- [BN, batch normalization, 批量归一化]\n- [位置编码, positional encoding]\n")
    paths = Paths(root / "notes", root / "index")
    index_notebook(paths)
    return paths


def hits(paths, query, **kw):
    return [h.path for h in Notebook(paths).search(query, **kw).hits]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("残差", "ch/[1]resnet.md"),  # a Chinese word inside a longer one (残差网络)
        ("门控", "ch/[2]se.md"),
        ("SE模块", "ch/[2]se.md"),
        ("attention层", "ch/[2]se.md"),
        ("connection", "ch/[1]resnet.md"),  # singular finds the plural
        ("ResNet-50", "ch/[1]resnet.md"),
        ("resnet50", "ch/[1]resnet.md"),
        ("mobilenetv2", "ch/[3]mobile.md"),
        ("1x1", "ch/[3]mobile.md"),
        ("Swin-T", "ch/[3]mobile.md"),
        ("GPT-4", "ch/[3]mobile.md"),
        ("3D", "ch/[3]mobile.md"),
        ("transformer 位置编码", "papers/[1]transformer.md"),
        ("1706.03762", "papers/[1]transformer.md"),
        ("vaswani", "papers/[1]transformer.md"),
        ("深度残差网络", "ch/[1]resnet.md"),  # an alias
        ("空洞", "papers/[3]deeplab.md"),
    ],
)
def test_finds(paths, query, expected_first):
    assert hits(paths, query)[0] == expected_first


def test_prose_ranks_above_code_only(paths):
    assert hits(paths, "resnet")[:2] == ["ch/[1]resnet.md", "ch/[4]code-only.md"]


def test_transformer_is_not_stemmed_to_transform(paths):
    # "transform" is not an indexed term: it only finds the note through a spelling correction.
    result = Notebook(paths).search("transform")
    assert result.corrected == "transformer"
    assert Notebook(paths).search("transform", ).query == "transform"


def test_typo_is_corrected_and_said(paths):
    result = Notebook(paths).search("segmentaion")
    assert result.corrected == "segmentation"
    assert set(h.path for h in result.hits) == {"papers/[2]fcn.md", "papers/[3]deeplab.md"}


def test_all_words_then_fallback_to_any(paths):
    # Graded: the note with both words first, then the notes with one of them (the list is not cut short).
    result = Notebook(paths).search("segmentation atrous")
    assert [(h.path, h.matched_words) for h in result.hits][:2] == [("papers/[3]deeplab.md", 2), ("papers/[2]fcn.md", 1)]
    assert not result.fallback_any and result.words == 2
    result = Notebook(paths).search("segmentation zebra")
    assert result.fallback_any and {h.path for h in result.hits} == {"papers/[2]fcn.md", "papers/[3]deeplab.md"}
    assert {h.matched_words for h in result.hits} == {1}


def test_phrase_or_not_prefix(paths):
    assert hits(paths, '"fully convolutional"') == ["papers/[2]fcn.md"]
    assert set(hits(paths, "atrous OR inverted")) == {"papers/[3]deeplab.md", "ch/[3]mobile.md"}
    assert hits(paths, "segmentation -atrous") == ["papers/[2]fcn.md"]
    assert hits(paths, "segmentation NOT atrous") == ["papers/[2]fcn.md"]
    assert "ch/[3]mobile.md" in hits(paths, "mobile*")


def test_fields_and_filters(paths):
    assert hits(paths, "tag:segmentation year:2018") == ["papers/[3]deeplab.md"]
    assert set(hits(paths, "year:2015..2017")) == {"papers/[1]transformer.md", "papers/[2]fcn.md"}
    assert set(hits(paths, "segmentation kind:paper")) == {"papers/[2]fcn.md", "papers/[3]deeplab.md"}
    assert hits(paths, "title:attention") == ["papers/[1]transformer.md"]
    assert hits(paths, "author:vaswani") == ["papers/[1]transformer.md"]
    assert set(hits(paths, "chapter:ch")) == {f"ch/[{i}]{n}.md" for i, n in [(1, "resnet"), (2, "se"), (3, "mobile"), (4, "code-only")]}
    assert hits(paths, "TAG:CNN") == hits(paths, "tag:cnn") == ["ch/[1]resnet.md"]


def test_synonyms_expand(paths):
    assert hits(paths, "positional encoding")[0] == "papers/[1]transformer.md"


def test_highlights_have_offsets(paths):
    hit = Notebook(paths).search("残差").hits[0]
    body = next(h for h in hit.highlights if h.field == "body")
    assert body.spans and all(body.text[s:e] == "残差" for s, e in body.spans)
    assert "body" in hit.matched_fields and "title" in hit.matched_fields


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_query_gives_results_or_nothing(paths, text):
    Notebook(paths).search(text)


def test_a_kept_index_answers_as_a_fresh_one_and_follows_updates_and_rebuilds(tmp_path):
    notes = tmp_path / "notes"
    write(notes, "a.md", "---\ntitle: Alpha\n---\nResNet 残差 学习。\n")
    write(notes, "b.md", "---\ntitle: Beta\n---\nVGG 网络。\n")
    paths = Paths(notes, tmp_path / "index")
    kept, fresh = Notebook(paths), Notebook(paths)
    kept.keep_index_open()
    kept.index()
    assert kept.search("残差").to_dict() == fresh.search("残差").to_dict()
    searcher = kept._kept.current(kept._whole[0] / "whoosh")  # the one object every search reuses
    assert kept._kept.current(kept._whole[0] / "whoosh") is searcher
    write(notes, "b.md", "---\ntitle: Beta\n---\nVGG 网络，也有 zebrafish。\n")  # an incremental update
    kept.index()
    assert [h.path for h in kept.search("zebrafish").hits] == ["b.md"]
    kept.index(rebuild=True)  # a new generation folder: the kept searcher is reopened there
    write(notes, "c.md", "---\ntitle: Gamma\n---\nquokka\n")
    kept.index()
    assert [h.path for h in kept.search("quokka").hits] == ["c.md"]
    assert kept.search("残差").to_dict() == Notebook(paths).search("残差").to_dict()
