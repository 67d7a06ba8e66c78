# kb-snippet: Inception-v3 with its auxiliary classifier, torchvision layout (299x299 input)
# requires: torch
# expect: params = 27161264
# expect: output_shape = (1, 1000)
# source: Szegedy, Vanhoucke, Ioffe, Shlens & Wojna 2016, "Rethinking the Inception Architecture for Computer Vision", arXiv:1512.00567, Table 1 and Figs. 5-7, 10; torchvision inception_v3 (aux_logits=True) has 27,161,264 parameters
"""Inception-v3: a plain conv stem, Inception modules at the 35x35, 17x17 and 8x8 grids, two
grid-reduction modules, an auxiliary classifier on the 17x17 grid and a linear head.

Every conv is conv (no bias) + BN + ReLU. The modules follow the paper's factorisations:

    35x35  InceptionA x3   two stacked 3x3 convs in place of a 5x5 (Fig. 5)
    ->17   reduction       stride-2 conv branches beside a stride-2 max pool, concatenated (Fig. 10)
    17x17  InceptionC x4   7x7 factorised into 1x7 + 7x1 (Fig. 6); inner width 128, 160, 160, 192
    ->8    reduction       the same idea, one branch with 1x7 and 7x1 convs before its stride-2 3x3
    8x8    InceptionE x2   the 3x3 outputs split into parallel 1x3 and 3x1 convs (Fig. 7)

The details are torchvision's, which follow Google's released model rather than the paper's
Table 1 line by line: the stem ends in a 1x1 conv to 80 and a 3x3 conv to 192 channels, and the
35x35 modules keep a 1x1 -> 5x5 branch beside the double-3x3 one. Counted per module:

    stem   5 convs: 928 + 9,280 + 18,560 + 5,280 + 138,624          =    172,672
    35x35  255,904 + 277,472 + 285,152                              =    818,528
    reduction to 17x17 (768 channels)                               =  1,153,280
    17x17  1,297,408 + 1,691,008 + 1,691,008 + 2,141,952            =  6,821,376
    reduction to 8x8 (1280 channels)                                =  1,698,304
    8x8    5,044,608 + 6,076,800 (2048 channels out)                = 11,121,408
    fc     2048*1000 + 1000                                         =  2,049,000
    main network                                                    = 23,834,568
    auxiliary head                                                  =  3,326,696
    total                                                           = 27,161,264

The auxiliary head is a 5x5/3 average pool, a 1x1 conv to 128, a 5x5 conv to 768 and a linear
layer: (768*128 + 256) + (25*128*768 + 1536) + (768*1000 + 1000) = 98,560 + 2,459,136 + 769,000
= 3,326,696. The paper reads the auxiliary classifier as a regulariser rather than a help for
deep gradients (Sec. 4). It runs only in training, but torchvision keeps it in the model and counts
it, which gives the published 27,161,264; in eval mode it is skipped here too. Its 5x5 conv needs
the 17x17 grid, so the input stays at the paper's 299x299.
"""

import torch
from torch import nn


class ConvBN(nn.Sequential):
    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3),
            nn.ReLU(inplace=True),
        )


def pool_branch(cin, cout):
    return nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), ConvBN(cin, cout, 1))


class Branches(nn.Module):
    """Run parallel branches on the same input and concatenate along channels."""

    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


def inception_a(cin, pool_out):  # 35x35; out = 64 + 64 + 96 + pool_out
    return Branches(
        ConvBN(cin, 64, 1),
        nn.Sequential(ConvBN(cin, 48, 1), ConvBN(48, 64, 5, padding=2)),
        nn.Sequential(ConvBN(cin, 64, 1), ConvBN(64, 96, 3, padding=1), ConvBN(96, 96, 3, padding=1)),
        pool_branch(cin, pool_out),
    )


