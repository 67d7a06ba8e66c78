"""The `kb` command line: each command parses its options, calls one `Notebook` method, formats.

Data goes to stdout, messages to stderr, every line through `kb.cli.terminal` (which removes control
characters a note could smuggle in). `KbGroup.invoke` is the one error boundary: a `KbError`
becomes `Error: …` (and `Hint: …`) with exit code 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import importlib

import click

from kb.cli.terminal import COLOR_CHOICES, color_setting, echo_error
from kb.errors import KbError

INTERRUPTED_EXIT = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class KbGroup(click.Group):
    """A click group that turns `KbError` into a one-line error, and says what the notebook repaired."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            report_repairs(ctx)
            echo_error(f"Error: {exc}")
            if exc.hint:
                echo_error(f"Hint: {exc.hint}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            # Ctrl-C: one line saying what state things are in (a command may say more precisely), and
            # the shell's exit code for SIGINT, never a traceback.
            report_repairs(ctx)
            obj = ctx.find_root().obj
            echo_error((obj.get("on_interrupt") if isinstance(obj, dict) else None) or "Interrupted.")
            ctx.exit(INTERRUPTED_EXIT)
        finally:
            report_repairs(ctx)


# Which module defines each top-level command: a command's module is imported when the command is
# run (or help lists it), so `kb search` does not load the code of `kb add-note` or `kb snippets`.
COMMAND_MODULES = {
    "index": "notes", "search": "notes", "show": "notes", "tags": "notes", "toc": "notes", "check": "notes",
    "add-note": "papers", "mark": "papers", "export": "papers", "snippets": "snippets", "serve": "serve",
    "import": "library",
    "list": "browse", "graph": "browse", "open": "browse",
    "datasette-metadata": "datasette",
    "build-site": "site",
}


class RootGroup(KbGroup):
    """The `kb` group: commands are loaded from their modules on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str):
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(f"kb.cli.{COMMAND_MODULES[name]}")  # registers its commands on `cli`
        return super().get_command(ctx, name)


def report_repairs(ctx: click.Context) -> None:
    """Show, once, each repair the command's `Notebook` made to the index (a rebuilt damaged index)."""
    obj = ctx.find_root().obj
    notebook = obj.get("notebook") if isinstance(obj, dict) else None
    if notebook is not None:
        for note in notebook.repairs:
            echo_error(f"{note}.")
        notebook.repairs.clear()


# `-h` is `--help` everywhere: context settings are inherited by every subcommand's context.
@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--notes", "notes", type=click.Path(file_okay=False), envvar="KB_NOTES",
              help="Notes folder (default: notes/ here or in the nearest parent).")
@click.option("--index", "index", type=click.Path(file_okay=False), envvar="KB_INDEX",
              help="Index folder (default: index/ beside the notes folder).")
@click.option("--color", "color", type=click.Choice(COLOR_CHOICES), default=None,
              help="Colour output: auto (on a terminal; the default, also read from NO_COLOR and FORCE_COLOR), "
                   "always or never.")
@click.version_option(package_name="kb")
@click.pass_context
def cli(ctx: click.Context, notes: str | None, index: str | None, color: str | None) -> None:
    """kb: a deep-learning notebook you can search, link and run.

    Example: kb search resnet
    """
    # The one colour decision: click's echo (and so every kb line) obeys the context's `color`,
    # which the subcommands' contexts inherit.
    ctx.color = color_setting(color)
    ctx.obj = {"notes": notes, "index": index}


def year_option(year: str | None) -> tuple[int | None, int | None]:
    """`--year 2017`, `2015..2020` or `2015-2017` as (first, last), or a usage error naming the option."""
    from kb import Filters  # noqa: PLC0415 - the query language, not needed for --help

    if not year:
        return None, None
    years = Filters.parse_years(year)
    if years is None:
        raise click.BadParameter(f"{year!r} is not a year or a range like 2015..2020", param_hint="--year")
    return years


def open_notebook(ctx: click.Context):
    """The `Notebook` that `--notes`/`--index` (or the environment, or discovery) name."""
    from kb.notebook import Notebook  # noqa: PLC0415

    obj = ctx.find_root().obj
    if not isinstance(obj, dict):
        obj = ctx.find_root().obj = {}
    notebook = Notebook.open(obj.get("notes"), obj.get("index"))
    notebook.on_wait = echo_error  # "waiting for another kb process …", on stderr
    obj["notebook"] = notebook  # for `report_repairs`
    return notebook


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kb")

