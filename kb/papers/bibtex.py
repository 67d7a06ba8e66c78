"""Writing BibTeX: reading-list entries from paper records, by hand, so the output is exactly what
LaTeX, biber and Zotero expect (names as `von Last, Jr., First`, case-protected titles, verbatim
URLs). Reading is `kb.papers.bibread`; keys come from `kb.papers.citekeys`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kb.papers.names import balanced_braces, bibtex_name

# A venue that says "not published elsewhere": arXiv, CoRR, "… preprint …".
ARXIV_VENUE = re.compile(r"(?i)^\s*(arxiv\b.*|corr|.*\bpreprint\b.*)\s*$")

_JOURNAL_EXACT = re.compile(
    r"(?i)^\s*(proc(\.|eedings)?\s+(of\s+)?(the\s+)?ieee|proceedings of the national academy of sciences.*|pnas"
    r"|nature(\s.*)?|science(\s.*)?)\s*$"
)


_CONFERENCE = re.compile(
    r"(?i)\b(conference|conf\.|workshops?|symposium|proceedings|proc\.|congress|"
    r"cvpr|iccv|eccv|wacv|accv|bmvc|miccai|neurips|nips|icml|iclr|aaai|ijcai|uai|aistats|colt|"
    r"acl|emnlp|naacl|eacl|coling|interspeech|icassp|kdd|www|sigir|cikm|wsdm|icdm|"
    r"icra|iros|corl|rss|siggraph|3dv|ismir)\b"
)


def bibtex_entry_type(venue: str | None, arxiv: str | None = None) -> str:
    """The BibTeX entry type for a venue.

    Rule: Proc. IEEE, PNAS, Nature and Science are journals (`article`); a venue naming a
    conference, workshop, symposium or proceedings, or a known conference acronym (CVPR, ICCV,
    ECCV, NeurIPS, ICML, ICLR, BMVC, MICCAI, AAAI, ACL, …), is `inproceedings`; no venue or an
    arXiv/CoRR/preprint venue is `misc` (with eprint when the arXiv id is known); any other venue
    (JMLR, TPAMI, IJCV, "… Transactions on …", "Journal of …") is a journal, `article`.
    """
    venue = (venue or "").strip()
    if not venue or ARXIV_VENUE.match(venue):
        return "misc"
    if _JOURNAL_EXACT.match(venue):
        return "article"
    if _CONFERENCE.search(venue):
        return "inproceedings"
    return "article"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


# TeX math as arXiv titles write it ($\alpha$-nets): like pandoc, no space just inside the
# dollars and no digit right after ("costs $5 and $10" is not math); no %, & or # inside.
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])(?:[^$\\%&#]|\\[^%&#])+?(?<=[^\s\\])\$(?!\d)")


def _escape_text(text: str, braces_ok: bool) -> str:
    """Escape one piece of a value; `braces_ok` says whether the braces of the whole value balance."""
    out = []
    for ch in text:
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ch in "{}":
            # BibTeX counts braces even when escaped: only balanced ones may stay braces.
            out.append("\\" + ch if braces_ok else (r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}"))
        else:
            out.append(ch)
    return "".join(out)


def _latex(text: str, *, protect_case: bool = False) -> str:
    """Escape text for a BibTeX value; `$…$` math with balanced braces is kept as written.

    Whether braces stay braces (`\\{`) is decided once for the whole value, never per word or per
    piece between math: `A {Deep Learning} Book` is balanced although `{Deep` alone is not. Kept math
    is balanced on its own, so the text around it balances exactly when the whole value does.
    """
    text = " ".join(text.split())
    braces_ok = balanced_braces(text)
    out = []
    pos = 0
    for m in _MATH.finditer(text):
        if not balanced_braces(m.group()):
            continue
        out.append(_escape_words(text[pos : m.start()], protect_case, braces_ok))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_words(text[pos:], protect_case, braces_ok))
    return "".join(out)


def _escape_words(text: str, protect_case: bool, braces_ok: bool) -> str:
    if not protect_case:
        return _escape_text(text, braces_ok)

    # Brace words with capitals after the first letter (ResNet, CNNs, ImageNet) so that
    # bibliography styles that lower-case titles leave them alone; a word holding one end of a
    # brace pair that spans a space (`{Deep`) is left unwrapped, or its group would end inside it.
    def word(m: re.Match[str]) -> str:
        escaped = _escape_text(m.group(), braces_ok)
        letters = [c for c in m.group() if c.isalpha()]
        if any(c.isupper() for c in letters[1:]) and balanced_braces(escaped):
            return "{" + escaped + "}"
        return escaped

    return re.sub(r"\S+", word, text)


def _latex_name(text: str) -> str:
    """`_latex` for a name: each escape braced (`{\\&}`), a "special character" to BibTeX's name
    splitter, which would otherwise take `\\&` after " and " for the start of a command."""
    return re.sub(r"\\(?:[A-Za-z]+(?:\{\})?|.)", lambda m: "{" + m.group() + "}", _latex(text))


def _bib_entry(entry_type: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    present = [(k, v) for k, v in fields if v]
    width = max((len(k) for k, _ in present), default=0)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in present)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def entry_for(rec: dict[str, Any], key: str) -> str:
    """One BibTeX entry for a paper record (see `kb.papers.export.paper_record`)."""
    entry_type = bibtex_entry_type(rec["venue"], rec["arxiv"])
    venue = rec["venue"]
    arxiv = rec["arxiv"]
    fields: list[tuple[str, str | None]] = [
        ("title", _latex(rec["title"], protect_case=True)),
        ("author", " and ".join(bibtex_name(a, _latex_name) for a in rec["authors"])),
    ]
    if entry_type == "inproceedings":
        fields.append(("booktitle", _latex(venue)))
    elif entry_type == "article":
        fields.append(("journal", _latex(venue)))
    elif venue and not ARXIV_VENUE.match(venue):
        fields.append(("howpublished", _latex(venue)))
    fields.append(("year", str(rec["year"]) if rec["year"] else None))
    if arxiv:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
    fields += [
        # doi and url are verbatim fields for biblatex and Zotero: written as they are.
        ("doi", (rec["doi"] if _url_safe(rec["doi"]) else _latex(rec["doi"])) if rec["doi"] else None),
        ("url", rec["url"] if rec["url"] and _url_safe(rec["url"]) else None),
        ("keywords", _latex(", ".join(rec["tags"])) if rec["tags"] else None),
    ]
    return _bib_entry(entry_type, key, fields)


def _url_safe(url: str) -> bool:
    # URLs go in verbatim (url package); braces or spaces would break the entry.
    return not re.search(r"[\s{}\\]", url)


def to_bibtex(records: Sequence[dict[str, Any]]) -> str:
    """BibTeX entries for paper records, in their order, each under its `citekey`."""
    return "\n".join(entry_for(r, r["citekey"]) for r in records)


def misc_entry(key: str, title: str, arxiv: str, url: str, note: str) -> str:
    """An `@misc` entry for an arXiv paper known only by its id (papers cited without a note)."""
    return _bib_entry("misc", key, [("title", _latex(title, protect_case=True)), ("eprint", arxiv),
                                    ("archivePrefix", "arXiv"), ("url", url), ("note", _latex(note))])

