# kb-snippet: ResNet-34, torchvision layout
# requires: torch
# expect: params = 21797672
# expect: output_shape = (1, 1000)
# source: He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition", arXiv:1512.03385, Table 1 (34-layer column); torchvision resnet34 has 21,797,672 parameters
"""ResNet-34: the ResNet-18 recipe with 3, 4, 6 and 3 basic blocks per stage instead of 2, 2, 2, 2.

Each basic block is two 3x3 conv + BN layers around an identity shortcut; the first block of the
last three stages halves the resolution, doubles the width and so needs a 1x1 conv + BN projection
(option B). Counted by hand (convs have no bias, BN holds 2 numbers per channel):

    stem   7x7 conv 3->64 + BN, 49*3*64 + 128                                    =      9,536
    stage1 3 blocks of 2 * (9*64*64 + 128)                                       =    221,952
    stage2 1st block 9*64*128 + 9*128*128 + 2*256 + (64*128 + 256)  = 230,144
           3 more blocks of 2 * (9*128*128 + 256) = 886,272                      =  1,116,416
    stage3 1st block 9*128*256 + 9*256*256 + 2*512 + (128*256 + 512) = 919,040
           5 more blocks of 2 * (9*256*256 + 512) = 5,903,360                    =  6,822,400
    stage4 1st block 9*256*512 + 9*512*512 + 2*1024 + (256*512 + 1024) = 3,673,088
           2 more blocks of 2 * (9*512*512 + 1024) = 9,441,280                   = 13,114,368
    fc     512*1000 + 1000                                                       =    513,000
    total                                                                        = 21,797,672

which is torchvision's resnet34 count. Against ResNet-18 (8 blocks) the 8 extra blocks add
10,108,160 parameters: one more block in stage 1, two in stage 2, four in stage 3 and one in
stage 4, and the stage 3 and stage 4 additions (4,722,688 + 4,720,640) are 93% of that. The
network ends in global average pooling, so any input of 32x32 or more gives a (1, 1000) output; a
112x112 image keeps the CPU run short.
"""

import torch
from torch import nn


def conv_bn(cin, cout, kernel, stride=1):
    """Conv without bias (the BatchNorm shift plays that role) followed by BatchNorm."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
    )


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(y + self.shortcut(x))


class ResNet34(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
        blocks = []
        cin = 64
        for cout, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.pool(self.blocks(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = ResNet34().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 112, 112))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
