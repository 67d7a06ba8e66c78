"""Front matter: the YAML block between `---` lines at the very start of a note.

One module for reading it (`split_front_matter`, `load_front_matter`), writing a new one
(`render_front_matter`) and changing one value in place (`set_status`), so that parsing and
`kb mark` agree on the rule: front matter is recognised only at offset 0, and a `---` later in
the body is a horizontal rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kb.errors import FrontMatterError
from kb.layout import FRONT_MATTER_LINE, STATUSES
from kb.models import Problem

try:  # the C loader is ~7x faster; fall back quietly where libyaml is missing
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _YamlLoader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The result of splitting a note's text into front matter and body."""

    raw: str | None  # the YAML text, None when the note has none
    body: str
    body_line: int  # 1-based line where the body starts
    unterminated: bool = False


def normalise_text(text: str) -> str:
    """Drop a BOM and turn CRLF/CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> FrontMatter:
    """Split `---` front matter from the body; front matter is recognised only at offset 0."""
    text = normalise_text(text)
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip(" \t") != "---":
        return FrontMatter(None, text, 1)
    pos = first_end + 1
    line_no = 2
    while pos <= len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end == -1 else text[pos:end]
        if line.rstrip(" \t") in ("---", "..."):
            raw = text[first_end + 1 : pos]
            body = "" if end == -1 else text[end + 1 :]
            return FrontMatter(raw, body, line_no + 1)
        if end == -1:
            break
        pos = end + 1
        line_no += 1
    # No closing line: this is not front matter, the whole text is the body.
    return FrontMatter(None, text, 1, unterminated=True)


# Bounds on what one note's front matter may cost: its size, and how many values it stands for once
# YAML aliases (`*name`) are expanded. A "billion laughs" block of a few hundred bytes expands to 9**9
# values, which everything downstream (JSON, the search document) would walk.
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_EXPANDED_VALUES = 10_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]")


def _expanded_size(data: Any, limit: int) -> int:
    """How many values `data` stands for with every shared reference counted each time it is reached
    (as a JSON dump would write it), stopping early once past `limit`; a cycle counts as past it.
    Linear in the distinct objects: the size of each shared container is worked out once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(value: Any) -> int:
        if isinstance(value, dict):
            children: Any = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            return limit + 1
        on_path.add(key)
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(data)


def load_front_matter(raw: str, path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Parse front matter YAML; a broken block yields `{}` and a problem naming the line.

    A block over `MAX_FRONT_MATTER_BYTES`, or one whose aliases expand to more than
    `MAX_EXPANDED_VALUES` values, is not used either (a problem says why), so one hostile note
    cannot exhaust memory or time.
    """
    if len(raw) > MAX_FRONT_MATTER_BYTES or len(raw.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return {}, [Problem(path, FRONT_MATTER_LINE, "bad-yaml", f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB; "
                            "it was ignored", "error")]
    try:
        data = yaml.load(raw, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + FRONT_MATTER_LINE) if mark is not None else 1  # mark.line counts from 0
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, [Problem(path, line, "bad-yaml", f"invalid front matter YAML: {reason}", "error")]
    if data is None:
        return {}, []
    alias = _ALIAS.search(raw)
    if alias is not None and _expanded_size(data, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES:
        line = raw.count("\n", 0, alias.start() + 1) + FRONT_MATTER_LINE  # newlines before it: from 0
        return {}, [Problem(path, line, "bad-yaml", f"front matter aliases expand to more than "
                            f"{MAX_EXPANDED_VALUES} values; it was ignored", "error")]
    if not isinstance(data, dict):
        return {}, [Problem(path, FRONT_MATTER_LINE, "bad-yaml", "front matter is not a mapping of keys to values", "error")]
    return {str(k): v for k, v in data.items()}, []



# A `key:` at the start of a line (after a block's indentation): plain, or quoted either way.
_KEY_LINE = re.compile(r"""(?:"([^"\n]+)"|'([^'\n]+)'|([^\s#:"'\-][^:#\n]*?))\s*:(?:\s|$)""")


def key_lines(raw: str) -> dict[str, int]:
    """The file line of each top-level key of the front matter `raw` (which starts on line 2, after
    the opening `---`), and of each key one level under a top-level key as `parent.child`; where a
    problem with a field is reported. A key written in flow style (`paper: {year: x}`) has only its
    top-level line."""
    lines: dict[str, int] = {}
    parent = None
    for number, line in enumerate(raw.splitlines(), start=FRONT_MATTER_LINE):
        content = line.lstrip(" \t")
        if not content or content.startswith("#"):
            continue
        match = _KEY_LINE.match(content)
        key = next((g for g in match.groups() if g is not None), "").strip() if match else ""
        if content is line:  # not indented: a top-level key, or something else at the top level
            parent = key or None
            if key:
                lines.setdefault(key, number)
        elif parent is not None and key:
            lines.setdefault(f"{parent}.{key}", number)
    return lines


# --- writing a new front matter ------------------------------------------------------------

