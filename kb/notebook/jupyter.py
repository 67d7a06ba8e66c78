"""Jupyter use case: a note and its snippets exported as a notebook (`kb snippets export --format ipynb`)."""

from __future__ import annotations

from pathlib import Path

from kb.notebook.reading import ReadingUseCases


class JupyterUseCases(ReadingUseCases):
    """Notes leaving kb as Jupyter notebooks."""

    def export_jupyter(self, key: str, output: str | Path, *, force: bool = False) -> int:
        """Write the note `key` (any NOTE form) to `output` as an nbformat v4 notebook: prose as Markdown
        cells, Python snippets as code cells, in order (see `kb.snippets.jupyter`). An existing file is
        kept unless `force`; nothing is written when nbformat is missing. Returns the number of cells.

        The index is updated first, so the notebook holds the note as it is now.
        """
        from kb.output import write_output  # noqa: PLC0415
        from kb.snippets.jupyter import note_cells, notebook_text  # noqa: PLC0415

        self._update()
        note = self.note(key)
        cells = note_cells(note)
        write_output(output, notebook_text(note, cells), force=force)
        return len(cells)
