"""Attention and vision-transformer figures: scaled dot-product attention, Swin windows, ViT patches.

The attention weights, the shifted-window partition and the patch grid are computed with numpy
(softmax of real scores, `np.roll` for the cyclic shift, slicing for patchify).
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ._common import COLORS, arrow, box, figure


def softmax(z, axis=-1):
    """Numerically stable softmax along `axis`."""
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@figure("ch3b/img/scaled-dot-product-attention.svg")
def scaled_dot_product_attention():
    """Left: the data flow of softmax(QK^T / sqrt(d_k)) V. Right: real weights for 4 queries and 6 keys."""
    fig = plt.figure(figsize=(9.2, 4.2))
    ax = fig.add_axes((0.0, 0.0, 0.45, 1.0))
    ax.set_xlim(0, 6)
    ax.set_ylim(-0.3, 7.3)
    ax.set_aspect("equal")
    ax.axis("off")
    steps = [(1.2, "MatMul  $QK^{\\top}$", "attn"), (2.3, "Scale  $1/\\sqrt{d_k}$", "norm"),
             (3.4, "Mask (optional)", "io"), (4.5, "SoftMax (rows)", "act"), (5.8, "MatMul  with V", "attn")]
    x = 2.3
    for i, (y, label, color) in enumerate(steps):
        box(ax, x, y, 2.8, 0.62, label, color, fontsize=9)
        if i:
            arrow(ax, (x, steps[i - 1][0] + 0.31), (x, y - 0.31))
    for xq, label in [(1.5, "Q  (m × $d_k$)"), (3.1, "K  (n × $d_k$)")]:
        ax.text(xq, 0.1, label, ha="center", fontsize=9)
        arrow(ax, (xq, 0.35), (xq, 1.2 - 0.31))
    ax.text(4.9, 4.6, "V  (n × $d_v$)", ha="center", fontsize=9)
    arrow(ax, (4.9, 4.85), (3.7, 5.8 - 0.05))
    arrow(ax, (x, 5.8 + 0.31), (x, 6.7))
    ax.text(x, 6.95, "output  (m × $d_v$)", ha="center", fontsize=9)
    ax.text(4.6, 2.6, "weights:\nm × n,\nrows sum to 1", ha="center", fontsize=8, color="#555555")

    rng = np.random.default_rng(3)
    d_k, m, n = 16, 4, 6
    q = rng.normal(size=(m, d_k))
    k = rng.normal(size=(n, d_k))
    k[2] += 0.8 * q[0]  # make a few query/key pairs clearly similar
    k[5] += 0.8 * q[2]
    w = softmax(q @ k.T / np.sqrt(d_k))
    ax2 = fig.add_axes((0.53, 0.2, 0.43, 0.62))
    ax2.imshow(w, cmap="Purples", vmin=0, vmax=1, interpolation="none")
    for i in range(m):
        for j in range(n):
            ax2.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=8.5,
                     color="white" if w[i, j] > 0.55 else "black")
    ax2.set_xticks(range(n), [f"$k_{j + 1}$" for j in range(n)])
    ax2.set_yticks(range(m), [f"$q_{i + 1}$" for i in range(m)])
    ax2.grid(False)
    ax2.tick_params(length=0)
    for side in ax2.spines.values():
        side.set_visible(False)
    ax2.set_title("softmax($QK^{\\top}/\\sqrt{d_k}$), random q, k with $d_k$ = 16", fontsize=9)
    return fig


def _window_ids(size: int, window: int, shift: int) -> np.ndarray:
    """Label each token of a size x size grid with the window it falls in after shifting by `shift`.

    With shift > 0 the partition is the one SW-MSA uses before the cyclic shift: windows start at
    -shift, so the border windows are smaller.
    """
    idx = (np.arange(size) + shift) // window if shift else np.arange(size) // window
    per_row = idx.max() + 1
    return idx[:, None] * per_row + idx[None, :]


def _draw_tokens(ax, ids, colors, title, window_edges=None, window=None):
    """Tokens as coloured cells (one image pixel each); thick lines mark the attention windows."""
    from matplotlib.colors import to_rgb

    size = ids.shape[0]
    rgb = np.array([to_rgb(colors[i % len(colors)]) for i in ids.ravel()]).reshape(size, size, 3)
    ax.imshow(rgb, extent=(0, size, 0, size), interpolation="none")
    for t in range(1, size):
        ax.plot([t, t], [0, size], color="white", lw=0.8)
        ax.plot([0, size], [t, t], color="white", lw=0.8)
    if window:
        window_edges = [((t, 0), (t, size)) for t in range(0, size + 1, window)]
        window_edges += [((0, t), (size, t)) for t in range(0, size + 1, window)]
    for a, b in window_edges or ():
        ax.plot(*zip(a, b), color="black", lw=2.0)
    ax.set_xlim(-0.2, size + 0.2)
    ax.set_ylim(-0.2, size + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9.5)


@figure("papers/img/swin-shifted-windows.svg")
def swin_shifted_windows():
    """Swin: regular windows (layer l), shifted windows (layer l+1), and the cyclic shift that batches them."""
    size, window = 8, 4
    shift = window // 2
    palette = ["#9fc5e8", "#b6d7a8", "#ffe599", "#f9cb9c", "#d5a6bd", "#a2c4c9", "#b4a7d6", "#ea9999",
               "#d9d9d9"]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.6))
    regular = _window_ids(size, window, 0)
    _draw_tokens(axes[0], regular, ["#cfe2f3", "#d9ead3", "#fff2cc", "#fce5cd"],
                 "Layer l: W-MSA\n4 windows of 4×4 tokens", window=window)
    shifted = _window_ids(size, window, shift)
    edges = []
    for t in (0, 2, 6, 8):  # window borders of the shifted partition: at -2+4k, clipped to the map
        edges += [((t, 0), (t, size)), ((0, t), (size, t))]
    _draw_tokens(axes[1], shifted, palette, "Layer l+1: SW-MSA\nshifted by (2, 2): 9 windows", edges)
    rolled = np.roll(shifted, shift=(-shift, -shift), axis=(0, 1))
    _draw_tokens(axes[2], rolled, palette, "Cyclic shift (torch.roll by −2)\n4 windows again, masked",
                 window=window)
    # the windows that now mix tokens from different shifted windows get masked attention
    n_mixed = sum(len(np.unique(rolled[r:r + window, c:c + window])) > 1
                  for r in range(0, size, window) for c in range(0, size, window))
    fig.text(0.5, 0.02, f"After the roll, {n_mixed} of the 4 windows hold tokens from different colours (different "
             "shifted windows); an attention mask stops those from attending to each other.",
             ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.82, bottom=0.1, wspace=0.12)
    return fig


def _synthetic_rgb(size=64):
    """A smooth, colourful test picture: a sun, a hill and a sky gradient (no external data)."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.zeros((size, size, 3))
    img[..., 0] = 0.55 + 0.3 * yy
    img[..., 1] = 0.75 + 0.15 * yy
    img[..., 2] = 0.95 - 0.2 * yy
    sun = (xx - 0.72) ** 2 + (yy - 0.28) ** 2 < 0.018
    img[sun] = (0.98, 0.78, 0.25)
    hill = yy > 0.62 + 0.12 * np.sin(5 * xx)
    img[hill] = np.stack([0.35 + 0.2 * xx[hill], 0.6 + 0.1 * yy[hill], 0.3 * np.ones(hill.sum())], axis=1)
    return np.clip(img, 0, 1)


