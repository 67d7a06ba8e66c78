"""Problems with notes, reported by indexing and checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one note: reported by `kb index`/`kb check`, never fatal."""

    path: str
    line: int
    kind: str  # bad-yaml, unreadable, not-utf8, missing-title, duplicate-title, broken-link, empty, unknown-key, unknown-tag, ...
    message: str
    severity: str = "warning"  # "error" for problems that lost information (bad YAML, unreadable file)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, line, kind, message, severity."""
        return {"path": self.path, "line": self.line, "kind": self.kind, "message": self.message,
                "severity": self.severity}
