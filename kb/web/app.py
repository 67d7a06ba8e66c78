"""The ASGI app of `kb serve`: routes, the safety rules, and the state one server process keeps.

Each page or API route calls one `Notebook` method (through `kb.web.views`) and renders its result:
pages as Jinja templates, the API as the models' `to_dict()` (the same JSON as the CLI's `--json`).

Safety, by default:
- `/files/…` serves files of the notes folder only: the path is resolved (symlinks too) and refused
  unless it stays inside the folder; hidden files are refused too.
- The one state-changing route (`POST /mark`) needs the server's CSRF token, which only its own
  pages carry, and refuses requests a browser labels cross-site: another site open in the same
  browser cannot change a note. Nothing on the web runs a snippet.
- Note HTML is sanitised (`kb.web.render`), and pages send a Content-Security-Policy that allows
  only the app's own script and style, so even a sanitiser miss could not run inline script.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kb.errors import AmbiguousNote, KbError, NoteNotFound
from kb.notebook import Notebook
from kb.web import views
from kb.web.render import note_url

HERE = Path(__file__).parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class Live:
    """What changed on disk since the server started: a version number and the notes it touched.

    A watcher thread (watchfiles) re-indexes the notebook when files change and bumps the version;
    open pages poll `/api/changes` and reload when their note is among the changed ones.
    """

    def __init__(self) -> None:
        self.version = 0
        self.changed: dict[str, int] = {}  # notes-relative path -> version that last changed it
        self._lock = threading.Lock()

    def bump(self, paths: list[str]) -> None:
        with self._lock:
            self.version += 1
            for path in paths:
                self.changed[path] = self.version

    def since(self, version: int) -> dict:
        with self._lock:
            return {"version": self.version, "paths": sorted(p for p, v in self.changed.items() if v > version)}


def _watch(nb: Notebook, live: Live, stop: threading.Event) -> None:
    """Re-index on every change under the notes folder until `stop` is set (`Notebook.watch`)."""
    for _, paths in nb.watch(stop=stop):
        live.bump(paths)


# Long on purpose: the few routes that are not plain views (files, mark, changes, the error pages) are
# closures over this server's notebook, token and change log; spread out, that state would need a class.
def create_app(nb: Notebook, *, watch: bool = False) -> Starlette:
    """The web app over `nb`; with `watch`, files changed on disk are re-indexed and pages reload."""
    nb.keep_index_open()  # one open index for every search the server answers
    templates = Jinja2Templates(env=views.environment())
    token = secrets.token_urlsafe(32)
    live = Live()
    ctx = views.Views(nb, templates, token, version=(lambda: live.version) if watch else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if watch:
            thread = threading.Thread(target=_watch, args=(nb, live, stop), name="kb-watch", daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)

    def files(request: Request) -> Response:
        root = nb.paths.notes.resolve()
        rel = request.path_params["path"]
        target = (root / rel).resolve()
        if not target.is_relative_to(root) or any(part.startswith(".") for part in target.relative_to(root).parts):
            raise HTTPException(403, "only files inside the notes folder are served")
        if not target.is_file():
            raise HTTPException(404, "no such file in the notes folder")
        return FileResponse(target, headers={"X-Content-Type-Options": "nosniff",
                                             "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})

    async def mark(request: Request) -> Response:
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            raise HTTPException(403, "cross-site requests cannot change notes")
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if not hmac.compare_digest(form.get("token", ""), token):
            raise HTTPException(403, "missing or wrong form token: reload the page and try again")
        path, status = form.get("path", ""), form.get("status", "")
        from starlette.concurrency import run_in_threadpool  # noqa: PLC0415

        await run_in_threadpool(nb.mark, path, status)
        return RedirectResponse(note_url(path), status_code=303)

    def changes(request: Request) -> JSONResponse:
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            since = 0
        return JSONResponse({**live.since(since), "live": watch})

    async def kb_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, KbError)
        code = 404 if isinstance(exc, NoteNotFound) and not isinstance(exc, AmbiguousNote) else 400
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "hint": exc.hint}, status_code=code)
        return ctx.error(request, code, str(exc), exc.hint)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith(("/api/", "/files/")):
            return PlainTextResponse(exc.detail, status_code=exc.status_code)
        return ctx.error(request, exc.status_code, exc.detail, None)

    routes = [
        Route("/", ctx.home),
        Route("/notes/{path:path}", ctx.note),
        Route("/search", ctx.search_page),
        Route("/tags", ctx.tags),
        Route("/tags/{tag}", ctx.tag),
        Route("/toc", ctx.toc),
        Route("/problems", ctx.problems),
        Route("/reading-list", ctx.reading_list),
        Route("/reading-list.{fmt}", ctx.reading_list_export),
        Route("/mark", mark, methods=["POST"]),
        Route("/api/search", ctx.api_search),
        Route("/api/notes/{path:path}", ctx.api_note),
        Route("/api/changes", changes),
        Route("/files/{path:path}", files),
        Route("/highlight.css", ctx.pygments_css),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={KbError: kb_error, HTTPException: http_error})
    return app


class SecurityHeaders:
    """ASGI middleware: a Content-Security-Policy and friends on every response that has none."""

    DEFAULTS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"same-origin"))

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.DEFAULTS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)
