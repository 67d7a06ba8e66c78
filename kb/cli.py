"""The `kb` command line: parse options, call one library function, format the result.

Data goes to stdout, messages to stderr. `KbGroup.invoke` is the one error boundary: a `KbError`
becomes `Error: …` (and `Hint: …`) with exit code 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from kb.config import Paths, resolve_paths
from kb.errors import KbError


class KbGroup(click.Group):
    """A click group that turns `KbError` into a one-line error."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            click.echo(f"Error: {exc}", err=True)
            if exc.hint:
                click.echo(f"Hint: {exc.hint}", err=True)
            ctx.exit(exc.exit_code)


def _paths(ctx: click.Context) -> Paths:
    obj = ctx.find_root().obj or {}
    return resolve_paths(obj.get("notes"), obj.get("index"))


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _progress_printer():
    """A progress line on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def report(stage: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        click.echo(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=False)
        if done >= total:
            click.echo("", err=True)

    return report


@click.group(cls=KbGroup)
@click.option("--notes", "notes", type=click.Path(file_okay=False), envvar="KB_NOTES",
              help="Notes folder (default: notes/ here or in the nearest parent).")
@click.option("--index", "index", type=click.Path(file_okay=False), envvar="KB_INDEX",
              help="Index folder (default: index/ beside the notes folder).")
@click.version_option(package_name="kb")
@click.pass_context
def cli(ctx: click.Context, notes: str | None, index: str | None) -> None:
    """kb: a deep-learning notebook you can search, link and run.

    Example: kb search resnet
    """
    ctx.obj = {"notes": notes, "index": index}


def _problem_dict(problem) -> dict:
    return {"path": problem.path, "line": problem.line, "kind": problem.kind, "message": problem.message,
            "severity": problem.severity}


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Do not list problems, only the summary.")
@click.pass_context
def index_cmd(ctx: click.Context, rebuild: bool, as_json: bool, quiet: bool) -> None:
    """Index the notes folder into SQLite and Whoosh (incremental).

    Example: kb index --rebuild
    """
    from kb.indexer import index_notebook  # noqa: PLC0415

    stats = index_notebook(_paths(ctx), rebuild=rebuild, progress=None if as_json else _progress_printer())
    if as_json:
        _emit_json({"added": stats.added, "changed": stats.changed, "removed": stats.removed,
                    "unchanged": stats.unchanged, "problems": len(stats.problems),
                    "seconds": round(stats.seconds, 3), "rebuilt": stats.rebuilt,
                    "problem_list": [_problem_dict(p) for p in stats.problems]})
        return
    if not quiet:
        for problem in stats.problems:
            click.echo(str(problem), err=True)
    click.echo(stats.summary())


def _highlight(text: str, spans) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(click.style(text[start:end], fg="yellow", bold=True))
        last = end
    out.append(text[last:])
    return "".join(out)


@cli.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most hits to show.")
@click.option("--tag", "tags", multiple=True, help="Only notes with this tag (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["paper", "chapter", "page"]), help="Only this kind.")
@click.option("--author", "authors", multiple=True, help="Only notes by (or papers by) this author.")
@click.option("--chapter", "chapters", multiple=True, help="Only notes in this chapter (folder or label).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["to-read", "reading", "read"]), help="Reading status.")
@click.option("--year", "year", help="Paper year or range: 2017, 2015..2020.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
@click.pass_context
def search_cmd(ctx, words, limit, tags, kinds, authors, chapters, statuses, year, as_json) -> None:
    """Search notes: Chinese and English words, "phrases", OR, -word, prefix*, field:value.

    Example: kb search "semantic segmentation" tag:segmentation
    """
    from kb import notebook  # noqa: PLC0415
    from kb.query import Filters, parse_year  # noqa: PLC0415

    years = (None, None)
    if year:
        parsed_year = parse_year(year)
        if parsed_year is None:
            raise click.BadParameter(f"{year!r} is not a year or a range like 2015..2020", param_hint="--year")
        years = parsed_year
    filters = Filters(tuple(tags), tuple(kinds), tuple(authors), tuple(chapters), tuple(statuses), *years)
    paths = _paths(ctx)
    built = notebook.ensure_index(paths)
    if built is not None:
        click.echo(f"Indexed the notebook first: {built.summary()}", err=True)
    result = notebook.search(paths, " ".join(words), limit=limit, filters=filters)
    if as_json:
        _emit_json([
            {"path": h.path, "title": h.title, "score": h.score, "kind": h.kind, "tags": list(h.tags),
             "chapter": h.chapter, "year": h.year, "matched_fields": list(h.matched_fields),
             "highlights": [{"field": x.field, "text": x.text, "matches": [list(s) for s in x.spans]}
                            for x in h.highlights]}
            for h in result.hits
        ])
        return
    if result.corrected:
        click.echo(f"Showing results for {click.style(result.corrected, bold=True)}", err=True)
    if result.fallback_any:
        click.echo("No note has every word; showing notes that match some of them.", err=True)
    if not result.hits:
        click.echo("No notes found.", err=True)
        return
    for rank, hit in enumerate(result.hits, 1):
        title = next((_highlight(x.text, x.spans) for x in hit.highlights if x.field == "title"), hit.title)
        click.echo(f"{rank:>2}. {click.style(title, bold=True)}  {click.style(hit.path, fg='cyan')}")
        meta = [hit.kind]
        if hit.year:
            meta.append(str(hit.year))
        if hit.tags:
            meta.append("#" + " #".join(hit.tags))
        click.echo(f"    {' · '.join(meta)}")
        for excerpt in [x for x in hit.highlights if x.field in ("body", "code")][:2]:
            label = "code: " if excerpt.field == "code" else ""
            click.echo(f"    {label}{_highlight(excerpt.text, excerpt.spans)}")


@cli.command("show")
@click.argument("note")
@click.option("--json", "as_json", is_flag=True, help="Print the note as JSON.")
@click.option("--no-body", is_flag=True, help="Metadata only.")
@click.pass_context
def show_cmd(ctx, note: str, as_json: bool, no_body: bool) -> None:
    """Show a note: metadata, tags, links, backlinks, snippets, then the body.

    NOTE is a path (relative to notes/), a title, a file-name slug or an alias.

    Example: kb show ResNet
    """
    from kb import notebook  # noqa: PLC0415

    paths = _paths(ctx)
    notebook.ensure_index(paths)
    view = notebook.show(paths, note)
    n = view.note
    if as_json:
        data = {
            "path": str(n.path), "title": n.title, "kind": n.kind, "chapter": n.chapter,
            "chapter_label": n.chapter_label, "order": n.order, "tags": list(n.tags), "authors": list(n.authors),
            "aliases": list(n.aliases), "status": n.status, "tldr": n.tldr, "added": n.added,
            "paper": asdict(n.paper) if n.paper else None,
            "links": [{"target": l.target, "label": l.label, "line": l.line, "external": l.external,
                       "resolved": l.resolved, "arxiv_id": l.arxiv_id} for l in n.links],
            "backlinks": [{"path": p, "title": t, "line": line} for p, t, line in view.backlinks],
            "snippets": [{"id": s.id, "language": s.language, "line": s.start_line, "source": s.source,
                          "lines": s.code.count("\n") + 1} for s in n.snippets],
            "problems": [_problem_dict(p) for p in n.problems],
        }
        if not no_body:
            data["body"] = n.body
        _emit_json(data)
        return
    click.echo(click.style(n.title, bold=True))
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
            click.echo(f"{key:>10}: {value}")
    internal = [l for l in n.links if not l.external]
    if internal:
        click.echo("\nLinks:")
        for link in internal:
            target = link.resolved or click.style(f"broken: {link.target}", fg="red")
            click.echo(f"  {link.label or link.target} -> {target}")
    external = [l for l in n.links if l.external]
    if external:
        click.echo(f"\nExternal links: {len(external)}"
                   + (f" (arXiv: {', '.join(sorted({l.arxiv_id for l in external if l.arxiv_id}))})"
                      if any(l.arxiv_id for l in external) else ""))
    if view.backlinks:
        click.echo("\nBacklinks:")
        for path, title, line in view.backlinks:
            click.echo(f"  {title}  ({path}:{line})")
    if n.snippets:
        click.echo("\nSnippets:")
        for s in n.snippets:
            where = s.source or f"line {s.start_line}"
            click.echo(f"  {s.id}  {s.language or 'text'}  {where}")
    if not no_body:
        click.echo("\n" + n.body.rstrip())


@cli.command("tags")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def tags_cmd(ctx, as_json: bool) -> None:
    """List tags with the number of notes using each, most used first.

    Example: kb tags --json
    """
    from kb import notebook  # noqa: PLC0415

    paths = _paths(ctx)
    notebook.ensure_index(paths)
    counts = notebook.tags(paths)
    if as_json:
        _emit_json([{"tag": t, "count": c} for t, c in counts])
        return
    for tag, count in counts:
        click.echo(f"{count:>5}  {tag}")


@cli.command("toc")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def toc_cmd(ctx, as_json: bool) -> None:
    """Print chapters in order with their notes in order.

    Example: kb toc
    """
    from kb import notebook  # noqa: PLC0415

    paths = _paths(ctx)
    notebook.ensure_index(paths)
    chapters = notebook.toc(paths)
    if as_json:
        _emit_json([{"chapter": c.folder, "label": c.label,
                     "notes": [{"path": p, "title": t} for p, t in c.notes]} for c in chapters])
        return
    for chapter in chapters:
        click.echo(click.style(chapter.label, bold=True))
        for path, title in chapter.notes:
            click.echo(f"  {title}  ({path})")


@cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 when any problem exists.")
@click.pass_context
def check_cmd(ctx, as_json: bool, strict: bool) -> None:
    """Report every problem in the notebook (bad YAML, broken links, duplicate titles, …).

    Updates the index first, so the report is about the notes as they are now.

    Example: kb check --strict
    """
    from kb import notebook  # noqa: PLC0415
    from kb.indexer import index_notebook  # noqa: PLC0415

    paths = _paths(ctx)
    index_notebook(paths)
    found = notebook.problems(paths)
    if as_json:
        _emit_json([_problem_dict(p) for p in found])
    else:
        for problem in found:
            click.echo(f"{problem.path}:{problem.line}: {problem.kind}: {problem.message}")
        click.echo(f"{len(found)} problems", err=True)
    if strict and found:
        ctx.exit(1)


@cli.group("snippets", cls=KbGroup)
def snippets_group() -> None:
    """List, run, check and export the code attached to notes.

    Example: kb snippets check
    """


@snippets_group.command("list")
@click.argument("note", required=False)
@click.option("--runnable", is_flag=True, help="Only snippets with a runnable header.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def snippets_list_cmd(ctx, note: str | None, runnable: bool, as_json: bool) -> None:
    """List snippets of NOTE (or of every note) with their ids.

    Example: kb snippets list ResNet
    """
    from kb import notebook  # noqa: PLC0415
    from kb.indexer import index_notebook  # noqa: PLC0415

    paths = _paths(ctx)
    index_notebook(paths)
    infos = notebook.list_snippets(paths, note, runnable_only=runnable)
    if as_json:
        _emit_json([{"id": i.snippet.id, "note": i.snippet.note_path, "note_title": i.note_title,
                     "language": i.snippet.language, "line": i.snippet.start_line, "source": i.snippet.source,
                     "runnable": i.runnable, "title": i.title, "requires": list(i.requires),
                     "expects": [f"{k} = {v}" for k, v in i.expects], "last_status": i.last_status,
                     "last_duration": i.last_duration} for i in infos])
        return
    for info in infos:
        s = info.snippet
        where = s.source or f"line {s.start_line}"
        flag = "run" if info.runnable else "   "
        status = f"  [{info.last_status}]" if info.last_status else ""
        label = info.title or info.note_title
        click.echo(f"{flag}  {s.id}  {s.language or 'text'}  {where}  {label}{status}")


@snippets_group.command("run")
@click.argument("snippet_id")
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds before the snippet is killed (default 60).")
@click.pass_context
def snippets_run_cmd(ctx, snippet_id: str, timeout: float | None) -> None:
    """Run one snippet in a subprocess and print its output.

    SNIPPET_ID is `path#N` from `kb snippets list`, `NOTE#N` or an attached file name.

    Example: kb snippets run resnet18.py
    """
    from kb import notebook  # noqa: PLC0415
    from kb.errors import SnippetFailed  # noqa: PLC0415
    from kb.indexer import index_notebook  # noqa: PLC0415

    paths = _paths(ctx)
    index_notebook(paths)
    snippet, run = notebook.run_snippet(paths, snippet_id, timeout)
    click.echo(run.stdout, nl=False)
    if run.stderr:
        click.echo(run.stderr, err=True, nl=False)
    if run.truncated:
        click.echo("(output truncated)", err=True)
    if run.timed_out:
        raise SnippetFailed(f"{snippet.id} timed out after {run.duration:.1f}s and was killed")
    if run.returncode != 0:
        raise SnippetFailed(f"{snippet.id} exited with code {run.returncode}")


@snippets_group.command("check")
@click.argument("note", required=False)
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
    from kb import notebook  # noqa: PLC0415
    from kb.indexer import index_notebook  # noqa: PLC0415

    paths = _paths(ctx)
    index_notebook(paths)

    def report(result, done: int, total: int) -> None:
        if as_json:
            return
        mark = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP", "error": "ERROR"}[result.status]
        colour = {"pass": "green", "fail": "red", "skip": "yellow", "error": "red"}[result.status]
        source = f" ({result.snippet.source})" if result.snippet.source else ""
        extra = f" - {result.reason}" if result.reason and not result.cached else (" (cached)" if result.cached else "")
        click.echo(f"{click.style(mark, fg=colour)} {result.snippet.id}{source} {result.duration:.1f}s{extra}")
        for mismatch in result.mismatches[1:] if len(result.mismatches) > 1 else ():
            click.echo(f"      {mismatch}")

    results = notebook.check_snippets(paths, note=note, force=force, timeout=timeout, progress=report)
    counts = {k: sum(1 for r in results if r.status == k) for k in ("pass", "fail", "skip", "error")}
    if as_json:
        _emit_json([{"id": r.snippet.id, "source": r.snippet.source, "status": r.status, "reason": r.reason,
                     "mismatches": list(r.mismatches), "duration": round(r.duration, 3), "cached": r.cached}
                    for r in results])
    else:
        click.echo(f"snippets {counts['pass']} ok, {counts['fail']} failing, {counts['skip']} skipped, "
                   f"{counts['error']} with errors", err=True)
    if counts["fail"] or counts["error"]:
        ctx.exit(1)


@snippets_group.command("export")
@click.argument("snippet_id")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True, help="File to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def snippets_export_cmd(ctx, snippet_id: str, output: str, force: bool) -> None:
    """Write one snippet's code to a file.

    Example: kb snippets export resnet18.py -o resnet18.py
    """
    from kb import notebook  # noqa: PLC0415
    from kb.output import write_output  # noqa: PLC0415

    paths = _paths(ctx)
    notebook.ensure_index(paths)
    snippet = notebook.find_snippet(paths, snippet_id)
    text = snippet.code if snippet.code.endswith("\n") else snippet.code + "\n"
    write_output(output, text, force=force)
    click.echo(f"wrote {output}", err=True)


@cli.command("add-note")
@click.argument("title", required=False)
@click.option("--arxiv", help="arXiv id or URL (abs, pdf, with version, old style like math/0501001).")
@click.option("--bibtex", "bibtex", type=click.File("r", encoding="utf-8"), help="BibTeX entry from FILE, or - for stdin.")
@click.option("--authors", help='Paper authors, separated by ";": "Kaiming He; Jian Sun".')
@click.option("--year", type=int, help="Publication year.")
@click.option("--venue", help="Venue, e.g. CVPR.")
@click.option("--tags", help="Comma-separated tags: cnn,residual.")
@click.option("--status", type=click.Choice(["to-read", "reading", "read"]), help="Reading status (default to-read).")
@click.option("--offline", is_flag=True, envvar="KB_OFFLINE", help="Do not ask arXiv for metadata.")
@click.option("--no-edit", is_flag=True, help="Do not open $VISUAL/$EDITOR, ask nothing.")
@click.option("--force", is_flag=True, help="Create the note even if the paper already has one.")
@click.option("--json", "as_json", is_flag=True, help="Print the new note as JSON.")
@click.pass_context
def add_note_cmd(ctx, title, arxiv, bibtex, authors, year, venue, tags, status, offline, no_edit, force, as_json) -> None:
    """Create a paper note from a title, an arXiv id or a BibTeX entry, then index it.

    The note is created as papers/[N]Title.md with the next free number, from the template
    notes/_templates/paper.md when the notebook has one. Missing fields are asked for on a terminal.

    Example: kb add-note --arxiv 1512.03385 --tags cnn,residual
    """
    from kb import add, notebook  # noqa: PLC0415

    paths = _paths(ctx)
    interactive = not no_edit and sys.stdin.isatty() and sys.stdout.isatty()
    given = add.fields_from_options(title, authors=authors, year=year, venue=venue, tags=tags, status=status, arxiv=arxiv)
    from_bib = add.fields_from_bibtex(bibtex.read(), source=bibtex.name) if bibtex else None
    arxiv_id = given.arxiv or (from_bib.arxiv if from_bib else None)
    fetched = None
    if arxiv_id and not offline:
        try:
            fetched = add.fetch_arxiv(arxiv_id, timeout=5.0)
        except add.ArxivError as exc:
            click.echo(f"Warning: {exc}", err=True)
    fields = add.merge_fields(given, from_bib, fetched)
    if interactive:
        fields = _ask_missing(fields)
    if not fields.title:
        raise add.InvalidField("the paper needs a title", hint="give TITLE, --arxiv (online) or --bibtex")
    created = notebook.create_paper(paths, fields, force=force)
    if interactive:
        click.edit(filename=str(created))
    rel, problems = notebook.finish_note(paths, created)
    for problem in problems:
        click.echo(f"Warning: {problem}", err=True)
    from kb.parse import order_prefix  # noqa: PLC0415

    number = order_prefix(created.name)
    if as_json:
        _emit_json({"path": rel, "id": int(number) if number is not None else None, "title": fields.title, "file": str(created),
                    "problems": [_problem_dict(p) for p in problems]})
    else:
        click.echo(str(created))


def _ask_missing(fields):
    """Prompt for the fields a paper note should have (terminal only)."""
    from dataclasses import replace  # noqa: PLC0415

    if not fields.title:
        fields = replace(fields, title=click.prompt("Title").strip())
    if not fields.authors:
        answer = click.prompt('Authors (separated by ";")', default="", show_default=False)
        fields = replace(fields, authors=tuple(a.strip() for a in answer.split(";") if a.strip()))
    if not fields.year:
        answer = click.prompt("Year", default="", show_default=False).strip()
        if answer.isdigit():
            fields = replace(fields, year=int(answer))
    if not fields.tags:
        answer = click.prompt("Tags (comma separated)", default="", show_default=False)
        fields = replace(fields, tags=tuple(t.strip().lower() for t in answer.split(",") if t.strip()))
    return fields


@cli.command("mark")
@click.argument("note")
@click.argument("status", type=click.Choice(["to-read", "reading", "read"]))
@click.pass_context
def mark_cmd(ctx, note: str, status: str) -> None:
    """Set a note's reading status; only the status line of its front matter changes.

    Example: kb mark ResNet read
    """
    from kb import notebook  # noqa: PLC0415

    path, changed = notebook.mark(_paths(ctx), note, status)
    click.echo(f"{path}: {status}" if changed else f"{path} is already {status}")


@cli.group("export", cls=KbGroup)
def export_group() -> None:
    """Export data from the notebook.

    Example: kb export reading-list --format md
    """


@export_group.command("reading-list")
@click.argument("query", nargs=-1)
@click.option("--tag", help="Only papers with this tag.")
@click.option("--status", type=click.Choice(["to-read", "reading", "read"]), help="Only papers with this status.")
@click.option("--chapter", help="Only papers in this chapter (folder or label).")
@click.option("--order", type=click.Choice(["number", "year", "chapter", "added"]), default="number", show_default=True)
@click.option("--group-by", type=click.Choice(["status", "chapter", "none"]), default="status", show_default=True,
              help="Grouping for md and html.")
@click.option("--unnoted", is_flag=True, help="Papers the notes cite (arXiv links) that have no note of their own.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "bibtex", "html"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite the -o file if it exists.")
@click.pass_context
def export_reading_list_cmd(ctx, query, tag, status, chapter, order, group_by, unnoted, fmt, output, force) -> None:
    """Export paper notes as a reading list: a checklist, CSV, JSON, BibTeX or an HTML page.

    Example: kb export reading-list --tag segmentation --format bibtex -o seg.bib
    """
    from kb import notebook  # noqa: PLC0415
    from kb.output import write_output  # noqa: PLC0415

    text = notebook.reading_list(_paths(ctx), query=" ".join(query) or None, tag=tag, status=status,
                                 chapter=chapter, order=order, fmt=fmt, group_by=group_by, unnoted=unnoted)
    if output:
        write_output(output, text, force=force)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kb")
