"""Commands that browse the notebook by properties and links: list, graph, open."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from kb.cli import cli, open_notebook, year_option
from kb.cli.completion import complete_notes, complete_tags
from kb.cli.terminal import clean, echo, echo_error, emit_json, json_mode, style
from kb.layout import KINDS, STATUSES

if TYPE_CHECKING:  # kb.models costs ~10 ms to import, and `kb --help` loads this module
    from kb.models import Note

LIST_FORMATS = ("table", "json", "jsonl", "paths")
SORTS = ("path", "number", "year", "title")
GRAPH_FORMATS = ("dot", "json", "mermaid")


def _note_dict(note: Note) -> dict:
    """A listed note's JSON shape: the note's (see `kb show --json`) without body, links, snippets and
    problems, which `kb list` does not read, plus its number and year."""
    data = note.to_dict(body=False)
    for key in ("links", "snippets", "problems"):
        data.pop(key, None)
    data["number"] = note.number
    data["year"] = note.year
    return data


@cli.command("list")
@click.option("--tag", "tags", multiple=True, shell_complete=complete_tags, help="Only notes with this tag (repeatable: every tag must match).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Reading status (repeatable); a paper without one counts as to-read.")
@click.option("--year", help="Paper year or range: 2017, 2015-2017, 2015..2017, 2015.. .")
@click.option("--chapter", "chapters", multiple=True, help="Only notes in this chapter (folder or label; repeatable).")
@click.option("--author", "authors", multiple=True, help="Only notes by (or papers by) this author (part of the name).")
@click.option("--orphans", is_flag=True, help="Only notes with no link to or from another note.")
@click.option("--links-to", "links_to", metavar="NOTE", shell_complete=complete_notes, help="Only notes that link to NOTE.")
@click.option("--linked-from", "linked_from", metavar="NOTE", shell_complete=complete_notes, help="Only notes that NOTE links to.")
@click.option("--sort", type=click.Choice(SORTS), default="path", show_default=True, help="Order of the notes.")
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="table", show_default=True,
              help="A table, a JSON array, one JSON object a line, or paths relative to the notes folder.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def list_cmd(ctx, tags, kinds, statuses, year, chapters, authors, orphans, links_to, linked_from, sort, fmt,
             as_json) -> None:
    """List notes chosen by filters alone (no search words), one line each.

    NOTE (for --links-to, --linked-from) is a path, title, file-name slug or alias.

    Example: kb list --kind paper --tag backbone --year 2014-2016 --sort year
    """
    from kb import Filters  # noqa: PLC0415 - the query language's filters, not needed for --help

    fmt = "json" if as_json else fmt
    json_mode(fmt == "json")  # notices (a repaired index) then travel as JSON too
    filters = Filters(tuple(tags), tuple(kinds), tuple(authors), tuple(chapters), tuple(statuses), *year_option(year))
    notes = open_notebook(ctx).list_notes(filters, orphans=orphans, links_to=links_to, linked_from=linked_from,
                                          sort=sort)
    if fmt == "json":
        emit_json([_note_dict(n) for n in notes])
    elif fmt == "jsonl":
        for note in notes:
            click.echo(json.dumps(_note_dict(note), ensure_ascii=False))
    elif fmt == "paths":
        for note in notes:
            echo(clean(str(note.path), one_line=True))
    else:
        for note in notes:
            year_text = str(note.year) if note.year else ""
            echo(f"{note.kind:<7} {year_text:>4}  {note.status or '':<7}  {style(note.title, bold=True)}  "
                 f"{style(str(note.path), fg='cyan')}")
        echo_error(f"{len(notes)} note{'s' if len(notes) != 1 else ''}")


@cli.command("graph")
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default="dot", show_default=True,
              help="Graphviz DOT, JSON (nodes and edges) or a Mermaid flowchart.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--around", metavar="NOTE", shell_complete=complete_notes, help="Only the notes near NOTE (path, title, slug or alias).")
@click.option("--depth", type=click.IntRange(min=0), help="With --around: how many links away, following links "
              "either way (default 1).")
@click.pass_context
def graph_cmd(ctx, fmt: str, as_json: bool, around: str | None, depth: int | None) -> None:
    """Print the graph of links between notes as Graphviz DOT, JSON or Mermaid.

    Only links that resolve to another note are edges (broken links are not); JSON says of each edge
    whether it is written as a wiki link, a Markdown link or both.

    Example: kb graph --format mermaid --around ResNet --depth 1
    """
    fmt = "json" if as_json else fmt
    json_mode(fmt == "json")
    if depth is not None and around is None:
        raise click.UsageError("--depth needs --around NOTE")
    graph = open_notebook(ctx).graph(around=around, depth=1 if depth is None else depth)
    if fmt == "json":
        emit_json(graph.to_dict())
    else:
        click.echo(clean(graph.render(fmt)), nl=False)


def _launch(target: str) -> None:
    """Hand a file or URL to the desktop's opener (xdg-open, macOS `open`, Windows' file association)."""
    import os  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from kb.errors import KbError  # noqa: PLC0415

    if sys.platform == "win32":
        os.startfile(target)  # type: ignore[attr-defined]  # noqa: S606 - the user asked to open it
        return
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        raise KbError("no program to open files and URLs was found (xdg-open)",
                      hint="install xdg-utils, or pass --print and open it yourself")
    done = subprocess.run([opener, target], check=False)
    if done.returncode != 0:
        raise KbError(f"{os.path.basename(opener)} could not open {target} (exit code {done.returncode})")


@cli.command("open")
@click.argument("note", shell_complete=complete_notes)
@click.option("--print", "print_only", is_flag=True, help="Print what would be opened, open nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what would be opened as JSON, open nothing.")
@click.pass_context
def open_cmd(ctx, note: str, print_only: bool, as_json: bool) -> None:
    """Open a note's PDF (its `pdf:` field), else its paper's arXiv or DOI page, else the note in $VISUAL/$EDITOR.

    NOTE is a path, title, file-name slug or alias. PDFs and pages open with xdg-open (macOS: open).

    Example: kb open ResNet --print
    """
    json_mode(as_json)
    opening = open_notebook(ctx).opening(note)
    if as_json:
        emit_json(opening.to_dict())
        return
    if print_only:
        echo(clean(opening.target, one_line=True))
        return
    if opening.kind == "file":
        click.edit(filename=opening.target)
    else:
        _launch(opening.target)
