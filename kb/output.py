"""Writing files the user asked for, without ever overwriting one by surprise."""

from __future__ import annotations

import os
from pathlib import Path

from kb.errors import NoteExistsError


def write_output(path: str | os.PathLike | Path, text: str, *, force: bool = False) -> None:
    """Write `text` (UTF-8, newlines as given) to `path`; an existing file is kept unless `force`.

    Raises NoteExistsError when the file exists and `force` is false.
    """
    data = text.encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= os.O_TRUNC if force else os.O_EXCL
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        raise NoteExistsError(str(path), "already exists", hint="pass --force to overwrite it") from None
    with os.fdopen(fd, "wb") as f:
        f.write(data)
