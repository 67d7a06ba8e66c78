"""`kb serve`: the notebook as a local website (see `kb.web`)."""

from __future__ import annotations

import ipaddress
import threading
import time

import click

from kb.cli import cli, open_notebook, report_repairs
from kb.cli.terminal import clean, echo_error


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None  # a host name


@cli.command("serve")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep it local.")
@click.option("--open", "open_browser", is_flag=True, help="Open the home page in a browser.")
@click.option("--no-watch", is_flag=True, help="Do not re-index notes when they change on disk.")
@click.pass_context
def serve_cmd(ctx: click.Context, port: int, host: str, open_browser: bool, no_watch: bool) -> None:
    """Serve the notebook as a local website: read, follow links, search as you type.

    Example: kb serve --port 8000
    """
    import uvicorn  # noqa: PLC0415 - the web stack loads only for this command

    from kb.web.app import create_app  # noqa: PLC0415

    nb = open_notebook(ctx)
    built = nb.ensure_index(fulltext=True)
    if built is not None and not built.repaired:
        echo_error(f"Indexed the notebook first: {built.summary()}")
    report_repairs(ctx)
    address = _address(host)
    if host != "localhost" and (address is None or not address.is_loopback):
        echo_error(f"Warning: listening on {host}: anyone who can reach this machine can read the notes "
                   "and change their reading status. Use --host 127.0.0.1 to keep it local.")
    shown = "127.0.0.1" if address is not None and address.is_unspecified else f"[{host}]" if address and address.version == 6 else host
    url = f"http://{shown}:{port}/"
    echo_error(clean(f"Serving {nb.paths.notes} at {url} (Ctrl-C to stop)"))
    # uvicorn's own log lines follow kb's colour decision (None: uvicorn looks for a terminal itself).
    server = uvicorn.Server(uvicorn.Config(create_app(nb, watch=not no_watch), host=host, port=port,
                                           log_level="warning", use_colors=ctx.color))
    if open_browser:
        threading.Thread(target=_open_when_listening, args=(server, url), name="kb-open", daemon=True).start()
    server.run()


def _open_when_listening(server, url: str) -> None:
    """Open `url` in the user's browser (`webbrowser`, which honours $BROWSER) once `server` listens:
    opened earlier, the browser would show a connection error."""
    import webbrowser  # noqa: PLC0415

    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.05)
    webbrowser.open(url)
