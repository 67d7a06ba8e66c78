"""kb.add: metadata from BibTeX and arXiv, duplicates, numbered note files, status edits."""

from __future__ import annotations

import datetime
import http.server
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from kb.add import (
    ArxivNotFound,
    ArxivUnavailable,
    BibtexError,
    DuplicatePaperError,
    InvalidArxivId,
    InvalidField,
    PaperFields,
    check_duplicate,
    create_note_file,
    create_paper_note,
    fetch_arxiv,
    fields_from_bibtex,
    fields_from_options,
    find_duplicate,
    load_template,
    merge_fields,
    next_number,
    normalise_title,
    parse_arxiv_id,
    set_status,
    set_status_file,
)
from kb.errors import FrontMatterError, KbError, NoteExistsError
from kb.models import Note, PaperMeta
from kb.templates import DEFAULT_PAPER_TEMPLATE, TemplateError

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


# --- arXiv ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1512.03385", "1512.03385"),
        ("2101.03697v2", "2101.03697"),
        ("0704.0001", "0704.0001"),
        ("math/0501001", "math/0501001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("arXiv:1512.03385", "1512.03385"),
        ("arxiv: 1706.05587v1", "1706.05587"),
        ("https://arxiv.org/abs/1512.03385", "1512.03385"),
        ("https://arxiv.org/abs/1512.03385v3", "1512.03385"),
        ("http://arxiv.org/pdf/2101.03697v2.pdf", "2101.03697"),
        ("https://arxiv.org/pdf/2101.03697", "2101.03697"),
        ("arxiv.org/pdf/2101.03697v2", "2101.03697"),
        ("https://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/abs/1512.03385?context=cs#x", "1512.03385"),
        ("  1512.03385\n", "1512.03385"),
        ("10.48550/arXiv.1512.03385", "1512.03385"),
        ("https://doi.org/10.48550/arXiv.2010.11929", "2010.11929"),
        ("1513.03385", None),  # month 13
        ("0612.1234", None),  # before the new scheme
        ("1512.0338", None),  # 4-digit numbers ended in 2014
        ("1412.12345", None),
        ("https://example.com/abs/1512.03385", None),
        ("Deep Residual Learning", None),
        ("", None),
    ],
)
def test_parse_arxiv_id(text: str, expected: str | None) -> None:
    assert parse_arxiv_id(text) == expected


# --- BibTeX ----------------------------------------------------------------------------------------

ARXIV_BIB = """@misc{he2015deepresiduallearningimage,
      title={Deep Residual Learning for Image Recognition},
      author={Kaiming He and Xiangyu Zhang and Shaoqing Ren and Jian Sun},
      year={2015},
      eprint={1512.03385},
      archivePrefix={arXiv},
      primaryClass={cs.CV},
      url={https://arxiv.org/abs/1512.03385},
}
"""
SCHOLAR_BIB = """@article{he2015deep,
  title={Deep residual learning for image recognition},
  author={He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  journal={arXiv preprint arXiv:1512.03385},
  year={2015}
}
"""
DBLP_BIB = """@article{DBLP:journals/corr/HeZRS15,
  author       = {Kaiming He and
                  Xiangyu Zhang and
                  Shaoqing Ren and
                  Jian Sun},
  title        = {Deep Residual Learning for Image Recognition},
  journal      = {CoRR},
  volume       = {abs/1512.03385},
  year         = {2015},
  url          = {http://arxiv.org/abs/1512.03385},
  eprinttype    = {arXiv},
  eprint       = {1512.03385},
}
"""
PUBLISHER_BIB = r"""% exported from a publisher
@string{cvpr = "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"}
@InProceedings{He_2016_CVPR,
  Author = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  Title = {Deep Residual Learning for {Image} Recognition},
  BookTitle = cvpr,
  Month = {June},
  Year = {2016},
  DOI = {https://doi.org/10.1109/CVPR.2016.90},
  Abstract = {Deeper neural networks are more difficult to train.}
}
@article{second, title={Ignored}}
"""
ACCENTS_BIB = r"""@article{accents,
  author = {M{\"u}ller, J{\'e}r{\^o}me and G{\"{o}}del, Kurt and \"{U}ber, Xaver and {\v{S}}koda, Jan
            and {Google Brain Team} and von Neumann, Jr., John and others},
  title = "The {\"U}ber {ImageNet} \& 50\% trick: $\alpha$-nets",
  journal = {Journal of Machine Learning Research},
  date = {2019-03-01},
  doi = {10.5555/ABC.123}
}
"""


