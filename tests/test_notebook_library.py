"""kb.notebook.library and `kb import bibtex`: a Zotero (Better BibTeX) export and a JabRef library,
written for these tests under tests/data/bibtex/, imported into a copy of the shipped notebook."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import middlewares as bib_mw
from click.testing import CliRunner

from kb.cli import cli
from kb.config import Paths
from kb.index.parse import parse_note
from kb.notebook import Notebook

DATA = Path(__file__).parent / "data" / "bibtex"
ZOTERO = "lib/zotero-better-bibtex.bib"
JABREF = "lib/jabref.bib"


@pytest.fixture
def home(shipped_indexed: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the indexed notebook with the libraries in lib/, and the current folder in it."""
    home = tmp_path / "project"
    shutil.copytree(shipped_indexed, home)
    shutil.copytree(DATA, home / "lib")
    monkeypatch.chdir(home)
    for name in ("KB_NOTES", "KB_INDEX"):
        monkeypatch.delenv(name, raising=False)
    return home


def kb(*args: str, code: int = 0):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def front_matter(home: Path, rel: str) -> dict:
    """A created note as kb's own parser reads it: its front matter, checked to carry no problem."""
    note = parse_note((home / "notes" / rel).read_text(encoding="utf-8"), rel)
    assert not note.problems, note.problems
    return note.meta


ZOTERO_LINES = [
    "skipped lib/zotero-better-bibtex.bib:2 he2016deep: already in "
    "papers/[7]Deep-Residual-Learning-for-Image-Recognition.md (same arXiv id 1512.03385)",
    "created lib/zotero-better-bibtex.bib:17 vandermaaten2008visualizing -> papers/[72]Visualizing-Data-Using-t-SNE.md "
    "(citekey vandermaaten2008visualizing)",
    "created lib/zotero-better-bibtex.bib:31 brooks1987silver -> "
    "papers/[73]No-Silver-Bullet-Essence-and-Accidents-of-Software-Engineering.md (citekey brooks1987silver)",
    "created lib/zotero-better-bibtex.bib:43 hochreiter1997long -> papers/[74]Long-Short-Term-Memory.md "
    "(citekey hochreiter1997long)",
    "created lib/zotero-better-bibtex.bib:56 geminiteam2023gemini -> "
    "papers/[75]Gemini-A-Family-of-Highly-Capable-Multimodal-Models.md (citekey geminiteam2023gemini)",
    "failed lib/zotero-better-bibtex.bib:69 broken2020: Expected comma after entry key, but found =",
    "skipped lib/zotero-better-bibtex.bib:75 vaswani2017attention: already in papers/[18]Attention-Is-All-You-Need.md "
    "(same arXiv id 1706.03762)",
    "created lib/zotero-better-bibtex.bib:85 sun2012shendu -> papers/[76]深度学习研究综述.md (citekey sun2012shendu)",
    "5 created, 2 skipped as duplicates, 1 failed",
]


