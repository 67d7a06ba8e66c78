"""kb.index.textfield: KbText writes exactly the postings Whoosh's own TEXT field writes with kb's analyzer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.fields import TEXT
from whoosh.formats import Positions

from kb.index.fulltext import KbTokenizer, schema
from kb.index.textfield import KbText, _encode_positions

# Text shaped like notes: English words and technical names, Chinese runs, punctuation, newlines.
_PIECES = st.sampled_from([
    "ResNet-50", "resnet", "残差网络", "残差", "的", "网络", " ", "\n", "，", "nn.Conv2d", "C++", "1x1",
    "卷积", "transformer", "Transformers", "BN", "は", "한국어", "é", "x_1", "50", "—", "$F(x)+x$",
])
NOTE_TEXT = st.lists(_PIECES, max_size=300).map("".join) | st.text(max_size=200)


@pytest.mark.parametrize("phrase", [True, False])
@given(text=NOTE_TEXT)
def test_postings_are_whooshs_own(phrase: bool, text: str) -> None:
    ours = KbText(analyzer=KbTokenizer(), phrase=phrase, field_boost=2.5)
    whoosh = TEXT(analyzer=KbTokenizer(), phrase=phrase, field_boost=2.5)
    assert list(ours.index(text)) == list(whoosh.index(text))


def test_repeated_terms_keep_every_position() -> None:
    field = KbText(analyzer=KbTokenizer())
    postings = {term: (freq, weight, value) for term, freq, weight, value in field.index("resnet 残差 resnet resnet")}
    assert postings[b"resnet"][:2] == (3, 3.0)
    assert Positions().decode_positions(postings[b"resnet"][2]) == [0, 3, 4]


@given(poses=st.lists(st.integers(min_value=0, max_value=70_000), min_size=1, max_size=1200).map(sorted))
def test_encoded_positions_are_whooshs_encoding(poses: list[int]) -> None:
    # Lists past 1000 items make pickle write in several batches; the single-position cache must not
    # change a byte either, below or above its bound.
    assert _encode_positions(poses) == Positions().encode(poses)
    assert _encode_positions(poses[:1]) == Positions().encode(poses[:1])


def test_the_schema_indexes_every_text_field_with_kbtext() -> None:
    fields = schema()
    for name in ("name", "meta", "headings", "body", "code", "chapter", "authors"):
        assert type(fields[name]) is KbText, name