@pytest.mark.parametrize("text", [ARXIV_BIB, SCHOLAR_BIB, DBLP_BIB], ids=["arxiv", "scholar", "dblp"])
def test_fields_from_bibtex_arxiv_sources(text: str) -> None:
    fields = fields_from_bibtex(text)
    assert normalise_title(fields.title or "") == "deep residual learning for image recognition"
    assert fields.authors == ("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun")
    assert fields.year == 2015
    assert fields.arxiv == "1512.03385"
    assert fields.venue in (None, "arXiv")


def test_fields_from_bibtex_publisher_entry() -> None:
    fields = fields_from_bibtex(PUBLISHER_BIB)
    assert fields.title == "Deep Residual Learning for Image Recognition"
    assert fields.authors[0] == "Kaiming He"
    assert fields.year == 2016
    assert fields.venue == "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert fields.doi == "10.1109/CVPR.2016.90"
    assert fields.arxiv is None
    assert fields.abstract == "Deeper neural networks are more difficult to train."


def test_fields_from_bibtex_decodes_latex() -> None:
    fields = fields_from_bibtex(ACCENTS_BIB)
    assert fields.authors == (
        "Jérôme Müller",
        "Kurt Gödel",
        "Xaver Über",
        "Jan Škoda",
        "Google Brain Team",
        "John von Neumann Jr.",
    )
    assert fields.title == "The Über ImageNet & 50% trick: $\\alpha$-nets"
    assert fields.venue == "Journal of Machine Learning Research"
    assert fields.year == 2019
    assert fields.doi == "10.5555/ABC.123"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no BibTeX entry"),
        ("just some text, not bibtex", "no BibTeX entry"),
        ("@comment{nothing here}", "no BibTeX entry"),
        ("@article{x, title={never closed", "line 1"),
        ("@article{x, title={a}, title={b}}", "Duplicate field"),
    ],
)
def test_fields_from_bibtex_errors(text: str, message: str) -> None:
    with pytest.raises(BibtexError) as info:
        fields_from_bibtex(text, source="paper.bib")
    assert message in str(info.value)
    assert isinstance(info.value, KbError) and info.value.hint


# --- arXiv API ---------------------------------------------------------------------------------------

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/1512.03385v1</id>
    <published>2015-12-10T19:51:55Z</published>
    <title>Deep Residual Learning for Image
      Recognition</title>
    <summary>  Deeper neural networks are
  more difficult to train.</summary>
    <author><name>Kaiming He</name></author>
    <author><name>Xiangyu Zhang</name></author>
    <arxiv:doi>10.1109/CVPR.2016.90</arxiv:doi>
    <arxiv:journal_ref>CVPR 2016</arxiv:journal_ref>
  </entry>
</feed>
"""
ATOM_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1512.99999</id>
    <title>Error</title>
    <summary>incorrect id format for 1512.99999</summary>
  </entry>
</feed>
"""
ATOM_EMPTY = '<feed xmlns="http://www.w3.org/2005/Atom"><title>arXiv Query</title></feed>'


