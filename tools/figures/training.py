"""Training-behaviour figures computed for real with numpy.

- polynomial regression on the notebook's toy problem (y = 1.2x^3 - 0.8x + 0.3 + noise, 20 points):
  fits of degree 1/3/15, train vs validation error against degree, and ridge (weight decay) strength;
- a dropout diagram with a seeded mask;
- gradient descent on a 2-D quadratic at four learning rates;
- the saddle f = x^2 - y^2 with plain gradient descent and Adam started next to it.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse

from ._common import COLORS, figure

NOISE = 0.1


def make_data(n, rng):
    """Samples of y = 1.2x^3 - 0.8x + 0.3 + N(0, 0.1^2) with x uniform on [-1, 1]."""
    x = rng.uniform(-1, 1, n)
    return x, truth(x) + NOISE * rng.normal(size=n)


def truth(x):
    """The noiseless cubic behind the toy data."""
    return 1.2 * x ** 3 - 0.8 * x + 0.3


def features(x, degree):
    """Polynomial features 1, x, ..., x^degree."""
    return np.vander(x, degree + 1, increasing=True)


def fit(x, y, degree, lam=0.0):
    """Least squares, or ridge with penalty lam/2 * ||w||^2 on all but the bias (loss averaged over n).

    Ridge is solved as the stacked least-squares problem [X; sqrt(n lam) I'] w = [y; 0], which is
    the normal equation (X^T X + n lam I') w = X^T y without squaring X's condition number.
    """
    X = features(x, degree)
    if lam > 0:
        reg = np.sqrt(len(x) * lam) * np.eye(degree + 1)[1:]
        X = np.vstack([X, reg])
        y = np.concatenate([y, np.zeros(degree)])
    return np.linalg.lstsq(X, y, rcond=None)[0]


def mse(x, y, w):
    """Mean squared error of the polynomial with coefficients w."""
    return float(np.mean((features(x, len(w) - 1) @ w - y) ** 2))


def toy_problem():
    """The fixed training set (20 points) and validation set (1000 points)."""
    rng = np.random.default_rng(42)
    return make_data(20, rng), make_data(1000, rng)


@figure("ch1b/img/poly-fit.svg")
def poly_fit():
    """Degree 1, 3 and 15 least-squares fits to the same 20 noisy points."""
    (xt, yt), (xv, yv) = toy_problem()
    grid = np.linspace(-1, 1, 300)
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.0), sharey=True)
    for ax, degree, title in zip(axes, (1, 3, 15), ("underfitting", "about right", "overfitting")):
        w = fit(xt, yt, degree)
        ax.plot(grid, truth(grid), color=COLORS["gray"], ls="--", lw=1.2, label="true cubic")
        ax.plot(grid, features(grid, degree) @ w, color=COLORS["accent"], label=f"degree {degree} fit")
        ax.scatter(xt, yt, s=14, color=COLORS["blue"], zorder=3, label="20 training points")
        ax.set_title(f"degree {degree}: {title}\ntrain MSE {mse(xt, yt, w):.4f}, validation MSE "
                     f"{mse(xv, yv, w):.3g}", fontsize=9)
        ax.set_ylim(-1.0, 1.7)
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")
    axes[0].legend(frameon=False, loc="upper left", fontsize=7.5)
    fig.tight_layout()
    return fig


@figure("ch1b/img/poly-degree-error.svg")
def poly_degree_error():
    """Training and validation MSE for polynomial degrees 0..15 on the toy problem (log scale)."""
    (xt, yt), (xv, yv) = toy_problem()
    degrees = np.arange(16)
    train, val = [], []
    for d in degrees:
        w = fit(xt, yt, d)
        train.append(mse(xt, yt, w))
        val.append(mse(xv, yv, w))
    best = int(degrees[np.argmin(val)])
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.semilogy(degrees, train, "o-", color=COLORS["blue"], ms=4, label="training MSE (20 points)")
    ax.semilogy(degrees, val, "s-", color=COLORS["accent"], ms=4, label="validation MSE (1000 points)")
    ax.axhline(NOISE ** 2, color=COLORS["gray"], ls=":", lw=1.0)
    ax.text(15, NOISE ** 2 * 1.3, "noise variance 0.01", fontsize=8, color="#555555", ha="right")
    ax.axvline(best, color=COLORS["green"], lw=1.0, ls="--")
    ax.text(best + 0.2, max(val) * 0.3, f"lowest validation\nerror: degree {best}", fontsize=8.5,
            color=COLORS["green"], va="top")
    ax.text(0.5, max(val) * 0.3, "underfitting", fontsize=9, color="#555555", va="top")
    ax.text(11.0, max(val) * 0.3, "overfitting", fontsize=9, color="#555555", va="top")
    ax.set_xticks(degrees)
    ax.set_xlabel("polynomial degree (model capacity)")
    ax.set_ylabel("mean squared error")
    ax.legend(frameon=False, loc="center left")
    fig.tight_layout()
    return fig


@figure("ch1b/img/weight-decay.svg")
def weight_decay():
    """Ridge-regularised degree-15 fits: the fitted curves and the errors as the decay strength grows."""
    (xt, yt), (xv, yv) = toy_problem()
    degree = 15
    grid = np.linspace(-1, 1, 200)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.5))
    ax1.plot(grid, truth(grid), color=COLORS["gray"], ls="--", lw=1.2, label="true cubic")
    for lam, color in [(0.0, COLORS["accent"]), (1e-5, COLORS["orange"]), (1e-2, COLORS["green"]),
                       (1.0, COLORS["purple"])]:
        w = fit(xt, yt, degree, lam)
        ax1.plot(grid, features(grid, degree) @ w, color=color, label=f"λ = {lam:g}")
    ax1.scatter(xt, yt, s=14, color=COLORS["blue"], zorder=3)
    ax1.set_ylim(-1.0, 1.7)
    ax1.set_xlabel("x")
    ax1.set_title("degree-15 polynomial, 20 points", fontsize=9.5)
    ax1.legend(frameon=False, fontsize=7.5, loc="lower center", ncol=2)
    lams = np.logspace(-9, 1, 41)
    tr, va, norm = [], [], []
    for lam in lams:
        w = fit(xt, yt, degree, lam)
        tr.append(mse(xt, yt, w))
        va.append(mse(xv, yv, w))
        norm.append(np.linalg.norm(w[1:]))
    ax2.loglog(lams, tr, color=COLORS["blue"], label="training MSE")
    ax2.loglog(lams, va, color=COLORS["accent"], label="validation MSE")
    ax2.set_xlabel("weight decay λ")
    ax2.set_ylabel("mean squared error")
    best = lams[int(np.argmin(va))]
    ax2.axvline(best, color=COLORS["green"], ls="--", lw=1.0)
    ax3 = ax2.twinx()
    ax3.loglog(lams, norm, color=COLORS["gray"], ls=":", label="‖w‖ (right axis)")
    ax3.set_ylabel("‖w‖ without bias", color="#555555")
    ax3.grid(False)
    ax3.spines["right"].set_visible(True)
    lines = ax2.get_lines()[:2] + ax3.get_lines()
    ax2.legend(lines, [ln.get_label() for ln in lines], frameon=False, fontsize=7.5, loc="upper center")
    ax2.set_title(f"best validation error at λ ≈ {best:.1g}", fontsize=9.5)
    fig.tight_layout()
    return fig


def _mlp_positions(layers, width=3.0, height=3.2):
    """Node coordinates of a fully connected net, one column per layer."""
    pos = []
    for i, n in enumerate(layers):
        x = i * width / (len(layers) - 1)
        ys = np.linspace(-height / 2, height / 2, n) if n > 1 else np.array([0.0])
        pos.append([(x, y) for y in ys])
    return pos


@figure("ch1b/img/dropout.svg")
def dropout():
    """Dropout with p = 0.5 on the two hidden layers: the full net, one training step, and test time."""
    layers = [4, 6, 6, 2]
    pos = _mlp_positions(layers)
    rng = np.random.default_rng(5)
    keep = [np.ones(4, bool)] + [rng.random(6) > 0.5 for _ in range(2)] + [np.ones(2, bool)]
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.4))
    titles = ["standard network", "one training step, p = 0.5\n(a new random mask every step)",
              "test time: all units,\nno rescaling (inverted dropout)"]
    for k, (ax, title) in enumerate(zip(axes, titles)):
        mask = keep if k == 1 else [np.ones(n, bool) for n in layers]
        edges = [(pa, pb) for li in range(len(layers) - 1)
                 for a, pa in enumerate(pos[li]) for b, pb in enumerate(pos[li + 1])
                 if mask[li][a] and mask[li + 1][b]]
        ax.add_collection(LineCollection(edges, colors="#9e9e9e", linewidths=0.6, zorder=1))
        on_xy, on_face, off_xy, scaled_xy = [], [], [], []
        for li, col in enumerate(pos):
            hidden = 0 < li < len(layers) - 1
            for a, xy in enumerate(col):
                if mask[li][a]:
                    on_xy.append(xy)
                    on_face.append(COLORS["conv"] if hidden else COLORS["io"])
                    if k == 1 and hidden:
                        scaled_xy.append(xy)
                else:
                    off_xy.append(xy)
        ax.scatter(*zip(*on_xy), s=260, c=on_face, edgecolors=COLORS["edge"], linewidths=1.0, zorder=2)
        if off_xy:
            ax.scatter(*zip(*off_xy), s=260, c="white", edgecolors="#bbbbbb", linewidths=1.0, zorder=2)
            ax.scatter(*zip(*off_xy), s=110, marker="x", c=COLORS["accent"], linewidths=1.5, zorder=3)
        for x, y in scaled_xy:
            ax.text(x, y, "×2", ha="center", va="center", fontsize=6.5, zorder=3)
        ax.set_xlim(-0.4, 3.4)
        ax.set_ylim(-2.0, 2.0)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=9)
    fig.text(0.5, 0.03, "training: dropped units output 0, kept ones are scaled by 1/(1−p) = 2 so the "
             "expected activation is unchanged", ha="center", fontsize=8.5, color="#444444")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.84, bottom=0.1, wspace=0.05)
    return fig


def gradient_descent(grad, start, lr, steps):
    """Iterates of x <- x - lr * grad(x)."""
    path = [np.asarray(start, float)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


@figure("ch1a/img/gd-learning-rates.svg")
def gd_learning_rates():
    """Gradient descent on f = (x^2 + 10 y^2) / 2 at four learning rates.

    With curvatures 1 and 10, a step size η shrinks x by |1 - η| and y by |1 - 10η| per step, so
    η < 2/10 is needed for convergence and η = 2/(1 + 10) ≈ 0.18 gives the best worst-case rate.
    """
    A = np.array([1.0, 10.0])
    f = lambda p: 0.5 * (A * p ** 2).sum(axis=-1)  # noqa: E731
    grad = lambda p: A * p  # noqa: E731
    start, steps = (-4.5, 1.5), 30
    rates = [(0.02, "slow"), (0.09, "smooth"), (0.18, "fastest rate, zig-zags"), (0.21, "diverges")]
    colors = [COLORS["blue"], COLORS["green"], COLORS["orange"], COLORS["accent"]]
    fig = plt.figure(figsize=(9.6, 4.4))
    gs = fig.add_gridspec(2, 4, height_ratios=[1.0, 1.5])
    ax_loss = fig.add_subplot(gs[1, :])
    for k, ((lr, label), color) in enumerate(zip(rates, colors)):
        ax = fig.add_subplot(gs[0, k])
        for level in (0.5, 2, 5, 10, 18):  # level sets of f are ellipses with semi-axes sqrt(2c / a_i)
            ax.add_patch(Ellipse((0, 0), 2 * np.sqrt(2 * level), 2 * np.sqrt(2 * level / 10), fill=False,
                                 edgecolor="#bbbbbb", lw=0.7))
        path = gradient_descent(grad, start, lr, steps)
        ax.plot(path[:, 0], path[:, 1], "o-", color=color, ms=2.5, lw=1.0)
        ax.plot(0, 0, "k*", ms=7)
        ax.set_xlim(-5, 5)
        ax.set_ylim(-2.2, 2.2)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_title(f"η = {lr}: {label}", fontsize=9)
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color("#cccccc")
        ax_loss.semilogy(np.arange(steps + 1), f(path), color=color, lw=1.6, label=f"η = {lr}")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("f(x, y)")
    ax_loss.set_ylim(1e-5, 1e4)
    ax_loss.legend(frameon=False, ncol=4, loc="upper center")
    fig.suptitle("f(x, y) = (x² + 10y²)/2, 30 steps from (−4.5, 1.5); converges only for η < 2/10", fontsize=10)
    fig.tight_layout()
    return fig


def adam(grad, start, lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    """Iterates of Adam (Kingma & Ba 2015, Algorithm 1) with bias correction."""
    p = np.asarray(start, float)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    path = [p]
    for t in range(1, steps + 1):
        g = grad(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        path.append(p)
    return np.array(path)


@figure("papers/img/saddle-point.svg")
def saddle_point():
    """The saddle f = x^2 - y^2: its surface, and gradient descent vs Adam started just off the saddle."""
    f = lambda p: p[..., 0] ** 2 - p[..., 1] ** 2  # noqa: E731
    grad = lambda p: np.array([2 * p[0], -2 * p[1]])  # noqa: E731
    start, steps, lr = (1.5, 1e-3), 30, 0.1
    gd = gradient_descent(grad, start, lr, steps)
    ad = adam(grad, start, lr, steps)
    fig = plt.figure(figsize=(7.6, 3.6))
    ax3d = fig.add_subplot(1, 2, 1, projection="3d")
    g = np.linspace(-2, 2, 11)
    gx, gy = np.meshgrid(g, g)
    ax3d.plot_surface(gx, gy, gx ** 2 - gy ** 2, cmap="coolwarm", edgecolor="#555555", linewidth=0.2,
                      antialiased=False)
    ax3d.set_xlabel("x", labelpad=-8)
    ax3d.set_ylabel("y", labelpad=-8)
    ax3d.set_zlabel("f", labelpad=-8)
    ax3d.set_xticks([-2, 0, 2])
    ax3d.set_yticks([-2, 0, 2])
    ax3d.set_zticks([-4, 0, 4])
    ax3d.tick_params(labelsize=7, pad=-2)
    ax3d.view_init(elev=25, azim=-55)
    ax3d.grid(False)
    ax3d.set_title("f(x, y) = x² − y²: minimum along x,\nmaximum along y, zero gradient at 0", fontsize=9)
    ax = fig.add_subplot(1, 2, 2)
    s = np.linspace(-2, 2, 17)
    cmap = plt.get_cmap("coolwarm")
    for c in (-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5):  # level sets x^2 - y^2 = c are hyperbolas
        color = cmap((c + 4) / 8)
        for sign in (-1, 1):
            if c > 0:
                ax.plot(sign * np.sqrt(c + s ** 2), s, color=color, lw=0.7)
            else:
                ax.plot(s, sign * np.sqrt(s ** 2 - c), color=color, lw=0.7)
    ax.plot([-2, 2], [-2, 2], color="#cccccc", lw=0.7)
    ax.plot([-2, 2], [2, -2], color="#cccccc", lw=0.7)
    ax.plot(gd[:, 0], gd[:, 1], "o-", color="black", ms=2.5, lw=1.0, label=f"gradient descent, η = {lr}")
    ax.plot(ad[:, 0], ad[:, 1], "s-", color=COLORS["green"], ms=2.5, lw=1.0, label=f"Adam, α = {lr}")
    ax.plot(*start, "r*", ms=8)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    ax.set_xticks([-2, -1, 0, 1, 2])
    ax.set_yticks([-2, -1, 0, 1, 2])
    ax.grid(False)
    ax.set_aspect("equal")
    ax.set_title(f"{steps} steps from ({start[0]}, {start[1]:g}): the y-gradient −2y is tiny\n"
                 "there, Adam's per-coordinate scaling escapes much sooner", fontsize=9)
    ax.legend(frameon=False, fontsize=7.5, loc="lower left")
    ax.text(-1.9, 1.85, f"|y| after {steps} steps:\n  gradient descent {abs(gd[-1, 1]):.2f}\n"
            f"  Adam {abs(ad[-1, 1]):.2f}", fontsize=7.5, va="top",
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    fig.tight_layout()
    return fig