def test_import_a_better_bibtex_export(home: Path) -> None:
    before = snapshot(home / "notes")
    result = kb("import", "bibtex", ZOTERO, code=1)  # exit 1: one entry failed; the others are imported
    assert result.stdout.splitlines() == ZOTERO_LINES
    created = set(snapshot(home / "notes")) - set(before)
    assert created == {line.split(" -> ")[1].split(" (")[0] for line in ZOTERO_LINES if line.startswith("created")}
    assert all(snapshot(home / "notes")[p] == data for p, data in before.items())  # nothing else touched

    tsne = front_matter(home, "papers/[72]Visualizing-Data-Using-t-SNE.md")
    assert tsne["citekey"] == "vandermaaten2008visualizing"
    assert tsne["kind"] == "paper" and tsne["status"] == "to-read"
    assert tsne["paper"] == {"title": "Visualizing Data Using t-SNE", "authors": ["Laurens van der Maaten", "Geoffrey Hinton"],
                             "year": 2008, "venue": "Journal of Machine Learning Research",
                             "url": "http://jmlr.org/papers/v9/vandermaaten08a.html"}
    assert tsne["pdf"] == "/home/u/Zotero/storage/EFGH5678/van der Maaten and Hinton - 2008 - Visualizing Data using t-SNE.pdf"
    assert tsne["files"] == ["/home/u/Zotero/storage/EFGH5678/supplement.zip"]
    body = (home / "notes" / "papers/[72]Visualizing-Data-Using-t-SNE.md").read_text(encoding="utf-8")
    assert "> We present a new technique called “t-SNE”" in body  # the abstract, quoted in the body
    assert front_matter(home, "papers/[73]No-Silver-Bullet-Essence-and-Accidents-of-Software-Engineering.md")["paper"][
        "authors"] == ["Frederick P. Brooks Jr."]
    lstm = front_matter(home, "papers/[74]Long-Short-Term-Memory.md")
    assert lstm["paper"]["authors"] == ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    assert lstm["paper"]["doi"] == "10.1162/neco.1997.9.8.1735" and "files" not in lstm
    gemini = front_matter(home, "papers/[75]Gemini-A-Family-of-Highly-Capable-Multimodal-Models.md")
    assert gemini["paper"]["authors"] == ["Gemini Team"] and gemini["paper"]["arxiv"] == "2312.11805"
    chinese = front_matter(home, "papers/[76]深度学习研究综述.md")
    assert chinese["title"] == "深度学习研究综述" and chinese["paper"]["authors"] == ["孙志军", "薛磊", "许阳明", "王正"]
    assert chinese["paper"]["venue"] == "计算机应用研究"

    # Indexed at once: searchable, and kb check finds nothing wrong with the new notes.
    hits = json.loads(kb("search", "t-SNE", "--json").stdout)["hits"]
    assert hits[0]["path"] == "papers/[72]Visualizing-Data-Using-t-SNE.md"
    problems = json.loads(kb("check", "--json").stdout)
    assert not [p for p in problems if p["path"] in created]

    # Importing again changes nothing.
    after = snapshot(home / "notes")
    again = kb("import", "bibtex", ZOTERO, code=1).stdout.splitlines()
    assert again[-1] == "0 created, 7 skipped as duplicates, 1 failed"
    assert "skipped lib/zotero-better-bibtex.bib:85 sun2012shendu: already in papers/[76]深度学习研究综述.md (same title)" in again
    assert snapshot(home / "notes") == after


def test_exported_names_of_imported_notes_parse_into_their_parts(home: Path) -> None:
    kb("import", "bibtex", ZOTERO, code=1)
    text = kb("export", "reading-list", "--format", "bibtex").stdout
    library = bibtexparser.parse_string(text, append_middleware=[bib_mw.SeparateCoAuthors(), bib_mw.SplitNameParts(),
                                                                 bib_mw.LatexDecodingMiddleware()])
    assert not library.failed_blocks
    authors = {e.key: e.fields_dict["author"].value for e in library.entries}

    def parts(key: str, i: int = 0) -> tuple[str, str, str, str]:
        name = authors[key][i]
        return tuple(" ".join(getattr(name, p)) for p in ("first", "von", "last", "jr"))

    assert parts("vandermaaten2008visualizing") == ("Laurens", "van der", "Maaten", "")
    assert parts("brooks1987silver") == ("Frederick P.", "", "Brooks", "Jr.")
    assert parts("geminiteam2023gemini") == ("", "", "{Gemini Team}", "")
    assert parts("hochreiter1997long", 1) == ("Jürgen", "", "Schmidhuber", "")
    assert "author        = {{Gemini Team}}" in text


def test_import_a_jabref_library_after_zotero(home: Path) -> None:
    kb("import", "bibtex", ZOTERO, code=1)
    result = kb("import", "bibtex", JABREF, code=1)
    assert result.stdout.splitlines() == [
        "skipped lib/jabref.bib:4 LeCun1998: already in "
        "papers/[1]Gradient-Based-Learning-Applied-to-Document-Recognition.md (same DOI 10.1109/5.726791)",
        "skipped lib/jabref.bib:16 Ronneberger2015: already in papers/[8]U-Net.md (same title)",
        "created lib/jabref.bib:24 Ranftl2022 -> "
        "papers/[77]Towards-Robust-Monocular-Depth-Estimation-Mixing-Datasets-for-Zero-Shot-Cross.md (citekey Ranftl2022)",
        "skipped lib/jabref.bib:37 Maaten2008b: already in papers/[72]Visualizing-Data-Using-t-SNE.md (same title)",
        "failed lib/jabref.bib:44 NoTitle2021: the entry has no title",
        "1 created, 3 skipped as duplicates, 1 failed",
    ]
    depth = front_matter(home, "papers/[77]Towards-Robust-Monocular-Depth-Estimation-Mixing-Datasets-for-Zero-Shot-Cross.md")
    assert depth["citekey"] == "Ranftl2022"
    assert depth["paper"]["authors"][0] == "René Ranftl" and depth["paper"]["arxiv"] == "1907.01341"
    # JabRef's `description:path:type` entries, relative to the library's folder.
    assert depth["pdf"] == str(home / "lib" / "depth" / "Ranftl2022.pdf")
    assert depth["files"] == [str(home / "lib" / "depth" / "Ranftl2022-slides.pdf")]


