"""The index as Datasette serves it: `kb datasette-metadata`, and a real Datasette process (with kb's
plugin, loaded through its entry point) on the shipped notes, followed across two rebuilds."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from kb.cli import cli
from kb.index.datasette import INTERNAL_TABLES, datasette_metadata

SHIPPED = Path(__file__).resolve().parent.parent / "notes"
RESNET = "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md"


def test_metadata_hides_internal_tables_and_wires_the_search_box():
    meta = datasette_metadata()
    tables = meta["databases"]["kb"]["tables"]
    assert {"_kb_migrations", "fulltext_pending", "kb_meta", "notes_search"} <= set(INTERNAL_TABLES)
    assert all(tables[name] == {"hidden": True} for name in INTERNAL_TABLES)
    notes = tables["notes"]
    assert (notes["fts_table"], notes["fts_pk"], notes["searchmode"]) == ("notes_search", "rowid", "escaped")
    assert {"kind", "status", "year", "chapter_label", json.dumps({"array": "tags"})} == {
        f if isinstance(f, str) else json.dumps(f) for f in notes["facets"]}


def test_the_command_prints_or_writes_the_metadata(tmp_path: Path, monkeypatch):
    write(tmp_path / "notes", "a.md", "# A\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KB_NOTES", raising=False)
    monkeypatch.delenv("KB_INDEX", raising=False)
    runner = CliRunner()
    printed = runner.invoke(cli, ["datasette-metadata"], catch_exceptions=False)
    assert printed.exit_code == 0 and json.loads(printed.stdout) == datasette_metadata()
    assert (tmp_path / "index" / "kb.sqlite").is_symlink()  # the index was built on the way
    written = runner.invoke(cli, ["datasette-metadata", "-o", "meta.json"], catch_exceptions=False)
    assert written.exit_code == 0 and written.stdout == ""
    assert written.stderr == "wrote meta.json; browse the index with: datasette index/kb.sqlite -m meta.json\n"
    assert json.loads((tmp_path / "meta.json").read_text(encoding="utf-8")) == datasette_metadata()
    (tmp_path / "meta.json").write_text("mine", encoding="utf-8")
    refused = runner.invoke(cli, ["datasette-metadata", "-o", "meta.json"])
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: ") and "--force" in refused.stderr
    assert (tmp_path / "meta.json").read_text(encoding="utf-8") == "mine"
    assert runner.invoke(cli, ["datasette-metadata", "-o", "meta.json", "--force"]).exit_code == 0


def test_the_plugin_searches_chinese_and_follows_a_rebuild_in_process(tmp_path: Path):
    """Datasette's own test client (no process): the plugin's `escape_fts` and reopening."""
    import asyncio

    from datasette.app import Datasette

    from kb.config import Paths
    from kb.index.indexer import index_notebook

    write(tmp_path / "notes", "a.md", "# First\n\n残差网络很深\n")
    write(tmp_path / "notes", "b.md", "# Other\n\n网络残差\n")
    paths = Paths(tmp_path / "notes", tmp_path / "index")
    index_notebook(paths)
    ds = Datasette([str(paths.index / "kb.sqlite")], metadata=datasette_metadata())

    async def titles(search: str) -> list[str]:
        response = await ds.client.get("/kb/notes.json?" + urllib.parse.urlencode(
            {"_search": search, "_col": "title", "_shape": "array"}))
        assert response.status_code == 200, response.text
        return sorted(row["title"] for row in response.json())

    async def scenario() -> None:
        assert await titles("残差网络") == ["First"]  # the phrase of its pairs, not 网络 … 残差
        assert await titles("残差") == ["First", "Other"]
        write(paths.notes, "a.md", "# Second\n\n残差网络很深\n")
        index_notebook(paths, rebuild=True)
        assert await titles("残差网络") == ["Second"]
        write(paths.notes, "a.md", "# Third\n\n残差网络很深\n")
        index_notebook(paths, rebuild=True)
        assert await titles("很深") == ["Third"]

    try:
        asyncio.run(scenario())
    finally:
        for db in ds.databases.values():
            db.close()


# --- a real Datasette process --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running `datasette` and JSON requests to it."""

    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port

    def get(self, route: str, **params: str | list[str]) -> dict:
        query = urllib.parse.urlencode(params, doseq=True)
        url = f"http://127.0.0.1:{self.port}{route}" + (f"?{query}" if query else "")
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own local server
            return json.loads(response.read().decode("utf-8"))

    def notes(self, **params: str | list[str]) -> dict:
        return self.get("/kb/notes.json", **{"_size": "max", "_col": "title", **params})

    def title(self, path: str) -> str:
        (row,) = self.notes(path=path, _shape="array")
        return row["title"]