@pytest.fixture
def arxiv_server() -> Iterator[tuple[str, dict[str, object]]]:
    """A real local HTTP server answering like the arXiv API; set `state["body"]`/`["status"]`."""
    state: dict[str, object] = {"body": ATOM, "status": 200, "paths": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            state["paths"].append(self.path)  # type: ignore[union-attr]
            data = str(state["body"]).encode("utf-8")
            self.send_response(int(state["status"]))  # type: ignore[arg-type]
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/query", state
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_arxiv_reads_the_atom_feed(arxiv_server) -> None:
    url, state = arxiv_server
    fields = fetch_arxiv("https://arxiv.org/abs/1512.03385v2", base_url=url, timeout=5)
    assert fields == PaperFields(
        title="Deep Residual Learning for Image Recognition",
        authors=("Kaiming He", "Xiangyu Zhang"),
        year=2015,
        venue="CVPR 2016",
        arxiv="1512.03385",
        doi="10.1109/CVPR.2016.90",
        url="https://arxiv.org/abs/1512.03385",
        abstract="Deeper neural networks are more difficult to train.",
    )
    assert "id_list=1512.03385" in state["paths"][0]  # type: ignore[index]


@pytest.mark.parametrize("body", [ATOM_ERROR, ATOM_EMPTY])
def test_fetch_arxiv_unknown_paper(arxiv_server, body: str) -> None:
    url, state = arxiv_server
    state["body"] = body
    with pytest.raises(ArxivNotFound):
        fetch_arxiv("1512.99999", base_url=url)


@pytest.mark.parametrize(("status", "body"), [(503, "busy"), (200, "<html>not atom")])
def test_fetch_arxiv_bad_answers(arxiv_server, status: int, body: str) -> None:
    url, state = arxiv_server
    state["status"], state["body"] = status, body
    with pytest.raises(ArxivUnavailable, match="could not reach arXiv"):
        fetch_arxiv("1512.03385", base_url=url)


def test_fetch_arxiv_offline_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(ArxivUnavailable) as info:
        fetch_arxiv("1512.03385", base_url="http://127.0.0.1:9/api/query", timeout=1.0)
    assert time.monotonic() - start < 2.0
    message = str(info.value)
    assert message.startswith("could not reach arXiv for 1512.03385 (")
    assert "creating the note from what was given" in message
    assert info.value.hint


def test_fetch_arxiv_times_out_on_a_silent_server() -> None:
    # A listening socket that never answers: the connection succeeds, the read times out.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        start = time.monotonic()
        with pytest.raises(ArxivUnavailable, match="timed out"):
            fetch_arxiv("1512.03385", base_url=f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.3)
        assert time.monotonic() - start < 2.0


def test_fetch_arxiv_rejects_a_non_id_before_any_network() -> None:
    with pytest.raises(InvalidArxivId):
        fetch_arxiv("not an id", base_url="http://127.0.0.1:9/")


# --- fields ------------------------------------------------------------------------------------------


def test_merge_fields_earlier_sources_win() -> None:
    cli = PaperFields(title="My Title", tags=("cnn",), status="reading")
    bib = PaperFields(title="Bib Title", authors=("A",), year=2015, venue="arXiv")
    online = PaperFields(title="arXiv Title", authors=("B",), year=2016, venue="CVPR 2016", arxiv="1512.03385")
    merged = merge_fields(cli, None, bib, online)
    assert merged == PaperFields(
        title="My Title", authors=("A",), year=2015, venue="arXiv", arxiv="1512.03385",
        tags=("cnn",), status="reading",
    )
    assert merge_fields() == PaperFields()


def test_fields_from_options() -> None:
    fields = fields_from_options(
        " Deep  Residual ", authors="Kaiming He; Xiangyu Zhang ;", year="2016", venue="CVPR",
        tags="CNN, residual,,cnn", status="read", arxiv="https://arxiv.org/abs/1512.03385v3",
        doi="https://doi.org/10.1109/CVPR.2016.90",
    )
    assert fields == PaperFields(
        title="Deep Residual", authors=("Kaiming He", "Xiangyu Zhang"), year=2016, venue="CVPR",
        arxiv="1512.03385", doi="10.1109/CVPR.2016.90", tags=("cnn", "residual"), status="read",
    )
    assert fields_from_options() == PaperFields()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"year": "twenty"}, InvalidField), ({"year": 99}, InvalidField), ({"status": "done"}, InvalidField),
     ({"arxiv": "resnet"}, InvalidArxivId)],
)
def test_fields_from_options_errors(kwargs: dict, error: type[KbError]) -> None:
    with pytest.raises(error):
        fields_from_options("T", **kwargs)


