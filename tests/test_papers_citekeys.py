"""kb.papers.citekeys: one key per paper note, pinned or derived over the whole notebook, whatever an
export selects; `kb add-note` pins it and `kb check` reports two notes pinning one key."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.index.frontmatter import load_front_matter, split_front_matter
from kb.models import Note, PaperMeta
from kb.papers.citekeys import assign_citekeys, base_citekey, citekey_problem, unique_citekey, valid_citekey


def paper_note(path: str, *, citekey: str | None = None, **paper: object) -> Note:
    meta = {"citekey": citekey} if citekey is not None else {}
    return Note(path=PurePosixPath(path), title=str(paper.get("title", "x")), kind="paper", body="",
                paper=PaperMeta(**paper), meta=meta)


@pytest.mark.parametrize(
    ("title", "authors", "year", "key"),
    [
        ("Deep Residual Learning for Image Recognition", ("Kaiming He", "Jian Sun"), 2016, "he2016deep"),
        ("The Unreasonable Effectiveness of Data", ("He, Kaiming",), 2009, "he2009unreasonable"),
        ("Visualizing Data using t-SNE", ("Laurens van der Maaten",), 2008, "vandermaaten2008visualizing"),
        ("The Mythical Man-Month", ("Frederick P. Brooks Jr.",), 1975, "brooks1975mythical"),
        ("On the Number of Linear Regions", ("Guido Montúfar",), 2014, "montufar2014number"),
        ("深度学习研究综述", ("孙志军", "Lei Xue"), 2012, "xue2012"),
        ("Gemini: A Family of Highly Capable Multimodal Models", ("Gemini Team",), 2023, "geminiteam2023gemini"),
        ("深度学习", (), None, "paper7"),
    ],
)
def test_base_citekey(title: str, authors: tuple[str, ...], year: int | None, key: str) -> None:
    assert base_citekey(title, authors, year, number=7) == key


def test_keys_are_unique_over_the_notebook_and_pinned_keys_come_first() -> None:
    notes = [
        paper_note("papers/[7]ResNet.md", title="Deep Residual Learning", authors=("Kaiming He",), year=2016),
        paper_note("papers/[3]Stochastic.md", title="Deep Networks with Stochastic Depth", authors=("Kaiming He",),
                   year=2016),
        paper_note("papers/[9]Pinned.md", citekey="he2016deep", title="Deep Pinned", authors=("Kaiming He",), year=2016),
        paper_note("papers/[10]Bad.md", citekey="not a key", title="Deep Bad", authors=("Kaiming He",), year=2016),
    ]
    keys = assign_citekeys(notes)
    assert keys == {"papers/[9]Pinned.md": "he2016deep", "papers/[3]Stochastic.md": "he2016deepa",
                    "papers/[7]ResNet.md": "he2016deepb", "papers/[10]Bad.md": "he2016deepc"}
    assert assign_citekeys(reversed(notes)) == keys
    assert unique_citekey("He2016Deep", {k.casefold() for k in keys.values()}) == "He2016Deepd"  # compared as BibTeX does, ignoring case


@pytest.mark.parametrize("key", ["he2016deep", "DBLP:journals/corr/HeZRS15", "Ranftl2022", "a-b_c.d/e"])
def test_valid_citekeys(key: str) -> None:
    assert valid_citekey(key) and citekey_problem(key) is None


@pytest.mark.parametrize("key", ["has space", "a,b", "{x}", "50%", "", 2016, ["x"]])
def test_invalid_citekeys(key: object) -> None:
    assert not valid_citekey(key)
    assert "is not a citation key" in (citekey_problem(key) or "")


# --- on a real notebook, through the CLI ---------------------------------------------------------------


def _paper(notes: Path, name: str, title: str, status: str, extra: str = "") -> None:
    (notes / "papers").mkdir(parents=True, exist_ok=True)
    (notes / "papers" / name).write_text(
        f"---\ntitle: {title}\nstatus: {status}\n{extra}paper:\n  title: {title}\n  authors: [Kaiming He]\n"
        f"  year: 2016\n---\n\nBody of {title}.\n", encoding="utf-8")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    _paper(notes, "[3]Deep-Networks.md", "Deep Networks with Stochastic Depth", "read")
    _paper(notes, "[7]Deep-Residual.md", "Deep Residual Learning for Image Recognition", "reading")
    return tmp_path


def kb(home: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["--notes", str(home / "notes"), "--index", str(home / "index"), *args],
                                catch_exceptions=False, env={"KB_OFFLINE": "1"})
    assert result.exit_code == code, result.output + result.stderr
    return result


def test_a_key_does_not_depend_on_the_export_filter(home: Path) -> None:
    full = kb(home, "export", "reading-list", "--format", "bibtex").stdout
    assert "@inproceedings{he2016deep," not in full  # no venue: @misc
    assert "@misc{he2016deep,\n  title  = {Deep Networks" in full
    assert "@misc{he2016deepa,\n  title  = {Deep Residual" in full
    reading = kb(home, "export", "reading-list", "--status", "reading", "--format", "bibtex").stdout
    assert reading.startswith("@misc{he2016deepa,")  # was he2016deep: keys were made unique per export
    by_query = kb(home, "export", "reading-list", "residual", "--format", "bibtex").stdout
    assert by_query.startswith("@misc{he2016deepa,")
    # Every format that shows a key shows the same one.
    rows = list(csv.DictReader(io.StringIO(kb(home, "export", "reading-list", "--status", "reading",
                                              "--format", "csv").stdout)))
    assert [r["citekey"] for r in rows] == ["he2016deepa"]
    data = json.loads(kb(home, "export", "reading-list", "--status", "reading", "--format", "json").stdout)
    assert [r["citekey"] for r in data] == ["he2016deepa"]


def _front_matter(file: Path) -> dict:
    data, problems = load_front_matter(split_front_matter(file.read_text(encoding="utf-8")).raw or "", str(file))
    assert not problems
    return data


def test_add_note_pins_a_key_unique_in_the_notebook(home: Path) -> None:
    added = json.loads(kb(home, "add-note", "Deep Sparse Things", "--authors", "Kaiming He", "--year", "2016",
                          "--no-edit", "--json").stdout)
    assert _front_matter(Path(added["file"]))["citekey"] == "he2016deepb"
    bib = home / "one.bib"
    bib.write_text("@article{he2016deep, title = {Deep Dreams}, author = {He, Kaiming}, year = {2016}}\n",
                   encoding="utf-8")
    added = json.loads(kb(home, "add-note", "--bibtex", str(bib), "--no-edit", "--json").stdout)
    assert _front_matter(Path(added["file"]))["citekey"] == "he2016deepc"  # the entry's key, made unique
    bib.write_text("@article{dreams, title = {Deeper Dreams}, author = {He, Kaiming}, year = {2016}}\n",
                   encoding="utf-8")
    added = json.loads(kb(home, "add-note", "--bibtex", str(bib), "--no-edit", "--json").stdout)
    assert _front_matter(Path(added["file"]))["citekey"] == "dreams"
    # The pinned keys are the ones exported, and nothing moved.
    keys = [line for line in kb(home, "export", "reading-list", "--format", "bibtex").stdout.splitlines()
            if line.startswith("@")]
    assert keys == ["@misc{he2016deep,", "@misc{he2016deepa,", "@misc{he2016deepb,", "@misc{he2016deepc,",
                    "@misc{dreams,"]


def test_add_note_from_a_library_warns_and_points_to_import(home: Path) -> None:
    bib = home / "two.bib"
    bib.write_text("@article{a, title = {One}}\n@article{b, title = {Two}}\n", encoding="utf-8")
    result = kb(home, "add-note", "--bibtex", str(bib), "--no-edit")
    assert result.stderr == (f"Warning: {bib} holds 2 entries; this note is made from the first (a, line 1) only; "
                             f"to import them all, run `kb import bibtex {bib}`\n")
    assert (home / "notes" / "papers" / "[8]One.md").exists() and not (home / "notes" / "papers" / "[9]Two.md").exists()


def test_check_reports_duplicate_and_invalid_citekeys(home: Path) -> None:
    notes = home / "notes"
    kb(home, "index")
    _paper(notes, "[8]A.md", "Paper A", "read", "citekey: same2020key\n")
    _paper(notes, "[9]B.md", "Paper B", "read", "citekey: Same2020Key\n")
    _paper(notes, "[10]C.md", "Paper C", "read", "citekey: not a key\n")
    problems = json.loads(kb(home, "check", "--json").stdout)
    found = {(p["path"], p["kind"]): p["message"] for p in problems}
    assert found[("papers/[8]A.md", "duplicate-citekey")] == "citekey 'same2020key' is also used by papers/[9]B.md"
    assert found[("papers/[9]B.md", "duplicate-citekey")] == "citekey 'Same2020Key' is also used by papers/[8]A.md"
    assert "is not a citation key" in found[("papers/[10]C.md", "bad-field")]
    # An incremental run that changes only a key (no title) clears the problem.
    _paper(notes, "[9]B.md", "Paper B", "read", "citekey: other2020key\n")
    problems = json.loads(kb(home, "check", "--json").stdout)
    assert not [p for p in problems if p["kind"] == "duplicate-citekey"]
    _paper(notes, "[8]A.md", "Paper A", "read", "citekey: other2020key\n")
    problems = json.loads(kb(home, "check", "--json").stdout)
    assert {p["path"] for p in problems if p["kind"] == "duplicate-citekey"} == {"papers/[8]A.md", "papers/[9]B.md"}
    # Unpinning one of the two keys, or removing the note, clears the other's problem too: the
    # incremental run re-checks the keys whenever a duplicate is on record.
    _paper(notes, "[8]A.md", "Paper A", "read", "")
    problems = json.loads(kb(home, "check", "--json").stdout)
    assert not [p for p in problems if p["kind"] == "duplicate-citekey"]
    _paper(notes, "[10]C.md", "Paper C", "read", "citekey: other2020key\n")  # three share it; one lets go
    _paper(notes, "[8]A.md", "Paper A", "read", "citekey: other2020key\n")
    assert len([p for p in json.loads(kb(home, "check", "--json").stdout) if p["kind"] == "duplicate-citekey"]) == 3
    _paper(notes, "[10]C.md", "Paper C", "read", "")
    problems = json.loads(kb(home, "check", "--json").stdout)
    assert {p["path"] for p in problems if p["kind"] == "duplicate-citekey"} == {"papers/[8]A.md", "papers/[9]B.md"}
    (notes / "papers" / "[9]B.md").unlink()
    problems = json.loads(kb(home, "check", "--json").stdout)
    assert not [p for p in problems if p["kind"] == "duplicate-citekey"]
