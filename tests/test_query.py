"""The query language: parse_query never raises, and understands what users type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.search.query import parse_query, parse_year


def test_words_phrases_or_not_prefix_fields():
    q = parse_query('resnet "semantic segmentation" fpn OR deeplab -yolo NOT ssd mobile* title:ViT tag:cnn year:2015..2020')
    texts = [[c.text for c in g] for g in q.groups]
    assert texts == [["resnet"], ["semantic segmentation"], ["fpn", "deeplab"], ["mobile"], ["ViT"]]
    assert q.groups[1][0].phrase and q.groups[3][0].prefix and q.groups[4][0].field == "title"
    assert [c.text for c in q.negated] == ["yolo", "ssd"]
    assert q.filters.tags == ("cnn",)
    assert (q.filters.year_from, q.filters.year_to) == (2015, 2020)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2017", (2017, 2017)), ("2015..2020", (2015, 2020)), ("2020..2015", (2015, 2020)), ("..2018", (None, 2018)),
     ("2016..", (2016, None)), ("abc", None), ("", None)],
)
def test_years(text, expected):
    assert parse_year(text) == expected


@pytest.mark.parametrize("text", ['"unbalanced', "(((", "-", "title:", "tag:", "year:abc", "\x00\x07\x1b", "OR", "NOT", "a" * 5000, '" "'])
def test_odd_input(text):
    q = parse_query(text)
    assert isinstance(q.groups, tuple)


def test_unbalanced_quote_runs_to_the_end():
    q = parse_query('"deep residual')
    assert q.groups[0][0].phrase and q.groups[0][0].text == "deep residual"


def test_chinese_and_mixed_words():
    q = parse_query("SE模块 transformer 位置编码")
    assert [g[0].text for g in q.groups] == ["SE模块", "transformer", "位置编码"]


@given(st.text(max_size=300))
def test_parse_query_never_raises(text):
    parse_query(text)
