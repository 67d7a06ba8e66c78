"""Building blocks of CNN architectures: residual, Inception, SE, separable and ASPP blocks.

Each diagram is drawn in data units on a frameless, equal-aspect axes (see `_common.canvas`);
layer types keep the same colours across figures (conv blue, 1x1 conv green, depthwise orange,
BN yellow, activation red, pooling teal, FC purple).
"""

from __future__ import annotations

import numpy as np

from ._common import COLORS, arrow, box, canvas, figure, op_circle, polyline_arrow, slab


def _chain(ax, cx, items, gap_arrows=True, w=2.6, h=0.5):
    """Draw boxes (y, label, colour) at x = cx, joined top to bottom by arrows."""
    for i, (y, label, color) in enumerate(items):
        box(ax, cx, y, w if color not in ("act",) else w * 0.55, h if color != "act" else h * 0.8, label, color)
        if gap_arrows and i:
            prev_y, _, prev_c = items[i - 1]
            top = y + (h if color != "act" else h * 0.8) / 2
            bottom = prev_y - (h if prev_c != "act" else h * 0.8) / 2
            arrow(ax, (cx, bottom), (cx, top))


@figure("ch2b/img/residual-block.svg")
def residual_block():
    """Basic block (ResNet-18/34) next to the bottleneck block (ResNet-50/101/152), after He et al. Fig. 5."""
    fig, ax = canvas(8.2, 5.6, (-0.4, 10.6), (0.3, 8.4))
    panels = [
        (2.4, "Basic block (ResNet-18/34)", "64-d", [
            (6.6, "3×3 conv, 64  +  BN", "conv"),
            (5.6, "ReLU", "act"),
            (4.6, "3×3 conv, 64  +  BN", "conv"),
        ]),
        (7.6, "Bottleneck block (ResNet-50/101/152)", "256-d", [
            (6.8, "1×1 conv, 64  +  BN", "conv1"),
            (6.1, "ReLU", "act"),
            (5.4, "3×3 conv, 64  +  BN", "conv"),
            (4.7, "ReLU", "act"),
            (4.0, "1×1 conv, 256  +  BN", "conv1"),
        ]),
    ]
    for cx, title, dim, items in panels:
        ax.text(cx, 8.2, title, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(cx, 7.55, f"x  ({dim})", ha="center", va="center", fontsize=9)
        arrow(ax, (cx, 7.38), (cx, items[0][0] + 0.25))
        _chain(ax, cx, items)
        y_add = 3.1
        arrow(ax, (cx, items[-1][0] - 0.25), (cx, y_add + 0.18))
        op_circle(ax, cx, y_add)
        # identity shortcut: leaves the input above the first layer, re-enters at the sum
        polyline_arrow(ax, [(cx, 7.25), (cx + 1.85, 7.25), (cx + 1.85, y_add), (cx + 0.18, y_add)], color="accent")
        ax.text(cx + 1.95, 5.2, "identity\nshortcut  x", ha="left", va="center", fontsize=8.5, color=COLORS["accent"])
        ax.text(cx - 1.45, (items[0][0] + items[-1][0]) / 2, "F(x)", ha="right", va="center", fontsize=10,
                style="italic", color=COLORS["blue"])
        box(ax, cx, 2.2, 2.6 * 0.55, 0.4, "ReLU", "act")
        arrow(ax, (cx, y_add - 0.18), (cx, 2.4))
        arrow(ax, (cx, 2.0), (cx, 1.45))
        ax.text(cx, 1.2, f"F(x) + x  ({dim})", ha="center", va="center", fontsize=9)
    ax.text(5.0, 0.55, "3×3 convs in the basic block; 1×1 reduce → 3×3 → 1×1 expand (×4) in the bottleneck",
            ha="center", fontsize=8.5, color="#555555")
    return fig


@figure("ch2b/img/inception-module.svg")
def inception_module():
    """Inception module with dimension reduction, with the channel numbers of inception (3a)."""
    fig, ax = canvas(8.0, 4.9, (-0.2, 10.6), (-1.1, 6.2))
    xs = [1.3, 3.9, 6.5, 9.1]
    box(ax, 5.2, 0.4, 5.2, 0.55, "Previous layer: 192 × 28 × 28", "io")
    box(ax, 5.2, 5.6, 6.6, 0.55, "Filter concatenation: 64 + 128 + 32 + 32 = 256 channels", "io")
    branches = [
        [(3.6, "1×1 conv, 64", "conv1")],
        [(2.0, "1×1 conv, 96", "conv1"), (3.6, "3×3 conv, 128", "conv")],
        [(2.0, "1×1 conv, 16", "conv1"), (3.6, "5×5 conv, 32", "conv")],
        [(2.0, "3×3 max pool, s 1", "pool"), (3.6, "1×1 conv, 32", "conv1")],
    ]
    for x, layers in zip(xs, branches):
        arrow(ax, (x * 0.25 + 5.2 * 0.75, 0.68), (x, layers[0][0] - 0.3))
        for i, (y, label, color) in enumerate(layers):
            box(ax, x, y, 2.45, 0.6, label, color)
            if i:
                arrow(ax, (x, layers[i - 1][0] + 0.3), (x, y - 0.3))
        arrow(ax, (x, layers[-1][0] + 0.3), (x * 0.25 + 5.2 * 0.75, 5.32))
    ax.text(5.2, -0.35, "All branches keep 28 × 28 (padding), so their outputs stack along the channel axis.",
            ha="center", fontsize=8.5, color="#555555")
    ax.text(5.2, -0.8, "Green 1×1 convs cut 192 channels down before the costly 3×3 and 5×5 convs.",
            ha="center", fontsize=8.5, color=COLORS["green"])
    return fig


def _mix_white(color: str, weight: float):
    """`color` blended with white; weight 1 keeps the colour, 0 gives white."""
    from matplotlib.colors import to_rgb

    return tuple(weight * c + (1 - weight) for c in to_rgb(color))


def _channel_stack(ax, x, y, colors, w=1.3, h=1.3, step=0.16):
    """A feature map as a stack of channel planes, front plane at (x, y) lower-left."""
    for k in reversed(range(len(colors))):
        slab(ax, x + k * step, y + k * step * 0.7, w, h, color=colors[k], lw=0.6)
    return x + (len(colors) - 1) * step + w, y + h / 2


@figure("papers/img/se-block.svg")
def se_block():
    """Squeeze-and-Excitation block: GAP, FC-ReLU-FC-sigmoid, then channel-wise rescaling."""
    rng = np.random.default_rng(7)
    c = 6
    palette = ["#6fa8dc", "#93c47d", "#f6b26b", "#e06666", "#8e7cc3", "#76a5af"]
    s = np.round(rng.uniform(0.1, 1.0, size=c), 2)  # illustrative channel weights
    fig, ax = canvas(9.6, 3.6, (-0.3, 14.4), (-1.0, 4.3))
    right, _ = _channel_stack(ax, 0.0, 1.9, palette)
    ax.text(1.05, 1.5, "U:  C × H × W", ha="center", fontsize=9)
    chain = [(3.45, "Squeeze\nglobal avg pool", "pool", 1.9), (5.55, "FC\nC → C/r", "fc", 1.3),
             (7.1, "ReLU", "act", 0.9), (8.6, "FC\nC/r → C", "fc", 1.3), (10.2, "sigmoid", "act", 1.1)]
    y = 2.95
    arrow(ax, (right, y), (chain[0][0] - chain[0][3] / 2, y))
    for i, (x, label, color, w) in enumerate(chain):
        box(ax, x, y, w, 0.85, label, color, fontsize=8.5)
        if i:
            arrow(ax, (chain[i - 1][0] + chain[i - 1][3] / 2, y), (x - w / 2, y))
    ax.text(3.45, 3.75, "1 × 1 × C", ha="center", fontsize=8.5)
    ax.text(7.1, 3.75, "Excitation (r = 16 in the paper)", ha="center", fontsize=8.5, color=COLORS["purple"])
    # the channel weights s as a column of cells, shaded by their value
    x_s = 11.45
    arrow(ax, (10.75, y), (x_s - 0.05, y))
    for k in range(c):
        yy = y + 0.75 - k * 0.3
        slab(ax, x_s, yy - 0.15, 0.45, 0.3, color=_mix_white(palette[k], s[k]), lw=0.6)
        ax.text(x_s + 0.55, yy, f"{s[k]:.2f}", va="center", fontsize=7.5)
    ax.text(x_s + 0.25, y + 1.2, "$s \\in (0,1)^C$", ha="center", fontsize=9)
    # scale: U times s, channel by channel
    op_circle(ax, 11.68, 0.6, "×")
    polyline_arrow(ax, [(11.68, y - 0.93), (11.68, 0.78)])
    polyline_arrow(ax, [(1.0, 1.9), (1.0, 0.6), (11.5, 0.6)])
    ax.text(6.0, 0.75, "U  (identity path)", ha="center", fontsize=8.5)
    arrow(ax, (11.86, 0.6), (12.3, 0.6))
    _channel_stack(ax, 12.35, -0.05, [_mix_white(p, w) for p, w in zip(palette, s)], w=1.0, h=1.0, step=0.12)
    ax.text(13.0, -0.55, "Scale: $\\tilde{x}_c = s_c\\, u_c$", ha="center", fontsize=9)
    return fig


def _planes(ax, x, y, colors, size=0.9, step=0.18, label=None):
    """Feature maps as offset square planes; returns the right edge x."""
    for k in reversed(range(len(colors))):
        slab(ax, x + k * step, y + k * step * 0.6, size, size, color=colors[k], lw=0.6)
    if label:
        ax.text(x + size / 2 + (len(colors) - 1) * step / 2, y - 0.35, label, ha="center", fontsize=8.5)
    return x + (len(colors) - 1) * step + size


@figure("ch3b/img/depthwise-separable.svg")
def depthwise_separable():
    """Standard convolution versus depthwise + pointwise convolution, with their weight counts."""
    cin = ["#6fa8dc", "#93c47d", "#f6b26b", "#e06666"]
    mixed = ["#b4a7d6"] * 5
    fig, ax = canvas(9.4, 5.2, (-0.4, 14.6), (-1.1, 7.2))
    ax.text(0, 6.9, "Standard convolution: every kernel sees all M input channels", fontsize=10, weight="bold")
    r = _planes(ax, 0.0, 4.6, cin, label="input, M = 4")
    ax.text(r + 0.5, 5.05, "⊛", fontsize=16, va="center")
    for n in range(3):
        _planes(ax, r + 1.2 + n * 1.35, 4.75, cin, size=0.55, step=0.11)
    ax.text(r + 5.3, 5.0, "× N", fontsize=10, va="center")
    ax.text(r + 3.1, 4.25, "N kernels, each 3 × 3 × M", ha="center", fontsize=8.5)
    arrow(ax, (r + 6.0, 5.05), (r + 6.9, 5.05))
    _planes(ax, r + 7.1, 4.6, mixed, label="output, N = 5")
    ax.text(14.4, 5.05, "weights: $D_K^2\\,M\\,N$", ha="right", va="center", fontsize=10)

    ax.text(0, 3.1, "Depthwise separable: spatial filtering and channel mixing done apart", fontsize=10,
            weight="bold")
    r = _planes(ax, 0.0, 0.8, cin, label="input, M = 4")
    ax.text(r + 0.35, 1.25, "⊛", fontsize=16, va="center")
    for k, col in enumerate(cin):
        slab(ax, r + 0.95 + k * 0.62, 1.0, 0.5, 0.5, color=col, lw=0.6)
    ax.text(r + 2.05, 0.45, "depthwise: one 3 × 3\nkernel per channel", ha="center", fontsize=8, va="top")
    arrow(ax, (r + 3.45, 1.25), (r + 4.05, 1.25))
    r2 = _planes(ax, r + 4.15, 0.8, cin, size=0.8, label="M maps")
    ax.text(r2 + 0.3, 1.25, "⊛", fontsize=16, va="center")
    for n in range(2):
        _planes(ax, r2 + 0.95 + n * 0.8, 1.05, cin, size=0.3, step=0.08)
    ax.text(r2 + 2.75, 1.2, "× N", fontsize=10, va="center")
    ax.text(r2 + 1.55, 0.45, "pointwise: N kernels\nof 1 × 1 × M", ha="center", fontsize=8, va="top")
    arrow(ax, (r2 + 3.3, 1.25), (r2 + 3.9, 1.25))
    _planes(ax, r2 + 4.0, 0.8, mixed, size=0.8, label="N = 5")
    ax.text(7.0, -0.85, "weights: $D_K^2\\,M + M\\,N$   (ratio to standard: $1/N + 1/D_K^2$)", ha="center",
            fontsize=10)
    return fig


@figure("ch3b/img/inverted-residual.svg")
def inverted_residual():
    """ResNet bottleneck (wide-narrow-wide) next to MobileNetV2's inverted residual (narrow-wide-narrow)."""
    fig, ax = canvas(8.4, 4.6, (-0.2, 11.4), (-0.6, 5.9))

    def column(cx, title, layers, note):
        ax.text(cx, 5.6, title, ha="center", fontsize=10, weight="bold")
        for i, (y, width, label, color) in enumerate(layers):
            box(ax, cx, y, width, 0.64, label, color, fontsize=8.5)
            if i:
                arrow(ax, (cx, layers[i - 1][0] - 0.32), (cx, y + 0.32))
        top, bottom = layers[0], layers[-1]
        x_side = cx + max(w for _, w, _, _ in layers) / 2 + 0.35
        polyline_arrow(ax, [(cx + top[1] / 2, top[0]), (x_side, top[0]), (x_side, bottom[0]),
                            (cx + bottom[1] / 2, bottom[0])], color="accent")
        ax.text(cx, 0.05, note, ha="center", fontsize=8.5, color="#555555")

    narrow, wide = 1.7, 3.9
    column(2.6, "ResNet bottleneck", [
        (4.85, wide, "256 ch", "io"),
        (3.9, narrow, "1×1, 64\nReLU", "conv1"),
        (2.95, narrow, "3×3, 64\nReLU", "conv"),
        (2.0, wide, "1×1, 256", "conv1"),
        (1.05, wide, "256 ch  (+ x, then ReLU)", "io"),
    ], "wide → narrow → wide")
    column(8.1, "MobileNetV2 inverted residual", [
        (4.85, narrow, "24 ch", "io"),
        (3.9, wide, "1×1 expand ×6 → 144, ReLU6", "conv1"),
        (2.95, wide, "3×3 depthwise, 144, ReLU6", "dw"),
        (2.0, narrow, "1×1, 24\nlinear", "conv1"),
        (1.05, narrow, "24 ch\n(+ x)", "io"),
    ], "narrow → wide → narrow, no ReLU after the projection")
    ax.text(5.4, -0.45, "Box width stands for the number of channels; the red line is the residual connection.",
            ha="center", fontsize=8, color="#777777")
    return fig


@figure("papers/img/aspp.svg")
def aspp():
    """DeepLabv3's ASPP head at output_stride 16: 1x1, three atrous 3x3 (rates 6/12/18) and image pooling."""
    fig, ax = canvas(8.6, 4.4, (-0.3, 12.3), (-0.2, 5.9))
    box(ax, 1.2, 2.8, 2.0, 1.2, "ResNet block4\noutput\n(stride 16)", "io", fontsize=8.5)
    branches = [
        ("1×1 conv", "conv1"),
        ("3×3 conv, rate 6", "conv"),
        ("3×3 conv, rate 12", "conv"),
        ("3×3 conv, rate 18", "conv"),
        ("image pooling:\nGAP → 1×1 → upsample", "pool"),
    ]
    ys = [5.0, 3.9, 2.8, 1.7, 0.5]
    for (label, color), y in zip(branches, ys):
        box(ax, 5.0, y, 3.0, 0.75 if y != 0.5 else 0.9, label, color, fontsize=8.5)
        arrow(ax, (2.2, 2.8), (3.5, y), rad=0.0)
        arrow(ax, (6.5, y), (7.75, 2.8 + (y - 2.8) * 0.25))
    ax.text(5.0, 5.65, "5 parallel branches, 256 channels each, all with BN (rates double at output_stride 8)",
            ha="center", fontsize=8.5, color="#555555")
    box(ax, 8.35, 2.8, 1.2, 1.6, "concat\n+\n1×1 conv", "io", fontsize=8.5)
    arrow(ax, (8.95, 2.8), (9.7, 2.8))
    box(ax, 10.8, 2.8, 2.0, 0.9, "1×1 conv →\nclass logits", "conv1", fontsize=8.5)
    return fig
