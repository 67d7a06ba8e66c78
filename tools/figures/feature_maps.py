"""Feature maps: a fixed synthetic image filtered by hand-made kernels (low-pass, Sobel, Laplacian).

The image is built from shapes with numpy, and the filtering is the same cross-correlation that
convolution layers compute, so the panels show real responses, not sketches.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from ._common import figure
from .conv_ops import corr2d

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float)  # as written in ch-2/[3]
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
BINOMIAL = np.outer([1, 2, 1], [1, 2, 1]) / 16.0


def synthetic_image(size: int = 80) -> np.ndarray:
    """A grey-level test picture: a bright square, a disk, a triangle and a thin diagonal line."""
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    img = 0.15 + 0.1 * xx / size  # gentle horizontal shading: a low frequency the edge filters ignore
    img[10:38, 8:36] = 0.9  # square
    img[(xx - 58) ** 2 + (yy - 22) ** 2 < 13 ** 2] = 0.7  # disk
    tri = (yy > 46) & (yy < 72) & (np.abs(xx - 24) < (yy - 46) * 0.75)
    img[tri] = 0.6
    line = np.abs((yy - 44) - (xx - 44) * 0.9) < 1.0
    img[line & (xx > 44) & (xx < 76)] = 1.0
    return img


def filter_same(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with edge-replicated padding, so the output has the input's size."""
    p = kernel.shape[0] // 2
    return corr2d(np.pad(img, p, mode="edge"), kernel)


def _kernel_text(k: np.ndarray) -> str:
    """A kernel as three short rows of numbers for a panel title."""
    rows = ["  ".join(f"{v:g}".replace("-", "−") for v in row) for row in k]
    return "[" + " ;  ".join(rows) + "]"


@figure("ch-2/img/edge-filters.svg")
def edge_filters():
    """The synthetic image and its responses to a binomial blur, Sobel x / y, gradient magnitude, Laplacian."""
    img = synthetic_image()
    gx = filter_same(img, SOBEL_X)
    gy = filter_same(img, SOBEL_X.T)
    panels = [
        ("input image (80 × 80)", img, "gray", None),
        ("binomial blur (low-pass)\n" + _kernel_text(BINOMIAL * 16) + " / 16", filter_same(img, BINOMIAL),
         "gray", None),
        ("Sobel x (vertical edges)\n" + _kernel_text(SOBEL_X), gx, "RdBu_r", "signed"),
        ("Sobel y (horizontal edges)\n" + _kernel_text(SOBEL_X.T), gy, "RdBu_r", "signed"),
        ("gradient magnitude\n" + "√(Sobel x² + Sobel y²)", np.hypot(gx, gy), "magma", None),
        ("Laplacian (high-pass)\n" + _kernel_text(LAPLACIAN), filter_same(img, LAPLACIAN), "RdBu_r", "signed"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(8.4, 6.0))
    for ax, (title, data, cmap, kind) in zip(axes.ravel(), panels):
        if kind == "signed":
            lim = np.abs(data).max()
            ax.imshow(data, cmap=cmap, vmin=-lim, vmax=lim, interpolation="none")
        else:
            ax.imshow(data, cmap=cmap, vmin=0, vmax=max(1.0, data.max()), interpolation="none")
        ax.set_title(title, fontsize=8.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.text(0.5, 0.015, "red = positive, blue = negative response; filters whose weights sum to 0 give ~0 on flat "
             "and slowly shaded areas", ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.05, wspace=0.06, hspace=0.25)
    return fig
