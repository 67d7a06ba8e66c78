"""BibTeX, both ways: reading one entry into a `PaperMeta` (bibtexparser) and writing reading-list
entries from paper records (by hand, so the output is exactly what LaTeX and Zotero expect).

bibtexparser is imported only by the reader, so exporting does not pay for it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from kb.errors import BibtexError
from kb.models import PaperMeta
from kb.papers.arxiv import find_arxiv_id
from kb.papers.text import ascii_fold, clean_doi, clean_text

# bibtexparser logs every syntax error it meets; BibtexError already carries the reason. A
# NullHandler keeps Python's last-resort handler from printing them when logging is not set
# up, and leaves them visible to an application that configures logging.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# A venue that says "not published elsewhere": arXiv, CoRR, "… preprint …".
_ARXIV_VENUE = re.compile(r"(?i)^\s*(arxiv\b.*|corr|.*\bpreprint\b.*)\s*$")

# --- reading ---------------------------------------------------------------------------------------

# `\"{U}ber` outside braces confuses BibTeX name splitting; `{\"{U}}ber` is the same letter.
_BARE_ACCENT = re.compile(r"(?<!\{)\\([\"'`^~=.])\s*(\{\\?[A-Za-z]\}|\\?[A-Za-z])")


def _latex_to_text(values: Sequence[str]) -> list[str]:
    """Decode LaTeX (`{\\"u}` → `ü`, `\\&` → `&`, braces dropped) with bibtexparser's decoder."""
    from bibtexparser import middlewares as bib_mw  # noqa: PLC0415 - slow import, only when reading
    from bibtexparser.library import Library  # noqa: PLC0415
    from bibtexparser.model import Entry, Field  # noqa: PLC0415

    entry = Entry("misc", "kb", [Field(f"f{i}", v) for i, v in enumerate(values)])
    decoded = bib_mw.LatexDecodingMiddleware().transform(Library([entry]))
    fields = decoded.entries[0].fields_dict
    return [clean_text(str(fields[f"f{i}"].value)) or "" for i in range(len(values))]


# Long on purpose: each field of a BibTeX entry has its own quirks (names, years, arXiv ids in five
# places); the function reads them in the order a reader checks an entry.
def fields_from_bibtex(text: str, *, source: str = "the BibTeX input") -> PaperMeta:
    """Fields from the first entry of a BibTeX text (as exported by arXiv, Scholar, DBLP, publishers).

    LaTeX accents are decoded, braces dropped, `Last, First` names turned into `First Last`,
    journal/booktitle become the venue and an arXiv id is taken from eprint, journal, volume,
    url or an arXiv DOI. Raises BibtexError when there is no entry or it cannot be parsed.
    """
    import bibtexparser  # noqa: PLC0415 - slow import, only when reading
    from bibtexparser import middlewares as bib_mw  # noqa: PLC0415
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry  # noqa: PLC0415

    text = _BARE_ACCENT.sub(lambda m: "{\\" + m.group(1) + "{" + m.group(2).strip("{}") + "}}", text)
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            bib_mw.NormalizeFieldKeys(),  # `Author =` as some publishers write it
            bib_mw.SeparateCoAuthors(),
            bib_mw.SplitNameParts(),
            bib_mw.MergeNameParts(style="first"),
        ],
    )
    entry = None
    for block in library.blocks:
        if isinstance(block, Entry):
            entry = block
            break
        error = getattr(block, "error", None)
        if error is not None and not isinstance(block, DuplicateBlockKeyBlock):
            line = (block.start_line or 0) + 1
            detail = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
            lines = [ln.strip() for ln in str(detail).splitlines() if ln.strip()]
            reason = (lines[-1] if lines else type(error).__name__).split(" Note: ")[0]
            raise BibtexError(f"cannot read the BibTeX entry at line {line} of {source}: {reason}")
    if entry is None:
        raise BibtexError(f"no BibTeX entry (@article{{…}}, @inproceedings{{…}}, …) found in {source}")

    raw: dict[str, object] = {}
    for f in entry.fields:
        raw.setdefault(f.key.lower(), f.value)

    def text_field(*keys: str) -> str | None:
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str) and value.strip():
                return _latex_to_text([value])[0] or None
        return None

    names = raw.get("author") or []
    if isinstance(names, str):
        names = [names]
    authors = tuple(a for a in _latex_to_text([str(n) for n in names]) if a and a.lower() != "others")

    year = None
    for key in ("year", "date"):
        m = re.search(r"\d{4}", str(raw.get(key, "")))
        if m:
            year = int(m.group())
            break

    venue = text_field("booktitle", "journal", "journaltitle")
    doi = clean_doi(text_field("doi"))
    url = text_field("url")
    prefix = str(raw.get("archiveprefix") or raw.get("eprinttype") or "arxiv").strip().lower()
    arxiv = None
    if prefix == "arxiv":
        arxiv = find_arxiv_id(text_field("eprint"))
    for key in ("arxivid", "arxiv", "journal", "volume", "url", "doi", "note", "howpublished"):
        arxiv = arxiv or find_arxiv_id(text_field(key))
    if venue and _ARXIV_VENUE.match(venue):
        venue = "arXiv"
    return PaperMeta(
        title=text_field("title"),
        authors=authors,
        year=year,
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        url=url,
        abstract=text_field("abstract"),
    )