def reduction_35_to_17(cin):  # out = 384 + 96 + cin
    return Branches(
        ConvBN(cin, 384, 3, stride=2),
        nn.Sequential(ConvBN(cin, 64, 1), ConvBN(64, 96, 3, padding=1), ConvBN(96, 96, 3, stride=2)),
        nn.MaxPool2d(3, stride=2),
    )


def conv_1x7(cin, cout):
    return ConvBN(cin, cout, (1, 7), padding=(0, 3))


def conv_7x1(cin, cout):
    return ConvBN(cin, cout, (7, 1), padding=(3, 0))


def inception_c(cin, mid):  # 17x17; out = 4 * 192
    return Branches(
        ConvBN(cin, 192, 1),
        nn.Sequential(ConvBN(cin, mid, 1), conv_1x7(mid, mid), conv_7x1(mid, 192)),
        nn.Sequential(ConvBN(cin, mid, 1), conv_7x1(mid, mid), conv_1x7(mid, mid),
                      conv_7x1(mid, mid), conv_1x7(mid, 192)),
        pool_branch(cin, 192),
    )


def reduction_17_to_8(cin):  # out = 320 + 192 + cin
    return Branches(
        nn.Sequential(ConvBN(cin, 192, 1), ConvBN(192, 320, 3, stride=2)),
        nn.Sequential(ConvBN(cin, 192, 1), conv_1x7(192, 192), conv_7x1(192, 192),
                      ConvBN(192, 192, 3, stride=2)),
        nn.MaxPool2d(3, stride=2),
    )


class SplitThree(nn.Module):
    """A 1x3 and a 3x1 conv side by side on the same input, outputs concatenated (Fig. 7)."""

    def __init__(self, c):
        super().__init__()
        self.row = ConvBN(c, c, (1, 3), padding=(0, 1))
        self.col = ConvBN(c, c, (3, 1), padding=(1, 0))

    def forward(self, x):
        return torch.cat([self.row(x), self.col(x)], 1)


def inception_e(cin):  # 8x8; out = 320 + 768 + 768 + 192 = 2048
    return Branches(
        ConvBN(cin, 320, 1),
        nn.Sequential(ConvBN(cin, 384, 1), SplitThree(384)),
        nn.Sequential(ConvBN(cin, 448, 1), ConvBN(448, 384, 3, padding=1), SplitThree(384)),
        pool_branch(cin, 192),
    )


class AuxHead(nn.Module):
    def __init__(self, cin, num_classes):
        super().__init__()
        self.body = nn.Sequential(
            nn.AvgPool2d(5, stride=3),  # 17x17 -> 5x5
            ConvBN(cin, 128, 1),
            ConvBN(128, 768, 5),  # 5x5 -> 1x1
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.fc = nn.Linear(768, num_classes)

    def forward(self, x):
        return self.fc(self.body(x))


class InceptionV3(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(
            ConvBN(3, 32, 3, stride=2),  # 299 -> 149
            ConvBN(32, 32, 3),  # -> 147
            ConvBN(32, 64, 3, padding=1),
            nn.MaxPool2d(3, stride=2),  # -> 73
            ConvBN(64, 80, 1),
            ConvBN(80, 192, 3),  # -> 71
            nn.MaxPool2d(3, stride=2),  # -> 35
        )
        self.grid35 = nn.Sequential(inception_a(192, 32), inception_a(256, 64), inception_a(288, 64),
                                    reduction_35_to_17(288))
        self.grid17 = nn.Sequential(inception_c(768, 128), inception_c(768, 160), inception_c(768, 160),
                                    inception_c(768, 192))
        self.aux = AuxHead(768, num_classes)
        self.grid8 = nn.Sequential(reduction_17_to_8(768), inception_e(1280), inception_e(2048))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.grid17(self.grid35(self.stem(x)))
        aux = self.aux(x) if self.training else None
        x = self.pool(self.grid8(x))
        logits = self.fc(self.dropout(torch.flatten(x, 1)))
        return (logits, aux) if self.training else logits


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = InceptionV3().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 299, 299))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
