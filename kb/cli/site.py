"""`kb build-site`: the notebook's web pages as a static folder (see `kb.web.site`)."""

from __future__ import annotations

import click

from kb.cli import cli, open_notebook
from kb.cli.terminal import clean, echo, echo_error, emit_json


@cli.command("build-site")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a folder that holds other files (kept unless a site file has the same name).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def build_site_cmd(ctx: click.Context, folder: str, force: bool, as_json: bool) -> None:
    """Write the notebook as a static website (HTML, maths as MathML) into FOLDER.

    The site works from file:// and from any static host, under any path.
    Example: kb build-site site
    """
    from kb.web.site import build_site, check_destination  # noqa: PLC0415 - the web stack loads only here

    check_destination(folder, force=force)  # refuse before indexing, not after
    ctx.find_root().obj["on_interrupt"] = f"Interrupted; {folder} was left as it was."
    nb = open_notebook(ctx)
    stats = nb.index()  # the site shows the notes as they are now
    if stats.added or stats.changed or stats.removed:
        echo_error(clean(f"Indexed first: {stats.summary()}"))
    site = build_site(nb, folder, force=force)
    if as_json:
        emit_json(site.to_dict())
        return
    echo(clean(f"Wrote {site.summary()} to {site.folder}"))
