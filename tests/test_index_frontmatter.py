"""kb.index.frontmatter: `set_status` changes the status line and nothing else (byte for byte)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kb.errors import FrontMatterError
from kb.index.frontmatter import set_status

TODAY = datetime.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parent.parent




def _mark(tmp_path: Path, before: bytes, status: str) -> bytes:
    """set_status on the raw UTF-8 text, as `kb mark` does (no newline translation)."""
    return set_status(before.decode("utf-8"), status, "papers/[7]note.md").encode("utf-8")


BODY = "\n正文：status: to-read 在正文里不算。\n---\nstatus: reading\n".encode()


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


def test_set_status_checked_refuses_an_edit_that_would_break_the_front_matter() -> None:
    from kb.index.frontmatter import set_status_checked  # noqa: PLC0415

    flow = "---\n{title: M6 Flow, kind: paper, status: to-read}\n---\nbody\n"
    with pytest.raises(FrontMatterError, match="flow-style"):
        set_status_checked(flow, "read", "papers/m6.md")
    block = "---\ntitle: T\nstatus: to-read\n---\nbody\n"
    assert set_status_checked(block, "read") == block.replace("to-read", "read")
    assert set_status_checked(block, "to-read") == block


def test_key_lines_name_the_line_of_each_field() -> None:
    from kb.index.frontmatter import key_lines

    raw = ('title: "A: b"\ntags: [a, b]\n# a comment\nstatus: reading\npaper:\n  title: X\n  year: 20x6\n'
           '  authors:\n    - name: z\n"quoted key": 1\ncitekey: he2016\npaper2: {year: 1}\n')
    assert key_lines(raw) == {"title": 2, "tags": 3, "status": 5, "paper": 6, "paper.title": 7, "paper.year": 8,
                              "paper.authors": 9, "quoted key": 11, "citekey": 12, "paper2": 13}


def test_field_problems_point_at_the_fields_line() -> None:
    from kb.index.parse import parse_note

    text = ("---\ntitle: T\ntags: [a]\nstaus: reading\nstatus: finished\npaper:\n  title: X\n  year: 20x6\n"
            'citekey: "has space"\nsidebar_position: first\n---\n# body\n')
    found = sorted((p.line, p.message[:22]) for p in parse_note(text, "papers/[1]x.md").problems)
    assert found == [(4, "unknown front matter k"), (5, "status: 'finished' is "), (8, "paper.year: '20x6' is "),
                     (9, "citekey: 'has space' i"), (10, "sidebar_position: 'fir")]
    # A field written in flow style is reported at its top-level key's line.
    flow = parse_note("---\ntitle: T\npaper: {year: 20x6}\n---\n", "papers/[2]y.md").problems
    assert [(p.line, p.message) for p in flow] == [(3, "paper.year: '20x6' is not a year")]
