"""Function plots: activation functions and their derivatives, learning-rate schedules, softmax temperature.

Everything is evaluated with numpy from the closed forms given in the notes; the derivatives are
the analytic ones (checked against finite differences in `_check_derivatives`).
"""

from __future__ import annotations

import math

import numpy as np
import matplotlib.pyplot as plt

from ._common import COLORS, figure

_erf = np.vectorize(math.erf)


def sigmoid(x):
    """Logistic sigmoid."""
    return 1 / (1 + np.exp(-x))


def _phi(x):
    """Standard normal density."""
    return np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    """Standard normal CDF."""
    return 0.5 * (1 + _erf(x / math.sqrt(2)))


# name -> (f, f'), with LeakyReLU's slope 0.1 so that it is visible next to ReLU.
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "ReLU": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "LeakyReLU (α = 0.1)": (lambda x: np.where(x > 0, x, 0.1 * x), lambda x: np.where(x > 0, 1.0, 0.1)),
    "GELU": (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x)),
    "SiLU / Swish": (lambda x: x * sigmoid(x), lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x)))),
}
STYLE = {
    "sigmoid": (COLORS["blue"], "-"),
    "tanh": (COLORS["purple"], "-"),
    "ReLU": ("black", "-"),
    "LeakyReLU (α = 0.1)": (COLORS["gray"], "--"),
    "GELU": (COLORS["accent"], "-"),
    "SiLU / Swish": (COLORS["green"], "-."),
}


def _check_derivatives():
    """The analytic derivatives agree with central differences away from the kinks."""
    x = np.linspace(-4, 4, 801)
    x = x[np.abs(x) > 0.01]
    h = 1e-5
    for name, (f, df) in ACTIVATIONS.items():
        numeric = (f(x + h) - f(x - h)) / (2 * h)
        assert np.allclose(numeric, df(x), atol=1e-5), name


@figure("ch1b/img/activations.svg")
def activations():
    """Six activation functions on [-4, 4]."""
    _check_derivatives()
    x = np.linspace(-4, 4, 401)
    fig, ax = plt.subplots(figsize=(6.6, 4.2))
    for name, (f, _) in ACTIVATIONS.items():
        color, ls = STYLE[name]
        ax.plot(x, f(x), color=color, ls=ls, label=name)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.axvline(0, color="#888888", lw=0.8)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-1.2, 3.2)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.legend(loc="upper left", frameon=False)
    ax.set_title("Activation functions: saturating (sigmoid, tanh) vs rectifying (ReLU family)")
    return fig


@figure("ch1b/img/activation-derivatives.svg")
def activation_derivatives():
    """The derivatives of the same six activations: where the gradient vanishes and where it stays near 1."""
    x = np.linspace(-4, 4, 801)
    fig, ax = plt.subplots(figsize=(6.6, 4.2))
    for name, (_, df) in ACTIVATIONS.items():
        color, ls = STYLE[name]
        y = df(x)
        if name.startswith(("ReLU", "LeakyReLU")):  # break the line at the jump instead of drawing it
            y = np.where(np.abs(x) < 1e-9, np.nan, y)
        ax.plot(x, y, color=color, ls=ls, label=name)
    ax.axhline(0.25, color=COLORS["blue"], lw=0.8, ls=":")
    ax.text(-3.9, 0.27, "max of sigmoid' = 0.25", color=COLORS["blue"], fontsize=8.5)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-0.2, 1.25)
    ax.set_xlabel("x")
    ax.set_ylabel("f'(x)")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_title("Derivatives: saturating activations pass almost no gradient for large |x|")
    return fig


def lr_step(t, total, base=0.1, milestones=(0.3, 0.6, 0.9), gamma=0.1):
    """Step decay: multiply by `gamma` at each milestone (given as fractions of training)."""
    return base * gamma ** sum(t >= m * total for m in milestones)


