"""Signal-processing figures for the signals appendix (ch-2): aliasing in 1-D and 2-D, frequency responses.

All of it is computed: cosines sampled at integers, a zone plate decimated with and without a
binomial low-pass, and |H(ω)| of small kernels evaluated from their taps.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from ._common import COLORS, figure
from .conv_ops import corr2d


@figure("ch-2/img/aliasing-1d.svg")
def aliasing_1d():
    """cos(2π·0.1 t) and cos(2π·0.9 t) agree at every integer t: after sampling they are the same signal."""
    t = np.linspace(0, 10, 601)
    n = np.arange(11)
    fig, ax = plt.subplots(figsize=(7.6, 2.9))
    ax.plot(t, np.cos(2 * np.pi * 0.9 * t), color=COLORS["accent"], lw=1.0, label="f = 0.9 (above Nyquist 0.5)")
    ax.plot(t, np.cos(2 * np.pi * 0.1 * t), color=COLORS["blue"], lw=2.0, label="f = 0.1")
    samples = np.cos(2 * np.pi * 0.9 * n)
    assert np.allclose(samples, np.cos(2 * np.pi * 0.1 * n))
    ax.plot(n, samples, "o", color="black", ms=5, label="samples at t = 0, 1, 2, … (fs = 1)", zorder=3)
    ax.set_xlabel("t (samples)")
    ax.set_ylim(-1.25, 1.6)
    ax.set_xticks(n)
    ax.legend(frameon=False, ncol=3, loc="upper center", fontsize=8)
    fig.tight_layout()
    return fig


def zone_plate(size: int = 128) -> np.ndarray:
    """cos(π r² / size): local frequency grows linearly from 0 at the centre to 0.5 cycles/pixel at the edge."""
    yy, xx = np.mgrid[0:size, 0:size] - size / 2
    return 0.5 + 0.5 * np.cos(np.pi * (xx ** 2 + yy ** 2) / size)


def blur_downsample(img: np.ndarray) -> np.ndarray:
    """Binomial [1, 4, 6, 4, 1]/16 low-pass in both directions, then keep every second pixel."""
    k1 = np.array([1, 4, 6, 4, 1]) / 16.0
    padded = np.pad(img, 2, mode="reflect")
    return corr2d(padded, np.outer(k1, k1))[::2, ::2]


@figure("ch-2/img/aliasing-2d.svg")
def aliasing_2d():
    """A zone plate shrunk 4x by dropping pixels (aliasing: false rings) versus blurring first (grey, no rings)."""
    img = zone_plate(128)
    naive = img[::4, ::4]
    proper = blur_downsample(blur_downsample(img))
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.3))
    panels = [(img, "zone plate, 128 × 128\nfrequency rises towards the corners"),
              (naive, "keep every 4th pixel (32 × 32)\nhigh frequencies fold into false rings"),
              (proper, "blur, then subsample (2× twice)\nfrequencies above the new Nyquist removed")]
    for ax, (data, title) in zip(axes, panels):
        ax.imshow(data, cmap="gray", vmin=0, vmax=1, interpolation="none")
        ax.set_title(title, fontsize=8.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.84, bottom=0.02, wspace=0.06)
    return fig


def frequency_response(taps, omega):
    """|H(ω)| = |Σ h[n] e^{-jωn}| of a 1-D kernel (the centring only changes the phase)."""
    n = np.arange(len(taps))
    return np.abs(np.exp(-1j * np.outer(omega, n)) @ np.asarray(taps, float))


@figure("ch-2/img/kernel-frequency-response.svg")
def kernel_frequency_response():
    """Magnitude responses of the box, binomial, difference and second-difference kernels on [0, π]."""
    omega = np.linspace(0, np.pi, 200)
    kernels = [
        ("box [1, 1, 1] / 3", np.ones(3) / 3, COLORS["orange"], "-"),
        ("binomial [1, 2, 1] / 4", np.array([1, 2, 1]) / 4, COLORS["green"], "-"),
        ("difference [1, −1]", np.array([1, -1]), COLORS["blue"], "--"),
        ("second difference [1, −2, 1]", np.array([1, -2, 1]), COLORS["accent"], "--"),
    ]
    fig, ax = plt.subplots(figsize=(6.6, 3.6))
    for label, taps, color, ls in kernels:
        ax.plot(omega, frequency_response(taps, omega), color=color, ls=ls, label=label)
    ax.set_xticks([0, np.pi / 3, 2 * np.pi / 3, np.pi], ["0", "π/3", "2π/3", "π (Nyquist)"])
    ax.set_xlim(0, np.pi)
    ax.set_ylim(0, 4.2)
    ax.set_xlabel("angular frequency ω (radians / sample)")
    ax.set_ylabel("|H(ω)|")
    ax.legend(frameon=False, loc="upper left")
    ax.set_title("low-pass kernels keep ω = 0 and damp π; difference kernels do the opposite", fontsize=9.5)
    fig.tight_layout()
    return fig
