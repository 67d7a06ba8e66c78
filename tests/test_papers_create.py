"""kb.papers.create: numbered note files claimed exclusively, and paper notes from the template."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
import time
from pathlib import Path, PurePosixPath

import pytest

from kb.errors import DuplicatePaperError, TemplateError
from kb.models import Note, PaperMeta
from kb.papers.create import create_note_file, create_paper_note, load_template, next_number
from kb.papers.templates import DEFAULT_PAPER_TEMPLATE

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent


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
    from kb.papers.create import create_note_file
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


def paper_note(path: str, note_title: str, **paper: object) -> Note:
    return Note(path=PurePosixPath(path), title=note_title, kind="paper", body="", paper=PaperMeta(**paper))


def test_create_paper_note(tmp_path: Path) -> None:
    papers = tmp_path / "notes" / "papers"
    fields = PaperMeta(title="Deep Residual Learning for Image Recognition", arxiv="1512.03385", year=2016)
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
