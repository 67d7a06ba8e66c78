"""Trust under damage: a broken index is found and rebuilt (or named), never a traceback.

Real notebooks in tmp_path, real SQLite and Whoosh files damaged on disk, the CLI through CliRunner.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write

from kb.cli import cli
from kb.config import Paths
from kb.index.frontmatter import MAX_FRONT_MATTER_BYTES, load_front_matter
from kb.index.generations import current_generation
from kb.index.health import index_damage
from kb.notebook import Notebook


def kb(runner, kb_home: Path, *args):
    result = runner.invoke(cli, ["--notes", str(kb_home / "notes"), "--index", str(kb_home / "index"), *args])
    # No traceback: either no exception or the SystemExit of a clean exit code.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    return result


def live(kb_home: Path) -> Path:
    gen = current_generation(kb_home / "index")
    assert gen is not None
    return gen.folder


def truncate_sqlite(folder: Path) -> None:
    db = folder / "kb.sqlite"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])


def empty_sqlite(folder: Path) -> None:
    (folder / "kb.sqlite").write_bytes(b"")


def garble_sqlite(folder: Path) -> None:
    db = folder / "kb.sqlite"
    size = db.stat().st_size
    db.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(size)))


def delete_segment_files(folder: Path) -> None:
    for file in (folder / "whoosh").glob("MAIN_*.*"):
        file.unlink()


def delete_one_segment_file(folder: Path) -> None:
    for file in (folder / "whoosh").glob("MAIN_*.trm"):
        file.unlink()


def delete_toc(folder: Path) -> None:
    for file in (folder / "whoosh").glob("_MAIN_*.toc"):
        file.unlink()


def garble_toc(folder: Path) -> None:
    for file in (folder / "whoosh").glob("_MAIN_*.toc"):
        file.write_bytes(b"\x00not a table of contents" * 20)


DAMAGE = [truncate_sqlite, empty_sqlite, garble_sqlite, delete_segment_files, delete_one_segment_file, delete_toc,
          garble_toc]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_search_rebuilds_a_damaged_index_and_says_so_in_one_line(runner, kb_home, damage):
    assert kb(runner, kb_home, "index").exit_code == 0
    old = live(kb_home)
    damage(old)
    result = kb(runner, kb_home, "search", "resnet")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Rebuilt the damaged index ("), result.stderr
    assert "valid.md" in result.stdout
    assert live(kb_home) != old
    # And it stays whole: the next search says nothing and finds the same note.
    again = kb(runner, kb_home, "search", "resnet")
    assert again.exit_code == 0 and again.stderr == "" and "valid.md" in again.stdout


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_index_rebuilds_a_damaged_index_instead_of_reporting_unchanged(runner, kb_home, damage):
    assert kb(runner, kb_home, "index").exit_code == 0
    damage(live(kb_home))
    result = kb(runner, kb_home, "index", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["repaired"] and data["rebuilt"] and data["added"] == 6 and data["unchanged"] == 0
    text = kb(runner, kb_home, "index").stdout
    assert text.startswith("0 added, 0 changed, 0 removed, 6 unchanged")
    assert "valid.md" in kb(runner, kb_home, "search", "resnet").stdout


def test_index_summary_names_the_damage(runner, kb_home):
    kb(runner, kb_home, "index")
    garble_sqlite(live(kb_home))
    result = kb(runner, kb_home, "index", "-q")
    assert result.exit_code == 0
    assert result.stdout.startswith("Rebuilt the damaged index (kb.sqlite is not a SQLite database")
    assert "6 added" in result.stdout


@pytest.mark.parametrize("command", [("show", "valid"), ("tags",), ("toc",), ("check",)])
def test_other_commands_rebuild_too(runner, kb_home, command):
    kb(runner, kb_home, "index")
    truncate_sqlite(live(kb_home))
    result = kb(runner, kb_home, *command)
    assert result.exit_code == 0
    assert "Rebuilt the damaged index (kb.sqlite is truncated" in result.stderr
    assert result.stdout


def test_mark_and_add_note_rebuild_a_damaged_index_before_writing(runner, kb_home):
    kb(runner, kb_home, "index")
    empty_sqlite(live(kb_home))
    result = kb(runner, kb_home, "add-note", "Mask R-CNN", "--year", "2017", "--offline", "--no-edit")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Rebuilt the damaged index") == 1
    delete_toc(live(kb_home))
    result = kb(runner, kb_home, "mark", "Mask R-CNN", "read")
    assert result.exit_code == 0, result.stderr
    assert "Rebuilt the damaged index (the Whoosh index has no table of contents)" in result.stderr
    assert "status: read" in (kb_home / "notes" / "papers" / "[1]Mask-R-CNN.md").read_text(encoding="utf-8")


def test_damage_that_cannot_be_repaired_here_is_one_error_with_the_command(runner, kb_home):
    kb(runner, kb_home, "index")
    garble_sqlite(live(kb_home))
    lock = kb_home / "index" / ".lock"
    lock.unlink()
    lock.mkdir()  # the writer lock cannot be taken (as in a read-only index folder, even for root)
    result = kb(runner, kb_home, "show", "valid")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: the index in {kb_home / 'index'} is damaged (kb.sqlite is not a SQLite database: empty, "
        "truncated or overwritten) and cannot be rebuilt here: Is a directory",
        "Hint: run `kb index --rebuild`",
    ]


def test_whoosh_missing_notes_sqlite_has_is_damage(kb_home):
    paths = Paths(kb_home / "notes", kb_home / "index")
    nb = Notebook(paths)
    nb.index()
    gen = current_generation(paths.index)
    from kb.index.fulltext import open_index  # noqa: PLC0415

    writer = open_index(gen.whoosh_path).writer()
    writer.delete_by_term("path", "valid.md")
    writer.commit()
    assert index_damage(gen) is None  # the cheap check cannot see it
    assert index_damage(gen, fulltext=True) == "the Whoosh index has 5 notes where SQLite has 6"
    # valid.md says ResNet; unicode.md, about 残差网络, follows through the shipped thesaurus.
    assert [h.path for h in nb.search("resnet").hits] == ["valid.md", "unicode.md"]
    assert nb.repairs == ["Rebuilt the damaged index (the Whoosh index has 5 notes where SQLite has 6)"]


def test_a_whole_index_is_not_rebuilt(kb_home):
    nb = Notebook(Paths(kb_home / "notes", kb_home / "index"))
    nb.index()
    gen = current_generation(nb.paths.index)
    assert index_damage(gen, fulltext=True) is None
    assert nb.ensure_index(fulltext=True) is None
    nb.search("resnet")
    nb.tags()
    assert current_generation(nb.paths.index) == gen and nb.repairs == []


def test_damage_found_while_applying_changes_rebuilds(runner, kb_home):
    kb(runner, kb_home, "index")
    garble_toc(live(kb_home))
    write(kb_home / "notes", "new.md", "# New\n\nresnet again\n")
    data = json.loads(kb(runner, kb_home, "index", "--json").stdout)
    assert data["repaired"].startswith("the Whoosh table of contents") and data["added"] == 7


def test_next_index_reports_the_replay_of_an_interrupted_run(runner, kb_home):
    kb(runner, kb_home, "index")
    # What a run killed between its SQLite commit and its Whoosh commit leaves behind: SQLite has the
    # note's new text and a pending record; Whoosh still has the old text.
    db = live(kb_home) / "kb.sqlite"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE notes SET text = text || ' zebrafish' WHERE path = 'valid.md'")
        conn.execute("INSERT INTO fulltext_pending(path, op) VALUES ('valid.md', 'upsert')")
    conn.close()
    result = kb(runner, kb_home, "index")
    assert result.stdout.startswith(
        "Finished an interrupted run (1 search-index updates applied): 0 added, 0 changed, 0 removed, 6 unchanged")
    assert "valid.md" in kb(runner, kb_home, "search", "zebrafish").stdout
    assert kb(runner, kb_home, "index").stdout.startswith("0 added, 0 changed, 0 removed, 6 unchanged")


# --- bounded front matter ----------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ["---", "title: Bomb", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join([*lines, "tags: [x]", "---", "", "# Bomb", "", "the bomb's body mentions resnet", ""])


def run_kb_bounded(kb_home: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m kb` in a child with 2 GB of address space and a minute, so a regression fails the test
    instead of taking the machine down."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "kb", "--notes", str(kb_home / "notes"), "--index",
                           str(kb_home / "index"), *args], capture_output=True, text=True, timeout=60,
                          preexec_fn=limit_memory, check=False)


@pytest.mark.parametrize("incremental", [False, True], ids=["full-build", "incremental"])
def test_yaml_alias_bomb_is_refused_and_the_run_goes_on(kb_home, incremental):
    if incremental:
        assert run_kb_bounded(kb_home, "index").returncode == 0
    write(kb_home / "notes", "bomb.md", billion_laughs())
    started = time.monotonic()
    result = run_kb_bounded(kb_home, "index", "--json")
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["added"] == (1 if incremental else 7)
    bomb = [p for p in data["problem_list"] if p["path"] == "bomb.md"]
    assert bomb == [{"path": "bomb.md", "line": 4, "kind": "bad-yaml", "severity": "error",
                     "message": "front matter aliases expand to more than 10000 values; it was ignored"}]
    # The bomb is indexed by its body (its title comes from the heading); the other notes are there.
    hits = json.loads(run_kb_bounded(kb_home, "search", "resnet", "--json").stdout)["hits"]
    assert {"bomb.md", "valid.md"} <= {h["path"] for h in hits}
    assert next(h for h in hits if h["path"] == "bomb.md")["title"] == "Bomb"


def test_front_matter_bounds_in_the_loader():
    meta, problems = load_front_matter("a: &a [*a]\n", "cycle.md")
    assert meta == {} and problems[0].line == 2 and "aliases expand" in problems[0].message
    big = "x: " + "y" * (MAX_FRONT_MATTER_BYTES + 1) + "\n"
    meta, problems = load_front_matter(big, "big.md")
    assert meta == {} and problems[0].message == "front matter is larger than 64 KB; it was ignored"
    # Ordinary anchors and aliases, and asterisks in text, are fine.
    meta, problems = load_front_matter(
        "base: &base {venue: CVPR, year: 2016}\npaper: *base\ntitle: a *bold* claim\n", "ok.md")
    assert problems == [] and meta["paper"] == {"venue": "CVPR", "year": 2016} and meta["title"] == "a *bold* claim"
