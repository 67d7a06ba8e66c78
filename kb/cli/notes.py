"""Commands that read the notebook: index, search, show, tags, toc, check."""

from __future__ import annotations

import shutil

import click

from kb.cli import cli, open_notebook, report_repairs, year_option
from kb.cli.completion import complete_notes, complete_tags
from kb.cli.terminal import (
    clean,
    echo,
    echo_error,
    emit_json,
    emit_json_line,
    highlight,
    json_mode,
    notice,
    progress_printer,
    style,
    wrap_highlighted,
)
from kb.layout import KINDS, STATUSES


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--watch", is_flag=True, help="Then keep the index fresh while notes change, a line per update (Ctrl-C stops).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (with --watch: one line per update).")
@click.option("--quiet", "-q", is_flag=True, help="Do not list problems, only the summary.")
@click.pass_context
def index_cmd(ctx: click.Context, rebuild: bool, watch: bool, as_json: bool, quiet: bool) -> None:
    """Index the notes folder into SQLite and Whoosh (incremental).

    Example: kb index --rebuild
    """
    # A full build writes a new generation and swaps it in at the end; an update records what Whoosh
    # still has to receive, which the next run applies.
    ctx.find_root().obj["on_interrupt"] = ("Interrupted; the index was left as it was." if rebuild else
                                           "Interrupted; the next `kb index` finishes the update.")
    json_mode(as_json)
    nb = open_notebook(ctx)
    stats = nb.index(rebuild=rebuild, progress=None if as_json else progress_printer())
    _report_index(stats, as_json=as_json, quiet=quiet, stream=watch)
    if watch:
        _watch(ctx, nb, as_json=as_json, quiet=quiet)


def _report_index(stats, *, as_json: bool, quiet: bool, stream: bool, paths: list[str] | None = None) -> None:
    """One index run: its summary line (or JSON, one line of it when streaming), problems on stderr."""
    if as_json:
        note = stats.repair_note()  # said by the summary line on a terminal
        if note:
            notice("repair", f"{note}.")
        data = stats.to_dict() if paths is None else {**stats.to_dict(), "paths": paths}
        (emit_json_line if stream else emit_json)(data)
        return
    if not quiet:
        for problem in stats.problems:
            echo_error(str(problem))
    summary = stats.summary() if paths is None else f"{', '.join(paths)}: {stats.summary()}"
    echo(clean(summary, one_line=True))


def _watch(ctx: click.Context, nb, *, as_json: bool, quiet: bool) -> None:
    """Update the index on every change until Ctrl-C, which ends the command normally (exit 0)."""
    def ready() -> None:  # said once the watcher is armed: an edit saved after this line is seen
        echo_error(clean(f"Watching {nb.paths.notes} (Ctrl-C to stop)"))

    try:
        for stats, paths in nb.watch(on_ready=ready):
            _report_index(stats, as_json=as_json, quiet=quiet, stream=True, paths=paths or None)
    except KeyboardInterrupt:
        # Stopping the watch is how it is meant to end; an update cut short is finished by the next run.
        echo_error("Stopped watching.")


@cli.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1)
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most hits to show.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip this many hits first (paging).")
@click.option("--tag", "tags", multiple=True, shell_complete=complete_tags, help="Only notes with this tag (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind.")
@click.option("--author", "authors", multiple=True, help="Only notes by (or papers by) this author.")
@click.option("--chapter", "chapters", multiple=True, help="Only notes in this chapter (folder or label).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Reading status.")
@click.option("--year", "year", help="Paper year or range: 2017, 2015..2020.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON: hits, notices, total.")
@click.pass_context
def search_cmd(ctx, words, limit, offset, tags, kinds, authors, chapters, statuses, year, as_json) -> None:
    """Search notes: Chinese and English words, "phrases", OR, -word, prefix*, field:value.

    Without words, the filters alone list the notes they match (kb search --tag backbone).

    Example: kb search "semantic segmentation" tag:segmentation
    """
    from kb import Filters  # noqa: PLC0415 - the query language, not needed for --help

    filters = Filters(tuple(tags), tuple(kinds), tuple(authors), tuple(chapters), tuple(statuses), *year_option(year))
    if not words and not filters:
        raise click.UsageError("give words to search for, or a filter such as --tag backbone")
    json_mode(as_json)
    nb = open_notebook(ctx)
    built = nb.ensure_index(fulltext=True, progress=None if as_json else progress_printer())
    if built is not None and not built.repaired:
        notice("indexed", f"Indexed the notebook first: {built.summary()}", stats=built.to_dict())
    if not as_json:
        report_repairs(ctx)  # a rebuilt damaged index is said before the hits
    query = " ".join(words)
    result = nb.search(query, limit=limit, offset=offset, filters=filters)
    if result.corrected:
        notice("corrected", f"Showing results for {clean(result.corrected, one_line=True)}",
               styled=f"Showing results for {style(result.corrected, bold=True)}",
               corrected_from=query, corrected=result.corrected)
    if result.fallback_any:
        notice("fallback", "No note has every word; showing notes that match some of them.", fallback=True)
    if as_json:
        emit_json({**result.to_dict(), "offset": offset})  # the shape of /api/search, notices included
        return
    if not result.hits:
        echo_error("No notes found." if not offset else f"No notes found after the first {offset}.")
        return
    columns = shutil.get_terminal_size().columns
    for rank, hit in enumerate(result.hits, offset + 1):
        title = next((highlight(x.text, x.spans) for x in hit.highlights if x.field == "title"), clean(hit.title, one_line=True))
        echo(f"{rank:>2}. {click.style(title, bold=True)}  {style(hit.path, fg='cyan')}")
        meta = [f"{hit.kind} listing" if hit.listing else hit.kind]
        if hit.matched_words < result.words:
            meta.append(f"{hit.matched_words} of {result.words} words")
        if hit.year:
            meta.append(str(hit.year))
        if hit.tags:
            meta.append("#" + " #".join(hit.tags))
        echo(f"    {clean(' · '.join(meta), one_line=True)}")
        for excerpt in [x for x in hit.highlights if x.field in ("body", "code")][:2]:
            label = "code: " if excerpt.field == "code" else ""
            for line in wrap_highlighted(label + excerpt.text, [(a + len(label), b + len(label)) for a, b in excerpt.spans],
                                         columns - 5):
                echo(f"    {line}")


