"""Writing files: exports the user asked for (never overwriting one by surprise) and notes replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

from kb.errors import NoteExistsError, NotWritable


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
    except OSError as exc:
        raise NotWritable(str(path), exc.strerror or str(exc)) from None
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def replace_file(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data` atomically, keeping its permission bits.

    The new bytes go to a temporary file in the same folder, which is then renamed over the old one:
    a reader (or a crash) sees the old file or the new one, never half of either. A folder that
    cannot be written raises NotWritable with the file untouched.
    """
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
    except OSError as exc:
        raise NotWritable(str(path), exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
