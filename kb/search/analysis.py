"""Tokenising mixed Chinese/English text for search, without a dictionary.

Chinese has no spaces, so a run of CJK characters is indexed as overlapping bigrams (`残差网络` →
`残差 差网 网络`) plus its last character on its own; a Chinese query word becomes a phrase of its
bigrams, which finds it inside longer words (`残差` in `残差网络`) without jieba's dictionary load or its
over-matching. English words are lower-cased and lightly stemmed (plurals only: `connections` →
`connection`, while `transformer` stays `transformer`). Technical names keep their whole form as well as
their parts: `ResNet-50` gives `resnet-50`, `resnet50`, `resnet`, `50`, so `resnet50`, `ResNet-50`
and `resnet` all find it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
# A word: letters/digits (any script but CJK), joined by - . + / _ inside (`ResNet-50`, `nn.Conv2d`, `C++`).
_TOKEN = re.compile(
    rf"(?P<word>[^\W_{CJK_RANGES}]+(?:[-.+_/][^\W_{CJK_RANGES}]+)*\+*)|(?P<cjk>[{CJK_RANGES}]+)"
)
_CONNECTORS = re.compile(r"[-.+_/]+")
_VERSION_SUFFIX = re.compile(r"^([a-z]{3,}?)v?\d+$")
_NO_STEM = frozenset(
    "analysis basis bias loss class process axis focus corpus status gas lens pass less cross "
    "glass success access mass plus this is has was does its yes us thus various previous".split()
)


def is_cjk(text: str) -> bool:
    """True when `text` is made only of CJK characters."""
    return bool(text) and bool(re.fullmatch(f"[{CJK_RANGES}]+", text))


def stem(word: str) -> str:
    """Light English stemming: plural → singular, nothing more."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha() or word in _NO_STEM:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def word_variants(word: str) -> tuple[str, ...]:
    """Terms indexed for one (lower-cased) word: the word itself first, then its findable parts."""
    out = [stem(word)]
    if _CONNECTORS.search(word):
        joined = _CONNECTORS.sub("", word)
        if joined and joined not in out:
            out.append(joined)
        for part in _CONNECTORS.split(word):
            part = stem(part)
            if part and part not in out:
                out.append(part)
    for candidate in list(out):
        match = _VERSION_SUFFIX.match(candidate)
        if match and match.group(1) not in out:
            out.append(match.group(1))  # mobilenetv2 -> mobilenet, resnet50 -> resnet
    return tuple(out)


def iter_terms(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) for every index term of `text`: the hot loop of indexing.

    Compound parts share their word's position; a CJK run gives its bigrams and its last character.
    """
    pos = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        if match.lastgroup == "word":
            for variant in word_variants(match.group().lower()):
                yield variant, pos, start, end
            pos += 1
        else:
            run = match.group()
            last = len(run) - 1
            for i in range(last):
                yield run[i : i + 2], pos, start + i, start + i + 2
                pos += 1
            yield run[last], pos, start + last, end
            pos += 1


# A NamedTuple, not a frozen dataclass: as immutable, and a fifth of the cost to create (~0.1 ms against
# ~0.55 ms), which every cold `kb search` pays for each class it imports.
class QueryWord(NamedTuple):
    """How one query word is looked up: a single term, a phrase of bigrams, or a CJK prefix."""

    text: str  # as typed
    terms: tuple[str, ...]  # one term, or the bigrams of a Chinese word, in order
    kind: str  # "term" | "phrase" | "prefix"


def query_words(text: str) -> list[QueryWord]:
    """Split free query text into the words to look up (same rules as the index)."""
    words = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if match.lastgroup == "word":
            word = token.lower()
            variants = word_variants(word)
            words.append(QueryWord(token, (variants[0],), "term"))
        elif len(token) == 1:
            words.append(QueryWord(token, (token,), "prefix"))
        else:
            words.append(QueryWord(token, tuple(token[i : i + 2] for i in range(len(token) - 1)), "phrase"))
    return words


def match_spans(text: str, wanted: set[str], cjk_words: list[str]) -> list[tuple[int, int]]:
    """Character spans in `text` of the terms in `wanted` and of the Chinese words in `cjk_words`."""
    spans = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word":
            if set(word_variants(match.group().lower())) & wanted:
                spans.append(match.span())
    for word in cjk_words:
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + len(word))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