def test_dry_run_writes_nothing_and_says_what_a_run_would_do(home: Path) -> None:
    def index_files() -> dict[str, bytes]:  # SQLite's -shm/-wal side files appear for any reader
        return {p: data for p, data in snapshot(home / "index").items() if not p.endswith(("-shm", "-wal"))}

    notes, index = snapshot(home / "notes"), index_files()
    dry = kb("import", "bibtex", ZOTERO, "--dry-run", code=1).stdout.splitlines()
    assert snapshot(home / "notes") == notes and index_files() == index
    assert dry[-1] == "5 would be created, 2 skipped as duplicates, 1 failed (dry run: nothing was written)"
    real = kb("import", "bibtex", ZOTERO, code=1).stdout.splitlines()
    assert [line.replace("would create", "created") for line in dry[:-1]] == real[:-1]


def test_json_report(home: Path) -> None:
    data = json.loads(kb("import", "bibtex", JABREF, "--json", "--tags", "depth", code=1).stdout)
    assert (data["created"], data["skipped"], data["failed"], data["dry_run"]) == (2, 2, 1, False)
    ranftl = next(e for e in data["entries"] if e["key"] == "Ranftl2022")
    assert ranftl == {"source": JABREF, "line": 24, "key": "Ranftl2022", "status": "created",
                      "path": "papers/[72]Towards-Robust-Monocular-Depth-Estimation-Mixing-Datasets-for-Zero-Shot-Cross.md",
                      "title": "Towards Robust Monocular Depth Estimation: Mixing Datasets for Zero-Shot Cross-Dataset Transfer",
                      "citekey": "Ranftl2022", "reason": None}
    assert front_matter(home, ranftl["path"])["tags"] == ["depth"]


def test_a_key_another_note_uses_is_suffixed(home: Path) -> None:
    lib = home / "clash.bib"
    lib.write_text("@inproceedings{he2016deep, title = {Identity Mappings in Deep Residual Networks},\n"
                   "  author = {He, Kaiming and Zhang, Xiangyu}, year = {2016}, eprint = {1603.05027}}\n"
                   "@inproceedings{he2016deepx, title = {Identity Mappings in Deep Residual Networks, again},\n"
                   "  author = {He, Kaiming}, year = {2016}, eprint = {1603.05027}}\n", encoding="utf-8")
    lines = kb("import", "bibtex", "clash.bib").stdout.splitlines()
    assert lines == [
        "created clash.bib:1 he2016deep -> papers/[72]Identity-Mappings-in-Deep-Residual-Networks.md (citekey he2016deepa); "
        "the key he2016deep is already used by papers/[7]Deep-Residual-Learning-for-Image-Recognition.md; pinned he2016deepa",
        "skipped clash.bib:3 he2016deepx: already in papers/[72]Identity-Mappings-in-Deep-Residual-Networks.md "
        "(same arXiv id 1603.05027)",  # one paper twice in one library: one note
        "1 created, 1 skipped as duplicates, 0 failed",
    ]
    exported = kb("export", "reading-list", "--format", "bibtex").stdout
    assert re.search(r"@inproceedings\{he2016deep,\n +title += \{Deep Residual", exported)
    assert re.search(r"@misc\{he2016deepa,\n +title += \{Identity Mappings", exported)