# --- writing ---------------------------------------------------------------------------------------

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
    if not venue or _ARXIV_VENUE.match(venue):
        return "misc"
    if _JOURNAL_EXACT.match(venue):
        return "article"
    if _CONFERENCE.search(venue):
        return "inproceedings"
    return "article"


_STOP_WORDS = frozenset(
    "a an the on of for in to and with from by via is are as at towards toward using".split()
)


_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(unicodedata.normalize("NFKC", text)).lower())


def _last_name(author: str) -> str:
    author = author.strip()
    if "," in author:  # "He, Kaiming"
        return author.split(",", 1)[0]
    words = [w for w in author.split() if w.lower() not in _NAME_SUFFIXES]
    return words[-1] if words else ""


def citation_key(record: dict[str, Any]) -> str:
    """The base citation key of a paper record: first author's last name + year + first title word.

    ASCII only (`Müller` → `muller`); authors or words without Latin letters are skipped. See
    `citation_keys` for keys that are unique across a list.
    """
    name = next((p for p in (_key_part(_last_name(a)) for a in record["authors"]) if p), "")
    year = str(record["year"]) if record["year"] else ""
    words = [_key_part(w) for w in re.split(r"[\W_]+", record["title"] or "")]
    words = [w for w in words if w]
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "")
    key = f"{name}{year}{word}"
    if not name and not word:
        key = f"paper{record['number'] or ''}{year}"
    return key


def citation_keys(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Unique keys by path: the base key, then `a`, `b`, … for later records with it.

    Records are taken by file-name number then path, so a key never depends on the export order.
    """
    taken: set[str] = set()
    keys: dict[str, str] = {}
    ordered = sorted(records, key=lambda r: (r["number"] is None, r["number"] or 0, r["path"]))
    for record in ordered:
        base = citation_key(record)
        key = base
        suffix = 0
        while key in taken:
            key = base + _suffix(suffix)
            suffix += 1
        taken.add(key)
        keys[record["path"]] = key
    return keys


def _suffix(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


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


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


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
    braces_ok = _balanced(text)
    out = []
    pos = 0
    for m in _MATH.finditer(text):
        if not _balanced(m.group()):
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
        if any(c.isupper() for c in letters[1:]) and _balanced(escaped):
            return "{" + escaped + "}"
        return escaped

    return re.sub(r"\S+", word, text)


def _bib_name(name: str) -> str:
    name = " ".join(name.split())
    escaped = _latex(name)
    # A comma or a separate "and" would split the name: keep it as one unit.
    if "," in name or re.search(r"(?i)\sand\s", name):
        return "{" + escaped + "}"
    return escaped


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
        ("author", " and ".join(_bib_name(a) for a in rec["authors"])),
    ]
    if entry_type == "inproceedings":
        fields.append(("booktitle", _latex(venue)))
    elif entry_type == "article":
        fields.append(("journal", _latex(venue)))
    elif venue and not _ARXIV_VENUE.match(venue):
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
    """BibTeX entries for paper records, in their order, with keys unique across them."""
    keys = citation_keys(records)
    return "\n".join(entry_for(r, keys[r["path"]]) for r in records)


def misc_entry(key: str, title: str, arxiv: str, url: str, note: str) -> str:
    """An `@misc` entry for an arXiv paper known only by its id (papers cited without a note)."""
    return _bib_entry("misc", key, [("title", _latex(title, protect_case=True)), ("eprint", arxiv),
                                    ("archivePrefix", "arXiv"), ("url", url), ("note", _latex(note))])

