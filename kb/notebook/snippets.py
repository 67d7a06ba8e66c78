"""Snippet use cases: list, show, run, check and export the code attached to notes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kb import models
from kb.index import store
from kb.index.generations import require_generation
from kb.index.lookup import find_note, find_snippet
from kb.notebook.base import NotebookBase

if TYPE_CHECKING:
    from kb.models import Snippet, SnippetCheck, SnippetInfo, SnippetRun


class SnippetUseCases(NotebookBase):
    """The code attached to notes, run contained."""

    def snippets(self, note: str | None = None, *, runnable_only: bool = False,
                 refresh: bool = True) -> list[SnippetInfo]:
        """Snippets of one note (any NOTE form) or of all, with their last results; `refresh=False` for a
        front end that keeps the index fresh itself (the web app's watcher), so a page does not scan."""
        from kb.snippets.header import is_runnable, parse_header  # noqa: PLC0415

        if refresh:
            self._update()
        with self._reading() as (_, conn):
            path = find_note(conn, note) if note else None
            runs = store.snippet_runs(conn)
            rows = store.snippets_with_titles(conn, path)
        out = []
        for snippet, note_title in rows:
            runnable = is_runnable(snippet)
            if runnable_only and not runnable:
                continue
            spec = parse_header(snippet.code)
            run = runs.get(snippet.id)
            out.append(models.SnippetInfo(snippet, note_title, runnable, spec.title, spec.requires, spec.expects,
                                   run["status"] if run else None, run["duration"] if run else None))
        return out

    def snippet(self, key: str) -> Snippet:
        """A snippet by id (`path#N`), by `NOTE#N` with any NOTE form, or by its attached file name."""
        with self._reading() as (_, conn):
            return find_snippet(conn, key)

    def run_snippet(self, key: str, *, timeout: float | None = None) -> SnippetRun:
        """Run one runnable snippet in a contained subprocess (see `kb.snippets.runner`).

        Only Python snippets with a `# requires:` or `# expect:` header run, as `check_snippets` would
        run them: a bad header or a module named in `requires:` that cannot be imported raises
        `SnippetNotRunnable` before anything runs.
        """
        from kb.snippets.environment import obstacle, refusal  # noqa: PLC0415
        from kb.snippets.header import DEFAULT_TIMEOUT, parse_header  # noqa: PLC0415
        from kb.snippets.runner import run_code  # noqa: PLC0415

        self._update()
        snippet = self.snippet(key)
        spec = parse_header(snippet.code)
        found = obstacle(snippet, spec)
        if found is not None:
            raise refusal(snippet, found)
        run = run_code(snippet.code, timeout=timeout or spec.timeout or DEFAULT_TIMEOUT)
        return models.SnippetRun(snippet, run.returncode, run.stdout, run.stderr, run.duration, run.timed_out, run.truncated)

    def check_snippets(self, note: str | None = None, *, force: bool = False, timeout: float | None = None,
                       progress: Callable[[SnippetCheck, int, int], None] | None = None) -> list[SnippetCheck]:
        """Run every runnable snippet (of one note, or all), check its expectations, store the results;
        one whose code is unchanged and passed under the same Python and torch is reused unless `force`."""
        from kb.index.schema import open_store  # noqa: PLC0415
        from kb.snippets.environment import code_checksum, runtime_fingerprint  # noqa: PLC0415
        from kb.snippets.runner import check_snippet  # noqa: PLC0415

        runnable = self.snippets(note, runnable_only=True)
        gen = require_generation(self.paths.index)
        fingerprint = runtime_fingerprint()
        db = open_store(gen.db_path)
        try:
            previous = store.snippet_runs(db.conn)
            results = []
            for n, info in enumerate(runnable, 1):
                snippet = info.snippet
                digest = code_checksum(snippet.code)
                last = previous.get(snippet.id)
                if (not force and last and last["status"] == "pass" and last["code_checksum"] == digest
                        and last["fingerprint"] == fingerprint):
                    results.append(models.SnippetCheck(snippet, "pass", "unchanged since it passed", (), last["duration"], True))
                else:
                    result = check_snippet(snippet, timeout=timeout)
                    store.save_snippet_run(db, snippet.id, digest, fingerprint, result.status, result.reason,
                                           result.mismatches, result.duration, result.output)
                    results.append(models.SnippetCheck(snippet, result.status, result.reason, result.mismatches,
                                                result.duration, False))
                if progress:
                    progress(results[-1], n, len(runnable))
            return results
        finally:
            db.conn.close()

    def export_snippet(self, key: str, output: str | Path, *, force: bool = False) -> Snippet:
        """Write one snippet's code to `output` (an existing file is kept unless `force`)."""
        from kb.output import write_output  # noqa: PLC0415

        snippet = self.snippet(key)
        write_output(output, snippet.code if snippet.code.endswith("\n") else snippet.code + "\n", force=force)
        return snippet
