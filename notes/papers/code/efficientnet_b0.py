# kb-snippet: EfficientNet-B0, torchvision layout
# requires: torch
# expect: params = 5288548
# expect: output_shape = (1, 1000)
# source: Tan & Le 2019, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", arXiv:1905.11946, Table 1 (B0 stages); the paper quotes 5.3M parameters (Table 2); torchvision efficientnet_b0 has 5,288,548
"""EfficientNet-B0 from Table 1 of the paper: a 3x3 stem, seven stages of MBConv blocks, a 1x1
conv to 1280 channels, global pooling and a linear classifier.

An MBConv block (MobileNetV2's inverted residual plus squeeze-and-excitation) with input c_in,
expansion t, kernel k and output c_out holds

    expand   1x1 conv c_in -> t*c_in + BN        (skipped when t = 1)
    dw       kxk depthwise on t*c_in + BN
    SE       t*c_in -> s -> t*c_in, two 1x1 convs with bias, s = max(1, c_in // 4)
    project  1x1 conv t*c_in -> c_out + BN       (linear: no activation)

The SE bottleneck s is a quarter of the block's *input* width, not of the expanded width: that is
how the reference implementation does it, and with s = t*c_in // 4 the count would not match.
Activations are SiLU (Swish); stochastic depth and dropout have no parameters. Stage by stage:

    stem     3x3 conv 3->32 + BN                            =       928
    stage 1  MBConv1 k3, 32 -> 16, 1 block                  =     1,448
    stage 2  MBConv6 k3, 16 -> 24, 2 blocks                 =    16,714
    stage 3  MBConv6 k5, 24 -> 40, 2 blocks                 =    46,640
    stage 4  MBConv6 k3, 40 -> 80, 3 blocks                 =   242,930
    stage 5  MBConv6 k5, 80 -> 112, 3 blocks                =   543,148
    stage 6  MBConv6 k5, 112 -> 192, 4 blocks               = 2,026,348
    stage 7  MBConv6 k3, 192 -> 320, 1 block                =   717,232
    head     1x1 conv 320->1280 + BN                        =   412,160
    fc       1280*1000 + 1000                               = 1,281,000
    total                                                   = 5,288,548

which rounds to the paper's 5.3M (Table 2) and equals torchvision's efficientnet_b0 count. The
classifier is a quarter of the model. B0 is meant for 224x224, but the net ends in global pooling, so a
128x128 input gives the same output shape and a quicker CPU run.
"""

import torch
from torch import nn


def conv_bn_act(cin, cout, kernel=1, stride=1, groups=1, act=True):
    layers = [
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.SiLU(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Global-pool, shrink, expand, sigmoid gate per channel (Hu et al., arXiv:1709.01507)."""

    def __init__(self, channels, squeezed):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        w = x.mean((2, 3), keepdim=True)
        w = torch.sigmoid(self.expand(nn.functional.silu(self.reduce(w))))
        return x * w


class MBConv(nn.Module):
    def __init__(self, cin, cout, expand, kernel, stride):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn_act(cin, hidden))
        layers += [
            conv_bn_act(hidden, hidden, kernel, stride, groups=hidden),
            SqueezeExcite(hidden, max(1, cin // 4)),
            conv_bn_act(hidden, cout, act=False),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


# Table 1: expansion t, kernel k, stride of the first block, output channels, number of blocks.
STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
          (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))


class EfficientNetB0(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        layers = [conv_bn_act(3, 32, 3, stride=2)]
        cin = 32
        for t, k, s, cout, n in STAGES:
            for i in range(n):
                layers.append(MBConv(cin, cout, t, k, s if i == 0 else 1))
                cin = cout
        layers.append(conv_bn_act(cin, 1280))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = EfficientNetB0().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 128, 128))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
