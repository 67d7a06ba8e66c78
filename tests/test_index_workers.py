"""kb.index.workers: the segment writer with an in-memory field-length flush writes the same segment
as Whoosh's own writer."""

from __future__ import annotations

from pathlib import Path

from bench.gen_notebook import generate

from kb.index import fulltext
from kb.index.reading import build_note, read_file
from kb.index.scan import load_context, scan_notes
from kb.index.workers import FlushWriter


def segment_files(folder: Path) -> dict[str, bytes]:
    """Segment files by extension (segment ids are random, so names differ between two builds)."""
    out = {}
    for path in folder.iterdir():
        segment, dot, ext = path.name.partition(".")
        if segment.startswith("MAIN_") and dot and ext != "toc":
            out[ext] = path.read_bytes()
    return out


def test_flush_writer_writes_the_same_segment_as_whoosh(tmp_path: Path):
    notes = tmp_path / "notes"
    generate(notes, n_notes=40, seed=5)
    ctx, _, _ = load_context(notes)
    files, _ = scan_notes(notes)
    docs = [fulltext.note_document(build_note(notes, f, read_file(notes, f)[0], ctx)[0]) for f in files]
    built = {}
    for name, make in (("whoosh", lambda ix: ix.writer(compound=False)),
                       ("flush", lambda ix: FlushWriter(ix, compound=False))):
        ix = fulltext.create_index(tmp_path / name)
        writer = make(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit(merge=False)
        built[name] = segment_files(tmp_path / name)
    assert set(built["whoosh"]) >= {"trm", "pst"}
    assert built["flush"] == built["whoosh"]
