"""Convolution mechanics on small grids: sliding window, padding and stride, pooling, dilation.

The numbers in the cells are computed here with numpy from the same small inputs the notes use
(e.g. X and K of the cross-correlation example in ch2a/[1]), so figure and text agree.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ._common import COLORS, canvas, figure, number_grid

WINDOW_COLORS = ["#f6b26b", "#6fa8dc", "#93c47d", "#c27ba0"]


def corr2d(x: np.ndarray, k: np.ndarray, stride: int = 1) -> np.ndarray:
    """Plain 2-D cross-correlation (what deep-learning frameworks call convolution), no padding."""
    kh, kw = k.shape
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = (x[i * stride:i * stride + kh, j * stride:j * stride + kw] * k).sum()
    return out


def _outline(ax, x0, y0, row, col, h, w, color, lw=2.4, cell=1.0):
    """Outline an h x w block of cells whose top-left cell is (row, col) in a grid at (x0, y0)."""
    ax.add_patch(Rectangle((x0 + col * cell, y0 - (row + h) * cell), w * cell, h * cell, fill=False,
                           edgecolor=color, linewidth=lw, zorder=5))


@figure("ch2a/img/conv-sliding-window.svg")
def conv_sliding_window():
    """The 2x2 kernel K sliding over the 3x3 input X of the note; each window gives one output of Y."""
    x = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 1]])
    k = np.array([[1, 2], [0, 1]])
    y = corr2d(x, k).astype(int)
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 4.8))
    for pos, ax in zip([(0, 0), (0, 1), (1, 0), (1, 1)], axes.ravel()):
        i, j = pos
        color = WINDOW_COLORS[i * 2 + j]
        ax.set_xlim(-0.2, 11.6)
        ax.set_ylim(-3.9, 0.9)
        ax.set_aspect("equal")
        ax.axis("off")
        win = {(i + a, j + b) for a in range(2) for b in range(2)}
        number_grid(ax, x.tolist(), 0, 0, highlight=win, highlight_color="#fdebd0", fmt="{:d}")
        _outline(ax, 0, 0, i, j, 2, 2, color)
        ax.text(3.5, -1.5, "⋆", fontsize=18, ha="center", va="center")
        number_grid(ax, k.tolist(), 4.1, -0.5, face="#eeeeee", fmt="{:d}")
        ax.text(6.7, -1.5, "=", fontsize=14, ha="center", va="center")
        number_grid(ax, y.tolist(), 7.3, -0.5, highlight={pos}, highlight_color="#fdebd0", fmt="{:d}")
        _outline(ax, 7.3, -0.5, i, j, 1, 1, color)
        terms = " + ".join(f"{x[i + a, j + b]}·{k[a, b]}" for a in range(2) for b in range(2))
        ax.text(5.5, -3.5, f"Y[{i},{j}] = {terms} = {y[i, j]}", ha="center", fontsize=9)
        ax.text(1.5, 0.45, "X", ha="center", fontsize=10, weight="bold")
        ax.text(5.1, 0.45, "K", ha="center", fontsize=10, weight="bold")
        ax.text(8.3, 0.45, "Y", ha="center", fontsize=10, weight="bold")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.97, bottom=0.02, wspace=0.05, hspace=0.08)
    return fig


def _padded_panel(ax, n, pad, k, stride, title):
    """An n x n input with `pad` rings of zeros, two kernel positions outlined, and the output grid."""
    size = n + 2 * pad
    out = (n + 2 * pad - k) // stride + 1
    vals = [["0" if (r < pad or c < pad or r >= n + pad or c >= n + pad) else "" for c in range(size)]
            for r in range(size)]
    inner = {(r, c) for r in range(pad, n + pad) for c in range(pad, n + pad)}
    number_grid(ax, vals, 0, 0, cell=0.7, face="#f3f3f3", highlight=inner, highlight_color=COLORS["conv"],
                fontsize=7.5)
    starts = [(0, 0), (0, stride)]
    for (r, c), color in zip(starts, WINDOW_COLORS):
        _outline(ax, 0, 0, r, c, k, k, color, lw=2.2, cell=0.7)
    x_out = size * 0.7 + 1.3
    cells = [[""] * out for _ in range(out)]
    number_grid(ax, cells, x_out, -(size - out) * 0.35, cell=0.7, face="white")
    for (r, c), color in zip([(0, 0), (0, 1)], WINDOW_COLORS):
        ax.add_patch(Rectangle((x_out + c * 0.7, -(size - out) * 0.35 - (r + 1) * 0.7), 0.7, 0.7,
                               facecolor=color, alpha=0.8, edgecolor=COLORS["edge"], lw=0.8))
    ax.annotate("", xy=(x_out - 0.2, -size * 0.35), xytext=(size * 0.7 + 0.2, -size * 0.35),
                arrowprops=dict(arrowstyle="-|>", color=COLORS["edge"], lw=1.1))
    ax.text((size * 0.7 + x_out + out * 0.7) / 2, -size * 0.7 - 0.55,
            f"$n_{{out}} = \\lfloor ({n} + 2\\cdot{pad} - {k}) / {stride} \\rfloor + 1 = {out}$",
            ha="center", fontsize=9.5)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.2, x_out + n * 0.7 + 0.3)  # room for the largest output, so both panels share a scale
    ax.set_ylim(-size * 0.7 - 1.0, 0.2)
    ax.set_aspect("equal")
    ax.axis("off")


@figure("ch2a/img/padding-stride.svg")
def padding_stride():
    """A 5x5 input with one ring of zero padding and a 3x3 kernel, at stride 1 and at stride 2."""
    fig, axes = plt.subplots(1, 2, figsize=(8.8, 3.6))
    _padded_panel(axes[0], 5, 1, 3, 1, "padding 1, stride 1: size kept (5 → 5)")
    _padded_panel(axes[1], 5, 1, 3, 2, "padding 1, stride 2: size roughly halved (5 → 3)")
    fig.text(0.5, 0.01, "blue: input, grey: zero padding; the orange and blue squares are the first two kernel "
             "positions and the outputs they produce", ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.08, wspace=0.1)
    return fig


def pool2d(x: np.ndarray, k: int, stride: int, mode: str) -> np.ndarray:
    """Max or average pooling of a 2-D array, no padding."""
    oh, ow = (x.shape[0] - k) // stride + 1, (x.shape[1] - k) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = x[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = win.max() if mode == "max" else win.mean()
    return out


@figure("ch2a/img/pooling.svg")
def pooling():
    """2x2 max and average pooling with stride 2 on the 4x4 example of the note."""
    x = np.array([[1, 3, 2, 0], [4, 6, 5, 1], [0, 2, 9, 7], [1, 1, 3, 8]], dtype=float)
    mx, avg = pool2d(x, 2, 2, "max"), pool2d(x, 2, 2, "avg")
    fig, ax = canvas(7.6, 3.3, (-0.3, 12.3), (-4.9, 0.9))
    tint = ["#fce5cd", "#cfe2f3", "#d9ead3", "#ead1dc"]
    for r in range(4):
        for c in range(4):
            w = (r // 2) * 2 + c // 2
            face = tint[w]
            is_max = x[r, c] == x[r // 2 * 2:r // 2 * 2 + 2, c // 2 * 2:c // 2 * 2 + 2].max()
            ax.add_patch(Rectangle((c, -(r + 1)), 1, 1, facecolor=face, edgecolor=COLORS["edge"], lw=0.8))
            ax.text(c + 0.5, -r - 0.5, f"{x[r, c]:g}", ha="center", va="center", fontsize=10,
                    weight="bold" if is_max else "normal")
    for w in range(4):
        _outline(ax, 0, 0, (w // 2) * 2, (w % 2) * 2, 2, 2, WINDOW_COLORS[w], lw=2.0)
    ax.text(2, 0.45, "input 4 × 4 (2 × 2 windows, stride 2)", ha="center", fontsize=9.5)
    for x0, vals, name in [(6.0, mx, "max pooling"), (9.6, avg, "average pooling")]:
        for r in range(2):
            for c in range(2):
                ax.add_patch(Rectangle((x0 + c, -1 - (r + 1)), 1, 1, facecolor=tint[r * 2 + c],
                                       edgecolor=COLORS["edge"], lw=0.8))
                ax.text(x0 + c + 0.5, -1 - r - 0.5, f"{vals[r, c]:g}", ha="center", va="center", fontsize=10)
        ax.text(x0 + 1, -0.6, name, ha="center", fontsize=9.5)
    ax.annotate("", xy=(5.7, -2.0), xytext=(4.3, -2.0), arrowprops=dict(arrowstyle="-|>", lw=1.1))
    ax.text(6.0, -4.4, f"global average pooling of the whole map: {x.mean():g}", fontsize=9)
    ax.text(0, -4.4, "bold: window maxima", fontsize=8.5, color="#555555")
    return fig


def _dilated_taps(rate: int, k: int = 3):
    """Offsets (dy, dx) of a k x k kernel's taps at the given dilation rate."""
    half = k // 2
    return [(rate * a, rate * b) for a in range(-half, half + 1) for b in range(-half, half + 1)]


