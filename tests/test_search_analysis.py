"""kb.search.analysis: the tokenizer shared by the index and the query (pure)."""

from __future__ import annotations

import pytest

from kb.search.analysis import is_cjk, iter_terms, match_spans, query_words, stem, word_variants


def terms(text: str) -> list[str]:
    return [t for t, _, _, _ in iter_terms(text)]


def test_cjk_runs_become_bigrams_and_their_last_character() -> None:
    assert terms("残差网络") == ["残差", "差网", "网络", "络"]
    assert terms("SE模块") == ["se", "模块", "块"]


@pytest.mark.parametrize(("word", "variants"), [
    ("resnet-50", ("resnet-50", "resnet50", "resnet", "50")),
    ("mobilenetv2", ("mobilenetv2", "mobilenet")),
    ("nn.conv2d", ("nn.conv2d", "nnconv2d", "nn", "conv2d")),
])
def test_technical_names_are_indexed_whole_and_in_parts(word: str, variants: tuple[str, ...]) -> None:
    assert word_variants(word) == variants


@pytest.mark.parametrize(("word", "stemmed"), [
    ("connections", "connection"), ("transformers", "transformer"), ("studies", "study"),
    ("losses", "loss"), ("classes", "class"), ("status", "status"), ("bias", "bias"), ("transformer", "transformer"),
])
def test_stemming_is_plurals_only(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_positions_and_spans_point_into_the_text() -> None:
    text = "ResNet-50 用了残差"
    for term, _, start, end in iter_terms(text):
        assert text[start:end].lower().startswith(term[:1]) or term in text[start:end].lower()
    positions = [pos for _, pos, _, _ in iter_terms(text)]
    assert positions == sorted(positions)


def test_query_words_match_the_index_rules() -> None:
    words = query_words("Transformers 位置编码 残")
    assert [(w.kind, w.terms) for w in words] == [
        ("term", ("transformer",)), ("phrase", ("位置", "置编", "编码")), ("prefix", ("残",))]
    assert is_cjk("编码") and not is_cjk("SE模块")


def test_match_spans_merge_overlaps() -> None:
    text = "残差网络 uses residual connections; 残差"
    spans = match_spans(text, {"connection"}, ["残差", "差网"])
    assert [text[s:e] for s, e in spans] == ["残差网", "connections", "残差"]