@figure("ch3b/img/vit-patchify.svg")
def vit_patchify():
    """ViT input: a 64x64 picture cut into 16 patches of 16x16, flattened into a sequence plus [class]."""
    img = _synthetic_rgb(64)
    p = 16
    patches = [img[r:r + p, c:c + p] for r in range(0, 64, p) for c in range(0, 64, p)]
    fig = plt.figure(figsize=(9.6, 3.4))
    ax = fig.add_axes((0.01, 0.12, 0.26, 0.76))
    ax.imshow(img, interpolation="none")
    for t in range(0, 65, p):
        ax.axhline(t - 0.5, color="white", lw=1.5)
        ax.axvline(t - 0.5, color="white", lw=1.5)
    ax.axis("off")
    ax.set_title("image 64×64, P = 16  →  N = 16 patches", fontsize=9)
    seq = fig.add_axes((0.3, 0.0, 0.69, 1.0))
    seq.set_xlim(-0.9, 17.2)
    seq.set_ylim(-2.3, 3.6)
    seq.set_aspect("equal")
    seq.axis("off")
    seq.add_patch(Rectangle((-0.45, 1.05), 0.9, 0.9, facecolor=COLORS["attn"], edgecolor="black", lw=0.8))
    seq.text(0, 1.5, "cls", ha="center", va="center", fontsize=7.5)
    for i, patch in enumerate(patches):
        x = i + 1
        seq.imshow(patch, extent=(x - 0.45, x + 0.45, 1.05, 1.95), interpolation="none")
        seq.text(x, 0.75, str(i + 1), ha="center", va="top", fontsize=7)
    seq.text(0, 0.75, "0", ha="center", va="top", fontsize=7)
    seq.text(8.0, 2.35, "patches flattened to vectors of $P^2 C$ = 768 numbers, in raster order",
             ha="center", fontsize=8.5)
    box(seq, 8.0, -0.35, 15.6, 0.55, "linear projection E to width D,  + learnable position embedding (0 … N)",
        "conv1", fontsize=8.5)
    arrow(seq, (8.0, 0.3), (8.0, -0.07))
    box(seq, 8.0, -1.6, 15.6, 0.55, "Transformer encoder on N + 1 = 17 tokens; the class token's output is classified",
        "attn", fontsize=8.5)
    arrow(seq, (8.0, -0.63), (8.0, -1.32))
    return fig