def lr_cosine(t, total, base=0.1, floor=0.0):
    """Cosine annealing from `base` down to `floor` over `total` steps."""
    return floor + (base - floor) * 0.5 * (1 + math.cos(math.pi * t / total))


def lr_warmup_cosine(t, total, base=0.1, warmup=0.05):
    """Linear warm-up for the first `warmup` fraction of steps, then cosine annealing to 0."""
    w = warmup * total
    if t < w:
        return base * (t + 1) / w
    return lr_cosine(t - w, total - w, base)


def lr_one_cycle(t, total, peak=0.1, pct_start=0.3, div=25.0, final_div=1e4):
    """One-cycle policy with cosine phases, the defaults of PyTorch's OneCycleLR."""
    start, end, up = peak / div, peak / div / final_div, pct_start * total
    if t < up:
        return start + (peak - start) * 0.5 * (1 - math.cos(math.pi * t / up))
    return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * (t - up) / (total - up)))


@figure("ch-1/img/lr-schedules.svg")
def lr_schedules():
    """Four learning-rate schedules over the same 100 epochs, peak 0.1."""
    total = 100
    t = np.arange(total + 1)
    schedules = [
        ("Step decay (×0.1 at 30, 60, 90)", lr_step, COLORS["blue"]),
        ("Cosine annealing", lr_cosine, COLORS["green"]),
        ("Linear warm-up (5 epochs) + cosine", lr_warmup_cosine, COLORS["orange"]),
        ("One-cycle (PyTorch OneCycleLR defaults)", lr_one_cycle, COLORS["accent"]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(8.0, 4.8), sharex=True, sharey=True)
    for ax, (title, fn, color) in zip(axes.ravel(), schedules):
        ax.plot(t, [fn(i, total) for i in t], color=color, lw=2.0)
        ax.set_title(title, fontsize=9.5)
        ax.set_ylim(-0.005, 0.108)
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("learning rate")
    fig.tight_layout()
    return fig


@figure("ch1a/img/softmax-temperature.svg")
def softmax_temperature():
    """softmax(o / T) for fixed logits at four temperatures, and how peaked the result is as T varies."""
    logits = np.array([2.0, 1.0, 0.5, -0.5, -1.0])
    temps = [0.5, 1.0, 2.0, 5.0]
    colors = [COLORS["accent"], COLORS["orange"], COLORS["green"], COLORS["blue"]]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.6, 3.4), gridspec_kw={"width_ratios": [1.5, 1]})
    width = 0.2
    for k, (T, c) in enumerate(zip(temps, colors)):
        z = np.exp((logits - logits.max()) / T)
        p = z / z.sum()
        ax1.bar(np.arange(len(logits)) + (k - 1.5) * width, p, width, color=c, label=f"T = {T:g}")
    ax1.set_xticks(range(len(logits)), [f"$o_{i + 1}$ = {v:g}" for i, v in enumerate(logits)])
    ax1.set_ylabel("probability")
    ax1.set_title("softmax(o / T) of the same logits o")
    ax1.legend(frameon=False)
    ts = np.logspace(-1.3, 1.3, 200)
    probs = np.array([np.exp((logits - logits.max()) / T) / np.exp((logits - logits.max()) / T).sum() for T in ts])
    entropy = -(probs * np.log(probs + 1e-300)).sum(axis=1)
    ax2.semilogx(ts, probs.max(axis=1), color=COLORS["accent"], label="largest probability")
    ax2.semilogx(ts, entropy / math.log(len(logits)), color=COLORS["blue"], label="entropy / log 5")
    ax2.axvline(1.0, color="#888888", lw=0.8, ls=":")
    ax2.set_xlabel("temperature T")
    ax2.set_ylim(0, 1.05)
    ax2.set_title("T → 0: one-hot (argmax);  T → ∞: uniform", fontsize=9)
    ax2.legend(frameon=False, loc="center left")
    fig.tight_layout()
    return fig
