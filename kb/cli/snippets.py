"""`kb snippets`: list, run, check and export the code attached to notes."""

from __future__ import annotations

import click

from kb.cli import KbGroup, cli, open_notebook
from kb.cli.completion import complete_notes, complete_snippets
from kb.cli.terminal import clean, echo, echo_error, emit_json, json_mode


@cli.group("snippets", cls=KbGroup)
def snippets_group() -> None:
    """List, run, check and export the code attached to notes.

    Example: kb snippets check
    """


@snippets_group.command("list")
@click.argument("note", required=False, shell_complete=complete_notes)
@click.option("--runnable", is_flag=True, help="Only snippets with a runnable header.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def snippets_list_cmd(ctx, note: str | None, runnable: bool, as_json: bool) -> None:
    """List snippets of NOTE (or of every note) with their ids.

    Example: kb snippets list ResNet
    """
    json_mode(as_json)
    infos = open_notebook(ctx).snippets(note, runnable_only=runnable)
    if as_json:
        emit_json([i.to_dict() for i in infos])
        return
    for info in infos:
        s = info.snippet
        where = s.source or f"line {s.start_line}"
        flag = "run" if info.runnable else "   "
        status = f"  [{info.last_status}]" if info.last_status else ""
        label = info.title or info.note_title
        echo(clean(f"{flag}  {s.id}  {s.language or 'text'}  {where}  {label}{status}", one_line=True))


@snippets_group.command("run")
@click.argument("snippet_id", shell_complete=complete_snippets)
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds before the snippet is killed (default 60).")
@click.option("--json", "as_json", is_flag=True, help="Print the snippet, exit code and output as JSON.")
@click.pass_context
def snippets_run_cmd(ctx, snippet_id: str, timeout: float | None, as_json: bool) -> None:
    """Run one snippet in a subprocess and print its output.

    SNIPPET_ID is `path#N` from `kb snippets list`, `NOTE#N` or an attached file name.

    Example: kb snippets run resnet18.py
    """
    from kb.errors import SnippetFailed  # noqa: PLC0415

    json_mode(as_json)
    run = open_notebook(ctx).run_snippet(snippet_id, timeout=timeout)
    if as_json:
        emit_json(run.to_dict())
    else:
        click.echo(clean(run.stdout), nl=False)
        if run.stderr:
            click.echo(clean(run.stderr), err=True, nl=False)
        if run.truncated:
            echo_error("(output truncated)")
    if run.timed_out:
        raise SnippetFailed(f"{run.snippet.id} timed out after {run.duration:.1f}s and was killed")
    if run.returncode != 0:
        raise SnippetFailed(f"{run.snippet.id} exited with code {run.returncode}")


@snippets_group.command("check")
@click.argument("note", required=False, shell_complete=complete_notes)
@click.option("--force", is_flag=True, help="Run snippets even if they passed before under the same versions.")
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per snippet (default: header or 60).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def snippets_check_cmd(ctx, note: str | None, force: bool, timeout: float | None, as_json: bool) -> None:
    """Run every runnable snippet and check its declared expectations.

    Exit 1 when any snippet fails. Results are stored; an unchanged snippet that passed under the same
    Python and torch versions is not run again unless --force.

    Example: kb snippets check --force
    """

    def report(result, done: int, total: int) -> None:
        if as_json:
            return
        mark = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP", "error": "ERROR"}[result.status]
        colour = {"pass": "green", "fail": "red", "skip": "yellow", "error": "red"}[result.status]
        source = f" ({result.snippet.source})" if result.snippet.source else ""
        extra = f" - {result.reason}" if result.reason and not result.cached else (" (cached)" if result.cached else "")
        echo(f"{click.style(mark, fg=colour)} {clean(result.snippet.id + source, one_line=True)} "
             f"{result.duration:.1f}s{clean(extra, one_line=True)}")
        for mismatch in result.mismatches[1:] if len(result.mismatches) > 1 else ():
            echo(f"      {clean(mismatch, one_line=True)}")

    json_mode(as_json)
    results = open_notebook(ctx).check_snippets(note, force=force, timeout=timeout, progress=report)
    counts = {k: sum(1 for r in results if r.status == k) for k in ("pass", "fail", "skip", "error")}
    if as_json:
        emit_json([r.to_dict() for r in results])
    else:
        echo_error(f"snippets {counts['pass']} ok, {counts['fail']} failing, {counts['skip']} skipped, "
                   f"{counts['error']} with errors")
    if counts["fail"] or counts["error"]:
        ctx.exit(1)


@snippets_group.command("export")
@click.argument("snippet_id", shell_complete=complete_snippets)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True, help="File to write.")
@click.option("--format", "fmt", type=click.Choice(["code", "ipynb"]), default="code", show_default=True,
              help="code: one snippet's code; ipynb: a whole note (SNIPPET_ID is then a NOTE) as a Jupyter notebook.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--json", "as_json", is_flag=True, help="Print the snippet and the file written as JSON.")
@click.pass_context
def snippets_export_cmd(ctx, snippet_id: str, output: str, fmt: str, force: bool, as_json: bool) -> None:
    """Write one snippet's code to a file, or a note as a Jupyter notebook (--format ipynb).

    With --format ipynb the argument is a NOTE (path, title, slug or alias): its prose becomes
    Markdown cells and its Python snippets code cells, in order.

    Example: kb snippets export resnet18.py -o resnet18.py
    """
    json_mode(as_json)
    if fmt == "ipynb":
        cells = open_notebook(ctx).export_jupyter(snippet_id, output, force=force)
        if as_json:
            emit_json({"note": snippet_id, "output": output, "format": "ipynb", "cells": cells})
        else:
            echo_error(f"wrote {output} ({cells} cells)")
        return
    snippet = open_notebook(ctx).export_snippet(snippet_id, output, force=force)
    if as_json:
        emit_json({"snippet": snippet.to_dict(), "output": output})
    else:
        echo_error(f"wrote {output}")