# --- duplicates --------------------------------------------------------------------------------------


def paper_note(path: str, note_title: str, **paper: object) -> Note:
    return Note(path=PurePosixPath(path), title=note_title, kind="paper", body="", paper=PaperMeta(**paper))


NOTES = [
    paper_note("papers/[7]Deep-Residual-Learning.md", "ResNet 笔记", title="Deep Residual Learning for Image Recognition",
               arxiv="1512.03385"),
    paper_note("papers/[8]BatchNorm.md", "Batch Normalization", doi="10.5555/3045118.3045167"),
    paper_note("papers/[9]Attention.md", "Attention Is All You Need"),
    Note(path=PurePosixPath("ch4/[1]attention.md"), title="Self-Attention", kind="chapter", body=""),
]


def test_normalise_title() -> None:
    assert normalise_title("Deep {R}esidual Learning — for Image-Recognition!") == "deep residual learning for image recognition"
    assert normalise_title("Über  die ÄHNLICHKEIT") == "uber die ahnlichkeit"
    assert normalise_title("深度残差学习：图像识别") == "深度残差学习 图像识别"


@pytest.mark.parametrize(
    ("fields", "expected", "reason"),
    [
        (PaperFields(arxiv="1512.03385"), "papers/[7]Deep-Residual-Learning.md", "same arXiv id 1512.03385"),
        (PaperFields(title="Other", doi="10.5555/3045118.3045167".upper()), "papers/[8]BatchNorm.md", "same DOI"),
        (PaperFields(title="deep residual learning for image recognition."), "papers/[7]Deep-Residual-Learning.md", "same title"),
        (PaperFields(title="Attention is all you need"), "papers/[9]Attention.md", "same title"),
        (PaperFields(title="Self-Attention"), None, None),  # a chapter note is not a paper note
        (PaperFields(title="Something new", arxiv="2010.11929"), None, None),
    ],
)
def test_find_duplicate(fields: PaperFields, expected: str | None, reason: str | None) -> None:
    found = find_duplicate(fields, NOTES)
    assert (str(found.path) if found else None) == expected
    if expected:
        with pytest.raises(DuplicatePaperError) as info:
            check_duplicate(fields, NOTES)
        assert str(info.value).startswith(expected)
        assert reason in str(info.value)
        assert "--force" in (info.value.hint or "")
        assert isinstance(info.value, NoteExistsError)
    else:
        check_duplicate(fields, NOTES)


# --- numbered files ----------------------------------------------------------------------------------


def test_next_number(tmp_path: Path) -> None:
    assert next_number(tmp_path / "missing") == 1
    assert next_number(tmp_path) == 1
    for name in ["[1]a.md", "[12]b.mdx", "[3]c.markdown", "[99]not-a-note.txt", "notes.md", "[x]y.md"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "[50]folder.md").mkdir()  # numbered like a note: counted too, so never reused
    assert next_number(tmp_path) == 51


