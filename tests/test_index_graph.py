"""kb.index.graph: building the link graph, its neighbourhoods, and DOT and Mermaid text that real
parsers accept (pydot's DOT grammar; Graphviz's `dot` and Mermaid's own parser where installed)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pydot
import pytest

from kb.index.graph import build_graph, mermaid_label, neighbourhood, to_dot, to_mermaid

NODES = [("b.md", "B", "chapter"), ("a.md", "A", "paper"), ("c.md", "C", "page"), ("d.md", "D", "page")]
LINKS = [
    ("a.md", "b.md", "markdown", 3), ("a.md", "b.md", "wiki", 5), ("b.md", "c.md", "wiki", 1),
    ("a.md", "a.md", "markdown", 2),  # to itself (an #anchor): not an edge
    ("a.md", "gone.md", "markdown", 4),  # to a note that is not in the graph: not an edge
]
# pydot's grammar calls pyparsing's old method names, which warn.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AWKWARD = ['[1]LeNet', 'AlexNet "quoted" 网络', "残差连接", 'Back\\slash <b>&amp</b> `tick` #hash',
           "ends with a backslash\\", "two\nlines", "a; b -> c {d}"]


def test_edges_fold_links_and_drop_self_and_unknown_targets():
    graph = build_graph(NODES, LINKS)
    assert [n.path for n in graph.nodes] == ["a.md", "b.md", "c.md", "d.md"]
    assert [(e.source, e.target, e.styles, e.lines) for e in graph.edges] == [
        ("a.md", "b.md", ("markdown", "wiki"), (3, 5)), ("b.md", "c.md", ("wiki",), (1,))]
    data = graph.to_dict()
    assert data["edges"][0] == {"source": "a.md", "target": "b.md", "wiki": True, "markdown": True, "lines": [3, 5]}
    assert data["edges"][1]["wiki"] and not data["edges"][1]["markdown"]
    assert data["nodes"][0] == {"path": "a.md", "title": "A", "kind": "paper"}


@pytest.mark.parametrize(("centre", "depth", "expected"), [
    ("a.md", 0, ["a.md"]), ("a.md", 1, ["a.md", "b.md"]), ("a.md", 2, ["a.md", "b.md", "c.md"]),
    ("c.md", 1, ["b.md", "c.md"]),  # links are followed backwards too
    ("d.md", 5, ["d.md"]),
])
def test_neighbourhood_follows_links_either_way_up_to_depth(centre, depth, expected):
    near = neighbourhood(build_graph(NODES, LINKS), centre, depth)
    assert [n.path for n in near.nodes] == expected
    assert all(e.source in expected and e.target in expected for e in near.edges)


def _graph_with_awkward_titles():
    nodes = [(f"papers/[{i}]n {i}.md", title, "paper") for i, title in enumerate(AWKWARD)]
    links = [(nodes[i][0], nodes[i + 1][0], "wiki" if i % 2 else "markdown", 1) for i in range(len(nodes) - 1)]
    return build_graph(nodes, links)


def test_dot_parses_with_pydot_and_keeps_titles():
    graph = _graph_with_awkward_titles()
    (parsed,) = pydot.graph_from_dot_data(to_dot(graph))
    labels = {n.get_name().strip('"'): n.get_label() for n in parsed.get_nodes() if n.get_label()}
    assert len(labels) == len(AWKWARD)
    for node in graph.nodes:
        label = labels[node.path]
        assert label.startswith('"') and label.endswith('"')
        # Undo DOT's escapes: what Graphviz draws is the title (line breaks folded to spaces).
        assert label[1:-1].replace('\\"', '"').replace("\\\\", "\\") == " ".join(node.title.split())
    assert len(parsed.get_edges()) == len(AWKWARD) - 1
    assert sum(1 for e in parsed.get_edges() if e.get_style() == "dashed") == (len(AWKWARD) - 1) // 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_dot_renders_with_graphviz():
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(_graph_with_awkward_titles()), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no syntax warnings either
    assert "<svg" in done.stdout and "残差连接" in done.stdout and "[1]LeNet" in done.stdout


def test_mermaid_labels_are_quoted_and_escaped():
    assert mermaid_label("[1]LeNet") == '"[1]LeNet"'
    assert mermaid_label("残差连接") == '"残差连接"'
    assert mermaid_label('say "hi"') == '"say #quot;hi#quot;"'
    assert mermaid_label("a<b>&c #1 `x`") == '"a#lt;b#gt;#amp;c #35;1 #96;x#96;"'
    assert mermaid_label("two\nlines") == '"two lines"'


def test_mermaid_graph_has_one_line_per_node_and_edge():
    graph = _graph_with_awkward_titles()
    text = to_mermaid(graph)
    lines = text.splitlines()
    assert lines[0] == "graph LR"
    node_lines = lines[1:1 + len(AWKWARD)]
    for i, line in enumerate(node_lines):
        ident, label = line.strip().split("[", 1)
        assert ident == f"n{i}" and label.endswith('"]') and label.startswith('"')
        assert '"' not in label[1:-2]  # the only quotes are the label's own
    assert lines[1 + len(AWKWARD):] == [f"  n{i} {'-.->' if i % 2 else '-->'} n{i + 1}" for i in range(len(AWKWARD) - 1)]


MERMAID = Path(__file__).parent / "mermaid"


def _mermaid_parse(text: str) -> dict:
    done = subprocess.run(["node", str(MERMAID / "parse.mjs")], input=text, capture_output=True, text=True,
                          timeout=120, cwd=MERMAID)
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {"ok": False, "error": done.stderr}


@pytest.mark.slow  # starts Node and loads Mermaid (a few seconds)
@pytest.mark.skipif(shutil.which("node") is None or not (MERMAID / "node_modules" / "mermaid").is_dir(),
                    reason="Mermaid is not installed (npm install --prefix tests/mermaid; .ci/run does it)")
def test_mermaid_parses_with_mermaid_itself():
    graph = _graph_with_awkward_titles()
    parsed = _mermaid_parse(to_mermaid(graph))
    assert parsed["ok"], parsed
    assert parsed["type"].startswith("flowchart") and parsed["edges"] == len(AWKWARD) - 1
    # Mermaid keeps entity codes as placeholders until it draws (ﬂ°quot¶ß for #quot;, ﬂ°°35¶ß for #35;);
    # decoded, every label is the title as written.
    labels = [re.sub(r"ﬂ°°(\d+)¶ß", lambda m: chr(int(m.group(1))), label) for label in parsed["labels"]]
    labels = [re.sub(r"ﬂ°(\w+)¶ß", lambda m: html.unescape(f"&{m.group(1)};"), label) for label in labels]
    assert labels == [" ".join(node.title.split()) for node in graph.nodes]
    # The parser is strict enough to matter: the same label with its quote left raw does not parse.
    assert not _mermaid_parse('graph LR\n  n0["AlexNet "quoted" 网络"]\n')["ok"]
