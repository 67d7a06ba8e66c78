"""Writing files the user asked for, without ever overwriting one by surprise."""

from __future__ import annotations

import os
from pathlib import Path

from kb.errors import NoteExistsError


def write_output(path: str | os.PathLike, text: str, *, force: bool = False) -> Path:
    """Write `text` to `path`; an existing file is replaced only with `force` (created exclusively otherwise)."""
    target = Path(path)
    if force:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        return target
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise NoteExistsError(str(target), "already exists", hint="pass --force to overwrite it") from None
    return target
