"""`kb datasette-metadata`: Datasette's metadata for the index (see README, "Browsing the index")."""

from __future__ import annotations

import os
import shlex

import click

from kb.cli import cli, open_notebook
from kb.cli.terminal import clean, echo_error, emit_json


@cli.command("datasette-metadata")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
@click.pass_context
def datasette_metadata_cmd(ctx: click.Context, output: str | None, force: bool) -> None:
    """Print Datasette metadata for index/kb.sqlite: internal tables hidden, labels, facets, and a
    search box that finds Chinese.

    Example: kb datasette-metadata -o kb-datasette.json
    """
    nb = open_notebook(ctx)
    metadata = nb.datasette_metadata(output, force=force)
    if output is None:
        emit_json(metadata)
        return
    db = os.path.relpath(nb.stable_db_path)
    db = db if not db.startswith("..") else str(nb.stable_db_path)
    echo_error(clean(f"wrote {output}; browse the index with: datasette {shlex.quote(db)} -m {shlex.quote(output)}"))
