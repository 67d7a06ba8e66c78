"""kb.index.resolve: after a body-only edit, a note's links are resolved again from the folders they can
lead to alone, with the same results as a full resolution."""

from __future__ import annotations

from conftest import write

from kb.config import Paths
from kb.index import store
from kb.index.generations import current_generation
from kb.index.indexer import index_notebook
from kb.index.schema import connect_readonly

LINKS = ("[two](../b/[2]two.md) [three](./three) [b](../b) [plain](../b/two) [up](/b/[2]two.md) "
         "[gone](../b/missing.md) [self](#top)")


def resolved(paths: Paths) -> list[tuple[str, str | None]]:
    conn = connect_readonly(current_generation(paths.index).db_path)
    try:
        return [(link.target, link.resolved) for _, _, link in store.internal_links(conn, ["a/one.md"])]
    finally:
        conn.close()


def test_a_body_edit_resolves_links_as_a_full_build_does(paths: Paths):
    write(paths.notes, "a/one.md", f"# One\n\n{LINKS}\n")
    write(paths.notes, "a/three.md", "# Three\n")
    write(paths.notes, "b/[2]two.md", "# Two\n")
    write(paths.notes, "b/index.md", "# B\n")
    write(paths.notes, "c/other.md", "# Other\n")
    index_notebook(paths, rebuild=True)
    full = resolved(paths)
    assert dict(full)["../b/[2]two.md"] == "b/[2]two.md" and dict(full)["../b"] == "b/index.md"
    assert dict(full)["./three"] == "a/three.md" and dict(full)["../b/missing.md"] is None
    write(paths.notes, "a/one.md", f"# One\n\nedited body\n\n{LINKS}\n")  # same title: scoped resolution
    assert index_notebook(paths).changed == 1
    assert resolved(paths) == full
