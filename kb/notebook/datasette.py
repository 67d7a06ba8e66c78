"""Use case for browsing the index with Datasette: the metadata that makes the file readable there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.notebook.base import NotebookBase


class DatasetteUseCases(NotebookBase):
    """The index as Datasette serves it (`index/kb.sqlite`, see `kb.index.generations`)."""

    @property
    def stable_db_path(self) -> Path:
        """`index/kb.sqlite`: the live SQLite file at a path that survives rebuilds."""
        from kb.index.generations import STABLE_DB  # noqa: PLC0415 - kept off the start-up path

        return self.paths.index / STABLE_DB

    def datasette_metadata(self, output: str | Path | None = None, *, force: bool = False) -> dict[str, Any]:
        """Datasette metadata for `index/kb.sqlite` (building the index when there is none); written as
        JSON to `output` when given (an existing file is kept unless `force`)."""
        from kb.index.datasette import datasette_metadata  # noqa: PLC0415
        from kb.output import write_output  # noqa: PLC0415

        self.ensure_index()
        metadata = datasette_metadata(self.stable_db_path.stem)
        if output is not None:
            write_output(output, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", force=force)
        return metadata
