# kb-snippet: DenseNet-121 (DenseNet-BC, k = 32), torchvision layout
# requires: torch
# expect: params = 7978856
# expect: output_shape = (1, 1000)
# source: Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected Convolutional Networks", arXiv:1608.06993, Table 1 (DenseNet-121 column); torchvision densenet121 has 7,978,856 parameters
"""DenseNet-121 from Table 1 of the paper: a 7x7 stem, four dense blocks of 6, 12, 24 and 16
layers with growth rate k = 32, transition layers halving the channels in between, a linear head.

A dense layer sees the concatenation of everything before it in its block and adds k new channels:
BN-ReLU-1x1 conv to 4k = 128 channels (the "B" bottleneck), then BN-ReLU-3x3 conv to k = 32. With
c input channels it holds 2c (BN) + 128c (1x1) + 256 (BN) + 9*128*32 (3x3) = 130c + 37,120
parameters. A transition is BN-ReLU-1x1 conv to c/2 channels ("C", compression 0.5) and a 2x2
average pool: 2c + c*c/2 parameters. Channels run 64 -> 256 -> 128 -> 512 -> 256 -> 1024 -> 512
-> 1024. Summing:

    stem   7x7 conv 3->64 + BN                                    =     9,536
    block1 6 layers, c = 64, 96, ..., 224                         =   335,040
    trans1 256 -> 128                                             =    33,280
    block2 12 layers, c = 128, 160, ..., 480                      =   919,680
    trans2 512 -> 256                                             =   132,096
    block3 24 layers, c = 256, 288, ..., 992                      = 2,837,760
    trans3 1024 -> 512                                            =   526,336
    block4 16 layers, c = 512, 544, ..., 992                      = 2,158,080
    final BN on 1024 channels                                     =     2,048
    fc     1024*1000 + 1000                                       = 1,025,000
    total                                                         = 7,978,856

equal to torchvision's densenet121. Only the classifier has a bias. Block 3 holds 36% of the weights
and the classifier alone 13%. Global average pooling at the end means the input size is free
(anything of 32x32 or more); 112x112 keeps the CPU run short.
"""

import torch
from torch import nn


class DenseLayer(nn.Module):
    """Pre-activation BN-ReLU-Conv(1x1)-BN-ReLU-Conv(3x3); returns only the k new channels."""

    def __init__(self, cin, growth, bottleneck=4):
        super().__init__()
        width = bottleneck * growth
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin),
            nn.ReLU(inplace=True),
            nn.Conv2d(cin, width, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, growth, 3, padding=1, bias=False),
        )

    def forward(self, x):
        return self.body(x)


class DenseBlock(nn.Module):
    def __init__(self, layers, cin, growth):
        super().__init__()
        self.layers = nn.ModuleList(DenseLayer(cin + i * growth, growth) for i in range(layers))

    def forward(self, x):
        features = [x]
        for layer in self.layers:
            # Every layer reads all earlier outputs; nothing is added, everything is kept.
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)


def transition(cin, cout):
    return nn.Sequential(
        nn.BatchNorm2d(cin),
        nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.AvgPool2d(2, stride=2),
    )


class DenseNet121(nn.Module):
    def __init__(self, growth=32, blocks=(6, 12, 24, 16), stem=64, num_classes: int = 1000):
        super().__init__()
        layers = [
            nn.Conv2d(3, stem, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(stem),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        ]
        c = stem
        for i, n in enumerate(blocks):
            layers.append(DenseBlock(n, c, growth))
            c += n * growth
            if i != len(blocks) - 1:
                layers.append(transition(c, c // 2))  # compression theta = 0.5
                c //= 2
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = DenseNet121().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 112, 112))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
