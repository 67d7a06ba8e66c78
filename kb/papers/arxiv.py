"""arXiv: the one grammar of arXiv ids (used by parsing, adding and exporting) and the API client.

    parse_arxiv_id("https://arxiv.org/pdf/2101.03697v2.pdf")  -> "2101.03697"
    find_arxiv_id("arXiv preprint arXiv:1512.03385")          -> "1512.03385"
    id_from_url("https://arxiv.org/abs/1512.03385v3")          -> "1512.03385"

The client imports urllib only when it is called, so reading ids costs nothing at start-up.
"""

from __future__ import annotations

import re
import time

from kb.errors import ArxivNotFound, ArxivUnavailable, InvalidArxivId
from kb.models import PaperMeta
from kb.papers.text import clean_doi, clean_text

ARXIV_API = "https://export.arxiv.org/api/query"

_NEW_ID = r"(?P<new>(?P<yy>\d\d)(?P<mm>\d\d)\.(?P<num>\d{4,5}))"
_OLD_ID = r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/(?P<oyy>\d\d)(?P<omm>\d\d)\d{3})"
_ID = rf"(?:{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
_ARXIV_FORMS = [
    re.compile(rf"(?i:arxiv)?:?\s*{_ID}"),
    re.compile(
        rf"(?i:(?:https?://)?(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf|html|format|ps)/){_ID}"
        r"(?i:\.pdf)?/?(?:[?#].*)?"
    ),
    re.compile(rf"(?i:(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.){_ID}"),
]
# An id mentioned inside longer text: "arXiv preprint arXiv:1512.03385", "abs/1512.03385".
_ARXIV_IN_TEXT = re.compile(
    rf"(?i:arxiv(?:\.org/(?:abs|pdf)/|[\s:.]+)|\babs/)(?:{_NEW_ID}|{_OLD_ID})(?![\d])"
)

# An arXiv URL anywhere in a link target: https://arxiv.org/abs/…, /pdf/…v2.pdf, /html/…
_ARXIV_URL = re.compile(rf"(?i:arxiv\.org/(?:abs|pdf|html|format|ps)/)(?:{_NEW_ID}|{_OLD_ID})(?![\d])")


def _id_from_match(m: re.Match[str]) -> str | None:
    if m.group("new"):
        yymm = int(m.group("yy") + m.group("mm"))
        if not 1 <= int(m.group("mm")) <= 12 or yymm < 704:
            return None
        # 4-digit numbers until 2014, 5 digits from 1501 on.
        if (len(m.group("num")) == 5) != (yymm >= 1501):
            return None
        return m.group("new")
    if not 1 <= int(m.group("omm")) <= 12:
        return None
    # The subject class (`math.GT/…`) is not part of the canonical id.
    return f"{m.group('archive')}/{m.group('old').split('/')[1]}"


def parse_arxiv_id(text: str) -> str | None:
    """The arXiv id (without version) in an id, `arXiv:` id, abs/pdf URL or arXiv DOI; else None.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2101.03697v2.pdf")
    '2101.03697'
    >>> parse_arxiv_id("hep-th/9901001v3")
    'hep-th/9901001'
    """
    text = text.strip()
    for form in _ARXIV_FORMS:
        m = form.fullmatch(text)
        if m:
            return _id_from_match(m)
    return None


def _first_id(pattern: re.Pattern[str], text: str) -> str | None:
    """The first match of `pattern` in `text` that is a valid arXiv id."""
    for m in pattern.finditer(text):
        found = _id_from_match(m)
        if found:
            return found
    return None


def find_arxiv_id(text: str | None) -> str | None:
    """The arXiv id that `text` is, or mentions ("arXiv preprint arXiv:1512.03385"); else None."""
    if not text:
        return None
    return parse_arxiv_id(text) or _first_id(_ARXIV_IN_TEXT, text)


def id_from_url(url: str) -> str | None:
    """The arXiv id (without version) an arxiv.org URL points to, or None."""
    if "arxiv" not in url.lower():
        return None
    return _first_id(_ARXIV_URL, url)


# --- the API client -------------------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"


_ARXIV_NS = "{http://arxiv.org/schemas/atom}"


_MAX_RESPONSE = 2_000_000


def _unavailable(arxiv_id: str, reason: object) -> ArxivUnavailable:
    return ArxivUnavailable(
        f"could not reach arXiv for {arxiv_id} ({reason}); creating the note from what was given"
    )


def fetch_arxiv(arxiv_id: str, *, timeout: float = 5.0, base_url: str = ARXIV_API) -> PaperMeta:
    """Fetch title, authors, year, venue (journal ref, else "arXiv"), DOI and abstract from arXiv.

    Fails within about `timeout` seconds with ArxivUnavailable when offline, and with
    ArxivNotFound when arXiv has no such paper; `arxiv_id` may also be a URL.
    """
    import http.client  # noqa: PLC0415 - only `kb add-note --arxiv` pays for the network stack
    import urllib.error  # noqa: PLC0415
    import urllib.parse  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    aid = parse_arxiv_id(arxiv_id)
    if aid is None:
        raise InvalidArxivId(f"not an arXiv id or URL: {arxiv_id!r}")
    query = urllib.parse.urlencode({"id_list": aid, "max_results": "1"})
    request = urllib.request.Request(  # noqa: S310 - see urlopen below
        f"{base_url}?{query}", headers={"User-Agent": "kb-notebook (kb add-note)"}
    )
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - base_url is arXiv's or a caller's test server
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_RESPONSE:
                    raise _unavailable(aid, "answer too large")
                if time.monotonic() > deadline:
                    raise _unavailable(aid, f"no complete answer within {timeout:g} s")
    except urllib.error.HTTPError as e:
        raise _unavailable(aid, f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            reason = f"timed out after {timeout:g} s"
        raise _unavailable(aid, reason) from None
    except TimeoutError:
        raise _unavailable(aid, f"timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as e:
        raise _unavailable(aid, str(e) or type(e).__name__) from None
    return _fields_from_atom(b"".join(chunks), aid)


def _fields_from_atom(data: bytes, aid: str) -> PaperMeta:
    import xml.etree.ElementTree as ET  # noqa: PLC0415, N817

    try:
        root = ET.fromstring(data)  # noqa: S314 - arXiv's feed, at most 2 MB; expat refuses entity expansion bombs
    except ET.ParseError:
        raise _unavailable(aid, "the answer is not an Atom feed") from None
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = entry.findtext(f"{_ATOM}id") or ""
        if "/api/errors" in entry_id:
            summary = clean_text(entry.findtext(f"{_ATOM}summary")) or "error"
            raise ArxivNotFound(f"arXiv does not know {aid}: {summary}")
        if find_arxiv_id(entry_id) not in (aid, None):
            continue
        published = entry.findtext(f"{_ATOM}published") or ""
        authors = tuple(
            name for a in entry.iter(f"{_ATOM}author") if (name := clean_text(a.findtext(f"{_ATOM}name")))
        )
        return PaperMeta(
            title=clean_text(entry.findtext(f"{_ATOM}title")),
            authors=authors,
            year=int(published[:4]) if published[:4].isdigit() else None,
            venue=clean_text(entry.findtext(f"{_ARXIV_NS}journal_ref")) or "arXiv",
            arxiv=aid,
            doi=clean_doi(entry.findtext(f"{_ARXIV_NS}doi")),
            url=f"https://arxiv.org/abs/{aid}",
            abstract=clean_text(entry.findtext(f"{_ATOM}summary")),
        )
    raise ArxivNotFound(f"arXiv has no paper with id {aid}")

