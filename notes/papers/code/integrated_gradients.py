# kb-snippet: Integrated Gradients on a tiny MLP, Riemann sum, completeness checked numerically
# requires: torch
# expect: params = 257
# expect: completeness_error_below_1e-3 = True
# expect: four_steps_error_above_1e-3 = True
# expect: midpoint_beats_right_sum = True
# expect: sensitivity_single_feature = True
# expect: grad_times_input_gap_above_1e-2 = True
# source: Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks", arXiv:1703.01365, Sec. 3 (IG definition, completeness) and Sec. 6 (Riemann approximation)
"""Integrated Gradients (IG) for a scalar model F and a baseline x':

    IG_i(x) = (x_i - x'_i) * integral_0^1  dF(x' + a (x - x')) / dx_i  da

approximated, as in Sec. 6 of the paper, by the right Riemann sum
    IG_i(x) ~ (x_i - x'_i) * (1/m) * sum_{k=1..m} dF(x' + (k/m)(x - x')) / dx_i .
Completeness says sum_i IG_i(x) = F(x) - F(x'); the Riemann error must vanish as m grows
(the paper suggests 20 to 300 steps and checking that the sum is within ~5% of F(x) - F(x')).

The MLP is 6 -> 16 -> 8 -> 1 with tanh (smooth, so the midpoint rule converges fast).
Parameters, by hand:
    Linear(6, 16):  6*16 + 16 = 112
    Linear(16, 8): 16*8  +  8 = 136
    Linear(8, 1):   8*1  +  1 =   9
    total                       257

Checks printed:
- completeness: |sum IG - (F(x) - F(x'))| < 1e-3 with the right sum and m = 300 steps;
- with only m = 4 steps the right sum misses by more than 1e-3 (the error is O(1/m));
- the midpoint rule (error O(1/m^2) for a smooth F) with m = 20 already beats the right sum with
  m = 300;
- Sensitivity(a): an input that differs from the baseline in one feature only gets all of
  F(x) - F(x') on that feature (the others are exactly 0 because of the (x_i - x'_i) factor);
- plain gradient * (x - x') (one step, at x itself) does not add up to F(x) - F(x') for this
  nonlinear model: the gap is above 1e-2. That gap is why IG integrates along the path.
"""

import torch
from torch import nn


def integrated_gradients(model, x, baseline, steps, rule="right"):
    """Riemann sum of IG for one input vector x (shape (d,)); returns shape (d,).

    rule="right" samples a = k/m, k = 1..m (the paper's form); rule="mid" samples (k - 1/2)/m.
    """
    k = torch.arange(1, steps + 1, dtype=x.dtype)
    alphas = k / steps if rule == "right" else (k - 0.5) / steps
    path = baseline + alphas[:, None] * (x - baseline)                   # (steps, d)
    path.requires_grad_(True)
    out = model(path).sum()      # each row's output depends on that row only
    (grads,) = torch.autograd.grad(out, path)
    return (x - baseline) * grads.mean(dim=0)


def main():
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1))
    params = sum(p.numel() for p in model.parameters())

    x = torch.randn(6) * 2.0
    baseline = torch.zeros(6)
    with torch.no_grad():
        delta = (model(x[None]) - model(baseline[None])).item()

    def completeness_error(steps, rule="right"):
        return abs(integrated_gradients(model, x, baseline, steps, rule).sum().item() - delta)

    err300, err4 = completeness_error(300), completeness_error(4)
    err_mid20 = completeness_error(20, rule="mid")

    # Sensitivity(a): differ from the baseline in feature 2 only.
    x_one = baseline.clone()
    x_one[2] = 3.0
    with torch.no_grad():
        delta_one = (model(x_one[None]) - model(baseline[None])).item()
    ig_one = integrated_gradients(model, x_one, baseline, 300)
    others_zero = bool(torch.all(ig_one[[0, 1, 3, 4, 5]] == 0))
    sensitivity_ok = others_zero and abs(ig_one[2].item() - delta_one) < 1e-3 and abs(delta_one) > 1e-3

    # Gradient * input at x alone (a one-point "attribution").
    xg = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(model(xg[None]).sum(), xg)
    gap = abs(((x - baseline) * g).sum().item() - delta)

    print(f"params = {params}")
    print(f"completeness_error_below_1e-3 = {err300 < 1e-3}")
    print(f"four_steps_error_above_1e-3 = {err4 > 1e-3}")
    print(f"midpoint_beats_right_sum = {err_mid20 < err300}")
    print(f"sensitivity_single_feature = {sensitivity_ok}")
    print(f"grad_times_input_gap_above_1e-2 = {gap > 1e-2}")
    print(f"# F(x)-F(x') {delta:.6f}; right-sum error m=4 {err4:.1e}, m=300 {err300:.1e}; "
          f"midpoint m=20 {err_mid20:.1e}; grad*input gap {gap:.4f}")


if __name__ == "__main__":
    main()
