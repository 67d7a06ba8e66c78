"""Whole-network layouts: LeNet-5, VGG-16, U-Net and the FPN top-down pathway.

Shapes are drawn to scale where that helps (feature-map side lengths, channel counts), and the
numbers printed on the figures are computed here from the layer recipes, not typed in.
"""

from __future__ import annotations

import math

from ._common import COLORS, arrow, box, canvas, figure, op_circle, polyline_arrow, slab


def _planes(ax, x, yc, side, n, step, color):
    """`n` square feature maps of side `side`, offset by `step`, vertically centred on yc."""
    for k in reversed(range(n)):
        slab(ax, x + k * step, yc - side / 2 + k * step, side, side, color=color, lw=0.5)
    return x + (n - 1) * step + side


@figure("ch2b/img/lenet5-pipeline.svg")
def lenet5_pipeline():
    """LeNet-5 as in LeCun et al. 1998: C1-S2-C3-S4-C5-F6-output, maps drawn to scale."""
    fig, ax = canvas(10.0, 3.2, (-0.3, 20.8), (-2.6, 2.9))
    scale = 0.075  # drawing units per pixel
    maps = [  # name, channels, side, planes drawn, colour, operation that produced it
        ("input", 1, 32, 1, "io", None),
        ("C1", 6, 28, 6, "conv", "conv\n5×5"),
        ("S2", 6, 14, 6, "pool", "sub-\nsample"),
        ("C3", 16, 10, 16, "conv", "conv\n5×5"),
        ("S4", 16, 5, 16, "pool", "sub-\nsample"),
    ]
    x, side = 0.0, 32
    for i, (name, ch, side, n, color, op) in enumerate(maps):
        if i:
            arrow(ax, (x + 0.2, 0), (x + 1.1, 0))
            ax.text(x + 0.65, 0.12, op, ha="center", va="bottom", fontsize=7.5, color="#555555")
            x += 1.3
        step = 0.16 if n <= 6 else 0.07
        right = _planes(ax, x, 0, side * scale, n, step, color)
        ax.text((x + right) / 2, -1.75, f"{name}\n{ch}@{side}×{side}", ha="center", va="top", fontsize=8.5)
        x = right
    # the fully connected end: vertical bars with height ~ number of units
    for name, units, color, op in [("C5", 120, "conv", "conv\n5×5"), ("F6", 84, "fc", "full"),
                                   ("output", 10, "fc", "RBF")]:
        arrow(ax, (x + 0.2, 0), (x + 1.1, 0))
        ax.text(x + 0.65, 0.12, op, ha="center", va="bottom", fontsize=7.5, color="#555555")
        x += 1.3
        h = max(units * 0.02, 0.35)
        slab(ax, x, -h / 2, 0.28, h, color=color, lw=0.6)
        ax.text(x + 0.14, -1.75, f"{name}\n{units}", ha="center", va="top", fontsize=8.5)
        x += 0.28
    ax.text(10.2, 2.7, "Convolutions (blue) and 2×2 sub-sampling (teal) alternate; side lengths are to scale",
            ha="center", fontsize=8.5, color="#555555")
    return fig


VGG16 = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


@figure("ch2b/img/vgg16-stages.svg")
def vgg16_stages():
    """VGG-16 (configuration D): five blocks of 3x3 convs, each closed by 2x2 max pooling, then 3 FC layers."""
    fig, ax = canvas(10.2, 3.7, (-0.3, 21.5), (-3.6, 3.5))
    size, x = 224, 0.0
    for b, (n_conv, ch) in enumerate(VGG16):
        x0 = x
        h = 3.4 * size / 224 + 0.3
        w = 0.1 + 0.3 * ch / 512
        d = h * 0.3
        for _ in range(n_conv):
            slab(ax, x, -h / 2, w, h, depth=d, color="conv", lw=0.5)
            x += w + d * 0.5 + 0.12
        slab(ax, x, -h / 2, 0.08, h, depth=d, color="act", lw=0.5)  # the 2x2 max pool
        label = f"block{b + 1}\n{n_conv}× conv3-{ch}\n{size}²×{ch}"
        ax.text((x0 + x) / 2 + 0.2, -2.3, label, ha="center", va="top", fontsize=7.8)
        size //= 2
        x += 0.08 + d * 0.5 + 0.9
    for name, units in [("fc6", 4096), ("fc7", 4096), ("fc8", 1000)]:
        h = 0.5 + 2.5 * units / 4096
        slab(ax, x, -h / 2, 0.22, h, depth=0.3, color="fc", lw=0.5)
        ax.text(x + 0.2, -2.3, f"{name}\n{units}", ha="center", va="top", fontsize=7.8)
        x += 1.0
    ax.text(10.5, 3.2, "blue: 3×3 conv (pad 1) + ReLU    red: 2×2 max pool, stride 2    purple: fully connected",
            ha="center", fontsize=8.5, color="#555555")
    ax.text(10.5, 2.65, "each pool halves the side, each block doubles the channels (capped at 512)",
            ha="center", fontsize=8.5, color="#555555")
    return fig


