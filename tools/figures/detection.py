"""Detection figures: anchor boxes tiled over a feature-map grid, and IoU of box pairs.

Anchor sizes come from w = s * sqrt(r), h = s / sqrt(r) (area s^2, aspect ratio r = w/h), and IoU
values are computed, as in the anchor-box note.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ._common import COLORS, figure


def anchors_at(cx, cy, scales, ratios):
    """Anchor boxes (x1, y1, x2, y2) centred at (cx, cy): every scale with every aspect ratio."""
    out = []
    for s in scales:
        for r in ratios:
            w, h = s * np.sqrt(r), s / np.sqrt(r)
            out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, s, r))
    return out


def iou(a, b):
    """Intersection over union of two boxes given as (x1, y1, x2, y2)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = lambda z: (z[2] - z[0]) * (z[3] - z[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


@figure("ch3b/img/anchor-boxes.svg")
def anchor_boxes():
    """A stride-16 grid on a 256x192 image; 3 scales x 3 aspect ratios of anchors at two grid cells."""
    stride, width, height = 16, 256, 192
    scales, ratios = (32, 64, 128), (0.5, 1.0, 2.0)
    fig, ax = plt.subplots(figsize=(7.4, 5.0))
    ax.add_patch(Rectangle((0, 0), width, height, facecolor="#f7f7f7", edgecolor=COLORS["edge"], lw=1.0))
    for x in range(0, width + 1, stride):
        ax.plot([x, x], [0, height], color="#dddddd", lw=0.6)
    for y in range(0, height + 1, stride):
        ax.plot([0, width], [y, y], color="#dddddd", lw=0.6)
    cx, cy = np.meshgrid(np.arange(width // stride) * stride + stride / 2,
                         np.arange(height // stride) * stride + stride / 2)
    ax.scatter(cx.ravel(), cy.ravel(), s=4, color="#999999", zorder=2)
    colors = {32: COLORS["accent"], 64: COLORS["blue"], 128: COLORS["green"]}
    styles = {0.5: ":", 1.0: "-", 2.0: "--"}
    for j, i in [(4, 4), (11, 6)]:  # feature-map cells (column j, row i)
        centre = (stride * j + stride / 2, stride * i + stride / 2)
        ax.add_patch(Rectangle((stride * j, stride * i), stride, stride, facecolor="#ffd966", edgecolor="none",
                               zorder=1))
        for x1, y1, x2, y2, s, r in anchors_at(*centre, scales, ratios):
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=colors[s], ls=styles[r],
                                   lw=1.4, zorder=3))
        ax.plot(*centre, marker="o", color="black", ms=3.5, zorder=4)
    handles = [plt.Line2D([], [], color=colors[s], lw=1.6, label=f"scale {s}  (area {s}²)") for s in scales]
    handles += [plt.Line2D([], [], color="#555555", ls=styles[r], lw=1.4, label=f"ratio w:h = {r:g}")
                for r in ratios]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xlim(-60, width + 60)
    ax.set_ylim(height + 60, -60)  # image coordinates: y grows downwards
    ax.set_aspect("equal")
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    ax.set_title("Feature-map stride 16: one grid cell per feature-map position\n"
                 "9 anchors (3 scales × 3 ratios) drawn at two of the 16 × 12 centres", fontsize=9.5)
    ax.grid(False)
    return fig


@figure("ch3b/img/iou.svg")
def iou_examples():
    """Three pairs of boxes with their IoU: barely overlapping, half overlapping, nearly the same."""
    gt = (2.0, 2.0, 8.0, 7.0)
    preds = [(6.0, 5.0, 11.0, 9.5), (4.0, 3.0, 10.0, 8.0), (2.4, 2.2, 8.2, 7.4)]
    fig, axes = plt.subplots(1, 3, figsize=(8.6, 3.2))
    for ax, p in zip(axes, preds):
        ax.add_patch(Rectangle(gt[:2], gt[2] - gt[0], gt[3] - gt[1], facecolor=COLORS["conv"], alpha=0.6,
                               edgecolor=COLORS["blue"], lw=1.6))
        ax.add_patch(Rectangle(p[:2], p[2] - p[0], p[3] - p[1], facecolor=COLORS["dw"], alpha=0.6,
                               edgecolor=COLORS["orange"], lw=1.6))
        ix1, iy1, ix2, iy2 = max(gt[0], p[0]), max(gt[1], p[1]), min(gt[2], p[2]), min(gt[3], p[3])
        if ix2 > ix1 and iy2 > iy1:
            ax.add_patch(Rectangle((ix1, iy1), ix2 - ix1, iy2 - iy1, facecolor="none", hatch="////",
                                   edgecolor=COLORS["accent"], lw=0.0))
        ax.set_xlim(0.5, 12)
        ax.set_ylim(10.5, 0.5)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"IoU = {iou(gt, p):.2f}", fontsize=11)
    handles = [Rectangle((0, 0), 1, 1, facecolor=COLORS["conv"], edgecolor=COLORS["blue"], label="box A"),
               Rectangle((0, 0), 1, 1, facecolor=COLORS["dw"], edgecolor=COLORS["orange"], label="box B"),
               Rectangle((0, 0), 1, 1, facecolor="white", hatch="////", edgecolor=COLORS["accent"],
                         label="A ∩ B")]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.text(0.5, 0.93, "IoU = |A ∩ B| / |A ∪ B| = |A ∩ B| / (|A| + |B| − |A ∩ B|)", ha="center", fontsize=10)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.8, bottom=0.13, wspace=0.05)
    return fig
