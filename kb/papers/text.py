"""Cleaning paper metadata text: whitespace, DOI prefixes, accents folded to ASCII (pure)."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose into an ASCII base letter.
_FOLD = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
    "ı": "i", "ħ": "h", "Ħ": "H",
}


def ascii_fold(text: str) -> str:
    """Fold accented Latin letters to ASCII (`Müller` → `Muller`); other scripts stay as they are."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _FOLD:
            out.append(_FOLD[ch])
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            base, marks = decomposed[0], decomposed[1:]
            # Only strip marks from an ASCII base: `が` (か + dakuten) must not become `か`.
            if base.isascii() and all(unicodedata.combining(m) for m in marks):
                out.append(base)
            else:
                out.append(ch)
    return "".join(out)


def clean_text(text: str | None) -> str | None:
    """Collapse whitespace; None for empty."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def clean_doi(doi: str | None) -> str | None:
    """A DOI without its `https://doi.org/` or `doi:` prefix; None for empty."""
    doi = clean_text(doi)
    if doi is None:
        return None
    doi = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi)
    return doi or None

