# kb-snippet: ShuffleNet V2 1.0x, torchvision layout
# requires: torch
# expect: params = 2278604
# expect: output_shape = (1, 1000)
# source: Ma, Zhang, Zheng & Sun 2018, "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design", arXiv:1807.11164, Fig. 3(c)(d) and Table 5 (1x column, 2.3M weights); torchvision shufflenet_v2_x1_0 has 2,278,604 parameters
"""ShuffleNet V2 1.0x from Table 5 of the paper: a 3x3 stem with 24 channels and a max pool, three
stages of 4, 8 and 4 units with 116, 232 and 464 channels, a 1x1 conv to 1024, a linear classifier.

The basic unit (Fig. 3c) splits the channels in two halves. One half passes through untouched; the
other goes through 1x1 conv - 3x3 depthwise conv - 1x1 conv, keeping its width. The halves are
concatenated and the channels shuffled (two groups), so the next unit's split mixes them. This
follows the paper's four guidelines: equal input and output widths of the 1x1 convs, 1x1 convs no
longer grouped, few branches, and a concatenation instead of an element-wise add.

The first unit of each stage (Fig. 3d) drops the split: both branches see the whole input and use
stride 2 (the left one a 3x3 depthwise + 1x1 conv, the right one the usual three convs), and their
concatenation doubles the width. All convs have no bias and are followed by BN; only the depthwise
convs have no ReLU after them. Counted by hand, with b = half the stage's width:

    stem   3x3/2 conv 3 -> 24 + BN                                   =       696
    stage2 downsampling unit 24 -> 116 (b = 58)            7,398
           3 basic units of 7,598                         22,794      =    30,192
    stage3 downsampling unit 116 -> 232 (b = 116)         43,616
           7 basic units of 28,652                       200,564      =   244,180
    stage4 downsampling unit 232 -> 464 (b = 232)        167,968
           3 basic units of 111,128                      333,384      =   501,352
    conv5  1x1 conv 464 -> 1024 + BN                                 =   477,184
    fc     1024*1000 + 1000                                          = 1,025,000
    total                                                            = 2,278,604

A basic unit holds two b x b 1x1 convs, a depthwise 3x3 with 9b weights and three BNs of 2b each:
2b^2 + 15b. A downsampling unit with c inputs adds the left branch and a wider first 1x1 conv:
(9c + 2c + cb + 2b) + (cb + 2b + 9b + 2b + b^2 + 2b) = 11c + 2cb + b^2 + 17b; for c = 24, b = 58
that is 264 + 2,784 + 3,364 + 986 = 7,398. The total is torchvision's count, and it rounds to the
paper's 2.3M weights (Table 5). The classifier is 45% of the network. Global pooling at the end
lets a 128x128 input stand in for 224x224 on a CPU.
"""

import torch
from torch import nn


def conv_bn(cin, cout, kernel=1, stride=1, groups=1, relu=True):
    layers = [
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def channel_shuffle(x, groups=2):
    """(N, g*c, H, W) -> view as (N, g, c, H, W), swap g and c, flatten back."""
    n, ch, h, w = x.shape
    return x.view(n, groups, ch // groups, h, w).transpose(1, 2).reshape(n, ch, h, w)


class ShuffleUnit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride == 1:
            assert cin == cout
            self.left = None
            right_in = half
        else:
            self.left = nn.Sequential(
                conv_bn(cin, cin, 3, stride, groups=cin, relu=False),
                conv_bn(cin, half),
            )
            right_in = cin
        self.right = nn.Sequential(
            conv_bn(right_in, half),
            conv_bn(half, half, 3, stride, groups=half, relu=False),  # depthwise, no ReLU
            conv_bn(half, half),
        )

    def forward(self, x):
        if self.stride == 1:
            keep, work = x.chunk(2, dim=1)  # channel split
            y = torch.cat([keep, self.right(work)], 1)
        else:
            y = torch.cat([self.left(x), self.right(x)], 1)
        return channel_shuffle(y)


class ShuffleNetV2(nn.Module):
    def __init__(self, repeats=(4, 8, 4), widths=(24, 116, 232, 464, 1024), num_classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, widths[0], 3, stride=2), nn.MaxPool2d(3, stride=2, padding=1))
        units = []
        cin = widths[0]
        for n, cout in zip(repeats, widths[1:4]):
            units.append(ShuffleUnit(cin, cout, 2))
            units += [ShuffleUnit(cout, cout, 1) for _ in range(n - 1)]
            cin = cout
        self.stages = nn.Sequential(*units)
        self.conv5 = conv_bn(cin, widths[4])
        self.fc = nn.Linear(widths[4], num_classes)

    def forward(self, x):
        x = self.conv5(self.stages(self.stem(x)))
        return self.fc(x.mean((2, 3)))  # global average pooling


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = ShuffleNetV2().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 128, 128))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
