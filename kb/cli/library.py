"""`kb import bibtex`: paper notes from a reference manager's BibTeX library."""

from __future__ import annotations

import click

from kb.cli import KbGroup, cli, open_notebook
from kb.cli.terminal import clean, echo, echo_error, emit_json, json_mode
from kb.layout import STATUSES


@cli.group("import", cls=KbGroup)
def import_group() -> None:
    """Bring papers in from elsewhere.

    Example: kb import bibtex library.bib --dry-run
    """


def _line(entry, dry_run: bool) -> str:
    """One line per entry: what happened, where in the file, which key, which note."""
    key = entry.key or "(no key)"
    if entry.status == "created":
        verb = "would create" if dry_run else "created"
        text = f"{verb} {entry.where} {key} -> {entry.path} (citekey {entry.citekey})"
        return text + (f"; {entry.reason}" if entry.reason else "")
    if entry.status == "skipped":
        return f"skipped {entry.where} {key}: already in {entry.path} ({entry.reason})"
    return f"failed {entry.where} {key}: {entry.reason}"


@import_group.command("bibtex")
@click.argument("library", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what would be created; write nothing.")
@click.option("--tags", help="Comma-separated tags for every created note: detection,segmentation.")
@click.option("--status", type=click.Choice(STATUSES), help="Reading status of the created notes (default to-read).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def import_bibtex_cmd(ctx, library: str, dry_run: bool, tags: str | None, status: str | None, as_json: bool) -> None:
    """Create one paper note per entry of a BibTeX library (Zotero, Better BibTeX, JabRef) that the
    notebook does not have yet (same DOI, arXiv id or title), keeping the entry's key as citekey:,
    its abstract, DOI, URL and files. Exits 1 when an entry failed; the others are imported.

    Example: kb import bibtex ~/Zotero/library.bib --dry-run
    """
    json_mode(as_json)  # a repaired index is then a JSON notice, not a stderr line
    nb = open_notebook(ctx)
    ctx.find_root().obj["on_interrupt"] = ("Interrupted; nothing was written." if dry_run else
                                           "Interrupted; the notes created so far were kept and indexed.")
    report = nb.import_bibtex(library, dry_run=dry_run, tags=tags or (), status=status)
    if as_json:
        emit_json(report.to_dict())
    else:
        for entry in report.entries:
            echo(clean(_line(entry, report.dry_run), one_line=True))
        for problem in report.problems:
            echo_error(f"Warning: {problem}")  # under --json they are the report's `problems`
        echo(report.summary())
    if report.count("failed"):
        ctx.exit(1)
