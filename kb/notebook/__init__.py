"""`Notebook`: every use case of kb, over the pipeline, for every front end.

    from kb import Notebook
    nb = Notebook.open("notes")            # or Notebook(Paths(notes, index))
    nb.index()                             # bring the index up to date
    for hit in nb.search("残差 resnet").hits:
        print(hit.title, hit.path)

The rules that cut across use cases live here and nowhere else:

- **Freshness.** Reading methods (`search`, `show`, `tags`, `toc`, `notes`, `snippet`) build the index
  when there is none and otherwise answer from it as it is: run `index()` after editing notes.
  Methods whose answer must reflect the files as they are now (`check`, `snippets`,
  `run_snippet`, `check_snippets`) update the index incrementally first.
- **Writes.** Changing a note (`add_note`, `mark`) takes the index's writer lock *before* touching
  the file, checks under it, writes, and indexes the note before letting go: a lock that cannot be
  had leaves the notebook as it was, and two writers never interleave.
- **Damage.** Opening the index checks it cheaply (`kb.index.health`): a damaged index is rebuilt
  under the writer lock, and `repairs` records a sentence saying so for the front end to show; where
  it cannot be rebuilt (a read-only index folder), `IndexDamaged` names the repair command.
- **Errors.** Only `KbError` subclasses, with a message and a hint; nothing is printed.
"""

from __future__ import annotations

from pathlib import Path

from kb.config import resolve_paths
from kb.notebook.base import NotebookBase, Progress
from kb.notebook.browse import BrowseUseCases
from kb.notebook.completion import CompletionUseCases
from kb.notebook.datasette import DatasetteUseCases
from kb.notebook.jupyter import JupyterUseCases
from kb.notebook.library import LibraryUseCases
from kb.notebook.live import LiveUseCases
from kb.notebook.snippets import SnippetUseCases
from kb.notebook.writing import WritingUseCases

__all__ = ["Notebook", "NotebookBase", "Progress"]


class Notebook(WritingUseCases, SnippetUseCases, CompletionUseCases, LiveUseCases, LibraryUseCases, BrowseUseCases,
               JupyterUseCases, DatasetteUseCases):
    """A notebook folder and its index: the one object the CLI and the web app call.

    Its use cases live one group a module (`reading`, `snippets`, `writing`, `completion`, `live`,
    `library`, `browse`, `jupyter`) over `NotebookBase`, which holds the rules they share.
    """

    @classmethod
    def open(cls, notes: str | Path | None = None, index: str | Path | None = None) -> Notebook:
        """The notebook at `notes` (else `KB_NOTES`, else the nearest `notes/`), indexed in `index`."""
        return cls(resolve_paths(notes, index))
