"""Text of new notes: safe file-name slugs and paper notes rendered from a template (pure).

A template is Markdown body text without front matter. `render_note` writes the front matter
itself (with PyYAML, through `kb.index.frontmatter`, so any title is quoted correctly) and fills `{placeholder}`s in the body:

    {title} {authors} {year} {venue} {arxiv} {arxiv_url} {doi} {url} {link}
    {abstract} {abstract_quote} {tags} {status} {added}

Unknown `{words}` and other braces (LaTeX, code) are left as written.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from kb.errors import TemplateError
from kb.index.frontmatter import render_front_matter
from kb.layout import STATUSES
from kb.models import PaperMeta
from kb.papers.text import ascii_fold

DEFAULT_PAPER_TEMPLATE = """\
论文链接：{link}

{abstract_quote}

## 这篇论文解决什么问题

<!-- 任务是什么？之前的方法卡在哪里？用一两句话说清这篇论文的核心想法。 -->

## 方法

<!-- 模型结构、损失函数、训练方式；关键公式写成 $…$ 或 $$…$$。 -->

## 实验与数字

<!-- 数据集、指标和最重要的几个数字，注明出处（第几张表、什么设置）。 -->

## 我的理解

<!-- 为什么有效，局限在哪里，和读过的哪些论文、章节有关。 -->

## 相关笔记

