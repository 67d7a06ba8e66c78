"""`kb build-site DIR`: the pages of `kb serve` written as static HTML, for `file://` or any host.

The same data functions (`kb.web.views`), templates and note renderer (`kb.web.render.render_note`)
as the server make every page; only the `urls` object differs (`kb.web.urls.SiteUrls`: links relative
to the page, ending in `.html`). The live parts need a server and are left out: the search box, the
status control (a static page shows the status as text) and live reload.

Layout of DIR: `index.html`, `toc.html`, `tags.html`, `tags/<tag>.html`, `reading-list.html` with its
exports (`exports/reading-list.md`, `.csv`, `.json`, `.bibtex`, `.html`), `problems.html`,
`notes/<note path>.html`, `files/<path>` (the images and files the notes link to, copied from the
notes folder and only from it), `static/` (CSS, the small script), and `.kb-site.json`, the list of
files this command wrote, by which a later run knows the folder is its own.

Safety: the whole site is written to a new hidden folder beside DIR first, so an error leaves DIR as
it was. A new or empty DIR, or one holding only an earlier site, is then swapped in with renames. A
folder with other files is refused unless `force`; with it (or when a user added files to an earlier
site) each file of the new site is moved into DIR over its namesake, the earlier site's own stale
pages are removed, and every other file stays.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import NotWritable, SiteFolderInUse
from kb.notebook import Notebook
from kb.web import views
from kb.web.render import render_note
from kb.web.urls import SiteUrls, note_file, tag_file

MANIFEST = ".kb-site.json"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class SiteStats:
    """What `build_site` wrote: the folder, its page and copied-file counts, and the time it took."""

    folder: Path
    pages: int
    files: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `kb build-site --json`."""
        return {"folder": str(self.folder), "pages": self.pages, "files": self.files, "seconds": round(self.seconds, 3)}

    def summary(self) -> str:
        """One line for the terminal."""
        return f"{self.pages} pages and {self.files} files in {self.seconds:.1f} s"


class _Writer:
    """Renders the pages of one site into a build folder and remembers what it wrote."""

    def __init__(self, nb: Notebook, out: Path):
        self.nb, self.out = nb, out
        self.root = nb.paths.notes.resolve()
        self.contents = views.contents(nb)  # read once: the index does not change while the site is built
        self.env = views.environment()
        self.written: list[str] = []
        self.assets: set[str] = set()  # notes-relative files the pages link to
        self.pages = 0

    def write(self, rel: str, content: str | bytes) -> None:
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        self.written.append(rel)

    def page(self, rel: str, template: str, **context: Any) -> None:
        urls = SiteUrls(rel)
        context = {"current": None, "urls": urls, **context}
        context.update(views.sidebar(self.nb, context["current"], self.contents))
        self.write(rel, self.env.get_template(template).render(context))
        self.pages += 1

    def note(self, path: str) -> None:
        here = note_file(path)
        urls = SiteUrls(here)

        def to_file(local: str) -> str:
            if not self.copyable(local):
                return ""  # marked broken on the page rather than a link to nothing
            self.assets.add(local)
            return urls.file(local)

        view = self.nb.show(path)
        rendered = render_note(view.note, to_note=urls.note, to_file=to_file)
        self.page(here, "note.html", **views.note_context(self.nb, view, rendered))

    def copyable(self, rel: str) -> bool:
        """Whether the notes-relative `rel` is a file inside the notes folder once resolved (symlinks
        too) and not hidden: the rule of the server's `/files/`."""
        source = (self.root / rel).resolve()
        return (source.is_relative_to(self.root) and source.is_file()
                and not any(part.startswith(".") for part in source.relative_to(self.root).parts))

    def copy_assets(self) -> int:
        """Copy the files the pages link to (each checked by `copyable` when its link was made)."""
        for rel in sorted(self.assets):
            target = self.out / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile((self.root / rel).resolve(), target)
            self.written.append(f"files/{rel}")
        return len(self.assets)