# Characters that a plain or single-quoted YAML scalar would keep raw but that break a
# line-based front-matter reader (line separators, NEL, control characters, BOM, lone
# surrogates): scalars containing them are written double-quoted, where YAML escapes them.
_NEEDS_ESCAPES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


class _FrontMatterDumper(yaml.SafeDumper):
    """SafeDumper with the notebook's layout: flow lists (`tags: [a, b]`), block mappings."""


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NEEDS_ESCAPES.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FrontMatterDumper.add_representer(list, _represent_list)
_FrontMatterDumper.add_representer(tuple, _represent_list)
_FrontMatterDumper.add_representer(str, _represent_str)


def render_front_matter(data: dict[str, Any]) -> str:
    """`data` as a front-matter block: `---`, one YAML line per scalar or list, `---`."""
    body = yaml.dump(
        data,
        Dumper=_FrontMatterDumper,  # a SafeDumper: same output types as yaml.safe_dump
        allow_unicode=True,
        sort_keys=False,
        width=2**31 - 1,  # never fold a long title onto a second line
    )
    return f"---\n{body}---\n"


# --- changing the status in place ---------------------------------------------------------

_STATUS_LINE = re.compile(
    r"""^(?P<key>(?P<q>["']?)status(?P=q)[ \t]*:)(?P<sp>[ \t]*)(?P<value>"[^"]*"|'[^']*'|[^\s#]*)(?P<rest>.*)$""",
    re.S,
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _split_lines(text: str) -> list[str]:
    """Lines with their endings kept; CRLF, LF and a lone CR each end a line (as kb.parse reads them)."""
    return _LINE.findall(text)


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _ending(line: str) -> str:
    return line[len(_content(line)):]


def set_status(text: str, status: str, path: str = "<note>") -> str:
    """`text` with the front matter's top-level `status:` set to `status`; nothing else changes.

    The value is replaced in place (quotes and a trailing comment are kept); without a status
    line one is inserted before the closing `---`; without front matter a block is added at the
    top. Line endings, a BOM and every other byte are preserved. Raises FrontMatterError for an
    invalid status, a front matter that is never closed, or a status that cannot be edited safely.
    """
    if status not in STATUSES:
        raise FrontMatterError(path, 1, f"invalid status {status!r} (use {', '.join(STATUSES)})")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = _split_lines(text[len(bom):])
    newline = (_ending(lines[0]) if lines else "") or "\n"

    if not lines or _content(lines[0]).rstrip(" \t") != "---":
        block = f"---{newline}status: {status}{newline}---{newline}"
        return bom + block + "".join(lines)

    close = next((i for i in range(1, len(lines)) if _content(lines[i]).rstrip(" \t") in ("---", "...")), None)
    if close is None:
        raise FrontMatterError(path, 1, "the front matter opened on line 1 is never closed with '---'")

    found = [i for i in range(1, close) if _STATUS_LINE.match(_content(lines[i]))]
    if len(found) > 1:
        raise FrontMatterError(path, found[1] + 1, "'status' appears more than once in the front matter")
    if not found:
        ending = _ending(lines[close - 1]) or newline
        lines.insert(close, f"status: {status}{ending}")
        return bom + "".join(lines)

    i = found[0]
    content = _content(lines[i])
    ending = _ending(lines[i])
    m = _STATUS_LINE.match(content)
    assert m is not None
    value = m.group("value")
    rest = m.group("rest")
    if rest.strip() and not rest.lstrip().startswith("#"):
        raise FrontMatterError(path, i + 1, f"cannot change status {value + rest!r}: not a plain value")
    if not value and i + 1 < close and _content(lines[i + 1])[:1] in (" ", "\t"):
        raise FrontMatterError(path, i + 1, "cannot change a status written over several lines")
    quote = value[0] if value[:1] in ("'", '"') else ""
    new_value = f"{quote}{status}{quote}"
    if not value and not m.group("sp"):
        new_value = " " + new_value  # `status:` with nothing after the colon
    if not value and rest.startswith("#"):
        new_value += " "  # keep `#` a comment: `read# x` would be one plain scalar
    lines[i] = content[: m.start("value")] + new_value + content[m.end("value"):] + ending
    return bom + "".join(lines)


def set_status_checked(text: str, status: str, path: str = "<note>") -> str:
    """`set_status`, and proof that the result reads back as the same front matter with the new status.

    A flow-style block (`{title: X, status: to-read}`) has no status line to change: the edit would
    break it, so FrontMatterError is raised instead and the caller writes nothing.
    """
    new = set_status(text, status, path)
    if new == text:
        return text
    before, _ = load_front_matter(split_front_matter(text).raw or "", path)
    after, problems = load_front_matter(split_front_matter(new).raw or "", path)
    if problems:
        raise FrontMatterError(path, 1, "changing the status would break its front matter (is it flow-style "
                               "`{…}` YAML?); the note was left as it was")
    if after != {**before, "status": status}:
        raise FrontMatterError(path, 1, "the status cannot be changed without changing other front matter; "
                               "the note was left as it was")
    return new
