"""What the Python that runs snippets offers, and whether a snippet can run under it.

`obstacle` is the one check, in one order, that both `check_snippet` (which reports a skip or an
error) and `kb snippets run` (which refuses, with a hint) apply before anything runs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from kb.errors import KbError, SnippetNotRunnable
from kb.models import Snippet
from kb.snippets.header import PYTHON_LANGUAGES, SnippetSpec, is_runnable


@dataclass(frozen=True, slots=True)
class Obstacle:
    """Why a snippet cannot run here: "not-python", "no-header", "bad-header", "cannot-check" or "missing"."""

    kind: str
    details: tuple[str, ...] = ()  # header errors, the probe's error, or the missing modules


def obstacle(snippet: Snippet, spec: SnippetSpec, python: str = sys.executable) -> Obstacle | None:
    """What stops `snippet` (with its parsed header `spec`) from running under `python`, or None."""
    if not is_runnable(snippet):
        is_python = snippet.language.lower() in PYTHON_LANGUAGES or (
            snippet.source is not None and snippet.source.lower().endswith(".py"))
        return Obstacle("no-header" if is_python else "not-python")
    if spec.errors:
        return Obstacle("bad-header", spec.errors)
    try:
        missing = missing_modules(spec.requires, python)
    except (OSError, subprocess.TimeoutExpired, KbError) as exc:
        return Obstacle("cannot-check", (str(exc),))
    if missing:
        return Obstacle("missing", tuple(missing))
    return None


def refusal(snippet: Snippet, found: Obstacle, python: str = sys.executable) -> SnippetNotRunnable:
    """The error `kb snippets run` raises for an obstacle: what is wrong and how to fix it."""
    if found.kind == "not-python":
        kind = f"a {snippet.language} block" if snippet.language else "a block without a language"
        return SnippetNotRunnable(f"{snippet.id} is {kind}; only Python snippets are run",
                                  hint="see README, \"Runnable snippets\"; `kb snippets export` writes it to a file")
    if found.kind == "no-header":
        return SnippetNotRunnable(f"{snippet.id} has no `# requires:` or `# expect:` header, so it is not runnable",
                                  hint="add a header such as `# requires: torch` at its top (README, \"Runnable snippets\")")
    if found.kind == "bad-header":
        return SnippetNotRunnable(f"{snippet.id} has a bad header: " + "; ".join(found.details),
                                  hint="fix the header comments at the top of the snippet")
    if found.kind == "cannot-check":
        return SnippetNotRunnable(f"cannot check {snippet.id}'s requirements: {found.details[0]}")
    names = ", ".join(found.details)
    one = len(found.details) == 1
    return SnippetNotRunnable(
        f"{snippet.id} requires {'module' if one else 'modules'} {names}, which {python} cannot import",
        hint=f"install {names} into this Python, or drop {'it' if one else 'them'} from `# requires:`")


def missing_modules(modules: tuple[str, ...], python: str) -> list[str]:
    """The modules `python` cannot import. Raises `OSError`/`KbError` when it cannot be asked."""
    # Only the top-level package is looked up: find_spec("a.b") imports `a`, and importing torch
    # just to decide whether to skip would cost seconds per snippet.
    tops = list(dict.fromkeys(name.split(".")[0] for name in modules))
    if not tops:
        return []
    if python == sys.executable:
        return [name for name in tops if importlib.util.find_spec(name) is None]
    probe = (
        "import importlib.util, sys\n"
        "print(','.join(n for n in sys.argv[1:] if importlib.util.find_spec(n) is None))\n"
    )
    done = run_probe(python, probe, *tops)
    if done.returncode != 0:
        raise KbError(f"{python} could not check modules: {last_line(done.stderr) or done.returncode}")
    return [name for name in done.stdout.strip().split(",") if name]


def run_probe(python: str, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -c code args` for its output, in a new empty folder of its own.

    `python -c` puts its working folder first on `sys.path`. The caller's folder could hold a module
    named like one the probe imports, and so could the shared temporary folder (anyone can write a
    `platform.py` into /tmp): an empty private folder shadows nothing."""
    with tempfile.TemporaryDirectory(prefix="kb-probe-") as empty:
        return subprocess.run([python, "-c", code, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60, cwd=empty)


def last_line(text: str) -> str:
    """The last non-blank line of `text` (an error's summary), stripped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def runtime_fingerprint(python: str = sys.executable) -> str:
    """Describe the interpreter and torch version, e.g. "python 3.11.7; torch 2.13.0".

    A snippet that passed under the same fingerprint with the same checksum need not run again.
    torch is looked up in package metadata, never imported. Raises `KbError` when a foreign
    `python` cannot report.
    """
    if python == sys.executable:
        try:
            torch = f"torch {importlib.metadata.version('torch')}"
        except importlib.metadata.PackageNotFoundError:
            torch = "torch absent"
        return f"python {platform.python_version()}; {torch}"

    probe = (
        "import importlib.metadata as m, platform\n"
        "try:\n"
        "    t = 'torch ' + m.version('torch')\n"
        "except m.PackageNotFoundError:\n"
        "    t = 'torch absent'\n"
        "print(f'python {platform.python_version()}; {t}')\n"
    )
    try:
        done = run_probe(python, probe)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KbError(f"cannot run {python}: {exc}", hint="check that this Python interpreter runs") from exc
    if done.returncode != 0:
        raise KbError(f"{python} failed: {last_line(done.stderr)}", hint="check that this Python interpreter runs")
    return done.stdout.strip()


def code_checksum(code: str) -> str:
    """The sha256 hex digest of `code` (UTF-8)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()

