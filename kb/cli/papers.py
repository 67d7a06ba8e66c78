"""Commands that write paper notes or export them: add-note, mark, export reading-list."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from kb.cli import KbGroup, cli, open_notebook
from kb.cli.completion import complete_papers, complete_tag_list, complete_tags
from kb.cli.terminal import clean, echo, echo_error, emit_json, json_mode, notice
from kb.layout import STATUSES

if TYPE_CHECKING:
    from kb.models import PaperMeta


def _ask_missing(paper: PaperMeta, tags: str | None) -> tuple[PaperMeta, str | None]:
    """Prompt for the fields a paper note should have (terminal only)."""
    if not paper.title:
        paper = replace(paper, title=click.prompt("Title").strip())
    if not paper.authors:
        answer = click.prompt('Authors (separated by ";")', default="", show_default=False)
        paper = replace(paper, authors=tuple(a.strip() for a in answer.split(";") if a.strip()))
    if not paper.year:
        answer = click.prompt("Year", default="", show_default=False).strip()
        if answer.isdigit():
            paper = replace(paper, year=int(answer))
    if not tags:
        tags = click.prompt("Tags (comma separated)", default="", show_default=False)
    return paper, tags


@cli.command("add-note")
@click.argument("title", required=False)
@click.option("--arxiv", help="arXiv id or URL (abs, pdf, with version, old style like math/0501001).")
@click.option("--bibtex", "bibtex", type=click.File("r", encoding="utf-8"), help="BibTeX entry from FILE, or - for stdin.")
@click.option("--authors", help='Paper authors, separated by ";": "Kaiming He; Jian Sun".')
@click.option("--year", type=int, help="Publication year.")
@click.option("--venue", help="Venue, e.g. CVPR.")
@click.option("--tags", shell_complete=complete_tag_list, help="Comma-separated tags: detection,segmentation.")
@click.option("--status", type=click.Choice(STATUSES), help="Reading status (default to-read).")
@click.option("--offline", is_flag=True, envvar="KB_OFFLINE", help="Do not ask arXiv for metadata.")
@click.option("--no-edit", is_flag=True, help="Do not open $VISUAL/$EDITOR, ask nothing.")
@click.option("--force", is_flag=True, help="Create the note even if the paper already has one.")
@click.option("--json", "as_json", is_flag=True, help="Print the new note as JSON.")
@click.pass_context
def add_note_cmd(ctx, title, arxiv, bibtex, authors, year, venue, tags, status, offline, no_edit, force, as_json) -> None:
    """Create a paper note from a title, an arXiv id or a BibTeX entry, then index it.

    The note is created as papers/[N]Title.md with the next free number, from the template
    notes/_templates/paper.md when the notebook has one. Missing fields are asked for on a terminal.

    Example: kb add-note --arxiv 1512.03385 --tags residual,classification
    """
    json_mode(as_json)
    nb = open_notebook(ctx)
    interactive = not no_edit and sys.stdin.isatty() and sys.stdout.isatty()
    paper, warnings = nb.describe_paper(title, arxiv=arxiv, bibtex=bibtex.read() if bibtex else None,
                                        bibtex_source=bibtex.name if bibtex else "", authors=authors, year=year,
                                        venue=venue, offline=offline)
    for warning in warnings:
        notice("warning", f"Warning: {warning}", warning=warning)
    if interactive:
        paper, tags = _ask_missing(paper, tags)
    added = nb.add_note(paper, tags=tags, status=status, force=force,
                        edit=(lambda file: click.edit(filename=str(file))) if interactive else None)
    if as_json:
        emit_json(added.to_dict())  # its problems are in the JSON
        return
    for problem in added.problems:
        echo_error(f"Warning: {problem}")
    echo(clean(added.file, one_line=True))


@cli.command("mark")
@click.argument("note", shell_complete=complete_papers)
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--json", "as_json", is_flag=True, help="Print path, status and whether it changed as JSON.")
@click.pass_context
def mark_cmd(ctx, note: str, status: str, as_json: bool) -> None:
    """Set a paper note's reading status; only the status line of its front matter changes.

    Example: kb mark ResNet read
    """
    json_mode(as_json)
    path, changed = open_notebook(ctx).mark(note, status)
    if as_json:
        emit_json({"path": path, "status": status, "changed": changed})
        return
    echo(clean(f"{path}: {status}" if changed else f"{path} is already {status}", one_line=True))


@cli.group("export", cls=KbGroup)
def export_group() -> None:
    """Export data from the notebook.

    Example: kb export reading-list --format md
    """


@export_group.command("reading-list")
@click.argument("query", nargs=-1)
@click.option("--tag", shell_complete=complete_tags, help="Only papers with this tag.")
@click.option("--status", type=click.Choice(STATUSES), help="Only papers with this status.")
@click.option("--chapter", help="Only papers in this chapter (folder or label).")
@click.option("--order", type=click.Choice(["number", "year", "chapter", "added"]), default="number", show_default=True)
@click.option("--group-by", type=click.Choice(["status", "chapter", "none"]), default="status", show_default=True,
              help="Grouping for md and html.")
@click.option("--unnoted", is_flag=True, help="Papers the notes cite (arXiv links) that have no note of their own.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "bibtex", "html"]), default="md", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite the -o file if it exists.")
@click.pass_context
def export_reading_list_cmd(ctx, query, tag, status, chapter, order, group_by, unnoted, fmt, as_json, output,
                            force) -> None:
    """Export paper notes as a reading list: a checklist, CSV, JSON, BibTeX or an HTML page.

    Example: kb export reading-list --tag segmentation --format bibtex -o seg.bib
    """
    fmt = "json" if as_json else fmt
    text = open_notebook(ctx).reading_list(query=" ".join(query) or None, tag=tag, status=status, chapter=chapter,
                                           order=order, fmt=fmt, group_by=group_by, unnoted=unnoted,
                                           output=output or None, force=force)
    if output:
        echo_error(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