@figure("ch2a/img/dilated-conv.svg")
def dilated_conv():
    """A 3x3 kernel at dilation rates 1, 2 and 3: still 9 weights, covering 3x3, 5x5 and 7x7."""
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.2))
    n = 9
    for ax, rate in zip(axes, (1, 2, 3)):
        c = n // 2
        ax.add_patch(Rectangle((0, 0), n, n, facecolor="white", edgecolor=COLORS["edge"], lw=0.8))
        for t in range(1, n):
            ax.plot([t, t], [0, n], color="#cccccc", lw=0.6)
            ax.plot([0, n], [t, t], color="#cccccc", lw=0.6)
        span = rate * 2 + 1
        ax.add_patch(Rectangle((c - rate, c - rate), span, span, facecolor=COLORS["conv"], alpha=0.5,
                               edgecolor=COLORS["blue"], lw=1.6, ls="--"))
        for dy, dx in _dilated_taps(rate):
            ax.add_patch(Rectangle((c + dx + 0.12, c + dy + 0.12), 0.76, 0.76, facecolor=COLORS["accent"],
                                   edgecolor="none"))
        ax.set_xlim(-0.2, n + 0.2)
        ax.set_ylim(-0.2, n + 0.2)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"rate d = {rate}: covers {span}×{span}\n$k_{{eff}} = d(k-1)+1 = {span}$", fontsize=9.5)
    fig.text(0.5, 0.02, "red: the 9 input pixels a 3×3 kernel reads; dashed: the area it spans",
             ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.83, bottom=0.08, wspace=0.12)
    return fig


