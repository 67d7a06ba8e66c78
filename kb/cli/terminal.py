"""Everything the CLI prints goes through here, so every command behaves the same way.

- **Untrusted text.** Notes are untrusted: a title holding an escape sequence (`ESC]0;…BEL` retitles
  the terminal) or a file name holding a newline must not reach the terminal raw. `clean` removes
  control characters before kb adds its own colours.
- **Colour.** `color_setting` is the one place that decides (`--color`, then `NO_COLOR`, then
  `FORCE_COLOR`, else only on a terminal); the root command stores its answer as click's
  `ctx.color`, which every `click.echo` (and so `echo`, `echo_error`) obeys. Style with `style` or
  `click.style` and print through these functions: never test for a terminal yourself.
- **JSON.** `emit_json` prints a command's data; `notice` is how a command says something that is not
  data (a corrected query, a fallback, a warning, a repair). On a terminal a notice is a line on
  stderr; under `--json` (a command calls `json_mode()` first) it is carried in the JSON: as an
  entry of the `notices` key of an object, or, where the data is a list (whose shape scripts rely
  on), as one JSON object per line on stderr. Repairs the notebook made are notices too.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any

import click

# C0 controls but tab and newline, DEL, C1 controls; and the bidi overrides that reorder text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\u2028\u2029]")

COLOR_CHOICES = ("auto", "always", "never")


def color_setting(flag: str | None, environ: Mapping[str, str] = os.environ) -> bool | None:
    """Whether to colour: True (always), False (never) or None (only on a terminal, per stream).

    An explicit `--color` wins; otherwise a non-empty `NO_COLOR` turns colour off (no-color.org) and
    a non-empty `FORCE_COLOR` turns it on (NO_COLOR wins when both are set).
    """
    if flag is not None:
        return {"always": True, "never": False}.get(flag)
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return None


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


# --- JSON and notices --------------------------------------------------------------------------------


def _state() -> dict:
    """The root context's dict, where the JSON mode and the pending notices live."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    root = ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {}
    return root.obj


def json_mode(on: bool = True) -> bool:
    """Switch the running command to JSON output (notices are then kept for `emit_json`); returns `on`."""
    state = _state()
    state["json"] = on
    state.setdefault("notices", [])
    return on


def notice(kind: str, message: str, *, styled: str | None = None, **data: Any) -> None:
    """Something to tell the user that is not data: a stderr line (`styled` if given, else `message`),
    or under `--json` a JSON notice `{"notice": kind, "message": message, **data}`."""
    state = _state()
    if state.get("json"):
        state.setdefault("notices", []).append({"notice": kind, "message": clean(message), **data})
    elif styled is not None:
        click.echo(styled, err=True)
    else:
        echo_error(message)


def _drain_notices() -> list[dict]:
    state = _state()
    notebook = state.get("notebook")
    if notebook is not None:  # a rebuilt damaged index, an interrupted run finished
        for repair in notebook.repairs:
            state.setdefault("notices", []).append({"notice": "repair", "message": f"{repair}."})
        notebook.repairs.clear()
    notices, state["notices"] = state.get("notices", []), []
    return notices


def emit_json(data: Any) -> None:
    """The command's data as JSON on stdout (json.dumps escapes control characters itself).

    Under `json_mode()` an object gets a `notices` list (empty when there is nothing to say); a list
    keeps its shape and its notices go to stderr, one JSON object per line.
    """
    json_on = _state().get("json")
    notices = _drain_notices() if json_on else []
    if json_on and isinstance(data, dict):
        data = {**data, "notices": notices}
        notices = []
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    for item in notices:
        click.echo(json.dumps(item, ensure_ascii=False), err=True)


def emit_json_line(data: dict) -> None:
    """One JSON object on one line of stdout (a stream of updates, as `kb index --watch --json`)."""
    click.echo(json.dumps({**data, "notices": _drain_notices()}, ensure_ascii=False))


# --- search excerpts: highlighting and wrapping ------------------------------------------------------


def char_width(ch: str) -> int:
    """Columns `ch` takes on a terminal: 2 for wide (CJK) characters, 0 for combining marks, else 1."""
    if ch < "\u0300":  # Latin and its punctuation, most of every excerpt: neither combining nor wide
        return 1
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def highlight(text: str, spans) -> str:
    """`text` with the matched spans in bold yellow, cleaned to one line."""
    return "".join(_render(_marked(text, spans)))


