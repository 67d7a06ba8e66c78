"""The pages and API answers of `kb serve`: each calls one `Notebook` method and renders its result.

Sync functions on purpose: Starlette runs them in its thread pool, and the Notebook's SQLite and
Whoosh reads are blocking calls.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from kb import Filters
from kb.layout import KINDS, STATUSES, note_number, reading_status
from kb.models import Highlight, Note, NoteView, SearchResult, TocChapter
from kb.notebook import Notebook
from kb.web.render import RenderedNote, note_url, render_note
from kb.web.urls import ServerUrls

TEMPLATES = Path(__file__).parent / "templates"

EXPORT_TYPES = {"md": "text/markdown", "csv": "text/csv", "json": "application/json",
                "bibtex": "application/x-bibtex", "html": "text/html"}


def mark_spans(h: Highlight) -> Markup:
    """An excerpt as HTML with each match in `<mark>` (the text escaped)."""
    out, last = [], 0
    for start, end in h.spans:
        out += [escape(h.text[last:start]), Markup("<mark>"), escape(h.text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(h.text[last:]))
    return Markup("").join(out)


def search_filters(params) -> Filters:
    """Filters from the parameters `kb search` has as options: `tag`, `kind`, `author`, `chapter`,
    `status` (each repeatable) and `year` (2017, 2015..2020, 2018.., ..2016); a bad year is a 400."""
    year = params.get("year", "").strip()
    years = Filters.parse_years(year) if year else (None, None)
    if years is None:
        raise HTTPException(400, f"{year!r} is not a year or a range like 2015..2020")

    def values(name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in params.getlist(name) if v.strip())  # an empty control means "any"

    return Filters(values("tag"), values("kind"), values("author"), values("chapter"), values("status"), *years)


@pass_context
def _note_url(context, path) -> str:
    return context["urls"].note(str(path))


def environment() -> Environment:
    """The Jinja environment of both front ends: the same templates, links asked of `urls` (the
    server's by default; a static site passes its own per page)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters["note_url"] = _note_url
    env.filters["marked"] = mark_spans
    env.globals["urls"] = ServerUrls()
    env.globals.update(all_kinds=KINDS, all_statuses=STATUSES)
    return env


# Every page lists every note in its sidebar up to this many notes. A bigger notebook's sidebar lists
# the notes of the current chapter only (other chapters link to the contents page) and the newest
# papers: 10,000 links on every page made each page 1.3 MB and took a second to render.
SIDEBAR_NOTES = 400
SIDEBAR_PAPERS = 50


@dataclass(frozen=True, slots=True)
class SideChapter:
    """A chapter as the sidebar shows it: its notes, or None when only a link to the contents."""

    label: str
    anchor: str
    count: int
    notes: tuple[tuple[str, str], ...] | None
    open: bool


Contents = tuple[list[TocChapter], list[tuple[str, str]]]


def contents(nb: Notebook) -> Contents:
    """The chapters in order, and the paper notes, newest number first."""
    papers_folder = nb.paths.papers.name
    chapters, papers = [], []
    for chapter in nb.toc():
        if chapter.folder == papers_folder:
            papers = sorted(chapter.notes, key=lambda n: -(note_number(n[0]) or 0))
        else:
            chapters.append(chapter)
    return chapters, papers


def sidebar(nb: Notebook, current: str | None = None, toc: Contents | None = None) -> dict[str, Any]:
    """The chapters and paper notes for the home and contents pages (`chapters`, `papers`), and what
    the sidebar of the page of `current` shows (`side`, `side_papers`); `toc` is `contents(nb)` when
    the caller has it already."""
    papers_folder = nb.paths.papers.name
    chapters, papers = toc if toc is not None else contents(nb)
    full = sum(len(c.notes) for c in chapters) + len(papers) <= SIDEBAR_NOTES
    side = []
    for chapter in chapters:
        here = bool(current) and (current.startswith(f"{chapter.folder}/") if chapter.folder else "/" not in current)
        side.append(SideChapter(chapter.label, f"chapter-{chapter.folder or 'top'}", len(chapter.notes),
                                chapter.notes if full or here else None, here))
    side_papers = papers if full else papers[:SIDEBAR_PAPERS]
    if current and not full and current.startswith(papers_folder + "/") and all(p != current for p, _ in side_papers):
        side_papers = [*side_papers, *[(p, t) for p, t in papers if p == current]]
    return {"chapters": chapters, "papers": papers, "side": side, "side_papers": side_papers,
            "papers_open": bool(current) and current.startswith(papers_folder + "/")}


def note_context(nb: Notebook, view: NoteView, rendered: RenderedNote) -> dict[str, Any]:
    """What a note's page shows besides the sidebar (one data dict for the server and the site)."""
    path = str(view.note.path)
    backlinks = list({b.path: b for b in view.backlinks}.values())
    snippets = nb.snippets(path, refresh=False)  # the server's watcher (or build-site) made the index fresh
    return {"title": view.note.title, "view": view, "note": view.note,
            "body": Markup(rendered.html), "toc": rendered.toc,  # noqa: S704 - sanitised by render_note
            "backlinks": backlinks, "snippets": snippets, "statuses": STATUSES, "current": path}


def tags_context(nb: Notebook) -> dict[str, Any]:
    """The tags page: every tag with its count."""
    return {"title": "Tags", "tags": nb.tags()}


def tag_context(nb: Notebook, tag: str) -> dict[str, Any]:
    """One tag's page: the notes that have it."""
    return {"title": f"#{tag}", "tag": tag, "notes": nb.notes(tag=tag, text=False)}


def problems_context(nb: Notebook) -> dict[str, Any]:
    """`kb check`'s problems as of the last index update."""
    # Only indexed notes have a page to link to (a non-UTF-8 file, a `_category_.yml` have none).
    return {"title": "Problems", "problems": nb.problems(), "notes": {str(n.path) for n in nb.notes(text=False)}}


def reading_context(nb: Notebook) -> dict[str, Any]:
    """Paper notes grouped by reading status, with the export formats."""
    papers = [n for n in nb.notes(text=False) if n.kind == "paper"]
    groups = {s: [n for n in papers if reading_status(n.kind, n.status) == s] for s in STATUSES}
    return {"title": "Reading list", "groups": groups, "formats": EXPORT_TYPES}


def pygments_css() -> str:
    """The stylesheet of highlighted code."""
    from pygments.formatters import HtmlFormatter  # noqa: PLC0415

    return HtmlFormatter(style="friendly").get_style_defs(".highlight")


class Views:
    """The request handlers, sharing the notebook, the templates and a cache of rendered notes."""

    def __init__(self, nb: Notebook, templates: Jinja2Templates, token: str,
                 version: Callable[[], int] | None = None):
        self.nb, self.templates, self.token = nb, templates, token
        self._rendered: OrderedDict[tuple[str, str], RenderedNote] = OrderedDict()  # (path, checksum)
        self._lock = threading.Lock()
        # With a file watcher, `version()` changes whenever the index may have changed, so the
        # contents (every note's title in order: ~100 ms on 10,000 notes) are read once per version.
        self.version = version
        self._contents: tuple[int, Contents] | None = None

    def contents(self) -> Contents:
        """`contents(nb)`, cached while `version()` stays the same (not cached without a watcher:
        then only a `kb index` in another process changes the index, and nothing would tell us)."""
        if self.version is None:
            return contents(self.nb)
        version = self.version()
        cached = self._contents
        if cached is not None and cached[0] == version:
            return cached[1]
        fresh = contents(self.nb)
        self._contents = (version, fresh)
        return fresh

    # --- shared ------------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
        """A page with the sidebar (chapters in order, then paper notes, newest number first)."""
        current = context.get("current")
        context.update(sidebar(self.nb, current, self.contents()), request=request, token=self.token, current=current)
        return self.templates.TemplateResponse(request, template, context, status_code=status_code)

    def error(self, request: Request, code: int, message: str, hint: str | None) -> Response:
        return self.page(request, "error.html", status_code=code, code=code, message=message, hint=hint,
                         title=f"Error {code}")

    def rendered(self, note: Note) -> RenderedNote:
        key = (str(note.path), note.checksum)
        with self._lock:
            if key in self._rendered:
                self._rendered.move_to_end(key)
                return self._rendered[key]
        out = render_note(note)
        with self._lock:
            self._rendered[key] = out
            while len(self._rendered) > 256:
                self._rendered.popitem(last=False)
        return out

    # --- pages -------------------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        return self.page(request, "home.html", title="kb")

    def note(self, request: Request) -> Response:
        key = request.path_params["path"]
        view = self.nb.show(key)
        path = str(view.note.path)
        if path != key:  # a title, slug or alias: go to the note's own address
            return RedirectResponse(note_url(path), status_code=302)
        return self.page(request, "note.html", **note_context(self.nb, view, self.rendered(view.note)))

    def search_page(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip()
        filters = search_filters(request.query_params)
        result = self.nb.search(q, limit=50, filters=filters) if q else None
        return self.page(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, result=result,
                         chosen=filters, year=request.query_params.get("year", ""), kinds=KINDS, statuses=STATUSES)

    def tags(self, request: Request) -> Response:
        return self.page(request, "tags.html", **tags_context(self.nb))

    def tag(self, request: Request) -> Response:
        return self.page(request, "tag.html", **tag_context(self.nb, request.path_params["tag"]))

    def toc(self, request: Request) -> Response:
        return self.page(request, "toc.html", title="Contents")

    def problems(self, request: Request) -> Response:
        return self.page(request, "problems.html", **problems_context(self.nb))

    def reading_list(self, request: Request) -> Response:
        return self.page(request, "reading.html", **reading_context(self.nb))

    def reading_list_export(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in EXPORT_TYPES:
            raise HTTPException(404, f"no reading-list format {fmt!r}")
        text = self.nb.reading_list(fmt=fmt, status=request.query_params.get("status") or None)
        headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"}
        return Response(text, media_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8", headers=headers)

    def pygments_css(self, request: Request) -> Response:
        return Response(pygments_css(), media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    # --- JSON API ----------------------------------------------------------------------------------

    def api_search(self, request: Request) -> JSONResponse:
        q = request.query_params.get("q", "").strip()
        try:
            limit = max(1, min(100, int(request.query_params.get("limit", "10"))))
        except ValueError:
            limit = 10
        if not q:
            return JSONResponse(SearchResult((), "").to_dict())
        return JSONResponse(self.nb.search(q, limit=limit, filters=search_filters(request.query_params)).to_dict())

    def api_note(self, request: Request) -> JSONResponse:
        return JSONResponse(self.nb.show(request.path_params["path"]).to_dict())