def test_create_note_file_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    first = create_note_file(folder, "Deep Residual Learning", "first\n")
    assert first.name == "[1]Deep-Residual-Learning.md"
    second = create_note_file(folder, "Deep Residual Learning", "second\r\n")
    assert second.name == "[2]Deep-Residual-Learning.md"
    assert first.read_bytes() == b"first\n"
    assert second.read_bytes() == b"second\r\n"
    third = create_note_file(folder, "深度残差学习：图像识别", "三\n")
    assert third.name == "[3]深度残差学习-图像识别.md"
    assert third.read_text(encoding="utf-8") == "三\n"


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kb.add import create_note_file
    folder, go, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    while not go.exists():
        time.sleep(0.001)
    for i in range(count):
        title = "Same Title" if i % 2 else f"{name} paper {i}"
        path = create_note_file(folder, title, f"{name} {i}\\n" * 50)
        print(path.name, flush=True)
    """
)


@pytest.mark.slow
def test_concurrent_processes_get_distinct_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    go = tmp_path / "go"
    count = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(folder), str(go), name, str(count)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT,
        )
        for name in ("alpha", "beta", "gamma")
    ]
    time.sleep(0.3)  # let every worker import kb and wait at the start line
    go.touch()
    reported = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        reported += out.split()
    files = sorted(p.name for p in folder.iterdir())
    assert sorted(reported) == files
    assert len(files) == 3 * count
    numbers = [int(name[1 : name.index("]")]) for name in files]
    # Distinct numbers. Two claimers of one number both back off, so under contention a
    # number can be skipped (a gap), never shared.
    assert len(set(numbers)) == len(numbers) == 3 * count
    for path in folder.iterdir():  # every file holds exactly what one writer wrote
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 50 and len(set(lines)) == 1


def test_create_paper_note(tmp_path: Path) -> None:
    papers = tmp_path / "notes" / "papers"
    fields = PaperFields(title="Deep Residual Learning for Image Recognition", arxiv="1512.03385", year=2016)
    path = create_paper_note(papers, fields, today=TODAY, note_authors=["kb"])
    assert path == papers / "[1]Deep-Residual-Learning-for-Image-Recognition.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Deep Residual Learning for Image Recognition\nkind: paper\nauthors: [kb]\n")
    assert "## 这篇论文解决什么问题" in text

    existing = [paper_note("papers/[1]Deep-Residual-Learning-for-Image-Recognition.md", "ResNet", arxiv="1512.03385")]
    with pytest.raises(DuplicatePaperError, match=r"papers/\[1\]Deep-Residual"):
        create_paper_note(papers, fields, today=TODAY, notes=existing)
    assert len(list(papers.iterdir())) == 1
    again = create_paper_note(papers, fields, today=TODAY, notes=existing, force=True)
    assert again.name.startswith("[2]")


def test_load_template(tmp_path: Path) -> None:
    assert load_template(tmp_path) == DEFAULT_PAPER_TEMPLATE
    (tmp_path / "_templates").mkdir()
    (tmp_path / "_templates" / "paper.md").write_bytes("\ufeff# {title}\n".encode("utf-8"))
    assert load_template(tmp_path) == "# {title}\n"
    assert load_template(ROOT / "notes") == DEFAULT_PAPER_TEMPLATE
    (tmp_path / "_templates" / "paper.md").write_bytes(b"caf\xe9 {title}\n")
    with pytest.raises(TemplateError, match="not UTF-8"):
        load_template(tmp_path)


# --- status --------------------------------------------------------------------------------------------


def _mark(tmp_path: Path, before: bytes, status: str) -> bytes:
    path = tmp_path / "[7]note.md"
    path.write_bytes(before)
    set_status_file(path, status, display_path="papers/[7]note.md")
    return path.read_bytes()


BODY = "\n正文：status: to-read 在正文里不算。\n---\nstatus: reading\n".encode("utf-8")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # plain LF
        (b"---\ntitle: T\nstatus: to-read\ntags: [a]\n---\n", b"---\ntitle: T\nstatus: read\ntags: [a]\n---\n"),
        # CRLF, BOM, a comment, Chinese, trailing spaces after the closing ---
        (
            "\ufeff---\r\ntitle: 深度残差学习  \r\n# 状态：\r\nstatus: to-read   # 读完再改\r\npaper:\r\n  status: x\r\n---  \r\n".encode(),
            "\ufeff---\r\ntitle: 深度残差学习  \r\n# 状态：\r\nstatus: read   # 读完再改\r\npaper:\r\n  status: x\r\n---  \r\n".encode(),
        ),
        # quoted value keeps its quotes
        (b"---\nstatus: \"to-read\"\n---\n", b"---\nstatus: \"read\"\n---\n"),
        (b"---\nstatus: 'reading'\n---\n", b"---\nstatus: 'read'\n---\n"),
        # empty value
        (b"---\nstatus:\n---\n", b"---\nstatus: read\n---\n"),
        (b"---\nstatus:  # later\n---\n", b"---\nstatus:  read # later\n---\n"),
        # no status: inserted before the closing ---, with the file's line ending
        (b"---\r\ntitle: T\r\n---\r\nbody\r\n", b"---\r\ntitle: T\r\nstatus: read\r\n---\r\nbody\r\n"),
        (b"---\n---\n", b"---\nstatus: read\n---\n"),
        # YAML's `...` closes the front matter too
        (b"---\ntitle: T\n...\n", b"---\ntitle: T\nstatus: read\n...\n"),
        # classic Mac line ends
        (b"---\rstatus: to-read\r---\rbody", b"---\rstatus: read\r---\rbody"),
        # no front matter: a block is added, the rest untouched
        (b"# Title\r\n\r\ntext", b"---\r\nstatus: read\r\n---\r\n# Title\r\n\r\ntext"),
        (b"", b"---\nstatus: read\n---\n"),
        ("\ufeff# 标题\n".encode(), "\ufeff---\nstatus: read\n---\n# 标题\n".encode()),
    ],
)
def test_set_status_changes_only_the_status_line(tmp_path: Path, before: bytes, after: bytes) -> None:
    assert _mark(tmp_path, before + BODY, "read") == after + BODY


def test_set_status_keeps_every_other_byte_of_a_real_note(tmp_path: Path) -> None:
    seed = ROOT / "notes" / "papers" / "[13]DeepLab-v3-Rethinking-Atrous-Convolution.md"
    original = seed.read_bytes()
    for variant in (original, original.replace(b"\n", b"\r\n")):
        changed = _mark(tmp_path, variant, "reading")
        old_lines = variant.splitlines(keepends=True)
        new_lines = changed.splitlines(keepends=True)
        assert len(old_lines) == len(new_lines)
        diff = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
        assert len(diff) == 1
        assert diff[0][0].startswith(b"status: read") and diff[0][1].startswith(b"status: reading")
        assert diff[0][0][len(b"status: read"):] == diff[0][1][len(b"status: reading"):]  # same line end
        assert _mark(tmp_path, changed, "read") == variant  # and back again


def test_set_status_file_reports_whether_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_bytes(b"---\nstatus: read\n---\n")
    path.chmod(0o640)
    assert set_status_file(path, "read") is False
    assert set_status_file(path, "reading") is True
    assert path.read_bytes() == b"---\nstatus: reading\n---\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("text", "status", "line", "reason"),
    [
        ("---\ntitle: T\nstatus: to-read\n", "read", 1, "never closed"),
        ("---\nstatus: to-read\n---\n", "done", 1, "invalid status"),
        ("---\nstatus: read\nstatus: to-read\n---\n", "read", 3, "more than once"),
        ("---\nstatus: to read\n---\n", "read", 2, "not a plain value"),
        ("---\nstatus:\n  read\n---\n", "reading", 2, "several lines"),
    ],
)
def test_set_status_errors(text: str, status: str, line: int, reason: str) -> None:
    with pytest.raises(FrontMatterError) as info:
        set_status(text, status, "papers/[7]x.md")
    assert info.value.path == "papers/[7]x.md"
    assert info.value.line == line
    assert reason in info.value.reason


def test_set_status_file_refuses_non_utf8_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("---\nstatus: read\ntitle: caf\xe9\n---\n".encode("latin-1"))
    before = path.read_bytes()
    with pytest.raises(FrontMatterError, match="not UTF-8"):
        set_status_file(path, "reading")
    assert path.read_bytes() == before