def _build(nb: Notebook, out: Path) -> tuple[int, int, list[str]]:
    """Write every page into `out`: (pages, copied files, site-relative paths written)."""
    w = _Writer(nb, out)
    w.page("index.html", "home.html", title="kb")
    w.page("toc.html", "toc.html", title="Contents")
    w.page("problems.html", "problems.html", **views.problems_context(nb))
    w.page("tags.html", "tags.html", **views.tags_context(nb))
    for tag in nb.tags():
        w.page(tag_file(tag.tag), "tag.html", **views.tag_context(nb, tag.tag))
    reading = views.reading_context(nb)
    w.page("reading-list.html", "reading.html", **reading)
    for fmt in reading["formats"]:
        w.write(f"exports/reading-list.{fmt}", nb.reading_list(fmt=fmt))
    for note in nb.notes(text=False):
        w.note(str(note.path))
    for name in ("app.css", "app.js"):
        w.write(f"static/{name}", (STATIC / name).read_bytes())
    w.write("static/highlight.css", views.pygments_css())
    files = w.copy_assets()
    return w.pages, files, w.written


def _manifest(folder: Path) -> set[str] | None:
    """The files an earlier `kb build-site` wrote into `folder`, or None when it did not make it."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("generator") == "kb build-site" else None
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else None


def _contents(folder: Path) -> set[str]:
    """Every file under `folder` (not directories), as folder-relative POSIX paths."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir() or p.is_symlink()}


def _merge(build: Path, dest: Path, old: set[str]) -> None:
    """Move each built file over its namesake in `dest`; drop the earlier site's pages that the new
    one no longer has (only files kb wrote); keep everything else."""
    new = _contents(build)
    for rel in sorted(new):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(build / rel, target)
    for rel in sorted(old - new):
        stale = dest / rel
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            parent = stale.parent
            while parent != dest and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    shutil.rmtree(build)


def _install(build: Path, dest: Path, force: bool) -> None:
    """Put the finished site in `build` at `dest` (see the module docstring for the cases)."""
    if not dest.exists():
        os.rename(build, dest)
        return
    if not dest.is_dir():
        raise SiteFolderInUse(str(dest))
    present = _contents(dest)
    old = _manifest(dest)
    if not present and not any(dest.iterdir()):
        os.replace(build, dest)  # rename(2) replaces an empty directory in one step
    elif old is not None and present <= old | {MANIFEST}:
        backup = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rename(dest, backup / "site")
        os.rename(build, dest)
        shutil.rmtree(backup)
    elif old is not None or force:
        _merge(build, dest, old or set())
    else:
        raise SiteFolderInUse(str(dest))


def check_destination(dest: str | Path, *, force: bool = False) -> Path:
    """`dest` as an absolute path, or `SiteFolderInUse` when writing there needs `force`; checked
    before the (slow) build as well as after it."""
    folder = Path(dest).expanduser().resolve()
    if folder.exists() and (not folder.is_dir() or (
            any(folder.iterdir()) and _manifest(folder) is None and not force)):
        raise SiteFolderInUse(str(folder))
    return folder


def build_site(nb: Notebook, dest: str | Path, *, force: bool = False) -> SiteStats:
    """Write the notebook's site into `dest` (a new, empty or earlier-site folder; any folder with
    `force`, whose other files are kept). An error leaves `dest` as it was."""
    started = time.perf_counter()
    folder = check_destination(dest, force=force)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{folder.name}.kb-build-", dir=folder.parent))
    except OSError as exc:
        raise NotWritable(str(folder), exc.strerror or str(exc)) from None
    try:
        pages, files, written = _build(nb, build)
        manifest = {"generator": "kb build-site", "files": sorted(written)}
        (build / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=0), encoding="utf-8")
        _install(build, folder, force)
    except OSError as exc:
        raise NotWritable(str(folder), exc.strerror or str(exc)) from None
    finally:
        if build.exists():
            shutil.rmtree(build)
    return SiteStats(folder, pages, files, time.perf_counter() - started)