@cli.command("show")
@click.argument("note", shell_complete=complete_notes)
@click.option("--json", "as_json", is_flag=True, help="Print the note as JSON.")
@click.option("--no-body", is_flag=True, help="Metadata only.")
@click.pass_context
def show_cmd(ctx, note: str, as_json: bool, no_body: bool) -> None:
    """Show a note: metadata, tags, links, backlinks, snippets, then the body.

    NOTE is a path (relative to notes/), a title, a file-name slug or an alias.

    Example: kb show ResNet
    """
    json_mode(as_json)
    view = open_notebook(ctx).show(note)
    if as_json:
        emit_json(view.to_dict(body=not no_body))
        return
    n = view.note
    echo(style(n.title, bold=True))
    rows = [("path", str(n.path)), ("kind", n.kind), ("chapter", n.chapter_label or n.chapter or "")]
    if n.paper:
        p = n.paper
        rows += [("paper", p.title or ""), ("by", ", ".join(p.authors)),
                 ("published", " ".join(str(x) for x in (p.venue, p.year) if x)),
                 ("arXiv", f"https://arxiv.org/abs/{p.arxiv}" if p.arxiv else "")]
    rows += [("status", n.status or ""), ("tags", ", ".join(n.tags)), ("aliases", ", ".join(n.aliases)),
             ("authors", ", ".join(n.authors)), ("tldr", n.tldr or "")]
    for key, value in rows:
        if value:
            echo(f"{key:>10}: {clean(value, one_line=True)}")
    internal = [link for link in n.links if not link.external]
    if internal:
        echo("\nLinks:")
        for link in internal:
            target = clean(link.resolved, one_line=True) if link.resolved else style(f"broken: {link.target}", fg="red")
            echo(f"  {clean(link.label or link.target, one_line=True)} -> {target}")
    external = [link for link in n.links if link.external]
    if external:
        arxiv = sorted({link.arxiv_id for link in external if link.arxiv_id})
        echo(f"\nExternal links: {len(external)}" + (f" (arXiv: {', '.join(arxiv)})" if arxiv else ""))
    if view.backlinks:
        echo("\nBacklinks:")
        for back in view.backlinks:
            echo(f"  {clean(back.title, one_line=True)}  ({clean(back.path, one_line=True)}:{back.line})")
    if n.snippets:
        echo("\nSnippets:")
        for s in n.snippets:
            where = s.source or f"line {s.start_line}"
            echo(f"  {clean(s.id, one_line=True)}  {clean(s.language or 'text')}  {clean(where, one_line=True)}")
    if not no_body:
        echo("\n" + clean(n.body.rstrip()))


@cli.command("tags")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def tags_cmd(ctx, as_json: bool) -> None:
    """List tags with the number of notes using each, most used first.

    Example: kb tags --json
    """
    json_mode(as_json)
    counts = open_notebook(ctx).tags()
    if as_json:
        emit_json([c.to_dict() for c in counts])
        return
    for c in counts:
        echo(f"{c.count:>5}  {clean(c.tag, one_line=True)}")


@cli.command("toc")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def toc_cmd(ctx, as_json: bool) -> None:
    """Print chapters in order with their notes in order.

    Example: kb toc
    """
    json_mode(as_json)
    chapters = open_notebook(ctx).toc()
    if as_json:
        emit_json([c.to_dict() for c in chapters])
        return
    for chapter in chapters:
        echo(style(chapter.label, bold=True))
        for path, title in chapter.notes:
            echo(f"  {clean(title, one_line=True)}  ({clean(path, one_line=True)})")


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 when any problem exists.")
@click.pass_context
def check_cmd(ctx, as_json: bool, strict: bool) -> None:
    """Report every problem in the notebook (bad YAML, broken links, duplicate titles, …).

    Updates the index first, so the report is about the notes as they are now.

    Example: kb check --strict
    """
    json_mode(as_json)
    found = open_notebook(ctx).check()
    if as_json:
        emit_json([p.to_dict() for p in found])
    else:
        for problem in found:
            echo(clean(f"{problem.path}:{problem.line}: {problem.kind}: {problem.message}", one_line=True))
        echo_error(f"{len(found)} problems")
    if strict and found:
        ctx.exit(1)
