# kb-snippet: MobileNetV3-Large (width 1.0), torchvision layout
# requires: torch
# expect: params = 5483032
# expect: output_shape = (1, 1000)
# source: Howard et al. 2019, "Searching for MobileNetV3", arXiv:1905.02244, Table 1 (the Large specification); the paper quotes 5.4M parameters (Table 3); torchvision mobilenet_v3_large has 5,483,032
"""MobileNetV3-Large from Table 1 of the paper: a 3x3 stem with 16 channels, fifteen bottleneck
blocks found by platform-aware NAS and NetAdapt, a 1x1 conv to 960, and the paper's cheap head.

Each bottleneck is MobileNetV2's inverted residual (1x1 expand, kxk depthwise, linear 1x1 project,
skip when the shape allows), with two changes: some blocks put a squeeze-and-excitation gate after
the depthwise conv, and the stem and the later blocks use hard-swish, x * relu6(x + 3) / 6, instead
of ReLU. The SE gate squeezes to a quarter of the expanded width, rounded to a multiple of 8 (72 -> 24,
120 -> 32, 480 -> 120, 672 -> 168, 960 -> 240), and ends in a hard sigmoid; its two 1x1 convs have
biases, everything else before the head is conv (no bias) + BN.

The head pools first and only then widens: 960 -> 1280 -> 1000 on a 1x1 tensor. The paper moved
this last wide layer behind the pooling to cut latency, as part of redesigning the expensive layers
at both ends of the network.

    stem     3x3/2 conv 3 -> 16 + BN                            =       464
    blocks   15 bottlenecks (16 -> 160 channels)                = 2,815,968
    last     1x1 conv 160 -> 960 + BN                           =   155,520
    head     linear 960 -> 1280, hard-swish, dropout 0.2        = 1,230,080
    fc       1280*1000 + 1000                                   = 1,281,000
    total                                                       = 5,483,032

which rounds to the paper's 5.4M (Table 3) and equals torchvision's mobilenet_v3_large. Nearly
half of it (2.5M) is the two head layers that run on a single pixel, which is why they cost little
compute. Any input of 32x32 or more works; 128x128 keeps the CPU run short.
"""

import torch
from torch import nn


def make_divisible(v, divisor=8):
    """Round to the nearest multiple of divisor, never going more than 10% below v."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def conv_bn(cin, cout, kernel=1, stride=1, groups=1, act=None):
    layers = [
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels):
        super().__init__()
        squeezed = make_divisible(channels // 4)
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        w = x.mean((2, 3), keepdim=True)
        w = nn.functional.hardsigmoid(self.expand(torch.relu(self.reduce(w))))
        return x * w


class Bottleneck(nn.Module):
    def __init__(self, cin, kernel, hidden, cout, se, act, stride):
        super().__init__()
        layers = []
        if hidden != cin:  # the first block has expansion 1 and no expand conv
            layers.append(conv_bn(cin, hidden, act=act))
        layers.append(conv_bn(hidden, hidden, kernel, stride, groups=hidden, act=act))
        if se:
            layers.append(SqueezeExcite(hidden))
        layers.append(conv_bn(hidden, cout))
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


RE, HS = nn.ReLU, nn.Hardswish
# Table 1: input, kernel, expanded width ("exp size"), output, SE, nonlinearity, stride.
BLOCKS = (
    (16, 3, 16, 16, False, RE, 1),
    (16, 3, 64, 24, False, RE, 2),
    (24, 3, 72, 24, False, RE, 1),
    (24, 5, 72, 40, True, RE, 2),
    (40, 5, 120, 40, True, RE, 1),
    (40, 5, 120, 40, True, RE, 1),
    (40, 3, 240, 80, False, HS, 2),
    (80, 3, 200, 80, False, HS, 1),
    (80, 3, 184, 80, False, HS, 1),
    (80, 3, 184, 80, False, HS, 1),
    (80, 3, 480, 112, True, HS, 1),
    (112, 3, 672, 112, True, HS, 1),
    (112, 5, 672, 160, True, HS, 2),
    (160, 5, 960, 160, True, HS, 1),
    (160, 5, 960, 160, True, HS, 1),
)


class MobileNetV3Large(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        layers = [conv_bn(3, 16, 3, stride=2, act=HS)]
        layers += [Bottleneck(*b) for b in BLOCKS]
        layers.append(conv_bn(160, 960, act=HS))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(960, 1280),  # the paper writes it as a 1x1 conv without BN: same weights
            nn.Hardswish(inplace=True),
            nn.Dropout(0.2),
            nn.Linear(1280, num_classes),
        )

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = MobileNetV3Large().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 128, 128))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
