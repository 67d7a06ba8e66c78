"""A snippet's header: the leading `# key: value` comments that make it runnable and say what it
must print (see README, "Runnable snippets").

    # kb-snippet: ResNet-18, torchvision layout
    # requires: torch
    # expect: params = 11689512
    # timeout: 30
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kb.models import Snippet

DEFAULT_TIMEOUT = 60.0
PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})

# `# key: value`; keys other than these are ordinary comments and are ignored.
_HEADER_KEYS = ("kb-snippet", "requires", "expect", "timeout", "source")


_HEADER_RE = re.compile(r"#+\s*(" + "|".join(_HEADER_KEYS) + r")\s*:(.*)", re.IGNORECASE)


_MODULE_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True, slots=True)
class SnippetSpec:
    """What a snippet's header comments declare. Malformed lines end up in `errors`, never raised."""

    title: str | None = None
    requires: tuple[str, ...] = ()
    requires_declared: bool = False  # a `# requires:` line was present, even if it named nothing
    expects: tuple[tuple[str, str], ...] = ()  # (name, value), whitespace already normalised
    timeout: float | None = None  # seconds; None means the caller's default
    source: str | None = None
    errors: tuple[str, ...] = ()  # "line N: reason", N counted from the snippet's first line

    @property
    def marks_runnable(self) -> bool:
        """True when the header asks for the snippet to be run (`requires:` or an `expect:`)."""
        return self.requires_declared or bool(self.expects)


def normalise_assignment(line: str) -> str | None:
    """Return `name = value` with the whitespace around the first `=` collapsed, or None without `=`."""
    name, sep, value = line.partition("=")
    if not sep:
        return None
    return f"{name.strip()} = {value.strip()}"


# Long on purpose: one pass over the header lines, one branch per key, each recording its own errors.
def parse_header(code: str) -> SnippetSpec:
    """Read the leading block of `#` comment lines of `code` into a `SnippetSpec`.

    Blank lines may sit inside the block; the first line of code ends it. Comment lines that are
    not `kb-snippet:`, `requires:`, `expect:`, `timeout:` or `source:` are ignored.
    """
    title: str | None = None
    source: str | None = None
    timeout: float | None = None
    requires: list[str] = []
    requires_declared = False
    expects: list[tuple[str, str]] = []
    errors: list[str] = []

    for number, raw in enumerate(code.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        match = _HEADER_RE.fullmatch(line)
        if match is None:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        where = f"line {number}: {key}"

        if key == "kb-snippet" or key == "source":
            if not value:
                errors.append(f"{where}: empty value")
            elif (title if key == "kb-snippet" else source) is not None:
                # A second title or source is almost always a copy-paste slip; keep the first.
                errors.append(f"{where}: given more than once")
            elif key == "kb-snippet":
                title = value
            else:
                source = value
        elif key == "requires":
            requires_declared = True
            for name in (part.strip() for part in value.split(",")):
                if not name:
                    continue
                if _MODULE_RE.fullmatch(name):
                    if name not in requires:
                        requires.append(name)
                else:
                    errors.append(f"{where}: {name!r} is not a module name")
        elif key == "expect":
            normalised = normalise_assignment(value)
            if normalised is None:
                errors.append(f"{where}: expected NAME = VALUE, got {value!r}")
                continue
            name, _, expected = normalised.partition(" = ")
            if not name or not expected:
                errors.append(f"{where}: expected NAME = VALUE, got {value!r}")
            else:
                expects.append((name, expected))
        else:  # timeout
            try:
                seconds = float(value)
            except ValueError:
                errors.append(f"{where}: {value!r} is not a number of seconds")
                continue
            if not math.isfinite(seconds) or seconds <= 0:
                errors.append(f"{where}: {value!r} must be a positive number of seconds")
            elif timeout is not None:
                errors.append(f"{where}: given more than once")
            else:
                timeout = seconds

    return SnippetSpec(
        title=title,
        requires=tuple(requires),
        requires_declared=requires_declared,
        expects=tuple(expects),
        timeout=timeout,
        source=source,
        errors=tuple(errors),
    )


def is_runnable(snippet: Snippet) -> bool:
    """True for Python code whose header declares `requires:` or at least one `expect:`."""
    is_python = snippet.language.lower() in PYTHON_LANGUAGES or (
        snippet.source is not None and snippet.source.lower().endswith(".py")
    )
    return is_python and parse_header(snippet.code).marks_runnable

