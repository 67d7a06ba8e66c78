"""`KbText`: Whoosh's TEXT field with a direct path from kb's tokenizer to postings.

Whoosh indexes a TEXT value through four layers of generators: the field's `index`, its format's
`word_values`, Whoosh's `tokens`/`unstopped` filter, and the analyzer, which yields one mutable
`Token` object per term. For kb's analyzer, which never stops a word and gives every token a boost of
1.0, all that work reduces to counting positions per term: this field does just that, straight from
`kb.search.analysis.iter_terms`. Profiled on 1k synthetic notes, the layers it removes were about a
seventh of a full build's CPU.

The postings are the same, byte for byte, as TEXT with kb's analyzer gives (tests/test_index_textfield.py
compares them), so reading, phrase matching and scoring are unchanged, and indexes written before this
field existed stay valid. Whoosh pickles the schema into the index, so this class must stay at this
import path. Imported by `kb.index.fulltext.schema` or by unpickling a schema, both after
`kb.index.fulltext` has imported Whoosh its lighter way.
"""

from __future__ import annotations

from whoosh.compat import dumps
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from kb.search.analysis import iter_terms


class KbText(TEXT):
    """TEXT whose `index` counts `iter_terms` output itself (see the module docstring)."""

    def index(self, value, **kwargs):
        """(term bytes, frequency, weight, encoded value) for each distinct term of `value`, in order of
        first appearance, exactly as TEXT.index yields them for kb's analyzer."""
        fmt = type(self.format)
        if not isinstance(value, str) or fmt not in (Positions, Frequency):
            yield from super().index(value, **kwargs)  # not a shape kb writes: Whoosh's own path
            return
        boost = self.format.field_boost
        if fmt is Frequency:
            counts: dict[str, int] = {}
            for term, _, _, _ in iter_terms(value):
                counts[term] = counts.get(term, 0) + 1
            for term, freq in counts.items():
                yield term.encode("utf-8"), freq, freq * boost, pack_uint(freq)
            return
        positions: dict[str, list[int]] = {}
        for term, pos, _, _ in iter_terms(value):
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        for term, poses in positions.items():
            yield term.encode("utf-8"), len(poses), len(poses) * boost, _encode_positions(poses)


# Most terms occur once in a note: their encoded value depends only on that one position, so it is
# made once per position (up to a bound on memory) instead of pickled for every posting.
_SINGLE_CACHE_LIMIT = 1 << 16
_single: dict[int, bytes] = {}


def _encode_positions(poses: list[int]) -> bytes:
    """Whoosh's `Positions.encode`: the count, then the pickled deltas between positions."""
    if len(poses) == 1:
        pos = poses[0]
        encoded = _single.get(pos)
        if encoded is None:
            encoded = pack_uint(1) + dumps(poses, 2)
            if pos < _SINGLE_CACHE_LIMIT:
                _single[pos] = encoded
        return encoded
    deltas = [poses[0]]
    deltas += [b - a for a, b in zip(poses, poses[1:])]  # noqa: B905 - lengths differ by one on purpose
    return pack_uint(len(deltas)) + dumps(deltas, 2)
