"""Shared pieces of the figure scripts: style, the figure registry, saving, and drawing helpers.

Every figure function is registered with `@figure("chapter/img/name.svg")`, draws on a fresh
matplotlib Figure and returns it; `python -m tools.figures` saves them all. The style is set once
so that every SVG comes out byte-identical on every run (fixed hash salt, no date, fixed seeds in
the functions that use randomness) and needs no CJK font (labels are English).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "notes"

# A small palette, one colour per kind of layer, used by every diagram.
COLORS = {
    "conv": "#cfe2f3",
    "conv1": "#d9ead3",
    "dw": "#fce5cd",
    "norm": "#fff2cc",
    "act": "#f4cccc",
    "pool": "#d0e0e3",
    "fc": "#d9d2e9",
    "io": "#eeeeee",
    "attn": "#ead1dc",
    "edge": "#444444",
    "accent": "#cc4125",
    "blue": "#3d85c6",
    "green": "#6aa84f",
    "orange": "#e69138",
    "purple": "#674ea7",
    "gray": "#999999",
}


def setup_style() -> None:
    """rcParams that make the output deterministic, small and font-independent."""
    plt.rcdefaults()
    plt.rcParams.update(
        {
            "svg.hashsalt": "kb",
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
            "mathtext.fontset": "dejavusans",
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.labelsize": 10,
            "legend.fontsize": 8.5,
            "xtick.labelsize": 8.5,
            "ytick.labelsize": 8.5,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#e6e6e6",
            "grid.linewidth": 0.6,
            "lines.linewidth": 1.6,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "path.simplify": True,
        }
    )


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure: the function that draws it and where its SVG goes."""

    name: str
    path: Path
    draw: Callable[[], "plt.Figure"]
    module: str


REGISTRY: list[FigureSpec] = []


def figure(rel_path: str) -> Callable:
    """Register the decorated function as the figure saved to notes/<rel_path>."""

    def register(fn: Callable[[], "plt.Figure"]) -> Callable[[], "plt.Figure"]:
        REGISTRY.append(FigureSpec(fn.__name__, NOTES / rel_path, fn, fn.__module__.rsplit(".", 1)[-1]))
        return fn

    return register


def save(fig: "plt.Figure", path: Path) -> None:
    """Write `fig` as a deterministic SVG and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", bbox_inches="tight", pad_inches=0.05, metadata={"Date": None})
    plt.close(fig)


# --- drawing helpers for diagrams (data coordinates, axis switched off) ---------------------------


def canvas(width: float, height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    """A figure with one frameless axes whose data units are equal in x and y."""
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, x, y, w, h, text="", color="conv", fontsize=9, text_color="black", lw=1.0, **kw):
    """A rounded box centred at (x, y) with a label; `color` is a COLORS key or a colour."""
    face = COLORS.get(color, color)
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h,
            boxstyle="round,pad=0,rounding_size=%g" % min(0.12, h / 4),
            facecolor=face, edgecolor=COLORS["edge"], linewidth=lw, **kw,
        )
    )
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_color)


def arrow(ax, start, end, color="edge", lw=1.1, style="-|>", rad=0.0, **kw):
    """A straight (or slightly bent, rad != 0) arrow from start to end."""
    ax.annotate(
        "", xy=end, xytext=start,
        arrowprops=dict(
            arrowstyle=style, color=COLORS.get(color, color), lw=lw, shrinkA=0, shrinkB=0,
            connectionstyle=f"arc3,rad={rad}", mutation_scale=11, **kw,
        ),
    )


def polyline_arrow(ax, points, color="edge", lw=1.1, ls="-"):
    """Line segments through `points`, with an arrow head on the last segment."""
    c = COLORS.get(color, color)
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=c, lw=lw, ls=ls, solid_capstyle="butt")
    arrow(ax, points[-2], points[-1], color=color, lw=lw, linestyle=ls)


def op_circle(ax, x, y, symbol="+", r=0.18, fontsize=11):
    """A small circle holding an operator symbol (+ for add, × for multiply, C for concat)."""
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor=COLORS["edge"], linewidth=1.0, zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize, zorder=4)


def number_grid(ax, values, x0, y0, cell=1.0, fmt="{:g}", face="white", highlight=None,
                highlight_color="#ffd966", fontsize=10, lw=0.8, edge="edge"):
    """Draw a 2-D array as a grid of numbered cells; (x0, y0) is the top-left corner.

    `highlight` is an iterable of (row, col) cells to fill with `highlight_color`.
    Rows go downwards, as in a matrix.
    """
    rows, cols = len(values), len(values[0])
    marked = set(highlight or ())
    for i in range(rows):
        for j in range(cols):
            fc = highlight_color if (i, j) in marked else COLORS.get(face, face)
            ax.add_patch(Rectangle((x0 + j * cell, y0 - (i + 1) * cell), cell, cell,
                                   facecolor=fc, edgecolor=COLORS.get(edge, edge), linewidth=lw))
            v = values[i][j]
            if v is not None and v != "":
                ax.text(x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell, v if isinstance(v, str) else fmt.format(v),
                        ha="center", va="center", fontsize=fontsize)


def slab(ax, x, y, w, h, depth=0.0, color="conv", lw=0.8, angle=(0.5, 0.35), alpha=1.0):
    """A feature map drawn as a box in oblique projection.

    (x, y) is the lower-left corner of the front face, `w` x `h` its size, `depth` how far the box
    recedes (drawn up and to the right, `angle` gives the x/y shift per unit depth). Returns the
    (x, y) of the front face's centre.
    """
    from matplotlib.patches import Polygon

    face = COLORS.get(color, color)
    dx, dy = depth * angle[0], depth * angle[1]
    edge = dict(edgecolor=COLORS["edge"], linewidth=lw, alpha=alpha)
    if depth:
        top = [(x, y + h), (x + dx, y + h + dy), (x + w + dx, y + h + dy), (x + w, y + h)]
        side = [(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)]
        ax.add_patch(Polygon(top, closed=True, facecolor=_shade(face, 0.93), **edge))
        ax.add_patch(Polygon(side, closed=True, facecolor=_shade(face, 0.82), **edge))
    ax.add_patch(Rectangle((x, y), w, h, facecolor=face, **edge))
    return x + w / 2, y + h / 2


def _shade(color: str, factor: float):
    """`color` darkened by `factor` (1 = unchanged)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return (r * factor, g * factor, b * factor)