def test_notes_are_indexed_once_and_kept_when_interrupted(home: Path, monkeypatch) -> None:
    import kb.index.indexer as indexer
    import kb.papers.create as create

    runs = []
    real_index, real_create = indexer.index_locked, create.create_note_file
    monkeypatch.setattr(indexer, "index_locked", lambda *a, **k: runs.append(1) or real_index(*a, **k))
    nb = Notebook(Paths(home / "notes", home / "index"))
    report = nb.import_bibtex(home / JABREF)
    assert report.count("created") == 2 and len(runs) == 1  # two notes, one index run

    calls = []

    def create_then_stop(folder, title, text):
        calls.append(title)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the second note is being written
        return real_create(folder, title, text)

    monkeypatch.setattr(create, "create_note_file", create_then_stop)
    before = snapshot(home / "notes")
    with pytest.raises(KeyboardInterrupt):
        nb.import_bibtex(home / ZOTERO)
    new = sorted(set(snapshot(home / "notes")) - set(before))
    assert new == ["papers/[74]No-Silver-Bullet-Essence-and-Accidents-of-Software-Engineering.md"]
    assert len(runs) == 2  # the note written before Ctrl-C was indexed all the same
    assert nb.note("No Silver Bullet Essence and Accidents of Software Engineering").paper.authors == (
        "Frederick P. Brooks Jr.",)


@pytest.mark.parametrize(("content", "message"), [
    (None, "Error: cannot read missing.bib: No such file or directory"),
    (b"TY  - JOUR\nTI  - A RIS file, not BibTeX\nER  - \n", "Error: no BibTeX entry (@article{"),
    (b"@article{x, title = {ok}}\n@article{y, title = {caf\xe9}}\n", "Error: missing.bib:2: not UTF-8"),
])
def test_unreadable_library(home: Path, content: bytes | None, message: str) -> None:
    if content is not None:
        (home / "missing.bib").write_bytes(content)
    before = snapshot(home / "notes")
    result = kb("import", "bibtex", "missing.bib", code=1)
    assert result.stderr.startswith(message) and "Traceback" not in result.stderr
    assert snapshot(home / "notes") == before


def test_add_note_keeps_the_key_and_files_of_one_entry(home: Path) -> None:
    (home / "lib" / "one.bib").write_text(
        "% This file was created with JabRef 5.12.\n@Article{Ba2016,\n  Author = {Ba, Jimmy Lei and Hinton, Geoffrey E.},\n"
        "  Title = {Layer Normalization},\n  Year = {2016},\n  Eprint = {1607.06450},\n  EprintType = {arXiv},\n"
        "  file = {:papers/ba16.pdf:PDF},\n}\n", encoding="utf-8")
    added = json.loads(kb("add-note", "--bibtex", "lib/one.bib", "--offline", "--no-edit", "--json").stdout)
    meta = front_matter(home, added["path"])
    assert meta["citekey"] == "Ba2016"
    assert meta["pdf"] == str(home / "lib" / "papers" / "ba16.pdf")
    assert meta["paper"]["authors"] == ["Jimmy Lei Ba", "Geoffrey E. Hinton"] and meta["paper"]["arxiv"] == "1607.06450"


def test_ctrl_c_says_what_was_kept(home: Path, monkeypatch) -> None:
    import kb.papers.create as create

    real_create, calls = create.create_note_file, []

    def create_then_stop(folder, title, text):
        calls.append(title)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_create(folder, title, text)

    monkeypatch.setattr(create, "create_note_file", create_then_stop)
    result = CliRunner().invoke(cli, ["import", "bibtex", ZOTERO])
    assert result.exit_code == 130
    assert result.stderr == "Interrupted; the notes created so far were kept and indexed.\n"
    listed = {h["path"] for h in json.loads(kb("search", "kind:paper", "t-SNE", "--json").stdout)["hits"]}
    assert "papers/[72]Visualizing-Data-Using-t-SNE.md" in listed


@pytest.mark.slow
def test_a_read_only_notes_folder_fails_each_entry_and_changes_nothing(kb_home: Path, read_only_kb) -> None:
    (kb_home / "lib.bib").write_text("@article{a, title = {Paper A}}\n@article{b, title = {Paper B}}\n", encoding="utf-8")
    Notebook(Paths(kb_home / "notes", kb_home / "index")).index()
    before = snapshot(kb_home / "notes")
    result = read_only_kb(kb_home / "notes")("import", "bibtex", "lib.bib")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(": cannot write ")[0] for line in lines[:2]] == ["failed lib.bib:1 a", "failed lib.bib:2 b"]
    assert lines[-1] == "0 created, 0 skipped as duplicates, 2 failed"
    assert snapshot(kb_home / "notes") == before