def footprint(rates, k=3):
    """How many paths connect one output pixel to each input pixel through stacked dilated k x k convs."""
    size = 1 + sum(r * (k - 1) for r in rates)
    grid = np.zeros((size, size))
    grid[size // 2, size // 2] = 1
    for r in rates:
        out = np.zeros_like(grid)
        for dy, dx in _dilated_taps(r, k):
            out += np.roll(grid, (dy, dx), axis=(0, 1))
        grid = out
    return grid


@figure("papers/img/dilated-gridding.svg")
def dilated_gridding():
    """Gridding: three 3x3 layers at rates (2, 2, 2) skip pixels; rates (1, 2, 3) cover the same 13x13 fully."""
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.9))
    for ax, rates in zip(axes, [(2, 2, 2), (1, 2, 3)]):
        g = footprint(rates)
        seen = (g > 0).sum()
        ax.imshow(np.where(g > 0, g, np.nan), cmap="Blues", interpolation="none", vmin=0)
        ax.set_facecolor("#f4f4f4")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        size = g.shape[0]
        for t in np.arange(size + 1) - 0.5:
            ax.axhline(t, color="white", lw=0.6)
            ax.axvline(t, color="white", lw=0.6)
        ax.set_title(f"rates {rates}: {size}×{size} span,\n{seen} of {size * size} input pixels reached", fontsize=9.5)
    fig.text(0.5, 0.03, "colour: number of paths from one output pixel back to each input pixel "
             "(grey = never read)", ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.86, bottom=0.09, wspace=0.08)
    return fig
