"""Room for the files a Whoosh searcher keeps open.

A searcher holds about seven files open per segment (terms, postings, a field-length column per
scored field), and a full build writes a segment per batch of notes (about one per 5.5 MB of notes),
so a notebook of ~100k notes needs more open files than the usual soft limit of 1,024 allows (256 on
macOS). The soft limit is only a default: a process may raise it up to the hard limit, as databases
and build tools do, and kb does so before it opens an index. When even the hard limit is too low,
`too_many_open_files` makes the one-line error that says so.
"""

from __future__ import annotations

import errno

from kb.errors import TooManyOpenFiles

# Enough for ~1,000 segments; asked for only as far as the hard limit allows.
WANTED_OPEN_FILES = 8192


def open_files_limit() -> int | None:
    """This process's soft limit of open files (None where the platform has none, or it is unlimited)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:  # Windows: no RLIMIT_NOFILE
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def allow_open_files(wanted: int = WANTED_OPEN_FILES) -> None:
    """Raise this process's soft limit of open files towards `wanted`, never above the hard limit and
    never lowering it."""
    try:
        import resource  # noqa: PLC0415
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):  # macOS refuses more than OPEN_MAX whatever the hard limit says
            pass


def is_too_many_open_files(exc: BaseException) -> bool:
    """Whether `exc` is the process (or the system) running out of file descriptors."""
    return isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE)


def too_many_open_files(what: str) -> TooManyOpenFiles:
    """The error for running out of file descriptors while doing `what`."""
    limit = open_files_limit()
    return TooManyOpenFiles(f"too many open files while {what}" + (f" (this process may open {limit})" if limit else ""))
