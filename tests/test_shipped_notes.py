"""The shipped notebook (notes/): no problems, chapters in order, complete paper notes, a connected
link graph, and architecture snippets that declare the published parameter counts."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from kb.config import Paths
from kb.index.indexer import index_notebook
from kb.notebook import Notebook
from kb.snippets.header import is_runnable, parse_header

NOTES = Path(__file__).parent.parent / "notes"
REQUIRED_PAPERS = ["ResNet", "LeNet", "AlexNet", "VGG", "GoogLeNet", "Batch Normalization", "Dropout", "U-Net",
                   "FPN", "DeepLab", "SENet", "CBAM", "Non-local", "Transformer", "ViT", "Swin", "MobileNet",
                   "MobileNetV2", "GhostNet", "RepVGG", "BiSeNet", "Retinex-Net"]


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    paths = Paths(NOTES, tmp_path_factory.mktemp("index"))
    index_notebook(paths)
    return paths, Notebook(paths).notes(full=True)


def test_no_problems(notes):
    paths, _ = notes
    assert [str(p) for p in Notebook(paths).problems()] == []


def test_chapters_in_order(notes):
    paths, _ = notes
    labels = [c.label.split()[0] for c in Notebook(paths).toc()]
    assert labels == ["第零章", "第一章上", "第一章下", "第二章上", "第二章下", "第三章上", "第三章下", "第四章",
                      "第-1章", "第-2章", "第-3章", "无尽模式"]


def test_paper_notes_complete(notes):
    _, all_ = notes
    papers = [n for n in all_ if n.kind == "paper"]
    assert len(papers) >= 30
    vocabulary = {k.casefold() for k in yaml.safe_load((NOTES / "tags.yml").read_text(encoding="utf-8"))}
    for note in papers:
        p = note.paper
        assert p and p.title and p.authors and p.year and p.venue, note.path
        assert p.arxiv or p.doi or p.url, note.path
        assert note.status in ("to-read", "reading", "read"), note.path
        assert note.tldr and note.tldr.isascii(), note.path
        assert note.aliases and note.authors == ("kb 编者",), note.path
        assert note.tags and {t.casefold() for t in note.tags} <= vocabulary, note.path
    names = " ".join(a for n in papers for a in (*n.aliases, n.title))
    for required in REQUIRED_PAPERS:
        assert required.lower() in names.lower(), required


def test_no_placeholder_pages():
    for path in NOTES.rglob("*.md"):
        if "_templates" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"还没写|TODO|TBD|placeholder", text), path
        assert len(text.splitlines()) >= 60, path


def test_link_graph_is_connected(notes):
    _, all_ = notes
    graph = defaultdict(set)
    for note in all_:
        for link in note.links:
            if link.resolved and link.resolved != str(note.path) and link.style not in ("image", "asset"):
                graph[str(note.path)].add(link.resolved)
                graph[link.resolved].add(str(note.path))
    start = str(all_[0].path)
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    assert seen == {str(n.path) for n in all_}


EXPECTED_COUNTS = {
    "resnet18.py": 11689512, "resnet50.py": 25557032, "vgg16.py": 138357544, "alexnet.py": 61100840,
    "googlenet.py": 6624904, "mobilenet_v2.py": 3504872, "vit_b16.py": 86567656, "swin_t.py": 28288354,
}


def test_architecture_snippets_declare_published_counts(notes):
    _, all_ = notes
    attached = {s.source.rsplit("/", 1)[-1]: s for n in all_ for s in n.snippets if s.source}
    assert len([s for s in attached.values() if "torch" in parse_header(s.code).requires]) >= 12
    for name, count in EXPECTED_COUNTS.items():
        spec = parse_header(attached[name].code)
        assert is_runnable(attached[name])
        assert ("params", str(count)) in spec.expects, name
        assert any(k == "output_shape" for k, _ in spec.expects), name
