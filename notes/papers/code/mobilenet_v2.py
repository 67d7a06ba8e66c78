# kb-snippet: MobileNetV2 (width 1.0, 224x224), torchvision layout
# requires: torch
# expect: params = 3504872
# expect: output_shape = (1, 1000)
# source: Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", arXiv:1801.04381, layout from Table 2 (t, c, n, s), the paper's ImageNet table quotes 3.4M (see the docstring); torchvision mobilenet_v2 has 3,504,872 parameters
"""MobileNetV2 from Table 2 of the paper.

Each inverted residual expands the input t-fold with a 1x1 conv, filters each channel with a 3x3
depthwise conv, then projects back down with a 1x1 conv that has no activation (the "linear
bottleneck": ReLU on a narrow tensor destroys information). The skip connection joins the narrow
ends when stride is 1 and the widths match.

The paper's ImageNet comparison quotes 3.4M parameters. The exact count of this Table 2 layout
is 3,504,872 (3,470,760 without BatchNorm's 34,112 scales and shifts), the same as torchvision's;
the paper does not say how it counted, so its 3.4M is about 0.1M low. The classifier alone holds
1,281,000 of them.
"""

import torch
from torch import nn


def conv_bn(cin, cout, kernel=1, stride=1, groups=1, relu=True):
    layers = [
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if relu:
        layers.append(nn.ReLU6(inplace=True))  # ReLU6 keeps activations small for low precision
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:  # with t = 1 the expansion would be a useless square 1x1 conv
            layers.append(conv_bn(cin, hidden))
        layers.append(conv_bn(hidden, hidden, 3, stride, groups=hidden))  # depthwise
        layers.append(conv_bn(hidden, cout, relu=False))  # linear projection
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


# Table 2: expansion t, output channels c, repeats n, stride s of the first repeat.
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


class MobileNetV2(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        layers = [conv_bn(3, 32, 3, stride=2)]
        cin = 32
        for t, c, n, s in SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(conv_bn(cin, 1280))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = MobileNetV2().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