<!-- 用相对链接指向相关的章节笔记和论文笔记。 -->
"""

PLACEHOLDERS = (
    "title",
    "authors",
    "year",
    "venue",
    "arxiv",
    "arxiv_url",
    "doi",
    "url",
    "link",
    "abstract",
    "abstract_quote",
    "tags",
    "status",
    "added",
)

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

# Windows refuses these as file names, whatever the extension.
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in "123456789¹²³"]
    + [f"LPT{i}" for i in "123456789¹²³"]
)
# A slug of this many UTF-8 bytes leaves room for `[N]` and `.md` under the usual
# 255-byte file-name limit (a CJK character is 3 bytes, some are 4).
MAX_SLUG_BYTES = 200


def slugify(title: str, max_len: int = 80) -> str:
    """Reduce a title to a safe file-name stem of letters, digits and `-`.

    Accents fold to ASCII, CJK and other letters stay, anything else becomes `-`; the result
    is never empty ("untitled"), never a Windows device name and at most `max_len` characters
    (and `MAX_SLUG_BYTES` UTF-8 bytes), cut at a `-` when one is near the end.
    """
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    text = ascii_fold(unicodedata.normalize("NFKC", title))
    text = re.sub("['’‘`´]", "", text)  # "What's" → "Whats", not "What-s"
    chars = [ch if ch.isalnum() else "-" for ch in text]
    slug = re.sub(r"-{2,}", "-", "".join(chars)).strip("-.")
    slug = _truncate(slug, max_len)
    if not slug:
        slug = "untitled"
    if slug.upper() in _WINDOWS_RESERVED:
        slug = f"{slug}-note"
    return slug


def _truncate(slug: str, max_len: int) -> str:
    """Cut `slug` to `max_len` characters and MAX_SLUG_BYTES bytes, preferring a word boundary."""
    limit = max_len
    while limit > 0 and len(slug[:limit].encode("utf-8")) > MAX_SLUG_BYTES:
        limit -= 1
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    if slug[limit] != "-":
        boundary = cut.rfind("-")
        if boundary >= limit // 2:
            cut = cut[:boundary]
    return cut.strip("-.")


# --- front matter -----------------------------------------------------------------------------


def _present(value: Any) -> bool:
    return value not in (None, "", (), [], {})


def front_matter_dict(
    fields: PaperMeta,
    today: datetime.date,
    *,
    tags: Sequence[str] = (),
    status: str | None = None,
    note_authors: Sequence[str] = (),
    aliases: Sequence[str] = (),
    tldr: str | None = None,
) -> dict[str, Any]:
    """The front matter of a new paper note as an ordered dict, empty fields left out."""
    if not fields.title or not fields.title.strip():
        raise TemplateError("a paper note needs a title", hint="give TITLE, --bibtex or --arxiv")
    status = status or "to-read"
    if status not in STATUSES:
        raise TemplateError(f"invalid status {status!r}", hint="use one of: " + ", ".join(STATUSES))
    paper = {
        "title": fields.title,
        "authors": list(fields.authors),
        "year": fields.year,
        "venue": fields.venue,
        "arxiv": fields.arxiv,
        "doi": fields.doi,
        "url": fields.url,
    }
    pdf = next((f for f in fields.files if f.lower().endswith(".pdf")), fields.files[0] if fields.files else None)
    data = {
        "title": fields.title,
        "kind": "paper",
        "citekey": fields.citekey,
        "authors": list(note_authors),
        "tags": list(tags),
        "status": status,
        "aliases": list(aliases),
        "tldr": tldr,
        "paper": {k: v for k, v in paper.items() if _present(v)},
        "pdf": pdf,
        "files": [f for f in fields.files if f != pdf],  # the other attachments, when there are more
        "added": today,
    }
    return {k: v for k, v in data.items() if _present(v)}


def _placeholder_values(fields: PaperMeta, today: datetime.date, status: str, tags: Sequence[str]) -> dict[str, str]:
    arxiv_url = f"https://arxiv.org/abs/{fields.arxiv}" if fields.arxiv else ""
    doi_url = f"https://doi.org/{fields.doi}" if fields.doi else ""
    if fields.arxiv:
        link = f"[arXiv:{fields.arxiv}]({arxiv_url})"
    elif fields.doi:
        link = f"[doi:{fields.doi}]({doi_url})"
    elif fields.url:
        link = f"<{fields.url}>"
    else:
        link = "（待补充）"
    abstract = (fields.abstract or "").strip()
    quote = "\n".join(f"> {line}".rstrip() for line in abstract.splitlines()) if abstract else ""
    return {
        "title": fields.title or "",
        "authors": ", ".join(fields.authors),
        "year": str(fields.year) if fields.year else "",
        "venue": fields.venue or "",
        "arxiv": fields.arxiv or "",
        "arxiv_url": arxiv_url,
        "doi": fields.doi or "",
        "url": fields.url or arxiv_url or doi_url,
        "link": link,
        "abstract": abstract,
        "abstract_quote": quote,
        "tags": ", ".join(tags),
        "status": status,
        "added": today.isoformat(),
    }


def fill_placeholders(template: str, values: dict[str, str]) -> str:
    """Replace known `{name}`s in `template`.

    A line made only of placeholders that all come out empty is dropped, and the blank lines
    around it collapse to one, so an optional `{abstract_quote}` leaves no gap.
    """
    out: list[str] = []
    dropped = False
    for line in template.splitlines(keepends=True):
        filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], line)
        if _PLACEHOLDER.search(line) and not _PLACEHOLDER.sub("", line).strip() and not filled.strip():
            dropped = True
            continue
        if dropped and not line.strip() and out and not out[-1].strip():
            continue  # the blank line after a dropped line, when one already precedes it
        dropped = False
        out.append(filled)
    return "".join(out)


def render_note(template: str, fields: PaperMeta, today: datetime.date, **note_fields: Any) -> str:
    """The full text of a new paper note: front matter from `fields`, body from `template`.

    `note_fields` are `front_matter_dict`'s keywords (tags, status, note_authors, aliases, tldr);
    `note_authors` are the note's author ids (authors.yml), not the paper's authors.
    Raises TemplateError when `fields` has no title or an invalid status.
    """
    data = front_matter_dict(fields, today, **note_fields)
    body = fill_placeholders(template, _placeholder_values(fields, today, data["status"], note_fields.get("tags", ())))
    body = body.lstrip("\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return render_front_matter(data) + ("\n" + body if body else "")