def unet_shapes(size=572, depth=4, base=64):
    """Side lengths and channels along U-Net with unpadded 3x3 convs (Ronneberger et al. 2015).

    Returns (encoder, decoder): lists of per-level [(channels, side), ...] for each map drawn.
    """
    encoder, ch_in = [], 1
    for level in range(depth + 1):
        ch = base * 2 ** level
        maps = [(ch_in, size)] + [(ch, size - 2), (ch, size - 4)]
        encoder.append(maps)
        size, ch_in = (size - 4) // 2, ch
    size, ch = encoder[-1][-1][1], encoder[-1][-1][0]
    decoder = []
    for level in reversed(range(depth)):
        ch //= 2
        size *= 2  # 2x2 up-convolution halves the channels
        decoder.append([(2 * ch, size), (ch, size - 2), (ch, size - 4)])
        size -= 4
    return encoder, decoder[::-1]


@figure("papers/img/unet-shape.svg")
def unet_shape():
    """The U-Net "U": contracting and expanding paths with the paper's sizes for a 572x572 input."""
    encoder, decoder = unet_shapes()
    fig, ax = canvas(10.0, 4.6, (-0.9, 14.6), (-0.4, 6.3))
    dx, shift, h = 0.62, 1.0, 0.78
    centre = shift * 4 + dx + 0.8

    def width(ch):
        return max(0.05, 0.06 * math.sqrt(ch / 16))

    def level_y(level):
        return 5.2 - 1.25 * level

    def bar(xc, level, ch, side, face="conv", label_side=False, split=None):
        y = level_y(level)
        w = width(ch)
        if split:  # concatenated map: copied (grey) half + up-convolved (white) half
            slab(ax, xc - w / 2, y - h / 2, w / 2, h, color="#cccccc", lw=0.5)
            slab(ax, xc, y - h / 2, w / 2, h, color="white", lw=0.5)
        else:
            slab(ax, xc - w / 2, y - h / 2, w, h, color=face, lw=0.5)
        ax.text(xc, y + h / 2 + 0.06, str(ch), ha="center", va="bottom", fontsize=6.5)
        if label_side:
            ax.text(xc - w / 2 - 0.05, y - h / 2, f"{side}²", ha="right", va="bottom", fontsize=6.5,
                    rotation=90, color="#555555")
        return xc, y, w

    enc_last = []
    for level, maps in enumerate(encoder):
        xs = [shift * level + i * dx for i in range(3)]
        if level == len(encoder) - 1:
            xs = [centre - dx, centre, centre + dx]
        prev = None
        for i, (ch, side) in enumerate(maps):
            face = "io" if i == 0 else "conv"
            cur = bar(xs[i], level, ch, side, face, label_side=True)
            if prev:
                arrow(ax, (prev[0] + prev[2] / 2, prev[1]), (cur[0] - cur[2] / 2, cur[1]), color="blue", lw=1.0)
            prev = cur
        if level < len(encoder) - 1:
            nxt = shift * (level + 1) if level + 1 < len(encoder) - 1 else centre - dx
            arrow(ax, (xs[2], level_y(level) - h / 2), (nxt, level_y(level + 1) + h / 2 + 0.2), color="accent")
        enc_last.append(prev)

    for level in reversed(range(len(decoder))):
        maps = decoder[level]
        xs = [2 * centre - (shift * level + i * dx) for i in (2, 1, 0)]
        below_x = centre + dx if level == len(decoder) - 1 else 2 * centre - shift * (level + 1)
        arrow(ax, (below_x, level_y(level + 1) + h / 2 + 0.2), (xs[0], level_y(level) - h / 2), color="green")
        prev = None
        for i, (ch, side) in enumerate(maps):
            cur = bar(xs[i], level, ch, side, split=(i == 0), label_side=(i == 2))
            if prev:
                arrow(ax, (prev[0] + prev[2] / 2, prev[1]), (cur[0] - cur[2] / 2, cur[1]), color="blue", lw=1.0)
            prev = cur
        src = enc_last[level]
        arrow(ax, (src[0] + src[2] / 2 + 0.05, src[1] + 0.15), (xs[0] - width(maps[0][0]) / 2 - 0.05, src[1] + 0.15),
              color="gray", lw=1.0)
        if level == 0:
            out = bar(xs[2] + dx, 0, 2, maps[2][1], face="pool", label_side=False)
            arrow(ax, (prev[0] + prev[2] / 2, prev[1]), (out[0] - out[2] / 2, out[1]), color="purple", lw=1.0)
            ax.text(out[0] + 0.15, out[1], "output\nsegmentation\nmap", fontsize=7.5, va="center")
    ax.text(-0.6, level_y(0) + h / 2 + 0.35, "input tile 572 × 572", fontsize=8)
    legend = [("blue", "conv 3×3 (no padding), ReLU"), ("accent", "max pool 2×2"), ("green", "up-conv 2×2"),
              ("gray", "copy and crop"), ("purple", "conv 1×1")]
    for i, (c, text) in enumerate(legend):
        yy = 1.4 - 0.33 * i
        xx = 9.6
        arrow(ax, (xx, yy), (xx + 0.5, yy), color=c)
        ax.text(xx + 0.6, yy, text, va="center", fontsize=7.5)
    ax.text(-0.6, 0.2, "numbers above bars: channels\nrotated numbers: side length", fontsize=7.5,
            color="#555555")
    return fig


