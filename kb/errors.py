"""Errors that reach the user: each carries a one-line message and an optional hint.

The library raises these; only `kb.cli` turns them into output and exit codes.
"""

from __future__ import annotations


class KbError(Exception):
    """Base class for every error `kb` reports to the user."""

    hint: str | None = None
    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class NotebookNotFound(KbError):
    """No notes folder could be found."""

    hint = "run kb inside a folder that has notes/, or pass --notes DIR (or set KB_NOTES)"


class IndexMissing(KbError):
    """The index has not been built yet."""

    hint = "run `kb index`"


class IndexBusy(KbError):
    """Another `kb` process holds the index writer lock."""

    hint = "wait for the other kb command (an index build, add-note or mark) to finish, then try again"


class IndexNotWritable(KbError):
    """The index folder cannot be created or written here (permissions, a read-only or system folder)."""

    hint = "pass --index DIR (or set KB_INDEX) to keep the index in a folder you can write"


class NotWritable(KbError):
    """A note or output file cannot be written (permissions, a read-only folder, a full disk)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"cannot write {path}: {reason}; nothing was changed",
                         hint="check that you may write that folder (and that the disk has room)")
        self.path = path


class NoteNotFound(KbError):
    """A NOTE argument matched no note."""

    def __init__(self, key: str, message: str | None = None):
        super().__init__(message or f"no note matches {key!r}", hint="try `kb search` to find the note's path or title")
        self.key = key


class AmbiguousNote(KbError):
    """A NOTE argument matched several notes."""

    def __init__(self, key: str, candidates: list[str]):
        shown = ", ".join(candidates[:5])
        super().__init__(f"{key!r} matches {len(candidates)} notes: {shown}", hint="give the note's path instead")
        self.key = key
        self.candidates = candidates


class FrontMatterError(KbError):
    """A note's front matter cannot be read or changed safely."""

    def __init__(self, path: str, line: int, reason: str):
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class NoteExistsError(KbError):
    """A note (or output file) would be overwritten."""

    def __init__(self, path: str, reason: str = "already exists", hint: str | None = "pass --force to create it anyway"):
        super().__init__(f"{path}: {reason}", hint=hint)
        self.path = path


class SnippetNotFound(KbError):
    """A snippet id matched no snippet."""

    hint = "run `kb snippets list` to see snippet ids"


class SnippetNotRunnable(KbError):
    """A snippet that `kb snippets run` refuses: not headered Python, a bad header, a missing module."""


class SnippetFailed(KbError):
    """A snippet ran and failed."""


class IndexDamaged(KbError):
    """The index exists but cannot be read: a truncated SQLite file, missing Whoosh segments, …"""

    hint = "run `kb index --rebuild`"


class TooManyOpenFiles(KbError):
    """Reading the index needs more open files than this process may have (see `kb.index.openfiles`)."""

    hint = "raise the limit of open files, for example `ulimit -n 8192` in the shell that runs kb"


class InvalidField(KbError):
    """A metadata value given on the command line cannot be used."""


class InvalidArxivId(InvalidField):
    """Text that is not an arXiv id or arXiv URL."""

    hint = "give an id like 1512.03385 or math/0501001, or an arxiv.org/abs/… URL"


class BibtexError(KbError):
    """BibTeX input without a usable entry."""

    hint = "paste one entry as exported by arXiv, Google Scholar, DBLP or the publisher"


class ArxivError(KbError):
    """Metadata could not be fetched from arXiv."""


class ArxivUnavailable(ArxivError):
    """arXiv could not be reached (offline, timeout, HTTP error, garbled answer)."""

    hint = "check the network, or give the metadata with --bibtex / --authors / --year"


class ArxivNotFound(ArxivError):
    """arXiv answered but has no paper with that id."""

    hint = "check the id on https://arxiv.org"


class DuplicatePaperError(NoteExistsError):
    """The paper already has a note."""

    def __init__(self, path: str, reason: str):
        super().__init__(
            path,
            f"already has a note for this paper ({reason})",
            hint="open that note instead, or pass --force to add another note anyway",
        )
        self.reason = reason


class TemplateError(KbError):
    """A note cannot be rendered from the given fields."""


class ExportError(KbError):
    """An export that cannot be produced as asked (unknown format, order or grouping)."""


class SiteFolderInUse(KbError):
    """`kb build-site` was pointed at a folder that holds files it did not write."""

    def __init__(self, path: str):
        super().__init__(f"{path} is not empty and was not made by kb build-site; nothing was written",
                         hint="choose an empty or new folder, or pass --force to add the site's files to it "
                              "(files of the same name are replaced; others are kept)")
        self.path = path
