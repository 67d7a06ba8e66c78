# kb-snippet: SimAM, parameter-free energy-based 3-D attention, checked against its energy function
# requires: torch
# expect: params = 0
# expect: output_shape = (2, 64, 16, 16)
# expect: same_shape_as_input = True
# expect: max_abs_diff_below_1e-6 = True
# expect: closed_form_energy_is_minimum = True
# source: Yang, Zhang, Li & Xie 2021, "SimAM: A Simple, Parameter-Free Attention Module for Convolutional Neural Networks", ICML 2021, PMLR 139, https://proceedings.mlr.press/v139/yang21o.html (energy function and its closed-form minimum, lambda = 1e-4)
"""SimAM gives every neuron (every c, h, w) its own weight, with no learnable parameter at all.

For a target neuron t in one channel and the other M - 1 neurons x_i of that channel, the paper
fits a linear map w*x + b that sends t to 1 and the others to -1 (plus lambda * w^2):

    e_t(w, b) = (1 - (w t + b))^2 + 1/(M-1) * sum_i (-1 - (w x_i + b))^2 + lambda * w^2

Its minimum has the closed form  e_t* = 4 (s2 + lambda) / ((t - mu)^2 + 2 s2 + 2 lambda),  with mu
and s2 the mean and variance of the other neurons. A low energy means t is easy to separate from
its neighbours, i.e. distinctive, so the importance is 1 / e_t*, and the module returns
X * sigmoid(1 / E). In practice mu and s2 are taken over the whole channel (t included) so one pass
serves all neurons; the authors' code divides the sum of squares by M - 1, and so does this file.

Three checks:
- params = 0 and the output has the input's shape;
- the vectorised module equals a loop that evaluates 1/e_t* neuron by neuron (float64, a 1x2x3x3
  tensor), max |difference| < 1e-6;
- for every neuron of a small channel, the closed-form e_t* (mu, s2 over the other neurons) equals
  the minimum of e_t(w, b) found by solving the 2x2 least-squares problem directly.
"""

import torch
from torch import nn

LAMBDA = 1e-4


class SimAM(nn.Module):
    def __init__(self, e_lambda: float = LAMBDA):
        super().__init__()
        self.e_lambda = e_lambda

    def forward(self, x):
        n = x.shape[2] * x.shape[3] - 1
        d = (x - x.mean(dim=(2, 3), keepdim=True)) ** 2          # (t - mu)^2
        var = d.sum(dim=(2, 3), keepdim=True) / n                 # channel variance
        inv_energy = d / (4 * (var + self.e_lambda)) + 0.5        # 1 / e_t*, simplified
        return x * torch.sigmoid(inv_energy)


def by_hand(x):
    """Same output, one neuron at a time, straight from e_t* = 4(s2+l)/((t-mu)^2 + 2 s2 + 2l)."""
    out = torch.empty_like(x)
    b, c, h, w = x.shape
    for bi in range(b):
        for ci in range(c):
            vals = [x[bi, ci, i, j].item() for i in range(h) for j in range(w)]
            mu = sum(vals) / len(vals)
            s2 = sum((v - mu) ** 2 for v in vals) / (len(vals) - 1)
            for i in range(h):
                for j in range(w):
                    t = x[bi, ci, i, j].item()
                    e = 4 * (s2 + LAMBDA) / ((t - mu) ** 2 + 2 * s2 + 2 * LAMBDA)
                    out[bi, ci, i, j] = t * torch.sigmoid(torch.tensor(1.0 / e, dtype=x.dtype))
    return out


def energy_minimum(t, others):
    """min over (w, b) of e_t(w, b), as a least-squares problem in (w, b)."""
    m1 = others.numel()
    rows = [torch.stack([t, torch.ones((), dtype=t.dtype)])]
    rows += [torch.stack([o, torch.ones((), dtype=t.dtype)]) / m1 ** 0.5 for o in others]
    rows += [torch.tensor([LAMBDA ** 0.5, 0.0], dtype=t.dtype)]
    a = torch.stack(rows)
    y = torch.tensor([1.0] + [-1.0 / m1 ** 0.5] * m1 + [0.0], dtype=t.dtype)
    sol = torch.linalg.lstsq(a, y.unsqueeze(1)).solution
    return ((a @ sol).squeeze(1) - y).pow(2).sum()


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    module = SimAM()
    params = sum(p.numel() for p in module.parameters())
    x = torch.randn(2, 64, 16, 16)
    y = module(x)

    tiny = torch.randn(1, 2, 3, 3, dtype=torch.float64)
    diff = (module(tiny) - by_hand(tiny)).abs().max().item()

    channel = torch.randn(9, dtype=torch.float64)
    ok = True
    for k in range(channel.numel()):
        t, others = channel[k], torch.cat([channel[:k], channel[k + 1:]])
        mu, s2 = others.mean(), others.var(unbiased=False)
        closed = 4 * (s2 + LAMBDA) / ((t - mu) ** 2 + 2 * s2 + 2 * LAMBDA)
        ok = ok and abs(closed.item() - energy_minimum(t, others).item()) < 1e-9

    print(f"params = {params}")
    print(f"output_shape = {tuple(y.shape)}")
    print(f"same_shape_as_input = {y.shape == x.shape}")
    print(f"max_abs_diff_below_1e-6 = {diff < 1e-6}")
    print(f"closed_form_energy_is_minimum = {ok}")


if __name__ == "__main__":
    main()