@figure("papers/img/fpn-top-down.svg")
def fpn_top_down():
    """FPN: bottom-up ResNet stages C2..C5, 1x1 lateral connections, 2x top-down upsampling, 3x3 output convs."""
    fig, ax = canvas(8.8, 5.6, (-0.6, 11.6), (-1.0, 7.4))
    levels = [(2, 4, 2.0, 1.1), (3, 8, 1.55, 2.95), (4, 16, 1.15, 4.5), (5, 32, 0.85, 5.8)]
    xc, xs, xp = 1.6, 5.0, 7.0
    ax.text(xc, 7.1, "bottom-up (ResNet)", ha="center", fontsize=9.5, weight="bold")
    ax.text(xp + 0.2, 7.1, "top-down + lateral", ha="center", fontsize=9.5, weight="bold")
    box(ax, xc, 0.0, 1.6, 0.45, "image", "io")
    prev_top = 0.22
    prev_p = None
    for i, (k, stride, side, y) in enumerate(levels):
        slab(ax, xc - side / 2, y - side * 0.35, side, side * 0.7, depth=side * 0.5, color="conv", lw=0.6)
        ax.text(xc - side / 2 - 0.12, y, f"$C_{k}$\n/{stride}", ha="right", va="center", fontsize=9)
        arrow(ax, (xc, prev_top), (xc, y - side * 0.35))
        prev_top = y + side * 0.35 + side * 0.25
        slab(ax, xp - side / 2, y - side * 0.35, side, side * 0.7, depth=side * 0.5, color="conv1", lw=0.6)
        ax.text(xp + side * 0.5 + side * 0.25 + 0.15, y + 0.05, f"$P_{k}$", ha="left", va="center", fontsize=10)
        arrow(ax, (9.3, y), (10.1, y), color="purple")
        ax.text(10.2, y, "predict", va="center", fontsize=8.5, color=COLORS["purple"])
        # lateral 1x1 conv into the sum (or straight to P5 at the top)
        arrow(ax, (xc + side / 2 + side * 0.5, y), (xs - 0.18, y), color="green")
        ax.text((xc + xs) / 2 + 0.3, y + 0.12, "1×1 conv", ha="center", fontsize=7.5, color=COLORS["green"])
        if k < 5:
            op_circle(ax, xs, y, "+", r=0.16, fontsize=10)
        else:  # the top level has nothing to add: its merged map is the lateral output itself
            ax.plot([xs - 0.18, xs + 0.16], [y, y], color=COLORS["edge"], lw=1.1)
        arrow(ax, (xs + 0.16, y), (xp - side / 2, y))
        ax.text((xs + xp - side / 2) / 2, y + 0.12, "3×3", ha="center", fontsize=7.5)
    for (k, _, side, y), (_, _, side_up, y_up) in zip(levels[:-1], levels[1:]):
        arrow(ax, (xs, y_up - (0.16 if k + 1 < 5 else 0)), (xs, y + 0.16), color="accent")
        ax.text(xs + 0.1, (y + y_up) / 2, "2× up\n(nearest)", ha="left", va="center", fontsize=7.5,
                color=COLORS["accent"])
    ax.text(5.0, -0.7, "all P levels have d = 256 channels, so one head is shared across levels",
            ha="center", fontsize=8.5, color="#555555")
    return fig
