"""The link graph between notes, and its text forms: JSON, Graphviz DOT and Mermaid.

Pure: the core builds a `LinkGraph` from the store's resolved links and hands it to a front end,
which prints one of its renderings. Only links that resolve to another note are edges: broken links,
links to images and files, external URLs and a note's links to itself (`#anchor`) are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FORMATS = ("dot", "json", "mermaid")


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A note in the graph."""

    path: str
    title: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: path, title, kind."""
        return {"path": self.path, "title": self.title, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """Every link from one note to another, folded into one edge."""

    source: str
    target: str
    styles: tuple[str, ...]  # "markdown" and/or "wiki": how the links were written
    lines: tuple[int, ...]  # lines of `source` holding them

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: source, target, wiki, markdown (bools), lines."""
        return {"source": self.source, "target": self.target, "wiki": "wiki" in self.styles,
                "markdown": "markdown" in self.styles, "lines": list(self.lines)}


@dataclass(frozen=True, slots=True)
class LinkGraph:
    """Notes and the resolved links between them, in path order."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: nodes [{path, title, kind}], edges [{source, target, wiki, markdown, lines}]."""
        return {"nodes": [n.to_dict() for n in self.nodes], "edges": [e.to_dict() for e in self.edges]}

    def render(self, fmt: str) -> str:
        """The graph as `dot` (Graphviz) or `mermaid` text (JSON is the front end's `to_dict`)."""
        if fmt == "dot":
            return to_dot(self)
        if fmt == "mermaid":
            return to_mermaid(self)
        raise ValueError(f"unknown graph format {fmt!r}")


def build_graph(notes: Iterable[tuple[str, str, str]], links: Iterable[tuple[str, str, str, int]]) -> LinkGraph:
    """The graph of `notes` (path, title, kind) and `links` (source, resolved target, style, line).

    Links whose source or target is not among the notes, and links from a note to itself, are left out.
    """
    nodes = sorted((GraphNode(*n) for n in notes), key=lambda n: n.path)
    known = {n.path for n in nodes}
    folded: dict[tuple[str, str], tuple[set[str], list[int]]] = {}
    for source, target, style, line in links:
        if source == target or source not in known or target not in known:
            continue
        styles, lines = folded.setdefault((source, target), (set(), []))
        styles.add(style)
        lines.append(line)
    edges = [GraphEdge(s, t, tuple(sorted(styles)), tuple(sorted(lines))) for (s, t), (styles, lines) in folded.items()]
    return LinkGraph(tuple(nodes), tuple(sorted(edges, key=lambda e: (e.source, e.target))))


def neighbourhood(graph: LinkGraph, centre: str, depth: int) -> LinkGraph:
    """The notes at most `depth` links away from `centre` (following links either way), and the edges
    between them."""
    adjacent: dict[str, set[str]] = {}
    for edge in graph.edges:
        adjacent.setdefault(edge.source, set()).add(edge.target)
        adjacent.setdefault(edge.target, set()).add(edge.source)
    reached, frontier = {centre}, {centre}
    for _ in range(depth):
        frontier = {n for path in frontier for n in adjacent.get(path, ())} - reached
        if not frontier:
            break
        reached |= frontier
    return LinkGraph(tuple(n for n in graph.nodes if n.path in reached),
                     tuple(e for e in graph.edges if e.source in reached and e.target in reached))


# --- Graphviz DOT ------------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    """A DOT double-quoted string. Backslashes are doubled too: in a label `\\n` or `\\l` would
    otherwise be read as Graphviz's own escapes."""
    text = " ".join(text.split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: LinkGraph) -> str:
    """A `digraph` for Graphviz: one box per note (papers shaded), wiki links dashed."""
    lines = ["digraph kb {", "  rankdir=LR;", '  node [shape=box, fontname="sans-serif"];']
    for node in graph.nodes:
        extra = ', style=filled, fillcolor="#eef3fb"' if node.kind == "paper" else ""
        lines.append(f"  {_dot_string(node.path)} [label={_dot_string(node.title)}{extra}];")
    for edge in graph.edges:
        style = " [style=dashed]" if edge.styles == ("wiki",) else ""
        lines.append(f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Mermaid -----------------------------------------------------------------------------------

# Inside a quoted Mermaid label, `"` ends the label and `<`, `>`, `&` are read as HTML; Mermaid's own
# entity codes (`#quot;`) stand for them. `#` goes first, since every code starts with it.
_MERMAID_ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"),
                     ("`", "#96;"))


def mermaid_label(text: str) -> str:
    """`text` as a quoted Mermaid node label (brackets, quotes and CJK are safe inside)."""
    text = " ".join(text.split())
    for raw, code in _MERMAID_ENTITIES:
        text = text.replace(raw, code)
    return f'"{text}"'


def to_mermaid(graph: LinkGraph) -> str:
    """A Mermaid `graph LR`: nodes get short ids (`n0`, `n1`, … in path order), labels are titles,
    and wiki links are dotted arrows."""
    ids = {node.path: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["graph LR"]
    lines += [f"  {ids[node.path]}[{mermaid_label(node.title)}]" for node in graph.nodes]
    for edge in graph.edges:
        arrow = "-.->" if edge.styles == ("wiki",) else "-->"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
    return "\n".join(lines) + "\n"
