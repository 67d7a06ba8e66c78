"""Snippets as listed, checked and run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.models.notes import Snippet


@dataclass(frozen=True, slots=True)
class SnippetInfo:
    """A snippet with what its header declares and its last recorded run."""

    snippet: Snippet
    note_title: str
    runnable: bool
    title: str | None
    requires: tuple[str, ...]
    expects: tuple[tuple[str, str], ...]
    last_status: str | None
    last_duration: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets list`."""
        s = self.snippet
        return {"id": s.id, "note": s.note_path, "note_title": self.note_title, "language": s.language,
                "line": s.start_line, "source": s.source, "runnable": self.runnable, "title": self.title,
                "requires": list(self.requires), "expects": [f"{k} = {v}" for k, v in self.expects],
                "last_status": self.last_status, "last_duration": self.last_duration}


@dataclass(frozen=True, slots=True)
class SnippetCheck:
    """The outcome of checking one snippet; `cached` when an earlier pass was reused."""

    snippet: Snippet
    status: str  # "pass" | "fail" | "skip" | "error"
    reason: str
    mismatches: tuple[str, ...]
    duration: float
    cached: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets check`."""
        return {"id": self.snippet.id, "source": self.snippet.source, "status": self.status,
                "reason": self.reason, "mismatches": list(self.mismatches), "duration": round(self.duration, 3),
                "cached": self.cached}


@dataclass(frozen=True, slots=True)
class SnippetRun:
    """What running one snippet printed."""

    snippet: Snippet
    returncode: int | None
    stdout: str
    stderr: str
    duration: float
    timed_out: bool
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `kb snippets run --json`: the snippet, returncode, stdout, stderr, duration,
        timed_out, truncated."""
        return {"snippet": self.snippet.to_dict(), "returncode": self.returncode, "stdout": self.stdout,
                "stderr": self.stderr, "duration": round(self.duration, 3), "timed_out": self.timed_out,
                "truncated": self.truncated}