def start_datasette(home: Path, *args: str) -> Served:
    """Start Datasette in `home` and wait (up to 60 s) until it answers."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", *args, "-p", str(port)], cwd=home,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = Served(process, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            served.get("/-/versions.json")
            return served
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(served)
                raise AssertionError(f"datasette did not start:\n{process.communicate()[0]}") from None
            time.sleep(0.2)


def stop(served: Served) -> None:
    """End the process, whatever state it is in."""
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
    if served.process.stdout:
        served.process.stdout.close()


def files_containing(home: Path, paths: list[str], word: str) -> set[str]:
    """What `rg -l WORD` finds among the indexed notes."""
    return {p for p in paths if word in (home / "notes" / p).read_text(encoding="utf-8")}


def open_files(pid: int) -> list[str]:
    fd = Path(f"/proc/{pid}/fd")
    return [os.readlink(p) for p in fd.iterdir()] if fd.is_dir() else []


def kb(home: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--notes", str(home / "notes"), "--index", str(home / "index"), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


@pytest.mark.slow
def test_datasette_serves_facets_and_chinese_search_and_follows_rebuilds(tmp_path: Path):
    home = tmp_path / "project"
    shutil.copytree(SHIPPED, home / "notes")
    kb(home, "index")
    kb(home, "datasette-metadata", "-o", str(home / "meta.json"))
    served = start_datasette(home, "index/kb.sqlite", "-m", "meta.json")
    try:
        tables = {t["name"]: t["hidden"] for t in served.get("/kb.json")["tables"]}
        assert all(tables[name] for name in ("_kb_migrations", "fulltext_pending", "kb_meta", "notes_search"))
        assert not any(tables[name] for name in ("notes", "tags", "links", "snippets", "snippet_runs", "problems"))
        paths = [row[0] for row in served.notes(_col="path")["rows"]]
        assert len(paths) == len(list((home / "notes").rglob("[[]*.md")))

        # A faceted query, and Chinese full-text search: the same notes as `rg -l 残差`.
        hits = served.notes(_search="残差", _facet=["kind"], _facet_array=["tags"])
        expected = files_containing(home, paths, "残差")
        assert {row[0] for row in hits["rows"]} == expected and len(expected) > 20
        kinds = {f["value"]: f["count"] for f in hits["facet_results"]["kind"]["results"]}
        assert sum(kinds.values()) == len(expected) and set(kinds) == {"paper", "chapter"}
        tags = {f["value"]: f["count"] for f in hits["facet_results"]["tags"]["results"]}
        assert tags["residual"] >= 5
        for word in ("残差网络", "注意力机制", "批量归一化"):  # longer words: kb's plugin splits the query
            assert {row[0] for row in served.notes(_search=word)["rows"]} == files_containing(home, paths, word)
        resnet = {row[0] for row in served.notes(_search="resnet")["rows"]}
        assert RESNET in resnet and len(resnet) > 20
        only_papers = served.notes(_search="残差", kind="paper")
        assert only_papers["filtered_table_rows_count"] == kinds["paper"]
        assert served.get("/kb/tags.json", tag="residual", _shape="array")[0]["description"] == "残差连接"

        # Two rebuilds: the same process answers from the new file each time, never a deleted one.
        note = home / "notes" / RESNET
        for title in ("Quokka Renamed", "Wombat Renamed"):
            text = note.read_text(encoding="utf-8")
            note.write_text(text.replace(text.splitlines()[1], f"title: {title}", 1), encoding="utf-8")
            kb(home, "index", "--rebuild")
            assert served.title(RESNET) == title
            assert {row[0] for row in served.notes(_search=title.split()[0].lower())["rows"]} == {RESNET}
        assert not [f for f in open_files(served.process.pid) if "kb.sqlite" in f and "(deleted)" in f]
        # An incremental update writes the live file in place: seen at once.
        note.write_text(note.read_text(encoding="utf-8").replace("title: Wombat Renamed", "title: 改名了"),
                        encoding="utf-8")
        kb(home, "index")
        assert served.title(RESNET) == "改名了"
        assert served.process.poll() is None
    finally:
        stop(served)
    assert served.process.returncode is not None
