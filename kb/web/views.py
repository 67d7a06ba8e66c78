"""The pages and API answers of `kb serve`: each calls one `Notebook` method and renders its result.

Sync functions on purpose: Starlette runs them in its thread pool, and the Notebook's SQLite and
Whoosh reads are blocking calls.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from kb import Filters
from kb.layout import KINDS, STATUSES, note_number
from kb.models import Highlight, Note, SearchResult
from kb.notebook import Notebook
from kb.web.render import RenderedNote, note_url, render_note

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
    """Filters from `tag`, `kind`, `status` (repeatable) and `year` (2017 or 2015..2020) parameters."""
    years = Filters.parse_years(params.get("year", "")) if params.get("year") else None

    def values(name: str) -> tuple[str, ...]:
        return tuple(v for v in params.getlist(name) if v.strip())  # an empty select means "any"

    return Filters(values("tag"), values("kind"), (), (), values("status"), *(years or (None, None)))


class Views:
    """The request handlers, sharing the notebook, the templates and a cache of rendered notes."""

    def __init__(self, nb: Notebook, templates: Jinja2Templates, token: str):
        self.nb, self.templates, self.token = nb, templates, token
        self._rendered: OrderedDict[tuple[str, str], RenderedNote] = OrderedDict()  # (path, checksum)
        self._lock = threading.Lock()
        templates.env.filters["note_url"] = note_url
        templates.env.filters["marked"] = mark_spans

    # --- shared ------------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
        """A page with the sidebar (chapters in order, then paper notes, newest number first)."""
        papers_folder = self.nb.paths.papers.name
        chapters, papers = [], []
        for chapter in self.nb.toc():
            if chapter.folder == papers_folder:
                papers = sorted(chapter.notes, key=lambda n: -(note_number(n[0]) or 0))
            else:
                chapters.append(chapter)
        context.update(request=request, chapters=chapters, papers=papers, token=self.token,
                       current=context.get("current"))
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
        backlinks = list({b.path: b for b in view.backlinks}.values())
        snippets = self.nb.snippets(path, refresh=False)  # the watcher keeps the index fresh
        return self.page(request, "note.html", title=view.note.title, view=view, note=view.note,
                         body=Markup(self.rendered(view.note).html), toc=self.rendered(view.note).toc,  # noqa: S704 - sanitised by render_note
                         backlinks=backlinks, snippets=snippets, statuses=STATUSES, current=path)

    def search_page(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip()
        filters = search_filters(request.query_params)
        result = self.nb.search(q, limit=50, filters=filters) if q else None
        return self.page(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, result=result,
                         chosen=filters, year=request.query_params.get("year", ""), kinds=KINDS, statuses=STATUSES)

    def tags(self, request: Request) -> Response:
        return self.page(request, "tags.html", title="Tags", tags=self.nb.tags())

    def tag(self, request: Request) -> Response:
        tag = request.path_params["tag"]
        notes = self.nb.notes(tag=tag)
        return self.page(request, "tag.html", title=f"#{tag}", tag=tag, notes=notes)

    def toc(self, request: Request) -> Response:
        return self.page(request, "toc.html", title="Contents")

    def problems(self, request: Request) -> Response:
        return self.page(request, "problems.html", title="Problems", problems=self.nb.problems())

    def reading_list(self, request: Request) -> Response:
        papers = [n for n in self.nb.notes() if n.kind == "paper"]
        # A paper note without a status has not been read: it is to-read, as in the exports.
        groups = {s: [n for n in papers if (n.status or "to-read") == s] for s in STATUSES}
        return self.page(request, "reading.html", title="Reading list", groups=groups, formats=EXPORT_TYPES)

    def reading_list_export(self, request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in EXPORT_TYPES:
            raise HTTPException(404, f"no reading-list format {fmt!r}")
        text = self.nb.reading_list(fmt=fmt, status=request.query_params.get("status") or None)
        headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"}
        return Response(text, media_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8", headers=headers)

    def pygments_css(self, request: Request) -> Response:
        from pygments.formatters import HtmlFormatter  # noqa: PLC0415

        css = HtmlFormatter(style="friendly").get_style_defs(".highlight")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

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
