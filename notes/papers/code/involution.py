# kb-snippet: Involution (RedNet operator), C = 64, K = 7, G = 16 groups, reduction r = 4
# requires: torch
# expect: params = 14384
# expect: output_shape = (2, 64, 16, 16)
# expect: matches_shift_and_sum = True
# source: Li et al. 2021, "Involution: Inverting the Inherence of Convolution for Visual Recognition", arXiv:2103.06255, Sec. 3 (kernel generation phi = W1 sigma(W0 x)); the count is derived by hand below
"""Involution inverts the two habits of convolution: its kernel is specific to each position and
shared across the channels of a group. At every pixel (i, j) a small network looks only at that
pixel's feature vector X[:, i, j] and outputs a K x K kernel for each of the G groups:

    H[i, j] = W1 relu(BN(W0 X[:, i, j]))        W0: C -> C/r,  W1: C/r -> K*K*G
    Y[c, i, j] = sum_{(u, v) in K x K} H[i, j, u, v, g(c)] * X[c, i + u - K//2, j + v - K//2]

with g(c) the group of channel c (here 64 channels / 16 groups = 4 channels per group; the RedNet
code fixes 16 channels per group instead, which for C = 64 would be 4 groups).

Parameters for C = 64, r = 4 (hidden width 16), K = 7, G = 16:
    W0 conv 64 -> 16, no bias (BN follows)  64*16            =  1,024
    BatchNorm(16) weight + bias             2*16             =     32
    W1 conv 16 -> 7*7*16 = 784, with bias   16*784 + 784     = 13,328
                                                     total   = 14,384
A plain 7x7 conv 64 -> 64 (no bias) has 64*64*49 = 200,704 and a 3x3 one 36,864: the involution
pays for its kernel generator, not for the kernel itself, so a large K costs little.

The check computes the same output a second way, by padding X and summing K*K shifted copies
weighted by the generated kernels, and compares the two in float64.
"""

import torch
from torch import nn
import torch.nn.functional as F


class Involution2d(nn.Module):
    def __init__(self, channels=64, kernel_size=7, groups=16, reduction=4):
        super().__init__()
        self.k, self.g = kernel_size, groups
        hidden = channels // reduction
        self.reduce = nn.Sequential(
            nn.Conv2d(channels, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True))
        self.span = nn.Conv2d(hidden, kernel_size * kernel_size * groups, 1)
        self.unfold = nn.Unfold(kernel_size, padding=kernel_size // 2)

    def kernels(self, x):
        b, _, h, w = x.shape
        return self.span(self.reduce(x)).view(b, self.g, self.k * self.k, h, w)

    def forward(self, x):
        b, c, h, w = x.shape
        kern = self.kernels(x).unsqueeze(2)                                   # (B, G, 1, K*K, H, W)
        patches = self.unfold(x).view(b, self.g, c // self.g, self.k * self.k, h, w)
        return (kern * patches).sum(dim=3).view(b, c, h, w)


def shift_and_sum(module, x):
    b, c, h, w = x.shape
    k, g = module.k, module.g
    kern = module.kernels(x)                                                  # (B, G, K*K, H, W)
    xp = F.pad(x, [k // 2] * 4)
    out = torch.zeros_like(x)
    for u in range(k):
        for v in range(k):
            shifted = xp[:, :, u:u + h, v:v + w]                              # X[c, i+u-K//2, j+v-K//2]
            weight = kern[:, :, u * k + v].repeat_interleave(c // g, dim=1)   # group -> its channels
            out += weight * shifted
    return out


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    inv = Involution2d(64, kernel_size=7, groups=16, reduction=4)
    params = sum(p.numel() for p in inv.parameters())
    inv.eval()
    x = torch.randn(2, 64, 16, 16)
    with torch.no_grad():
        y = inv(x)
        inv64 = inv.double()
        x64 = x.double()
        diff = (inv64(x64) - shift_and_sum(inv64, x64)).abs().max().item()
    print(f"params = {params}")
    print(f"output_shape = {tuple(y.shape)}")
    print(f"matches_shift_and_sum = {diff < 1e-9}")


if __name__ == "__main__":
    main()
