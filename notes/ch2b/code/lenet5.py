# kb-snippet: LeNet-5 as described in the paper (partial C3 table, trainable subsampling, RBF output)
# requires: torch
# expect: params = 60000
# expect: output_shape = (1, 10)
# source: LeCun, Bottou, Bengio & Haffner 1998, "Gradient-Based Learning Applied to Document Recognition", Proc. IEEE 86(11) (no arXiv); count from Sec. II-B: C1 156 + S2 12 + C3 1,516 + S4 32 + C5 48,120 + F6 10,164 = 60,000, the paper's "about 60,000 trainable parameters"; the RBF output's prototypes are fixed, so they add nothing (a plain Linear(84, 10) output would add 850, giving 60,850)
"""LeNet-5 built layer by layer from Section II-B of the paper.

Choices, all taken from the paper:
- activation: the scaled tanh f(a) = A tanh(S a) with A = 1.7159, S = 2/3 (Appendix A);
- S2 and S4: each unit adds its 2x2 inputs, multiplies by one trainable coefficient per map, adds
  one trainable bias per map, then applies the activation (2 parameters per map);
- C3: each of the 16 maps sees only the S2 maps listed in Table I, which keeps the count at 1,516
  instead of the 2,416 of a full 6->16 convolution (and breaks the symmetry between maps);
- output: Euclidean RBF units y_i = sum_j (x_j - w_ij)^2. The paper draws the prototypes w_i by
  hand as 7x12 bitmaps of +1/-1 and keeps them fixed; those bitmaps are not reproduced here, so a
  seeded +1/-1 pattern stands in. They are a buffer, not a parameter, exactly because the paper
  does not train them. The output is a penalty per class: the smallest one is the prediction.
"""

import torch
from torch import nn
import torch.nn.functional as F

# Table I: which S2 maps (columns 0-5) feed each C3 map. Maps 0-5 read three neighbouring maps,
# 6-11 four neighbouring maps, 12-14 four non-neighbouring maps, 15 all six.
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def squash(x: torch.Tensor) -> torch.Tensor:
    """The paper's scaled tanh: its gain at 0 is about 1 and f(+-1) = +-1."""
    return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsample(nn.Module):
    """S2/S4: 2x2 sum, times a trainable coefficient, plus a trainable bias, per feature map."""

    def __init__(self, maps: int):
        super().__init__()
        self.coefficient = nn.Parameter(torch.ones(maps))
        self.bias = nn.Parameter(torch.zeros(maps))

    def forward(self, x):
        summed = F.avg_pool2d(x, 2) * 4  # avg * 4 is the plain sum of the 2x2 window
        return squash(summed * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1))


class PartialConv(nn.Module):
    """C3: one 5x5 convolution per output map over just the input maps that Table I connects."""

    def __init__(self, table):
        super().__init__()
        self.table = table
        self.maps = nn.ModuleList(nn.Conv2d(len(inputs), 1, 5) for inputs in table)

    def forward(self, x):
        return torch.cat([conv(x[:, list(inputs)]) for conv, inputs in zip(self.maps, self.table, strict=True)], dim=1)


class RBFOutput(nn.Module):
    """Euclidean RBF units with fixed prototypes: the distance of F6's output to each class."""

    def __init__(self, features: int = 84, classes: int = 10):
        super().__init__()
        generator = torch.Generator().manual_seed(1998)
        signs = torch.randint(0, 2, (classes, features), generator=generator) * 2 - 1
        self.register_buffer("prototypes", signs.float())

    def forward(self, x):
        return ((x.unsqueeze(1) - self.prototypes) ** 2).sum(dim=2)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)  # 32x32 -> 6@28x28: 6*(25+1) = 156
        self.s2 = Subsample(6)  # -> 6@14x14: 12
        self.c3 = PartialConv(C3_TABLE)  # -> 16@10x10: 60 connections*25 + 16 = 1,516
        self.s4 = Subsample(16)  # -> 16@5x5: 32
        self.c5 = nn.Conv2d(16, 120, 5)  # -> 120@1x1: 120*(400+1) = 48,120
        self.f6 = nn.Linear(120, 84)  # 84*(120+1) = 10,164
        self.output = RBFOutput(84, 10)  # 0 trainable

    def forward(self, x):
        x = self.s2(squash(self.c1(x)))
        x = self.s4(squash(self.c3(x)))
        x = squash(self.c5(x)).flatten(1)
        x = squash(self.f6(x))
        return self.output(x)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = LeNet5().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 1, 32, 32))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
