"""Everything the CLI prints goes through here: notes are untrusted text, and a title holding an
escape sequence (`ESC]0;…BEL` retitles the terminal) or a file name holding a newline must not
reach the terminal raw. Control characters are removed before kb adds its own colours."""

from __future__ import annotations

import json
import re
from typing import Any

import click

# C0 controls but tab and newline, DEL, C1 controls; and the bidi overrides that reorder text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\u2028\u2029]")


def clean(text: object, *, one_line: bool = False) -> str:
    """`text` without control characters (and without line breaks when `one_line`)."""
    out = _CONTROL.sub("", str(text))
    return _LINE_BREAKS.sub(" ", out) if one_line else out


def echo(text: str = "", *, nl: bool = True) -> None:
    """A line of data on stdout (already cleaned and styled by the caller)."""
    click.echo(text, nl=nl)


def echo_error(text: str) -> None:
    """A message on stderr, cleaned."""
    click.echo(clean(text), err=True)


def style(text: object, **kwargs: Any) -> str:
    """`text` cleaned to one line, then styled (colours are kb's own escape sequences)."""
    return click.style(clean(text, one_line=True), **kwargs)


def emit_json(data: Any) -> None:
    """JSON on stdout (json.dumps escapes control characters itself)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def highlight(text: str, spans) -> str:
    """`text` with the matched spans in bold yellow, cleaned to one line."""
    out, last = [], 0
    for start, end in spans:
        out.append(clean(text[last:start], one_line=True))
        out.append(click.style(clean(text[start:end], one_line=True), fg="yellow", bold=True))
        last = end
    out.append(clean(text[last:], one_line=True))
    return "".join(out)


def progress_printer():
    """A progress line on a terminal (stderr), nothing otherwise."""
    import sys  # noqa: PLC0415

    if not sys.stderr.isatty():
        return None

    def report(stage: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        click.echo(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=False)
        if done >= total:
            click.echo("", err=True)

    return report
