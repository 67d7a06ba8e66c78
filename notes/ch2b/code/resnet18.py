# kb-snippet: ResNet-18, torchvision layout
# requires: torch
# expect: params = 11689512
# expect: output_shape = (1, 1000)
# source: He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition", arXiv:1512.03385, Table 1 (18-layer column); torchvision resnet18 has 11,689,512 parameters
"""ResNet-18: a 7x7 stem, four stages of two basic blocks (64, 128, 256, 512 channels), a linear head.

A basic block computes relu(x + F(x)) with F = two 3x3 conv+BN layers. When a stage halves the
resolution and doubles the width, the shortcut becomes a strided 1x1 conv + BN (option B of the
paper). Those three projections hold 64*128 + 128*256 + 256*512 weights plus 2*(128+256+512) BN
parameters, 173,824 in all; every other shortcut is an identity and costs nothing.
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
        # Identity when shapes agree: it adds no parameters, which is the point of the design.
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        y = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(y + self.shortcut(x))


class ResNet18(nn.Module):
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
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout)]
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
    model = ResNet18().eval()
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.randn(1, 3, 224, 224))
    print(f"params = {params}")
    print(f"output_shape = {tuple(out.shape)}")


if __name__ == "__main__":
    main()