def _marked(text: str, spans) -> list[tuple[str, bool]]:
    """(character, is it inside a match) for the cleaned one-line text."""
    out: list[tuple[str, bool]] = []
    last = 0
    for start, end in spans:
        out += [(c, False) for c in clean(text[last:start], one_line=True)]
        out += [(c, True) for c in clean(text[start:end], one_line=True)]
        last = end
    out += [(c, False) for c in clean(text[last:], one_line=True)]
    return out


def _render(chars: list[tuple[str, bool]]) -> list[str]:
    """Runs of characters, matches styled (a style always closes within the run)."""
    out, run, state = [], [], None
    for ch, hit in [*chars, ("", None)]:
        if hit is not state and run:
            text = "".join(run)
            out.append(click.style(text, fg="yellow", bold=True) if state else text)
            run = []
        run.append(ch)
        state = hit
    return out


def wrap_highlighted(text: str, spans, width: int) -> list[str]:
    """`text` highlighted as `highlight` does, cut into lines of at most `width` terminal columns.

    Lines break at spaces, or between two wide (CJK) characters, which need none; a word longer than
    a line is cut. Each line opens and closes its own highlight, so a match split over two lines is
    highlighted on both and no colour leaks into the indentation.
    """
    chars = _marked(text, spans)
    width = max(width, 8)
    lines: list[list[tuple[str, bool]]] = []
    line: list[tuple[str, bool]] = []
    used = 0
    for token in _tokens(chars):
        size = sum(char_width(c) for c, _ in token)
        if token[0][0] == " ":
            if line and used + size <= width:
                line += token
                used += size
            elif line:  # a break: the space is not carried to the next line
                lines.append(line)
                line, used = [], 0
            continue
        if used + size > width and line:
            lines.append(line)
            line, used = [], 0
        while size > width:  # a word longer than a whole line
            cut, taken = 0, 0
            while taken + char_width(token[cut][0]) <= width - used:
                taken += char_width(token[cut][0])
                cut += 1
            lines.append(line + token[:cut])
            token, size, line, used = token[cut:], size - taken, [], 0
        line += token
        used += size
    if line:
        lines.append(line)
    out = []
    for ln in lines:
        while ln and ln[-1][0] == " ":
            ln = ln[:-1]
        if ln:
            out.append("".join(_render(ln)))
    return out


def _tokens(chars: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Runs of spaces, single wide characters, and words (runs of everything else)."""
    out: list[list[tuple[str, bool]]] = []
    for item in chars:
        kind = _kind(item[0])
        if out and item[0] in _NO_BREAK_BEFORE and out[-1][0][0] != " ":  # closing punctuation never starts a line
            out[-1].append(item)
        elif out and kind != "wide" and _kind(out[-1][-1][0]) == kind:
            out[-1].append(item)
        else:
            out.append([item])
    return out


_NO_BREAK_BEFORE = set("，。、；：？！）》」』】〉〕…,.;:?!)]}")


def _kind(ch: str) -> str:
    return "space" if ch == " " else "wide" if char_width(ch) == 2 else "word"


# --- progress --------------------------------------------------------------------------------------


class StageProgress:
    """A click progress bar per stage of a long job (`progress(stage, done, total)` callbacks), with
    the stage name as its label and an ETA. A stage with an unknown total (0) is shown by its name."""

    def __init__(self) -> None:
        self.bar = None
        self.stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or (self.bar is not None and self.bar.length != total):
            self.close()
            self.stage = stage
            if total <= 0:
                click.echo(f"{stage}…", err=True)
                return
            self.bar = click.progressbar(length=total, label=f"{stage:<9}", file=sys.stderr, show_eta=True,
                                         show_pos=True, width=30)
            self.bar.__enter__()
        if self.bar is not None and done > self.bar.pos:
            self.bar.update(done - self.bar.pos)
        if self.bar is not None and done >= total:
            self.close()

    def close(self) -> None:
        """End the current bar's line."""
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


def progress_printer() -> StageProgress | None:
    """A `progress(stage, done, total)` callback drawing bars on stderr when it is a terminal, else None
    (nothing is printed into a pipe or a log file)."""
    if not sys.stderr.isatty():
        return None
    progress = StageProgress()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # a bar cut short (Ctrl-C, an error) still ends its line and shows the cursor again
        ctx.call_on_close(progress.close)
    return progress
