"""Shell completion callbacks for click (`shell_complete=`): NOTE, tag and snippet arguments.

Click runs them when a shell asks (`_KB_COMPLETE=bash_complete kb …`, set up by the scripts that
`_KB_COMPLETE=bash_source kb` prints). They read the notebook that `--notes`/`--index` (or the
environment, or discovery) name, through `Notebook.completions`, which never builds or repairs the
index; anything that goes wrong gives no candidates, because a shell would print an error in the
middle of the line being typed.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem

from kb.errors import KbError


def _candidates(ctx: click.Context, kind: str, incomplete: str) -> list[CompletionItem]:
    from kb.notebook import Notebook  # noqa: PLC0415 - only when a shell asks

    root = ctx.find_root().params  # during completion the root callback does not run: read its options
    try:
        nb = Notebook.open(root.get("notes"), root.get("index"))
        found = nb.completions(kind, incomplete)
    except KbError:
        return []
    return [CompletionItem(value, help=description) for value, description in found]


def complete_notes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Note paths, slugs, and one-word titles and aliases."""
    return _candidates(ctx, "note", incomplete)


def complete_papers(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Like `complete_notes`, paper notes only (for `kb mark`)."""
    return _candidates(ctx, "paper", incomplete)


def complete_tags(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Tags used by the notes."""
    return _candidates(ctx, "tag", incomplete)


def complete_tag_list(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The last tag of a comma-separated list (`--tags detection,seg` → `detection,segmentation`)."""
    done, _, last = incomplete.rpartition(",")
    head = done + "," if done else ""
    return [CompletionItem(head + item.value, help=item.help) for item in _candidates(ctx, "tag", last)]


def complete_snippets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Snippet ids (`path#N`) and attached file names."""
    return _candidates(ctx, "snippet", incomplete)
