"""Where each page lives: absolute URLs for `kb serve`, relative `.html` paths for `kb build-site`.

The templates ask a `urls` object for every link (`urls.note(path)`, `urls.page("toc")` …), so one set
of templates serves both: the server's object answers `/notes/…`, the static site's answers paths
relative to the page being written (`../../notes/….html`), which work from `file://` and from any
folder of any static host.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kb.web.render import file_url, note_url

_SAFE_NAME = re.compile(r"^[\w][\w.+-]*$")


class ServerUrls:
    """The URLs of `kb serve`; `live` pages have the search box, the status control and live reload."""

    live = True

    def note(self, path: str, anchor: str = "") -> str:
        """A note's page, by its notes-relative path."""
        return note_url(str(path), anchor)

    def file(self, path: str) -> str:
        """A file of the notes folder (an image, a PDF)."""
        return file_url(path)

    def page(self, name: str) -> str:
        """One of the fixed pages: "" (home), toc, tags, reading-list, problems, search."""
        return "/" + name

    def tag(self, tag: str) -> str:
        """The page listing the notes with `tag`."""
        return "/tags/" + quote(tag, safe="")

    def asset(self, name: str) -> str:
        """The stylesheets and script: app.css, app.js, highlight.css."""
        return "/highlight.css" if name == "highlight.css" else "/static/" + name

    def export(self, fmt: str) -> str:
        """The reading list exported as `fmt` (md, csv, json, bibtex, html)."""
        return "/reading-list." + fmt


def tag_file(tag: str) -> str:
    """A tag's page file name in a static site: the tag itself when that is a safe file name (so the
    address stays readable), else its UTF-8 bytes in hex (a tag with `/`, a leading dot …)."""
    name = tag if _SAFE_NAME.match(tag) and len(tag.encode()) < 200 else "_" + tag.encode().hex()
    return f"tags/{name}.html"


def note_file(path: str) -> str:
    """A note's page file in a static site: `notes/<path>.html` (the `.md` kept, so that `a.md` and
    `a.mdx` cannot collide)."""
    return f"notes/{path}.html"


class SiteUrls(ServerUrls):
    """The links of one page of a static site, relative to that page's own folder.

    `here` is the page's site-relative file (`notes/papers/x.md.html`); every link climbs to the site
    root with `../` and goes down from there, so the site can sit under any path.
    """

    live = False

    def __init__(self, here: str):
        self.here = here
        self.root = "../" * here.count("/")

    def _to(self, site_path: str, anchor: str = "") -> str:
        return self.root + quote(site_path) + (f"#{anchor}" if anchor else "")

    def note(self, path: str, anchor: str = "") -> str:
        """A note's page, relative to this page."""
        return self._to(note_file(str(path)), anchor)

    def file(self, path: str) -> str:
        """A copied notes-folder file under `files/`, relative to this page."""
        return self._to("files/" + path)

    def page(self, name: str) -> str:
        """A fixed page (`index.html` for the home page)."""
        return self._to(f"{name or 'index'}.html")

    def tag(self, tag: str) -> str:
        """A tag's page, relative to this page."""
        return self._to(tag_file(tag))

    def asset(self, name: str) -> str:
        """A stylesheet or script under `static/`."""
        return self._to("static/" + name)

    def export(self, fmt: str) -> str:
        """A reading-list export, under `exports/` (`reading-list.html` is the page itself)."""
        return self._to("exports/reading-list." + fmt)
