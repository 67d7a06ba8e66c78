# kb-snippet: Fast-SCNN learning-to-downsample module (Conv 32 -> DSConv 48 -> DSConv 64, all stride 2)
# requires: torch
# expect: params = 6640
# expect: output_shape = (1, 64, 128, 256)
# source: Poudel, Liwicki & Cipolla 2019, "Fast-SCNN: Fast Semantic Segmentation Network", arXiv:1902.04502, Table 1 and Sec. 3.2.1; the paper gives no count for this module alone, the count 6,640 is derived in the docstring below
"""The first of Fast-SCNN's four modules, on a full Cityscapes frame (1 x 3 x 1024 x 2048).

Table 1 of the paper lists three layers, each with stride 2 and a 3x3 spatial kernel:
    Conv2D 3 -> 32,  DSConv 32 -> 48,  DSConv 48 -> 64,
so the output sits at 1/8 of the input: 1024 x 2048 -> 128 x 256 with 64 channels.
Every layer is followed by batch norm and ReLU (Sec. 3.2.1). Inside a DSConv the stride is on the
3x3 depthwise conv, and, as in MobileNetV2, there is no non-linearity between the depthwise and the
pointwise conv (the depthwise conv gets BN only). Convs have no bias because BN follows them.

Parameters (a BN layer on c channels holds 2c learnable numbers, gamma and beta; the running mean
and variance are buffers, not parameters):
    Conv2D 3x3, 3 -> 32:      3*32*9 = 864     BN(32): 64                       =   928
    DSConv 32 -> 48:  depthwise 32*9 = 288     BN(32): 64
                      pointwise 32*48 = 1536   BN(48): 96                       = 1,984
    DSConv 48 -> 64:  depthwise 48*9 = 432     BN(48): 96
                      pointwise 48*64 = 3072   BN(64): 128                      = 3,728
                                                                         total  = 6,640
About 0.6% of the 1.11M parameters the paper reports for the whole network (its Cityscapes comparison table): the module is cheap
in weights; its cost is the activations at 1/2 and 1/4 resolution.

The full 1024 x 2048 input runs in well under a second on a CPU, so no smaller input is needed.
"""

import torch
from torch import nn


def conv_bn_relu(cin, cout, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class DSConv(nn.Module):
    """Depthwise 3x3 (carries the stride) + BN, then pointwise 1x1 + BN + ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.depthwise = nn.Sequential(
            nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False),
            nn.BatchNorm2d(cin),
        )
        self.pointwise = nn.Sequential(
            nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class LearningToDownsample(nn.Module):
    def __init__(self, channels=(32, 48, 64)):
        super().__init__()
        c1, c2, c3 = channels
        self.conv = conv_bn_relu(3, c1, stride=2)  # 1/2
        self.ds1 = DSConv(c1, c2, stride=2)  # 1/4
        self.ds2 = DSConv(c2, c3, stride=2)  # 1/8

    def forward(self, x):
        return self.ds2(self.ds1(self.conv(x)))


if __name__ == "__main__":
    torch.manual_seed(0)
    ltd = LearningToDownsample().eval()
    params = sum(p.numel() for p in ltd.parameters())
    with torch.no_grad():
        y = ltd(torch.randn(1, 3, 1024, 2048))
    print(f"params = {params}")
    print(f"output_shape = {tuple(y.shape)}")
